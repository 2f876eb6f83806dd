"""The playground's arithmetic: one grey image, one kernel, optional ReLU and pooling.

Everything the playground shows is computed without Qt, so the numbers on screen can be tested
directly. Here: the convolution itself (through :mod:`cnnviz.nn.functional`, the same engine the
training studio uses) and the output-size formula with the current numbers filled in. The sizes,
the window span and the "kernel 9 with dilation 5 spans 41 pixels ..." explanation come from the
engine's geometry, so the playground and ``conv2d`` can never disagree about what fits. Which input
pixels an output pixel looked at and the multiply-and-sum behind it live in
:mod:`cnnviz.lab.pixel`; the speed comparison with the textbook loops of
:mod:`cnnviz.nn.reference` in :mod:`cnnviz.lab.speed`; parameter counts in
:mod:`cnnviz.nn.summary`.

Notes
-----
For an input of ``n`` pixels, kernel ``k``, padding ``p``, dilation ``d`` and stride ``s``::

    out = floor((n + 2p - d(k - 1) - 1) / s) + 1
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnviz.nn import functional as F

__all__ = [
    "MAX_WEIGHT",
    "PADDING_MODES",
    "POOL_TYPES",
    "ConvSettings",
    "PlaygroundResult",
    "compute",
    "output_size_formula",
    "pool_size_formula",
]

# The engine's modes that the playground's lessons and pixel inspector explain ("circular" is not
# among them).
PADDING_MODES = tuple(mode for mode in F.PADDING_MODES if mode != "circular")
# Weights beyond this are refused: far larger ones (1e38 and up) overflow the engine's float32
# sums to inf/nan, and no kernel worth looking at needs them.
MAX_WEIGHT = 1e6
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


def output_size_formula(n: int, k: int, settings: ConvSettings) -> str:
    """The output-size formula with this input size, kernel size and settings filled in.

    Returns
    -------
    str
        e.g. ``"out = floor((512 + 2*1 - 2*(3-1) - 1) / 2) + 1 = 255"``; an impossible combination
        ends in ``"= -3: nothing fits"``.
    """
    s, p, d = settings.stride, settings.padding, settings.dilation
    out = F.window_count(n, k, s, p, d)
    text = f"out = floor(({n} + 2*{p} - {d}*({k}-1) - 1) / {s}) + 1 = {out}"
    return text if out > 0 else text + ": nothing fits"


def pool_size_formula(n: int, settings: ConvSettings) -> str:
    """Pooled size with the current numbers: ``"pooled = floor((255 - 2) / 2) + 1 = 127"``."""
    size, stride = settings.pool_size, settings.pool_stride
    out = F.window_count(n, size, stride)
    text = f"pooled = floor(({n} - {size}) / {stride}) + 1 = {out}"
    return text if out > 0 else text + ": nothing fits"


def _check_inputs(image: np.ndarray, kernel: np.ndarray, settings: ConvSettings) -> str | None:
    if image.ndim != 2 or image.size == 0:
        return (
            f"The input must be a non-empty grey image (2-D), not an array of shape {image.shape}."
        )
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.size == 0:
        return f"The kernel must be square, not of shape {kernel.shape}."
    if not np.all(np.isfinite(kernel)) or not np.isfinite(settings.bias):
        return "The kernel and bias must be finite numbers."
    largest = float(np.abs(kernel).max())
    if largest > MAX_WEIGHT or abs(settings.bias) > MAX_WEIGHT:
        return (
            f"Weights and bias must lie between -{MAX_WEIGHT:,.0f} and {MAX_WEIGHT:,.0f} (the "
            f"largest here is {max(largest, abs(settings.bias)):.3g}): bigger numbers overflow "
            "the engine's 32-bit arithmetic. Type a smaller value or press Zero."
        )
    if settings.padding_mode not in PADDING_MODES:
        modes = ", ".join(PADDING_MODES)
        return f"Padding mode must be one of {modes}, not {settings.padding_mode!r}."
    if settings.pool not in POOL_TYPES:
        return f"Pooling must be one of {', '.join(POOL_TYPES)}, not {settings.pool!r}."
    if min(settings.pool_size, settings.pool_stride) < 1:
        return "Pool size and pool stride must be at least 1."
    try:  # the engine's own check, so the playground and conv2d agree on what fits
        F.conv_output_shape(image.shape, kernel.shape, settings.stride, settings.padding,
                            settings.dilation)
    except ValueError as exc:
        return _sentence(str(exc))
    for n, side in ((image.shape[0], "tall"), (image.shape[1], "wide")):
        if settings.padding_mode == "reflect" and settings.padding >= n:
            return (
                f"Reflect padding of {settings.padding} mirrors the image's own pixels, so the "
                f"image must be more than {settings.padding} pixels {side}, but it is {n}. Use "
                "less padding or another padding mode."
            )
    return None


def _sentence(text: str) -> str:
    """An engine message ("kernel 9 with ...; use ...") as the sentence the playground shows."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


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
    # The result keeps the kernel as given (float64 from the editor); the engine computes in the
    # image's float32, exactly as cnnviz.nn.functional.conv2d does for this image and kernel.
    kernel = np.asarray(kernel, dtype=np.float64)
    problem = _check_inputs(image, kernel, settings)
    if problem is not None:
        return PlaygroundResult(image, kernel, None, None, problem, settings)
    try:
        conv = F.conv2d(
            image[None, None],
            kernel.astype(np.float32)[None, None],
            np.array([settings.bias], dtype=np.float32),
            stride=settings.stride,
            padding=settings.padding,
            dilation=settings.dilation,
            padding_mode=settings.padding_mode,
        )[0, 0]
    except ValueError as exc:  # the engine's sentence is already meant for the user
        return PlaygroundResult(image, kernel, None, None, _sentence(str(exc)), settings)
    output = np.maximum(conv, 0) if settings.relu else conv
    pooled = None
    error = None
    if settings.pool != "none":
        ho, wo = output.shape
        if F.window_count(min(ho, wo), settings.pool_size, settings.pool_stride) < 1:
            error = (
                f"Pooling window {settings.pool_size} is larger than the {ho}x{wo} feature map. "
                "Use a smaller pool size, less stride or a smaller kernel."
            )
        else:
            pool = F.max_pool2d if settings.pool == "max" else F.avg_pool2d
            try:
                pooled = pool(output[None, None], settings.pool_size, settings.pool_stride)[0, 0]
            except ValueError as exc:
                error = _sentence(str(exc))
    return PlaygroundResult(image, kernel, output, pooled, error, settings, conv)
