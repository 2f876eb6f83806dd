"""Export a model as PyTorch code: a small ``.py`` file with the equivalent ``torch.nn.Sequential``
and the two lines that load its weights from the ``.safetensors`` file written beside it.

cnnviz's layers follow PyTorch's semantics and weight layouts, and ``torch.nn.Sequential``
names parameters ``"<index>.weight"`` exactly as :meth:`cnnviz.nn.Sequential.state_dict` does,
so the weights load by name with no conversion. Nothing here imports torch.
"""

from __future__ import annotations

import json
from pathlib import Path

from cnnviz.fileio import atomic_write
from cnnviz.nn import layers as nn_layers
from cnnviz.nn.model import Sequential

__all__ = ["write_torch_code", "torch_source", "TORCH_LAYERS"]


def _arg(value) -> str:
    if isinstance(value, (tuple, list)):
        return str(value[0]) if value[0] == value[1] else f"({value[0]}, {value[1]})"
    return str(value)


def _window(layer, dilation: bool = False) -> str:
    text = (f"kernel_size={_arg(layer.kernel_size)}, stride={_arg(layer.stride)}, "
            f"padding={_arg(layer.padding)}")
    return text + (f", dilation={_arg(layer.dilation)}" if dilation else "")


_GLOBAL = "nn.Sequential(nn.Adaptive{}Pool2d(1), nn.Flatten())"
TORCH_LAYERS = {
    "conv": lambda l: f"nn.Conv2d({l.in_channels}, {l.out_channels}, {_window(l, True)})",
    "relu": lambda l: "nn.ReLU()",
    "maxpool": lambda l: f"nn.MaxPool2d({_window(l)})",
    "avgpool": lambda l: f"nn.AvgPool2d({_window(l)})",  # count_include_pad=True, as cnnviz
    "flatten": lambda l: "nn.Flatten()",
    "dense": lambda l: f"nn.Linear({l.in_features}, {l.out_features})",
    # cnnviz's global pools return (N, C): PyTorch's adaptive pool keeps (N, C, 1, 1), so a
    # Flatten follows in one nested Sequential (no parameters, so later indices still match).
    nn_layers.GlobalAvgPool2D.kind: lambda _: _GLOBAL.format("Avg"),
    nn_layers.GlobalMaxPool2D.kind: lambda _: _GLOBAL.format("Max"),
}


def torch_source(model: Sequential, weights_name: str, metadata: dict) -> str:
    """The text of the ``.py`` file for ``model`` whose weights are in ``weights_name``."""
    lines = []
    for i, layer in enumerate(model.layers):
        make = TORCH_LAYERS.get(layer.kind)
        if make is None:
            raise ValueError(f"layer {i + 1} ({layer.name}) has no PyTorch equivalent here")
        lines.append(f"        {make(layer)},  # {i}: {layer.name}")
    shape = metadata.get("input_shape")
    names = metadata.get("class_names")
    return "\n".join([
        f'"""{Path(weights_name).stem}: a CNN exported from cnnviz as PyTorch code.',
        "",
        "    from this_file import model     # weights loaded from the .safetensors beside it",
        "    logits = model(x)                # x: float tensor of shape (N, *INPUT_SHAPE)",
        "",
        "Needs torch and safetensors (pip install torch safetensors).",
        '"""',
        "",
        "from pathlib import Path",
        "",
        "from safetensors.torch import load_file",
        "from torch import nn",
        "",
        f"INPUT_SHAPE = {tuple(shape) if shape else None}  # (channels, height, width)",
        f"CLASS_NAMES = {json.dumps(names) if names else None}",
        f"WEIGHTS = Path(__file__).with_name({weights_name!r})",
        "",
        "",
        "def build_model() -> nn.Sequential:",
        '    """The network, freshly initialised (same layers and order as in cnnviz)."""',
        "    return nn.Sequential(",
        *lines,
        "    )",
        "",
        "",
        "model = build_model()",
        "model.load_state_dict(load_file(WEIGHTS))",
        "model.eval()",
        "",
    ])


def write_torch_code(model: Sequential, path: Path, metadata: dict) -> Path:
    """Write ``path`` (``.py``) and its weights ``path.with_suffix(".safetensors")``, atomically.

    Returns
    -------
    Path
        The ``.py`` file.
    """
    from cnnviz.io.safetensors import write_safetensors

    weights = path.with_suffix(".safetensors")
    source = torch_source(model, weights.name, metadata)
    write_safetensors(model, weights, metadata)
    with atomic_write(path, "w") as f:
        f.write(source)
    return path
