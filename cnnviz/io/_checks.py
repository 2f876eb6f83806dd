"""Checks every model reader runs on what a file declares, before anything is built or allocated.

* :func:`checked_architecture`: each layer config is validated on its own (type, whole numbers in
  range) before any total is formed, so a negative size can never cancel a huge one.
* :func:`parameter_shapes`: the exact weight arrays the architecture needs, by name; a file must
  hold exactly those (unknown members are refused, so junk cannot "pay" for a big network).
* :func:`check_budget`: parameters and the activation memory of one sample, computed from the
  architecture and input shape, against :mod:`cnnviz.limits`.
* :func:`check_weights`: no NaN, inf or absurd magnitudes.
* :func:`checked_metadata`: ``input_shape``, ``class_names`` of the right types and sizes.
"""

from __future__ import annotations

import numpy as np

from cnnviz.io._source import short_list
from cnnviz.limits import (
    MAX_ABS_WEIGHT,
    MAX_ACTIVATION_BYTES_PER_SAMPLE,
    MAX_CLASSES,
    MAX_INPUT_CHANNELS,
    MAX_INPUT_SIDE,
    MAX_LAYERS,
    MAX_MODEL_PARAMETERS,
    describe_bytes,
)
from cnnviz.nn import functional as F
from cnnviz.nn.layers import LAYER_CLASSES, layer_from_config

__all__ = ["checked_architecture", "parameter_shapes", "check_budget", "check_weights",
           "checked_metadata", "checked_input_shape", "activation_bytes"]

# Whole-number config keys of each known layer kind and their smallest value.
_SIZE_KEYS = {
    "conv": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "stride": 1, "padding": 0,
             "dilation": 1},
    "maxpool": {"kernel_size": 1, "stride": 1, "padding": 0},
    "avgpool": {"kernel_size": 1, "stride": 1, "padding": 0},
    "dense": {"in_features": 1, "out_features": 1},
    "relu": {}, "flatten": {},
}
_PAIR_KEYS = {"kernel_size", "stride", "padding", "dilation"}
_LARGEST = 10**7  # no channel count, feature count or window in a model file is near this


def _whole(value, low: int, where: str, key: str, pair_ok: bool):
    if pair_ok and isinstance(value, (list, tuple)) and len(value) == 2:
        return [_whole(v, low, where, key, False) for v in value]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= _LARGEST:
        raise ValueError(f"{where}: {key.replace('_', ' ')} must be a whole number from {low} to "
                         f"{_LARGEST:,}, got {str(value)[:40]}")
    return value


def checked_architecture(architecture, name: str) -> list[dict]:
    """Validate a list of layer configs (``Layer.config()`` dicts) one layer at a time.

    Raises
    ------
    ValueError
        "m.npz, layer 3 (conv): in channels must be a whole number ..." for the first bad layer.
    """
    if not isinstance(architecture, list) or not architecture:
        raise ValueError(f"{name} has no valid architecture (a list of layers)")
    if len(architecture) > MAX_LAYERS:
        raise ValueError(f"{name} lists {len(architecture):,} layers, more than the "
                         f"{MAX_LAYERS} allowed")
    checked = []
    for i, config in enumerate(architecture, start=1):
        if not isinstance(config, dict) or not isinstance(config.get("type"), str):
            raise ValueError(f"{name}, layer {i}: not a layer description")
        kind = config["type"]
        where = f"{name}, layer {i} ({kind[:30]})"
        if kind not in LAYER_CLASSES:
            raise ValueError(f"{where}: unknown layer type {kind[:30]!r}; expected one of "
                             f"{', '.join(LAYER_CLASSES)}")
        keys = _SIZE_KEYS.get(kind)
        out = {"type": kind}
        for key, value in config.items():
            if key == "type":
                continue
            low = keys.get(key) if keys is not None else 0
            if keys is not None and low is None:
                raise ValueError(f"{where}: unexpected setting {key[:30]!r}")
            out[key] = _whole(value, low, where, key, key in _PAIR_KEYS)
        checked.append(out)
    return checked


def parameter_shapes(configs: list[dict]) -> dict[str, tuple]:
    """The ``state_dict`` names and shapes a checked architecture needs, without building it.

    Layers the table does not know (parameter-free ones added later) are built alone to ask.
    """
    shapes: dict[str, tuple] = {}
    for i, c in enumerate(configs):
        kind = c["type"]
        if kind == "conv":
            kh, kw = _pair(c.get("kernel_size", 1))
            shapes[f"{i}.weight"] = (c["out_channels"], c["in_channels"], kh, kw)
            shapes[f"{i}.bias"] = (c["out_channels"],)
        elif kind == "dense":
            shapes[f"{i}.weight"] = (c["out_features"], c["in_features"])
            shapes[f"{i}.bias"] = (c["out_features"],)
        elif kind not in _SIZE_KEYS:
            try:
                layer = layer_from_config(dict(c))
            except ValueError as exc:
                raise ValueError(f"layer {i + 1}: {exc}") from None
            shapes.update({f"{i}.{p.name}": p.shape for p in layer.parameters()})
    return shapes


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def _count(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


def _output_shape(config: dict, shape: tuple, index: int) -> tuple[tuple, int]:
    """One layer's output shape for one sample, and the extra scratch elements it needs."""
    kind = config["type"]
    if kind in ("conv", "maxpool", "avgpool"):
        if len(shape) != 3:
            raise ValueError(f"layer {index} ({kind}) needs image-shaped input, got {shape}")
        if kind == "conv":
            if shape[0] != config["in_channels"]:
                raise ValueError(f"layer {index} (conv) expects {config['in_channels']} input "
                                 f"channels but receives {shape[0]}")
            h, w = F.conv_output_shape(shape[1:], config.get("kernel_size", 1),
                                       config.get("stride", 1), config.get("padding", 0),
                                       config.get("dilation", 1))
            kh, kw = _pair(config.get("kernel_size", 1))
            return (config["out_channels"], h, w), shape[0] * kh * kw * h * w  # unfolded patches
        h, w = F.pool_output_shape(shape[1:], config.get("kernel_size", 2),
                                   config.get("stride"), config.get("padding", 0))
        return (shape[0], h, w), 0
    if kind == "flatten":
        return (_count(shape),), 0
    if kind == "dense":
        if _count(shape) != config["in_features"] or len(shape) != 1:
            raise ValueError(f"layer {index} (dense) expects {config['in_features']:,} inputs "
                             f"but receives {shape}")
        return (config["out_features"],), 0
    if kind == "relu":
        return shape, 0
    if kind in ("globalavgpool", "globalmaxpool"):
        if len(shape) != 3:
            raise ValueError(f"layer {index} ({kind}) needs image-shaped input, got {shape}")
        return (shape[0],), 0
    # a parameter-free layer this table does not know: ask it, on one sample (its input fits)
    out = layer_from_config(dict(config)).forward(np.zeros((1, *shape), np.float32))
    return tuple(out.shape[1:]), 0


def activation_bytes(configs: list[dict], input_shape) -> int:
    """float32 bytes one sample needs going through the network: outputs plus conv patches.

    Raises
    ------
    ValueError
        If a layer does not fit the shape it receives, or the budget is exceeded on the way.
    """
    shape = tuple(input_shape)
    total = 4 * _count(shape)
    if total > MAX_ACTIVATION_BYTES_PER_SAMPLE:  # before any layer is asked about its output
        raise ValueError(f"one {'x'.join(map(str, shape))} input sample takes "
                         f"{describe_bytes(total)}, more than the "
                         f"{describe_bytes(MAX_ACTIVATION_BYTES_PER_SAMPLE)} cnnviz runs")
    for i, config in enumerate(configs, start=1):
        try:
            shape, scratch = _output_shape(config, shape, i)
        except ValueError as exc:
            raise ValueError(f"the architecture does not fit a {'x'.join(map(str, input_shape))} "
                             f"input: {exc}") from None
        total += 4 * (_count(shape) + scratch)
        if total > MAX_ACTIVATION_BYTES_PER_SAMPLE:
            raise ValueError(f"one input sample would need more than "
                             f"{describe_bytes(MAX_ACTIVATION_BYTES_PER_SAMPLE)} of activations "
                             f"by layer {i}; that is beyond what cnnviz can run")
    return total


def check_budget(configs: list[dict], input_shape, name: str) -> None:
    """Refuse a network too large to build or run, from its description alone."""
    params = 0
    for key, shape in parameter_shapes(configs).items():
        params += _count(shape)
        if params > MAX_MODEL_PARAMETERS:
            raise ValueError(f"{name} describes more than {MAX_MODEL_PARAMETERS:,} parameters "
                             f"(by {key}); cnnviz opens small CNNs only")
    if input_shape is not None:
        try:
            activation_bytes(configs, input_shape)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None


def check_weights(state: dict[str, np.ndarray], name: str) -> None:
    """Refuse NaN, inf and magnitudes over :data:`cnnviz.limits.MAX_ABS_WEIGHT`."""
    bad = []
    for key, value in state.items():
        with np.errstate(all="ignore"):
            ok = np.isfinite(value).all() and (value.size == 0 or
                                              float(np.abs(value).max()) <= MAX_ABS_WEIGHT)
        if not ok:
            bad.append(key)
    if bad:
        raise ValueError(f"{name} holds weights that are NaN, infinite or larger than "
                         f"{MAX_ABS_WEIGHT:g} in {short_list(bad)}; a trained model never has "
                         f"those, so the file is damaged. It was not loaded")


def checked_input_shape(value, name: str) -> tuple[int, int, int]:
    """``(C, H, W)`` as ints within :mod:`cnnviz.limits`, or ValueError."""
    ok = isinstance(value, (list, tuple)) and len(value) == 3 and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value)
    if ok:
        c, h, w = value
        ok = 1 <= c <= MAX_INPUT_CHANNELS and 1 <= h <= MAX_INPUT_SIDE and 1 <= w <= MAX_INPUT_SIDE
    if not ok:
        raise ValueError(f"{name} records an invalid input shape {str(value)[:60]}; expected "
                         f"(channels, height, width) with at most {MAX_INPUT_CHANNELS} channels "
                         f"and {MAX_INPUT_SIDE} pixels a side")
    return int(value[0]), int(value[1]), int(value[2])


def checked_metadata(meta, name: str) -> dict:
    """A copy of a file's metadata with ``input_shape`` and ``class_names`` checked.

    ``spec`` is dropped: it is derived again from the architecture that was actually built.
    """
    if not isinstance(meta, dict):
        return {}
    out = {k: v for k, v in meta.items() if isinstance(k, str) and k != "spec"}
    if "input_shape" in out and out["input_shape"] is not None:
        out["input_shape"] = list(checked_input_shape(out["input_shape"], name))
    names = out.get("class_names")
    if names is not None:
        if not (isinstance(names, list) and len(names) <= MAX_CLASSES
                and all(isinstance(n, str) and len(n) <= 200 for n in names)):
            raise ValueError(f"{name} records invalid class names (expected a list of at most "
                             f"{MAX_CLASSES:,} short strings)")
    if "dataset" in out and not isinstance(out["dataset"], str):
        out["dataset"] = str(out["dataset"])[:100]
    return out
