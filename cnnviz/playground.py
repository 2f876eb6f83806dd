"""The playground's arithmetic: one grey image, one kernel, optional ReLU and pooling.

Everything the playground shows is computed here, without Qt, so the numbers on screen can be
tested directly: the convolution itself (through :mod:`cnnviz.ops`, the same engine the training
studio uses), the output-size formula with the current numbers filled in, which input pixels a given
output pixel looked at (dilated taps and padding cells included), the multiply-and-sum behind one
output pixel, parameter counts of a conv layer versus a dense layer, and a speed comparison with the
textbook loops of :mod:`cnnviz.reference`.

Notes
-----
For an input of ``n`` pixels, kernel ``k``, padding ``p``, dilation ``d`` and stride ``s``::

    out = floor((n + 2p - d(k - 1) - 1) / s) + 1
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "PADDING_MODES",
    "POOL_TYPES",
    "ConvSettings",
    "PlaygroundResult",
    "PixelExplanation",
    "SpeedComparison",
    "compute",
    "output_size",
    "output_size_formula",
    "pool_size_formula",
    "receptive_window",
    "window_span",
    "source_index",
    "pixel_explanation",
    "pool_window",
    "pool_argmax",
    "conv_param_count",
    "dense_param_count",
    "time_vectorised_vs_loops",
]

PADDING_MODES = ("zeros", "reflect", "replicate")
POOL_TYPES = ("none", "max", "average")


@dataclass(frozen=True)
class ConvSettings:
    """Everything about the convolution except the image and the kernel values.

    ``pool`` is one of ``"none"``, ``"max"``, ``"average"``; ``bias`` is added to every output pixel
    before the ReLU.
    """

    stride: int = 1
    padding: int = 0
    padding_mode: str = "zeros"
    dilation: int = 1
    relu: bool = False
    pool: str = "none"
    pool_size: int = 2
    pool_stride: int = 2
    bias: float = 0.0


@dataclass(frozen=True)
class PlaygroundResult:
    """What the playground displays for one (image, kernel, settings).

    Attributes
    ----------
    image : ndarray, shape (H, W)
        Grey input in [0, 1].
    kernel : ndarray, shape (k, k)
    output : ndarray, shape (Ho, Wo) or None
        Convolution plus bias, after ReLU when ``settings.relu``; None when impossible.
    pooled : ndarray, shape (Hp, Wp) or None
        ``output`` pooled; None without pooling or when pooling is impossible.
    error : str or None
        Why nothing (or no pooled map) could be computed, in a sentence the user can act on.
    settings : ConvSettings
    pre_relu : ndarray, shape (Ho, Wo) or None
        Convolution plus bias before the ReLU (equal to ``output`` when ReLU is off).
    """

    image: np.ndarray
    kernel: np.ndarray
    output: np.ndarray | None
    pooled: np.ndarray | None
    error: str | None
    settings: ConvSettings = field(default_factory=ConvSettings)
    pre_relu: np.ndarray | None = None


def window_span(k: int, dilation: int) -> int:
    """Pixels covered by a ``k``-tap kernel with ``dilation``: ``d(k - 1) + 1``."""
    return dilation * (k - 1) + 1


def output_size(n: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """``floor((n + 2p - d(k-1) - 1) / s) + 1``; zero or negative means nothing fits."""
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def output_size_formula(n: int, k: int, settings: ConvSettings) -> str:
    """The output-size formula with this input size, kernel size and settings filled in.

    Returns
    -------
    str
        e.g. ``"out = floor((512 + 2*1 - 2*(3-1) - 1) / 2) + 1 = 255"``; an impossible combination
        ends in ``"= -3: nothing fits"``.
    """
    s, p, d = settings.stride, settings.padding, settings.dilation
    out = output_size(n, k, s, p, d)
    text = f"out = floor(({n} + 2*{p} - {d}*({k}-1) - 1) / {s}) + 1 = {out}"
    return text if out > 0 else text + ": nothing fits"


def pool_size_formula(n: int, settings: ConvSettings) -> str:
    """Pooled size with the current numbers: ``"pooled = floor((255 - 2) / 2) + 1 = 127"``."""
    size, stride = settings.pool_size, settings.pool_stride
    out = (n - size) // stride + 1
    text = f"pooled = floor(({n} - {size}) / {stride}) + 1 = {out}"
    return text if out > 0 else text + ": nothing fits"


def _ops():
    # Imported lazily so that importing this module (e.g. for the formula) stays cheap.
    from cnnviz import ops

    return ops


def _check_inputs(image: np.ndarray, kernel: np.ndarray, settings: ConvSettings) -> str | None:
    if image.ndim != 2 or image.size == 0:
        return (
            f"The input must be a non-empty grey image (2-D), not an array of shape {image.shape}."
        )
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.size == 0:
        return f"The kernel must be square, not of shape {kernel.shape}."
    if not np.all(np.isfinite(kernel)) or not np.isfinite(settings.bias):
        return "The kernel and bias must be finite numbers."
    if settings.padding_mode not in PADDING_MODES:
        modes = ", ".join(PADDING_MODES)
        return f"Padding mode must be one of {modes}, not {settings.padding_mode!r}."
    if settings.pool not in POOL_TYPES:
        return f"Pooling must be one of {', '.join(POOL_TYPES)}, not {settings.pool!r}."
    if min(settings.stride, settings.dilation, settings.pool_size, settings.pool_stride) < 1:
        return "Stride, dilation, pool size and pool stride must be at least 1."
    if settings.padding < 0:
        return "Padding cannot be negative."
    k = kernel.shape[0]
    span = window_span(k, settings.dilation)
    for n, side in ((image.shape[0], "tall"), (image.shape[1], "wide")):
        if output_size(n, k, settings.stride, settings.padding, settings.dilation) < 1:
            return (
                f"Kernel {k} with dilation {settings.dilation} spans {span} pixels, but the padded "
                f"input is only {n + 2 * settings.padding} {side}. Use a smaller kernel or "
                "dilation, or more padding."
            )
        if settings.padding_mode == "reflect" and settings.padding >= n:
            return (
                f"Reflect padding of {settings.padding} needs an input wider than "
                f"{settings.padding} pixels, but it is {n} {side}. Use less padding or another "
                "padding mode."
            )
    return None


def compute(
    image: np.ndarray, kernel: np.ndarray, settings: ConvSettings | None = None
) -> PlaygroundResult:
    """Convolve, add the bias, apply ReLU and pooling as ``settings`` say; never raise.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Grey input in [0, 1].
    kernel : ndarray, shape (k, k)
    settings : ConvSettings, optional

    Returns
    -------
    PlaygroundResult
        With ``error`` set (and ``output``/``pooled`` None where they cannot be computed) when the
        combination is impossible, e.g. a dilated kernel wider than the padded image.
    """
    settings = settings or ConvSettings()
    image = np.asarray(image, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    problem = _check_inputs(image, kernel, settings)
    if problem is not None:
        return PlaygroundResult(image, kernel, None, None, problem, settings)
    ops = _ops()
    try:
        conv = ops.conv2d(
            image[None, None],
            kernel[None, None],
            np.array([settings.bias], dtype=np.float32),
            stride=settings.stride,
            padding=settings.padding,
            dilation=settings.dilation,
            padding_mode=settings.padding_mode,
        )[0, 0]
    except ValueError as exc:  # the engine's sentence is already meant for the user
        return PlaygroundResult(image, kernel, None, None, str(exc), settings)
    output = np.maximum(conv, 0) if settings.relu else conv
    pooled = None
    error = None
    if settings.pool != "none":
        ho, wo = output.shape
        if settings.pool_size > min(ho, wo):
            error = (
                f"Pooling window {settings.pool_size} is larger than the {ho}x{wo} feature map. "
                "Use a smaller pool size, less stride or a smaller kernel."
            )
        else:
            pool = ops.max_pool2d if settings.pool == "max" else ops.avg_pool2d
            try:
                pooled = pool(output[None, None], settings.pool_size, settings.pool_stride)[0, 0]
            except ValueError as exc:
                error = str(exc)
    return PlaygroundResult(image, kernel, output, pooled, error, settings, conv)


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

    Attributes
    ----------
    patch : ndarray, shape (k, k)
        Input values under the taps (padding cells hold what the padding mode puts there).
    kernel : ndarray, shape (k, k)
    products : ndarray, shape (k, k)
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
    """

    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float
    bias: float
    value: float
    taps: list
    in_padding: np.ndarray


def pixel_explanation(result: PlaygroundResult, row: int, col: int) -> PixelExplanation:
    """Explain output pixel ``(row, col)`` of ``result`` as patch x kernel summed, plus bias.

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
    k = result.kernel.shape[0]
    h, w = result.image.shape
    mode = result.settings.padding_mode
    taps = receptive_window(row, col, k, result.settings)
    patch = np.zeros((k, k), dtype=np.float64)
    in_padding = np.zeros((k, k), dtype=bool)
    for idx, (r, c) in enumerate(taps):
        i, j = divmod(idx, k)
        in_padding[i, j] = not (0 <= r < h and 0 <= c < w)
        sr, sc = source_index(r, h, mode), source_index(c, w, mode)
        patch[i, j] = 0.0 if sr is None or sc is None else result.image[sr, sc]
    kernel = result.kernel.astype(np.float64)
    products = patch * kernel
    bias = float(result.settings.bias)
    total = float(products.sum() + bias)
    return PixelExplanation(
        patch, kernel, products, total, bias, float(result.output[row, col]), taps, in_padding
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


def conv_param_count(k: int, in_channels: int = 1, out_channels: int = 1) -> int:
    """Weights plus biases of a conv layer: ``F * (C * k * k + 1)``, whatever the image size."""
    return out_channels * (in_channels * k * k + 1)


def dense_param_count(in_features: int, out_features: int) -> int:
    """Weights plus biases of a dense layer: ``out * (in + 1)`` (28x28 -> 128 units: 100,480)."""
    return out_features * (in_features + 1)


@dataclass(frozen=True)
class SpeedComparison:
    """Vectorised engine versus textbook loops on the same convolution.

    ``loops_seconds`` is an extrapolation from a crop when ``estimated`` is True.
    """

    vectorised_seconds: float
    loops_seconds: float
    estimated: bool
    crop_shape: tuple[int, int] | None

    @property
    def ratio(self) -> float:
        """How many times faster the vectorised version is."""
        return self.loops_seconds / max(self.vectorised_seconds, 1e-9)


def _best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def time_vectorised_vs_loops(
    image: np.ndarray, kernel: np.ndarray, settings: ConvSettings, budget_seconds: float = 1.0
) -> SpeedComparison:
    """Time the convolution with :mod:`cnnviz.ops` and with :mod:`cnnviz.reference` loops.

    The loops are first timed on a crop of about 24x24 output pixels; when that predicts more than
    ``budget_seconds`` for the whole image, the prediction is reported (``estimated=True``) instead
    of making the user wait.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (k, k)
    settings : ConvSettings
        Must describe a possible convolution (see :func:`compute`).
    budget_seconds : float
    """
    from cnnviz import reference

    ops = _ops()
    x = np.asarray(image, dtype=np.float32)[None, None]
    w = np.asarray(kernel, dtype=np.float32)[None, None]
    b = np.array([settings.bias], dtype=np.float32)
    args = dict(
        stride=settings.stride,
        padding=settings.padding,
        dilation=settings.dilation,
        padding_mode=settings.padding_mode,
    )

    def run(module, xx):
        return module.conv2d(xx, w, b, **args)

    vectorised = _best_time(lambda: run(ops, x), repeats=3)
    k = w.shape[-1]
    h, wd = image.shape
    full = output_size(h, k, settings.stride, settings.padding, settings.dilation) * output_size(
        wd, k, settings.stride, settings.padding, settings.dilation
    )
    # A crop that still yields about 24x24 outputs (at least one) whatever the stride and dilation.
    span = window_span(k, settings.dilation)
    side_h = min(h, span + settings.stride * 23)
    side_w = min(wd, span + settings.stride * 23)
    crop = x[:, :, :side_h, :side_w]
    crop_out = max(
        1, output_size(side_h, k, settings.stride, settings.padding, settings.dilation)
    ) * max(1, output_size(side_w, k, settings.stride, settings.padding, settings.dilation))
    crop_time = _best_time(lambda: run(reference, crop), repeats=1)
    predicted = crop_time * full / crop_out
    if predicted <= budget_seconds or (side_h, side_w) == (h, wd):
        loops = (
            crop_time if (side_h, side_w) == (h, wd) else _best_time(lambda: run(reference, x), 1)
        )
        return SpeedComparison(vectorised, loops, False, None)
    return SpeedComparison(vectorised, predicted, True, (side_h, side_w))
