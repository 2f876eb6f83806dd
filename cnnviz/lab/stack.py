"""Layer 2, stacked by hand: one filter over layer 1's maps, and what one of its pixels sees.

Layer 2 reads the F maps layer 1 produced (after its ReLU and pooling) the way layer 1 reads the
three colour channels: one ``k2 x k2`` slice per map, the products summed over all maps, plus a
bias. Its receptive field on the input is larger than layer 1's (3x3 then 3x3 sees 5x5; with a 2x2
pool in between, 8x8); the sizes and places come from :func:`cnnviz.nn.summary.receptive_fields`,
the rule the training studio's summary table uses, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.lab.conv import MAX_WEIGHT, ConvSettings, PlaygroundResult
from cnnviz.nn import functional as F
from cnnviz.nn.summary import Field, receptive_fields

__all__ = [
    "Layer2",
    "Layer2Explanation",
    "check_layer2",
    "layer2_settings",
    "layer_windows",
    "layer2_field",
    "layer2_explanation",
    "box_of",
]


@dataclass(frozen=True, eq=False)
class Layer2:
    """The second conv layer's kernel and settings (stride 1, zero padding, no dilation).

    Attributes
    ----------
    kernel : ndarray, shape (F, k2, k2)
        One slice per layer-1 map.
    bias : float
    padding : int
    relu : bool
        Apply a ReLU to layer 2's map: with a negative bias it keeps only places where several
        layer-1 features agree (an AND of edges: a corner).
    """

    kernel: np.ndarray
    bias: float = 0.0
    padding: int = 0
    relu: bool = True


def layer2_settings(layer2: Layer2) -> ConvSettings:
    """Layer 2's sliding-window geometry as :class:`ConvSettings` (stride 1, zero padding)."""
    return ConvSettings(padding=layer2.padding, bias=layer2.bias, relu=layer2.relu)


def check_layer2(layer2: Layer2, maps_shape: tuple[int, int, int]) -> str | None:
    """Why ``layer2`` cannot slide over layer 1's maps (shape (F, h, w)), or None."""
    kernel = np.asarray(layer2.kernel)
    f = maps_shape[0]
    if kernel.ndim != 3 or kernel.shape[1] != kernel.shape[2] or kernel.size == 0:
        return f"Layer 2's kernel must be (F, k, k) with square slices, not {kernel.shape}."
    if kernel.shape[0] != f:
        return (
            f"Layer 1 has {f} map(s) but layer 2's kernel has {kernel.shape[0]} slice(s): it "
            "needs one slice per layer-1 map."
        )
    if not np.all(np.isfinite(kernel)) or not np.isfinite(layer2.bias):
        return "Layer 2's kernel and bias must be finite numbers."
    if max(float(np.abs(kernel).max()), abs(layer2.bias)) > MAX_WEIGHT:
        return (f"Layer 2's weights and bias must lie between -{MAX_WEIGHT:,.0f} and "
                f"{MAX_WEIGHT:,.0f}.")
    try:
        F.conv_output_shape(maps_shape[1:], kernel.shape[1:], 1, layer2.padding, 1)
    except ValueError as exc:
        h, w = maps_shape[1:]
        return f"Layer 2 cannot slide over layer 1's {h}x{w} maps: {exc}."
    return None


def layer_windows(result: PlaygroundResult) -> list[tuple[int, int, int, int]]:
    """The sliding windows from the input to ``result``'s last map: (kernel, stride, padding,
    dilation) of layer 1, its pooling (when on) and layer 2 (when on), in order."""
    s = result.settings
    windows = [(result.kernel_size, s.stride, s.padding, s.dilation)]
    if s.pool != "none":
        windows.append((s.pool_size, s.pool_stride, 0, 1))
    if result.layer2 is not None and result.layer2_kernel is not None:
        windows.append((result.layer2_kernel.shape[-1], 1, result.layer2.padding, 1))
    return windows


def layer2_field(result: PlaygroundResult) -> Field:
    """Layer 2's receptive field on the input (size, offset, jump), from the summary's rules."""
    return receptive_fields(layer_windows(result))[-1]


def box_of(field: Field, row: int, col: int) -> tuple[int, int, int, int]:
    """The window (top, left, bottom, right; bottom and right exclusive) of output pixel
    ``(row, col)`` of a layer with receptive ``field``, in that field's input coordinates."""
    top, left = field.offset + row * field.jump, field.offset + col * field.jump
    return top, left, top + field.size, left + field.size


@dataclass(frozen=True)
class Layer2Explanation:
    """The multiply-and-sum behind one layer-2 pixel, and what it depends on.

    Attributes
    ----------
    patch : ndarray, shape (F, k2, k2)
        Layer-1 map values under the window (zeros in layer 2's padding).
    kernel : ndarray, shape (F, k2, k2)
    products : ndarray, shape (F, k2, k2)
    partial_sums : ndarray, shape (F,)
        ``products`` summed per layer-1 map.
    bias, total, value : float
        ``total = partial_sums.sum() + bias`` (before layer 2's ReLU); ``value`` is what the
        layer-2 view shows.
    window : (top, left, bottom, right)
        The k2 x k2 window on the maps layer 2 reads (the pooled maps when pooling is on).
    feature_window : (top, left, bottom, right)
        The layer-1 feature-map pixels the window depends on (more than k2 x k2 with pooling).
    input_field : (top, left, bottom, right)
        The input pixels it depends on (negative or beyond the image in the padding).
    field_size : int
        The receptive field's side on the input.
    in_padding : ndarray of bool, shape (k2, k2)
    """

    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    partial_sums: np.ndarray
    bias: float
    total: float
    value: float
    window: tuple[int, int, int, int]
    feature_window: tuple[int, int, int, int]
    input_field: tuple[int, int, int, int]
    field_size: int
    in_padding: np.ndarray


def layer2_explanation(result: PlaygroundResult, row: int, col: int) -> Layer2Explanation:
    """Explain layer-2 pixel ``(row, col)``: patch x kernel per layer-1 map, summed, plus bias.

    Raises
    ------
    ValueError
        Without a layer-2 map, or when ``(row, col)`` lies outside it.
    """
    if result.layer2_output is None:
        raise ValueError(
            "There is no layer-2 map to explain: "
            + (result.layer2_error or result.error or "layer 2 is off.")
        )
    h2, w2 = result.layer2_output.shape
    if not (0 <= row < h2 and 0 <= col < w2):
        raise ValueError(f"Pixel ({row}, {col}) is outside the {h2}x{w2} layer-2 map.")
    maps, kernel = result.layer2_input.astype(np.float64), result.layer2_kernel.astype(np.float64)
    k2, p2 = kernel.shape[-1], result.layer2.padding
    window = (row - p2, col - p2, row - p2 + k2, col - p2 + k2)
    padded = np.pad(maps, ((0, 0), (p2, p2), (p2, p2)))
    patch = padded[:, row:row + k2, col:col + k2]
    h, w = maps.shape[1:]
    rows, cols = np.arange(window[0], window[2]), np.arange(window[1], window[3])
    in_padding = ~(((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < w))[None, :])
    products = patch * kernel
    partial_sums = products.sum(axis=(1, 2))
    bias = float(result.layer2.bias)
    windows = layer_windows(result)
    field = receptive_fields(windows)[-1]
    on_maps = receptive_fields(windows[1:])[-1]  # layer 2 (after the pool) in feature-map pixels
    return Layer2Explanation(
        patch, kernel, products, partial_sums, bias, float(partial_sums.sum() + bias),
        float(result.layer2_output[row, col]), window, box_of(on_maps, row, col),
        box_of(field, row, col), field.size, in_padding,
    )
