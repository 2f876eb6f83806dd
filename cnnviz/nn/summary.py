"""Per-layer numbers that explain why convolutional networks are cheap: the "why CNNs" table.

For every layer: output shape, parameter count, receptive field (how many input pixels one output
pixel can see, along one side) and jump (the input-pixel distance between neighbouring outputs),
FLOPs, and how many parameters a fully-connected layer would need to map the same input size to the
same output size. Example: 1x28x28 -> 16 maps of 28x28 with 3x3 convolutions needs 160 parameters;
a dense layer doing the same needs 784 * 12544 + 12544 = 9,847,040.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import NamedTuple

from cnnviz.nn._geometry import pair, window_span
from cnnviz.nn.architecture import infer_shapes, layer_name, normalize_layer, spec_from_model

__all__ = ["Field", "receptive_fields", "LayerSummary", "conv_param_count", "dense_param_count",
           "summarize", "totals", "sharing_note", "format_table"]


class Field(NamedTuple):
    """The input window one output pixel of a layer depends on, along one axis.

    Attributes
    ----------
    size : int
        Its side, in input pixels (the receptive field).
    offset : int
        Input coordinate of the first pixel of output pixel 0's window (negative when it starts
        in the padding); output pixel ``i``'s window starts at ``offset + i * jump``.
    jump : int
        Input pixels between the windows of neighbouring output pixels.
    """

    size: int = 1
    offset: int = 0
    jump: int = 1

    @property
    def centre(self) -> float:
        """Input coordinate of the centre of output pixel 0's window."""
        return self.offset + (self.size - 1) / 2

    def after(self, kernel_size: int, stride: int, padding: int, dilation: int = 1) -> Field:
        """The field one sliding window further on: its taps are ``jump`` input pixels apart."""
        return Field(self.size + (window_span(kernel_size, dilation) - 1) * self.jump,
                     self.offset - padding * self.jump, self.jump * stride)


def receptive_fields(windows) -> list[Field]:
    """The receptive field after each layer of a stack, along one axis.

    Parameters
    ----------
    windows : iterable of (kernel, stride, padding, dilation) or None
        One entry per layer; None for a layer without a sliding window (ReLU, ...), which keeps
        the field it receives.

    Returns
    -------
    list of Field
        E.g. two 3x3 convolutions then a 2x2 pooling: sizes 3, 5, 6 and jumps 1, 1, 2.
    """
    field, fields = Field(), []
    for window in windows:
        if window is not None:
            field = field.after(*window)
        fields.append(field)
    return fields


def conv_param_count(kernel_size, in_channels: int = 1, out_channels: int = 1) -> int:
    """Weights plus biases of a conv layer: ``F * (C * kh * kw + 1)``, whatever the image size.

    ``kernel_size`` is an int or an ``(kh, kw)`` pair; 16 filters of 3x3 on one channel: 160.
    """
    kh, kw = pair(kernel_size, "kernel_size", 1)
    return out_channels * (in_channels * kh * kw + 1)


def dense_param_count(in_features: int, out_features: int) -> int:
    """Weights plus biases of a dense layer: ``out * (in + 1)`` (28x28 -> 128 units: 100,480)."""
    return out_features * (in_features + 1)


@dataclass(frozen=True)
class LayerSummary:
    """One row of the summary table.

    Attributes
    ----------
    index : int
        1-based layer number.
    name : str
        e.g. "Conv 8@3x3 p1".
    output_shape : tuple
        ``(C, H, W)`` or ``(features,)`` for one input.
    params : int
        Trainable parameters (weights + biases).
    receptive_field : int
        Side length, in input pixels, of the input window one output pixel depends on. Layers after
        Flatten see the whole input; they report at least the input's longer side.
    jump : int
        Distance, in input pixels, between the windows of neighbouring outputs.
    offset : int
        Input coordinate of the first pixel of output pixel 0's window (negative in the padding),
        see :class:`Field`; after Flatten, that of the last spatial layer.
    flops : int
        Floating-point operations for one input: 2 per multiply-add in conv and dense layers
        (bias adds included in that count, as is customary), 1 per output for ReLU, one per window
        element per output for pooling (so one per input value for a global pool), 0 for Flatten.
    dense_equivalent_params : int
        Parameters of a dense layer mapping this layer's input size to its output size
        (in * out + out) for conv and dense layers; 0 for parameter-free layers.
    """

    index: int
    name: str
    output_shape: tuple
    params: int
    receptive_field: int
    jump: int
    offset: int
    flops: int
    dense_equivalent_params: int

    @property
    def field(self) -> Field:
        """Receptive field, offset and jump as one :class:`Field` (both axes alike)."""
        return Field(self.receptive_field, self.offset, self.jump)

    def as_dict(self) -> dict:
        return asdict(self)


def _size(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


def summarize(spec_or_model, input_shape) -> list[LayerSummary]:
    """Summarise a spec (list of layer dicts) or a built Sequential for input ``(C, H, W)``.

    Raises
    ------
    ValueError
        From :func:`cnnviz.nn.architecture.infer_shapes` when the stack is invalid.
    """
    spec = spec_or_model if isinstance(spec_or_model, list) else spec_from_model(spec_or_model)
    shapes = infer_shapes(spec, input_shape)
    rows = []
    prev = tuple(int(s) for s in input_shape)
    field = Field()
    whole = max(prev[1:])
    for i, (raw, out) in enumerate(zip(spec, shapes, strict=True), start=1):
        layer = normalize_layer(raw, i)
        t = layer["type"]
        params = flops = dense_eq = 0
        n_in, n_out = _size(prev), _size(out)
        if t in ("conv", "maxpool", "avgpool"):
            k = layer["kernel_size"]
            field = field.after(k, layer["stride"], layer["padding"], layer.get("dilation", 1))
            if t == "conv":
                macs = prev[0] * k * k * n_out
                params = conv_param_count(k, prev[0], out[0])
                flops, dense_eq = 2 * macs, dense_param_count(n_in, n_out)
            else:
                flops = k * k * n_out
        elif t in ("globalavgpool", "globalmaxpool"):
            # one window covering the whole map: every output sees everything the map saw
            field = field.after(max(prev[1:]), 1, 0)
            flops = n_in
        elif t == "relu":
            flops = n_out
        elif t == "dense":
            # every output unit is wired to every input pixel
            field = field._replace(size=max(field.size, whole))
            params = dense_param_count(n_in, n_out)
            flops, dense_eq = 2 * n_in * n_out, params
        rows.append(LayerSummary(i, layer_name(layer), tuple(out), params, field.size, field.jump,
                                 field.offset, flops, dense_eq))
        prev = out
    return rows


def totals(rows: list[LayerSummary]) -> dict:
    """Sums over the table: ``params``, ``flops``, ``dense_equivalent_params``."""
    return {"params": sum(r.params for r in rows), "flops": sum(r.flops for r in rows),
            "dense_equivalent_params": sum(r.dense_equivalent_params for r in rows)}


def sharing_note(rows: list[LayerSummary]) -> str | None:
    """One sentence on weight sharing: conv parameters vs dense layers of the same sizes.

    None when the network has no conv layer.
    """
    convs = [r for r in rows if r.name.startswith("Conv")]
    if not convs:
        return None
    ours = sum(r.params for r in convs)
    dense = sum(r.dense_equivalent_params for r in convs)
    return (f"Weight sharing: the conv layers have {ours:,} parameters; fully-connected layers "
            f"with the same input and output sizes would need {dense:,} ({dense / ours:,.0f}x "
            "more).")


def _shape_text(shape) -> str:
    return "x".join(str(s) for s in shape)


def format_table(rows: list[LayerSummary]) -> str:
    """A plain-text table of ``rows`` with a totals line, for the command line."""
    head = ("#", "layer", "output", "params", "RF", "jump", "FLOPs", "dense equiv.")
    body = [(str(r.index), r.name, _shape_text(r.output_shape), f"{r.params:,}",
             str(r.receptive_field), str(r.jump), f"{r.flops:,}",
             f"{r.dense_equivalent_params:,}" if r.dense_equivalent_params else "-")
            for r in rows]
    tot = totals(rows)
    body.append(("", "total", "", f"{tot['params']:,}", "", "", f"{tot['flops']:,}",
                 f"{tot['dense_equivalent_params']:,}"))
    widths = [max(len(line[c]) for line in [head, *body]) for c in range(len(head))]
    right = {0, 3, 4, 5, 6, 7}

    def fmt(line):
        return "  ".join(cell.rjust(w) if c in right else cell.ljust(w)
                         for c, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(head), sep, *(fmt(b) for b in body[:-1]), sep, fmt(body[-1])])
