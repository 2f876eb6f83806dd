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
    "as_planes",
    "as_sentence",
    "check_geometry",
    "check_inputs",
    "combine",
    "compute",
    "output_size_formula",
    "partial_map",
    "pool_map",
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
    """What the playground displays for one (image, kernels, settings).

    The grey, one-filter playground fills the first seven fields; colour input, a bank of filters
    and a second layer add the rest (see :mod:`cnnviz.lab.bank` and :mod:`cnnviz.lab.stack`).

    Attributes
    ----------
    image : ndarray, shape (H, W) grey or (3, H, W) RGB
        The input in [0, 1].
    kernel : ndarray, shape (k, k) grey or (3, k, k) RGB
        The selected filter's kernel.
    output : ndarray, shape (Ho, Wo) or None
        The selected filter's map: convolution plus bias, after ReLU when ``settings.relu``;
        None when impossible.
    pooled : ndarray, shape (Hp, Wp) or None
        ``output`` pooled; None without pooling or when pooling is impossible.
    error : str or None
        Why nothing (or no pooled map) could be computed, in a sentence the user can act on.
    settings : ConvSettings
        ``settings.bias`` is the selected filter's bias.
    pre_relu : ndarray, shape (Ho, Wo) or None
        Convolution plus bias before the ReLU (equal to ``output`` when ReLU is off).
    channels : {"grey", "rgb"}
    channel_outputs : ndarray, shape (C, Ho, Wo) or None
        The selected filter's partial maps, one per input channel, before the bias:
        ``channel_outputs.sum(axis=0) + bias == pre_relu``.
    bias : float or ndarray, shape (F,)
        The bias (a float with one filter, one per filter with a bank).
    kernels : ndarray, shape (F, C, k, k) or None
        Every filter of the layer.
    outputs : ndarray, shape (F, Ho, Wo) or None
        Every filter's map (after ReLU when on); ``outputs[selected] is`` what ``output`` shows.
    pooled_outputs : ndarray, shape (F, Hp, Wp) or None
        Every filter's pooled map.
    selected : int
        Which filter ``kernel``, ``output`` and ``pooled`` belong to.
    layer2_kernel : ndarray, shape (F, k2, k2) or None
        The second layer's kernel, one slice per layer-1 map; None with layer 2 off.
    layer2_input : ndarray, shape (F, h, w) or None
        What layer 2 reads: layer 1's maps after ReLU and pooling.
    layer2_output : ndarray, shape (H2, W2) or None
        Layer 2's one map (after its ReLU when on).
    layer2_pre_relu : ndarray, shape (H2, W2) or None
    layer2_channel_outputs : ndarray, shape (F, H2, W2) or None
        Layer 2's partial maps, one per layer-1 map, before its bias.
    layer2 : object or None
        The :class:`cnnviz.lab.stack.Layer2` settings used.
    layer2_error : str or None
        Why layer 2 could not be computed.
    """

    image: np.ndarray
    kernel: np.ndarray
    output: np.ndarray | None
    pooled: np.ndarray | None
    error: str | None
    settings: ConvSettings = field(default_factory=ConvSettings)
    pre_relu: np.ndarray | None = None
    channels: str = "grey"
    channel_outputs: np.ndarray | None = None
    bias: float | np.ndarray = 0.0
    kernels: np.ndarray | None = None
    outputs: np.ndarray | None = None
    pooled_outputs: np.ndarray | None = None
    selected: int = 0
    layer2_kernel: np.ndarray | None = None
    layer2_input: np.ndarray | None = None
    layer2_output: np.ndarray | None = None
    layer2_pre_relu: np.ndarray | None = None
    layer2_channel_outputs: np.ndarray | None = None
    layer2: object | None = None
    layer2_error: str | None = None

    @property
    def spatial_shape(self) -> tuple[int, int]:
        """(H, W) of the input, whatever its channels."""
        return tuple(self.image.shape[-2:])

    @property
    def n_channels(self) -> int:
        """C: 1 for grey, 3 for RGB."""
        return 1 if self.image.ndim == 2 else int(self.image.shape[0])

    @property
    def n_filters(self) -> int:
        """F: how many filters the layer has."""
        return 1 if self.kernels is None else int(self.kernels.shape[0])

    @property
    def kernel_size(self) -> int:
        """k, the kernel's side."""
        return int(self.kernel.shape[-1])


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


def _check_image(image: np.ndarray) -> str | None:
    if image.size == 0 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[0] != 3):
        return (
            "The input must be a non-empty grey image (H, W) or colour image (3, H, W), not an "
            f"array of shape {image.shape}."
        )
    return None


def _check_weights(kernels: np.ndarray, biases: np.ndarray, channels: int) -> str | None:
    """``kernels`` (F, C, k, k) and ``biases`` (F,): square, matching the input, finite, bounded."""
    k = kernels.shape[-2:]
    if kernels.ndim != 4 or k[0] != k[1] or kernels.size == 0:
        return f"The kernel must be square, not of shape {kernels.shape[1:]}."
    if kernels.shape[1] != channels:
        return (
            f"The input has {channels} channel(s) but the kernel has {kernels.shape[1]} "
            "slice(s): give one k x k slice per channel."
        )
    if not np.all(np.isfinite(kernels)) or not np.all(np.isfinite(biases)):
        return "The kernel and bias must be finite numbers."
    largest = max(float(np.abs(kernels).max()), float(np.abs(biases).max(initial=0.0)))
    if largest > MAX_WEIGHT:
        return (
            f"Weights and bias must lie between -{MAX_WEIGHT:,.0f} and {MAX_WEIGHT:,.0f} (the "
            f"largest here is {largest:.3g}): bigger numbers overflow "
            "the engine's 32-bit arithmetic. Type a smaller value or press Zero."
        )
    return None


def check_geometry(shape: tuple[int, int], k: int, settings: ConvSettings) -> str | None:
    """Why a ``k`` x ``k`` kernel cannot slide over an input of ``shape`` (H, W), or None."""
    if settings.padding_mode not in PADDING_MODES:
        modes = ", ".join(PADDING_MODES)
        return f"Padding mode must be one of {modes}, not {settings.padding_mode!r}."
    if settings.pool not in POOL_TYPES:
        return f"Pooling must be one of {', '.join(POOL_TYPES)}, not {settings.pool!r}."
    if min(settings.pool_size, settings.pool_stride) < 1:
        return "Pool size and pool stride must be at least 1."
    try:  # the engine's own check, so the playground and conv2d agree on what fits
        F.conv_output_shape(shape, (k, k), settings.stride, settings.padding, settings.dilation)
    except ValueError as exc:
        return as_sentence(str(exc))
    for n, side in ((shape[0], "tall"), (shape[1], "wide")):
        if settings.padding_mode == "reflect" and settings.padding >= n:
            return (
                f"Reflect padding of {settings.padding} mirrors the image's own pixels, so the "
                f"image must be more than {settings.padding} pixels {side}, but it is {n}. Use "
                "less padding or another padding mode."
            )
    return None


def check_inputs(
    image: np.ndarray, kernels: np.ndarray, biases: np.ndarray, settings: ConvSettings
) -> str | None:
    """Why this layer cannot be computed, in a sentence, or None.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (3, H, W)
    kernels : ndarray, shape (F, C, k, k)
        ``C`` is 1 for a grey image, 3 for a colour one.
    biases : ndarray, shape (F,)
    settings : ConvSettings
    """
    problem = _check_image(image)
    if problem is None:
        channels = 1 if image.ndim == 2 else image.shape[0]
        problem = _check_weights(kernels, biases, channels)
    if problem is None:
        problem = check_geometry(image.shape[-2:], kernels.shape[-1], settings)
    return problem


def as_sentence(text: str) -> str:
    """An engine message ("kernel 9 with ...; use ...") as the sentence the playground shows."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def as_planes(image: np.ndarray) -> np.ndarray:
    """The input as float32 channel planes, shape (C, H, W) (a grey image is one plane)."""
    image = np.asarray(image, dtype=np.float32)
    return image[None] if image.ndim == 2 else image


def partial_map(plane: np.ndarray, kernel: np.ndarray, settings: ConvSettings) -> np.ndarray:
    """One channel's contribution to one filter's map: ``plane`` cross-correlated with ``kernel``.

    Parameters
    ----------
    plane : ndarray, shape (H, W), float32
    kernel : ndarray, shape (k, k)
    settings : ConvSettings
        Stride, padding (and its mode) and dilation; no bias.

    Returns
    -------
    ndarray, shape (Ho, Wo), float32
        Computed by :func:`cnnviz.nn.functional.conv2d`, the engine the training studio uses.

    Raises
    ------
    ValueError
        The engine's sentence when the kernel does not fit.
    """
    return F.conv2d(
        plane[None, None],
        np.asarray(kernel, dtype=np.float32)[None, None],
        stride=settings.stride,
        padding=settings.padding,
        dilation=settings.dilation,
        padding_mode=settings.padding_mode,
    )[0, 0]


def combine(partials, bias: float) -> np.ndarray:
    """Sum of the per-channel partial maps (each shape (Ho, Wo), float32) plus the bias.

    Added in channel order in float32, the way one multi-channel convolution's bias is added after
    its products, so a grey image's map equals ``conv2d`` with that bias exactly.
    """
    total = partials[0].copy()
    for part in partials[1:]:
        total += part
    total += np.float32(bias)
    return total


def pool_map(output: np.ndarray, settings: ConvSettings) -> tuple[np.ndarray | None, str | None]:
    """``output`` (Ho, Wo) pooled as ``settings`` say.

    Returns
    -------
    pooled : ndarray, shape (Hp, Wp) or None
    error : str or None
        Why the map could not be pooled.
    """
    if settings.pool == "none":
        return None, None
    ho, wo = output.shape
    if F.window_count(min(ho, wo), settings.pool_size, settings.pool_stride) < 1:
        return None, (
            f"Pooling window {settings.pool_size} is larger than the {ho}x{wo} feature map. "
            "Use a smaller pool size, less stride or a smaller kernel."
        )
    pool = F.max_pool2d if settings.pool == "max" else F.avg_pool2d
    try:
        return pool(output[None, None], settings.pool_size, settings.pool_stride)[0, 0], None
    except ValueError as exc:
        return None, as_sentence(str(exc))


def compute(
    image: np.ndarray,
    kernel: np.ndarray,
    settings: ConvSettings | None = None,
    biases=None,
    selected: int = 0,
    layer2=None,
    cache=None,
) -> PlaygroundResult:
    """Convolve, add the bias, apply ReLU and pooling as ``settings`` say; never raise.

    Parameters
    ----------
    image : ndarray, shape (H, W) grey or (3, H, W) RGB
        Input in [0, 1].
    kernel : ndarray, shape (k, k) for a grey image, (3, k, k) for a colour one, or a bank of
        filters (F, C, k, k)
    settings : ConvSettings, optional
    biases : array_like, shape (F,), optional
        One bias per filter of a bank; ``settings.bias`` for every filter when omitted.
    selected : int
        The bank's filter that ``output`` shows.
    layer2 : cnnviz.lab.stack.Layer2, optional
        A second conv layer over the bank's maps.
    cache : cnnviz.lab.bank.LayerCache, optional
        Reuses the maps an earlier call computed that these inputs leave unchanged.

    Returns
    -------
    PlaygroundResult
        With ``error`` set (and ``output``/``pooled`` None where they cannot be computed) when the
        combination is impossible, e.g. a dilated kernel wider than the padded image.
    """
    from cnnviz.lab.bank import LayerCache  # the bank builds on this module's steps

    settings = settings or ConvSettings()
    image = np.asarray(image, dtype=np.float32)
    # The result keeps the kernel as given (float64 from the editor); the engine computes in the
    # image's float32, exactly as cnnviz.nn.functional.conv2d does for this image and kernel.
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim not in (2, 3, 4):
        problem = f"The kernel must be square, not of shape {kernel.shape}."
        return PlaygroundResult(image, kernel, None, None, problem, settings)
    kernels = kernel.reshape((1,) * (4 - kernel.ndim) + kernel.shape)  # (F, C, k, k)
    if biases is None:
        biases = np.full(kernels.shape[0], settings.bias)
    return (cache or LayerCache()).compute(image, kernels, biases, settings, selected, layer2)
