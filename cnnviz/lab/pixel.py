"""Which input pixels an output pixel saw, and the multiply-and-sum that produced it.

Used by the playground's pixel inspector and sliding-window animation; importable from
:mod:`cnnviz.lab.conv` too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.lab.conv import ConvSettings, PlaygroundResult
from cnnviz.lab.stack import box_of
from cnnviz.nn.summary import receptive_fields

__all__ = [
    "receptive_window",
    "source_index",
    "PixelExplanation",
    "pixel_explanation",
    "pool_window",
    "pool_argmax",
    "pooled_receptive_field",
    "partial_maps",
]


def receptive_window(row: int, col: int, k: int, settings: ConvSettings) -> list[tuple[int, int]]:
    """The input pixels (taps) that output pixel ``(row, col)`` multiplies with the kernel.

    Returns
    -------
    list of (int, int)
        ``k * k`` (input_row, input_col) pairs in kernel order (row by row). Coordinates are in the
        unpadded input, so taps in the padding have negative indices or indices ``>= H`` / ``>= W``.
    """
    s, p, d = settings.stride, settings.padding, settings.dilation
    r0, c0 = row * s - p, col * s - p
    return [(r0 + i * d, c0 + j * d) for i in range(k) for j in range(k)]


def source_index(i: int, n: int, mode: str) -> int | None:
    """Which real pixel a (possibly padded) index ``i`` reads along an axis of length ``n``.

    None for a zero-padding cell; mirrored without repeating the edge for ``"reflect"``; the nearest
    edge pixel for ``"replicate"`` (the same conventions as PyTorch's padding modes).
    """
    if 0 <= i < n:
        return i
    if mode == "zeros":
        return None
    if mode == "replicate" or n == 1:
        return min(max(i, 0), n - 1)
    period = 2 * (n - 1)
    i = abs(i) % period
    return i if i < n else period - i


@dataclass(frozen=True)
class PixelExplanation:
    """The multiply-and-sum behind one output pixel.

    Arrays are (k, k) for a grey input and (C, k, k), one slice per channel, for a colour one,
    like :attr:`PlaygroundResult.kernel <cnnviz.lab.conv.PlaygroundResult.kernel>`.

    Attributes
    ----------
    patch : ndarray, shape (k, k) or (C, k, k)
        Input values under the taps (padding cells hold what the padding mode puts there).
    kernel : ndarray, shape (k, k) or (C, k, k)
    products : ndarray, shape (k, k) or (C, k, k)
        ``patch * kernel``.
    total : float
        ``products.sum() + bias``: the output before ReLU.
    bias : float
    value : float
        What the output view shows at this pixel (after ReLU when on).
    taps : list of (int, int)
        Input coordinates of the taps, see :func:`receptive_window`.
    in_padding : ndarray of bool, shape (k, k)
        Which taps fall outside the image.
    partial_sums : ndarray, shape (C,)
        ``products`` summed per input channel: the pixel's value in each partial map.
    """

    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float
    bias: float
    value: float
    taps: list
    in_padding: np.ndarray
    partial_sums: np.ndarray | None = None


def _patches(planes: np.ndarray, taps: list, k: int, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Values under ``taps`` in every plane of ``planes`` (C, H, W): (C, k, k), and the padding
    mask (k, k)."""
    c, h, w = planes.shape
    patch = np.zeros((c, k, k), dtype=np.float64)
    in_padding = np.zeros((k, k), dtype=bool)
    for idx, (r, col) in enumerate(taps):
        i, j = divmod(idx, k)
        in_padding[i, j] = not (0 <= r < h and 0 <= col < w)
        sr, sc = source_index(r, h, mode), source_index(col, w, mode)
        if sr is not None and sc is not None:
            patch[:, i, j] = planes[:, sr, sc]
    return patch, in_padding


def pixel_explanation(result: PlaygroundResult, row: int, col: int) -> PixelExplanation:
    """Explain output pixel ``(row, col)`` of ``result`` as patch x kernel summed, plus bias.

    With a colour input, each channel's patch meets its own kernel slice; the partial sums add up.

    Raises
    ------
    ValueError
        When the result has no output or ``(row, col)`` lies outside it.
    """
    if result.output is None:
        raise ValueError(
            "There is no output to explain: " + (result.error or "nothing was computed.")
        )
    ho, wo = result.output.shape
    if not (0 <= row < ho and 0 <= col < wo):
        raise ValueError(f"Pixel ({row}, {col}) is outside the {ho}x{wo} output.")
    k = result.kernel_size
    taps = receptive_window(row, col, k, result.settings)
    planes = result.image[None] if result.image.ndim == 2 else result.image
    patch, in_padding = _patches(planes, taps, k, result.settings.padding_mode)
    kernel = result.kernel.astype(np.float64).reshape(patch.shape)
    products = patch * kernel
    partial_sums = products.sum(axis=(1, 2))
    bias = float(result.settings.bias)
    total = float(partial_sums.sum() + bias)
    if result.image.ndim == 2:
        patch, kernel, products = patch[0], kernel[0], products[0]
    return PixelExplanation(
        patch, kernel, products, total, bias, float(result.output[row, col]), taps, in_padding,
        partial_sums,
    )


def pool_window(row: int, col: int, settings: ConvSettings) -> tuple[int, int, int, int]:
    """The feature-map window of pooled pixel ``(row, col)``.

    Returns
    -------
    (top, left, bottom, right) : tuple of int
        ``bottom`` and ``right`` exclusive.
    """
    top, left = row * settings.pool_stride, col * settings.pool_stride
    return top, left, top + settings.pool_size, left + settings.pool_size


def pooled_receptive_field(
    row: int, col: int, k: int, settings: ConvSettings
) -> tuple[int, int, int, int]:
    """The input region that pooled pixel ``(row, col)`` depends on.

    Pooling combines several feature-map pixels, each looking at its own window, so one pooled
    pixel sees more of the input than one feature-map pixel: the receptive field grows.

    Returns
    -------
    (top, left, bottom, right) : tuple of int
        In input coordinates (negative or beyond the image inside the padding); bottom and right
        exclusive.
    """
    _, pooled = receptive_fields([(k, settings.stride, settings.padding, settings.dilation),
                                  (settings.pool_size, settings.pool_stride, 0, 1)])
    return box_of(pooled, row, col)


def pool_argmax(result: PlaygroundResult, row: int, col: int) -> tuple[int, int] | None:
    """Feature-map coordinates of the maximum inside pooled pixel ``(row, col)``'s window.

    None unless ``result`` uses max pooling. Ties go to the first in scan order, like the engine.
    """
    if result.settings.pool != "max" or result.output is None or result.pooled is None:
        return None
    top, left, bottom, right = pool_window(row, col, result.settings)
    window = result.output[top:bottom, left:right]
    i, j = np.unravel_index(int(np.argmax(window)), window.shape)
    return top + int(i), left + int(j)


def partial_maps(
    result: PlaygroundResult, filled: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The maps as they stand after the window has visited ``filled`` positions in scan order.

    Returns
    -------
    output : ndarray, shape (Ho, Wo) or None
        ``result.output`` with NaN where the window has not been yet.
    pooled : ndarray, shape (Hp, Wp) or None
        ``result.pooled`` with NaN for every pooled pixel whose window is not complete yet.
    """
    if result.output is None:
        return None, None
    ho, wo = result.output.shape
    output = result.output.astype(np.float32).ravel()
    output[filled:] = np.nan
    pooled = None
    if result.pooled is not None:
        s = result.settings
        hp, wp = result.pooled.shape
        # a pooled pixel is complete once its window's bottom-right feature-map pixel is
        last_row = np.arange(hp) * s.pool_stride + s.pool_size - 1
        last_col = np.arange(wp) * s.pool_stride + s.pool_size - 1
        done = (last_row[:, None] * wo + last_col[None, :]) < filled
        pooled = np.where(done, result.pooled, np.nan).astype(np.float32)
    return output.reshape(ho, wo), pooled
