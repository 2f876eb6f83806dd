"""Network architectures as plain data: what the architecture editor edits and the trainer builds.

A *spec* is a list of dicts, one per layer, in the vocabulary of :meth:`Layer.config
<cnnviz.nn.base.Layer.config>`. Only the output side of each layer is stored (how many filters,
how many units); input channel and feature counts (:data:`~cnnviz.nn.layers.INPUT_KEYS`) are
inferred from the layer before, so editing one layer never requires fixing up the next by hand::

    {"type": "conv", "out_channels": 8, "kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1}
    {"type": "relu"}   {"type": "maxpool", "kernel_size": 2, "stride": 2, "padding": 0}
    {"type": "avgpool", "kernel_size": 2, "stride": 2, "padding": 0}
    {"type": "globalavgpool"}   {"type": "globalmaxpool"}   (maps (C, H, W) -> C features)
    {"type": "flatten"}   {"type": "dense", "out_features": 10}

Invalid stacks raise ``ValueError("layer 3 (MaxPool 2): ...")`` naming the (1-based) layer.
"""

from __future__ import annotations

import copy

from cnnviz.nn import functional as F
from cnnviz.nn.layers import INPUT_KEYS, LAYER_CLASSES, layer_from_config
from cnnviz.nn.model import Sequential

LAYER_TYPES = tuple(LAYER_CLASSES)

_DEFAULTS = {
    "conv": {"type": "conv", "out_channels": 8, "kernel_size": 3, "stride": 1, "padding": 1,
             "dilation": 1},
    "relu": {"type": "relu"},
    "maxpool": {"type": "maxpool", "kernel_size": 2, "stride": 2, "padding": 0},
    "avgpool": {"type": "avgpool", "kernel_size": 2, "stride": 2, "padding": 0},
    "globalavgpool": {"type": "globalavgpool"},
    "globalmaxpool": {"type": "globalmaxpool"},
    "flatten": {"type": "flatten"},
    "dense": {"type": "dense", "out_features": 10},
}
_GLOBAL_POOLS = ("globalavgpool", "globalmaxpool")
_SPATIAL = ("conv", "maxpool", "avgpool", *_GLOBAL_POOLS)
# What a key left out of a spec means: PyTorch's defaults (no padding), not the editor's.
_OMITTED = {
    "conv": {"out_channels": 8, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1},
    "maxpool": {"kernel_size": 2, "padding": 0},
    "avgpool": {"kernel_size": 2, "padding": 0},
    "dense": {"out_features": 10},
}
# Which keys hold integers and their smallest allowed value.
_INT_KEYS = {"out_channels": 1, "kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1,
             "out_features": 1}

_CONV = {"type": "conv", "stride": 1, "dilation": 1}
_POOL = {"type": "maxpool", "kernel_size": 2, "stride": 2, "padding": 0}

PRESETS: dict[str, list[dict]] = {
    # The classic first CNN: 4 small filters, pooling, one dense layer.
    "Classic small net": [
        {**_CONV, "out_channels": 4, "kernel_size": 3, "padding": 0}, {"type": "relu"},
        dict(_POOL), {"type": "flatten"}, {"type": "dense", "out_features": 10},
    ],
    # LeCun et al. 1998 in spirit (ReLU and max-pooling instead of tanh and subsampling); padding 2
    # on both convs keeps it valid on 8x8 digits as well as 28x28 MNIST.
    "LeNet-like": [
        {**_CONV, "out_channels": 6, "kernel_size": 5, "padding": 2}, {"type": "relu"}, dict(_POOL),
        {**_CONV, "out_channels": 16, "kernel_size": 5, "padding": 2}, {"type": "relu"},
        dict(_POOL), {"type": "flatten"},
        {"type": "dense", "out_features": 120}, {"type": "relu"},
        {"type": "dense", "out_features": 84}, {"type": "relu"},
        {"type": "dense", "out_features": 10},
    ],
    # Two blocks of two 3x3 convs then a pool, as in the CNN Explainer's TinyVGG.
    "TinyVGG-like": [
        {**_CONV, "out_channels": 8, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        {**_CONV, "out_channels": 8, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        dict(_POOL),
        {**_CONV, "out_channels": 16, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        {**_CONV, "out_channels": 16, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        dict(_POOL), {"type": "flatten"}, {"type": "dense", "out_features": 10},
    ],
    # The CNN Explainer's TinyVGG exactly (Wang et al. 2020), for 64x64x3 input: two blocks of two
    # unpadded 10@3x3 convs and a 2x2 max pool (64 -> 62 -> 60 -> 30 -> 28 -> 26 -> 13), then one
    # dense layer over the 10x13x13 maps.
    "TinyVGG (CNN Explainer)": [
        {**_CONV, "out_channels": 10, "kernel_size": 3, "padding": 0}, {"type": "relu"},
        {**_CONV, "out_channels": 10, "kernel_size": 3, "padding": 0}, {"type": "relu"},
        dict(_POOL),
        {**_CONV, "out_channels": 10, "kernel_size": 3, "padding": 0}, {"type": "relu"},
        {**_CONV, "out_channels": 10, "kernel_size": 3, "padding": 0}, {"type": "relu"},
        dict(_POOL), {"type": "flatten"}, {"type": "dense", "out_features": 10},
    ],
    # No convolution at all: every hidden unit is wired to every pixel (the "Why CNNs" baseline).
    "Dense (MLP)": [
        {"type": "flatten"}, {"type": "dense", "out_features": 128}, {"type": "relu"},
        {"type": "dense", "out_features": 10},
    ],
    # All convolutional up to a global pool: the final Dense sees one number per channel, so no
    # weight is tied to a position in the image (Lin et al. 2013, "Network in Network").
    "CNN + global pooling": [
        {**_CONV, "out_channels": 8, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        dict(_POOL),
        {**_CONV, "out_channels": 16, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        dict(_POOL),
        {**_CONV, "out_channels": 32, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        {"type": "globalmaxpool"}, {"type": "dense", "out_features": 10},
    ],
}
# Short names for the command line.
PRESET_ALIASES = {"classic": "Classic small net", "lenet": "LeNet-like", "tinyvgg": "TinyVGG-like",
                  "tinyvgg-explainer": "TinyVGG (CNN Explainer)", "mlp": "Dense (MLP)",
                  "global": "CNN + global pooling"}


def default_layer(layer_type: str) -> dict:
    """A fresh dict with sensible defaults for ``layer_type`` (one of :data:`LAYER_TYPES`)."""
    if layer_type not in _DEFAULTS:
        raise ValueError(f"unknown layer type {layer_type!r}; "
                         f"choose one of {', '.join(LAYER_TYPES)}")
    return dict(_DEFAULTS[layer_type])


def preset(name: str, n_classes: int = 10) -> list[dict]:
    """A copy of preset ``name`` (or its alias) whose last dense layer has ``n_classes`` outputs."""
    name = PRESET_ALIASES.get(name, name)
    if name not in PRESETS:
        choices = ", ".join([*PRESETS, *PRESET_ALIASES])
        raise ValueError(f"unknown architecture {name!r}; choose one of {choices}")
    spec = copy.deepcopy(PRESETS[name])
    spec[-1]["out_features"] = int(n_classes)
    return spec


def default_architecture(dataset_name: str, input_shape, n_classes: int) -> list[dict]:
    """The network the app proposes for a data set.

    Lines get the classic small net; everything else two padded conv blocks (wider on small
    images such as the 8x8 digits, where the maps are cheap), so the pooled maps stay small and the
    second layer shows a feature hierarchy.
    """
    _, h, w = input_shape
    if dataset_name == "lines" and min(h, w) >= 4:
        return preset("Classic small net", n_classes)
    f1, f2 = (16, 32) if max(h, w) <= 12 else (8, 16)
    if min(h, w) < 4:                                     # too small to pool twice
        return [{**_CONV, "out_channels": f1, "kernel_size": 3, "padding": 1}, {"type": "relu"},
                {"type": "flatten"}, {"type": "dense", "out_features": n_classes}]
    return [{**_CONV, "out_channels": f1, "kernel_size": 3, "padding": 1}, {"type": "relu"},
            dict(_POOL),
            {**_CONV, "out_channels": f2, "kernel_size": 3, "padding": 1}, {"type": "relu"},
            dict(_POOL), {"type": "flatten"}, {"type": "dense", "out_features": n_classes}]


def layer_name(layer: dict) -> str:
    """Short human name: "Conv 8@3x3", "ReLU", "MaxPool 2", "Dense 10"..."""
    t = layer.get("type")
    if t == "conv":
        k = layer.get("kernel_size", 3)
        parts = [f"Conv {layer.get('out_channels', '?')}@{k}x{k}"]
        for key, letter, plain in (("stride", "s", 1), ("padding", "p", 0), ("dilation", "d", 1)):
            if layer.get(key, plain) != plain:
                parts.append(f"{letter}{layer[key]}")
        return " ".join(parts)
    if t in ("maxpool", "avgpool"):
        label = "MaxPool" if t == "maxpool" else "AvgPool"
        k, s = layer.get("kernel_size", 2), layer.get("stride", layer.get("kernel_size", 2))
        return f"{label} {k}" + (f" s{s}" if s != k else "")
    if t == "dense":
        return f"Dense {layer.get('out_features', '?')}"
    return {"relu": "ReLU", "flatten": "Flatten", "globalavgpool": "GlobalAvgPool",
            "globalmaxpool": "GlobalMaxPool"}.get(t, str(t))


def normalize_layer(layer: dict, index: int = 1) -> dict:
    """Validate one layer dict and fill in what was left out.

    Omitted keys take PyTorch's defaults: stride 1, padding 0, dilation 1, and a pool's stride
    equal to its window.
    """
    if not isinstance(layer, dict) or layer.get("type") not in LAYER_TYPES:
        got = layer.get("type") if isinstance(layer, dict) else type(layer).__name__
        raise ValueError(f"layer {index}: unknown layer type {got!r}; "
                         f"choose one of {', '.join(LAYER_TYPES)}")
    out = {"type": layer["type"], **_OMITTED.get(layer["type"], {})}
    out.update({k: v for k, v in layer.items() if v is not None})
    if out["type"] in ("maxpool", "avgpool") and out.get("stride") is None:
        out["stride"] = out["kernel_size"]
    for key, low in _INT_KEYS.items():
        if key not in out:
            continue
        value = out[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"layer {index} ({layer_name(out)}): {key.replace('_', ' ')} must be "
                             f"a whole number >= {low}, got {value!r}")
    return out


def infer_shapes(spec: list[dict], input_shape) -> list[tuple]:
    """Output shape of every layer for one input of shape ``(C, H, W)``.

    Returns
    -------
    list of tuple
        ``(C, H, W)`` for spatial layers, ``(features,)`` after Flatten/Dense.

    Raises
    ------
    ValueError
        Naming the first invalid layer, e.g. "layer 3 (MaxPool 2): ...".
    """
    if len(input_shape) != 3 or min(input_shape) < 1:
        raise ValueError(f"input shape must be (channels, height, width), got {tuple(input_shape)}")
    if not spec:
        raise ValueError("the network has no layers; add at least a Flatten and a Dense layer")
    shape = tuple(int(s) for s in input_shape)
    shapes = []
    for i, raw in enumerate(spec, start=1):
        layer = normalize_layer(raw, i)
        where = f"layer {i} ({layer_name(layer)})"
        t = layer["type"]
        if t in _SPATIAL and len(shape) != 3:
            raise ValueError(f"{where}: needs image-shaped input (channels, height, width) but "
                             f"gets a flat vector of {shape[0]} features; move it before Flatten")
        if t in _GLOBAL_POOLS:
            shape = (shape[0],)
        elif t in _SPATIAL:
            try:  # the engine's own size rules and messages
                if t == "conv":
                    h, w = F.conv_output_shape(shape[1:], layer["kernel_size"], layer["stride"],
                                               layer["padding"], layer["dilation"])
                else:
                    h, w = F.pool_output_shape(shape[1:], layer["kernel_size"], layer["stride"],
                                               layer["padding"])
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
            shape = (layer["out_channels"] if t == "conv" else shape[0], h, w)
        elif t == "flatten":
            shape = (int(shape[0] * shape[1] * shape[2]),) if len(shape) == 3 else shape
        elif t == "dense":
            if len(shape) != 1:
                raise ValueError(f"{where}: needs a flat input but gets maps of shape {shape}; "
                                 "add a Flatten layer before it")
            shape = (layer["out_features"],)
        shapes.append(shape)
    return shapes


def build_model(spec: list[dict], input_shape, n_classes: int | None = None,
                seed: int = 0) -> Sequential:
    """Build a :class:`cnnviz.nn.model.Sequential` from a spec (weights seeded by ``seed``).

    Each layer's config is its spec entry plus the input size the layer before gives it.

    Raises
    ------
    ValueError
        If the stack is invalid, or ``n_classes`` is given and the network does not end in a
        Dense layer with that many outputs.
    """
    shapes = infer_shapes(spec, input_shape)
    layers = [normalize_layer(raw, i) for i, raw in enumerate(spec, start=1)]
    last = layers[-1]
    if n_classes is not None and (last["type"] != "dense" or shapes[-1] != (n_classes,)):
        raise ValueError(f"the last layer must be Dense {n_classes} (one output per class), "
                         f"but layer {len(spec)} is {layer_name(last)}")
    inputs = [tuple(input_shape), *shapes[:-1]]
    configs = []
    for layer, shape_in in zip(layers, inputs, strict=True):
        config = {key: layer[key] for key in _DEFAULTS[layer["type"]]}
        if layer["type"] in INPUT_KEYS:
            config[INPUT_KEYS[layer["type"]]] = shape_in[0]
        configs.append(config)
    model = Sequential([layer_from_config(c) for c in configs], seed=seed)
    model.metadata = {**model.metadata, "input_shape": list(input_shape), "spec": layers}
    return model


def spec_from_model(model: Sequential) -> list[dict]:
    """Recover a spec from a built :class:`~cnnviz.nn.model.Sequential` (e.g. a loaded model).

    Each entry is the layer's config without the inferred input size, square pairs as one int.
    """
    spec = []
    for layer in model.layers:
        config = layer.config()
        kind = config["type"]
        if kind not in LAYER_TYPES:
            raise ValueError(f"cannot describe layer type {type(layer).__name__} as a spec")
        spec.append({key: _scalar(value) if key != "type" else value
                     for key, value in config.items() if key != INPUT_KEYS.get(kind)})
    return spec


def _scalar(v):
    """Collapse a square ``(a, a)`` pair to ``a`` (the editor works with square kernels)."""
    if isinstance(v, (tuple, list)):
        return int(v[0]) if len(v) == 2 and v[0] == v[1] else tuple(int(x) for x in v)
    return int(v)
