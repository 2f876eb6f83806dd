"""Matching a bare ``state_dict`` (PyTorch names, any module nesting) to a cnnviz architecture.

PyTorch names a parameter by its module path: ``0.weight``, ``features.3.bias``,
``classifier.1.weight``. Tensors are grouped into modules by that path (everything before the
last dot) and matched to the model's trainable layers in layer order:

1. modules in natural name order (``features.10`` after ``features.9``), if every shape fits;
2. otherwise each layer takes the first unused module with exactly its weight and bias shapes
   (in natural order), which handles ``classifier.*`` sorting before ``features.*``: a conv
   weight (4 axes) can never be confused with a dense one (2 axes).

A module without a bias gets zeros. Anything else (batch-norm statistics, extra tensors, shapes
that do not fit) is refused with the expected and found shapes side by side.
"""

from __future__ import annotations

import re

import numpy as np

from cnnviz.io._assemble import shape_text
from cnnviz.io._source import short_list
from cnnviz.nn.model import Sequential

__all__ = ["match_state"]

_LEAVES = ("weight", "bias")


def _natural_key(prefix: str):
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"[.]", prefix))


def _modules(tensors: dict[str, np.ndarray], name: str) -> list[tuple[str, dict]]:
    """``[(prefix, {"weight": array, "bias": array}), ...]`` in natural order of prefixes."""
    groups: dict[str, dict] = {}
    other = []
    for key, value in tensors.items():
        prefix, _, leaf = key.rpartition(".")
        if leaf not in _LEAVES:
            other.append(key)
            continue
        groups.setdefault(prefix, {})[leaf] = value
    if other:
        stats = [k for k in other if k.rpartition(".")[2] in ("running_mean", "running_var",
                                                               "num_batches_tracked")]
        hint = (" (batch-norm statistics: fold the batch norm into the conv before it, or export "
                "to ONNX, whose BatchNormalization cnnviz folds on import)" if stats else "")
        raise ValueError(f"{name} holds tensors that are not a weight or bias: "
                         f"{short_list(other)}{hint}")
    lonely = [p for p, g in groups.items() if "weight" not in g]
    if lonely:
        raise ValueError(f"{name} has a bias without a weight in {short_list(lonely)}")
    return sorted(groups.items(), key=lambda item: _natural_key(item[0]))


def _signature(shapes: dict) -> tuple:
    return tuple(shapes["weight"]), tuple(shapes["bias"]) if "bias" in shapes else None


def _fits(layer_shapes: tuple, module: dict) -> bool:
    weight, bias = layer_shapes
    got = module.get("bias")
    return tuple(module["weight"].shape) == weight and (got is None or tuple(got.shape) == bias)


def _expected(model: Sequential) -> list[tuple[int, str, tuple]]:
    """(layer index, layer name, (weight shape, bias shape)) of every trainable layer."""
    out = []
    for i, layer in enumerate(model.layers):
        params = {p.name: p.shape for p in layer.parameters()}
        if params:
            out.append((i, layer.name, (tuple(params["weight"]), tuple(params["bias"]))))
    return out


def _assign(expected, modules) -> list | None:
    """One module per trainable layer, in one of the two orders above; None if neither fits."""
    if len(expected) != len(modules):
        return None
    if all(_fits(shapes, m) for (_, _, shapes), (_, m) in zip(expected, modules, strict=True)):
        return [m for _, m in modules]
    unused = list(modules)
    picked = []
    for _, _, shapes in expected:
        hit = next((item for item in unused if _fits(shapes, item[1])), None)
        if hit is None:
            return None
        unused.remove(hit)
        picked.append(hit[1])
    return picked


def _mismatch(expected, modules, name: str) -> ValueError:
    want = "; ".join(f"{label}: weight {shape_text(w)}, bias {shape_text(b)}"
                     for _, label, (w, b) in expected[:6])
    found = "; ".join(f"{prefix or '(top)'}: weight {shape_text(m['weight'].shape)}"
                      + (f", bias {shape_text(m['bias'].shape)}" if "bias" in m else ", no bias")
                      for prefix, m in modules[:6])
    return ValueError(f"the weights in {name} do not fit this network. Expected "
                      f"{len(expected)} layers with weights — {want}. Found {len(modules)} — "
                      f"{found}")


def match_state(model: Sequential, tensors: dict[str, np.ndarray], name: str) -> dict:
    """A ``state_dict`` for ``model`` (``"0.weight"`` keys) made from foreign-named tensors.

    Raises
    ------
    ValueError
        When the tensors cannot be matched, listing expected against found shapes.
    """
    modules = _modules(tensors, name)
    expected = _expected(model)
    picked = _assign(expected, modules)
    if picked is None:
        raise _mismatch(expected, modules, name)
    state = {}
    for (i, _, (_, bias_shape)), module in zip(expected, picked, strict=True):
        state[f"{i}.weight"] = module["weight"]
        state[f"{i}.bias"] = module.get("bias", np.zeros(bias_shape, np.float32))
    return state
