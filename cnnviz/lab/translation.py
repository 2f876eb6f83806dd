"""Translation equivariance and (approximate) invariance, measured (CONCEPTS.md idea 12).

Why it matters: a convolution applies the same kernel at every position, so moving the input moves
the feature map by the same amount and changes nothing else (*equivariance*). A cat detector does
not need to learn the cat once per position. Pooling then summarises small neighbourhoods, so a
shift of a pixel or two changes the pooled map less (*invariance*), but only approximately: the
pooling windows sit on a fixed grid, and a shift that moves a feature across a window boundary
changes the pooled value. Strides break exact equivariance the same way: with stride 2, a 1 px
shift of the input is half an output pixel, which the map cannot represent.

:func:`equivariance_report` runs the playground's computation (:func:`cnnviz.lab.conv.compute`) on
an image and on a shifted copy and measures both effects. Comparisons are made only over the
*interior*: output pixels whose whole receptive field lies on real image content in both runs, so
that zero padding and the blank strip the shift brings in do not count as "change".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.lab.conv import ConvSettings, PlaygroundResult, compute
from cnnviz.nn.summary import receptive_fields

__all__ = ["shift_image", "TranslationReport", "equivariance_report", "interior_mask"]


def shift_image(image: np.ndarray, dy: int, dx: int, fill: float = 0.0) -> np.ndarray:
    """Move an image ``dy`` pixels down and ``dx`` pixels right; vacated pixels take ``fill``.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (C, H, W)
        A colour image moves all its channels together.
    dy, dx : int
        Negative values move up / left. Shifts of the full size or more leave only ``fill``.
    fill : float

    Returns
    -------
    ndarray, same shape and dtype as ``image``
    """
    a = np.asarray(image)
    if a.ndim not in (2, 3):
        raise ValueError(f"shift_image needs a (H, W) or (C, H, W) image, got shape {a.shape}")
    dy, dx = int(dy), int(dx)
    h, w = a.shape[-2:]
    out = np.full_like(a, fill)
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src_r = slice(max(0, -dy), h - max(0, dy))
    dst_r = slice(max(0, dy), h - max(0, -dy))
    src_c = slice(max(0, -dx), w - max(0, dx))
    dst_c = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_r, dst_c] = a[..., src_r, src_c]
    return out


def _interior_axis(n_in: int, n_out: int, shift: int, k: int, settings: ConvSettings) -> np.ndarray:
    """Output positions along one axis whose receptive field covers only content both runs share."""
    lo, hi = max(0, shift), min(n_in, n_in + shift)  # rows of the shifted input that are real
    field, = receptive_fields([(k, settings.stride, settings.padding, settings.dilation)])
    start = field.offset + np.arange(n_out) * field.jump
    end = start + field.size - 1
    return (start >= lo) & (end < hi)


def _pooled_axis(ok: np.ndarray, n_pooled: int, settings: ConvSettings) -> np.ndarray:
    """Pooled positions along one axis whose whole pooling window is in the interior."""
    size, stride = settings.pool_size, settings.pool_stride
    return np.array([ok[i * stride : i * stride + size].all() for i in range(n_pooled)], dtype=bool)


def interior_mask(
    image_shape: tuple[int, int], output_shape: tuple[int, int], k: int,
    settings: ConvSettings, dy: int, dx: int, pooled_shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Output pixels that see neither padding nor the blank strip the shift brings in.

    Parameters
    ----------
    pooled_shape : (int, int) or None
        When given, return the mask for the pooled map instead: pooled pixels whose whole window
        lies in the feature map's interior.

    Returns
    -------
    ndarray, shape output_shape (or pooled_shape), bool
        True where both the shifted and the unshifted run computed from real pixels only.
    """
    rows = _interior_axis(image_shape[0], output_shape[0], dy, k, settings)
    cols = _interior_axis(image_shape[1], output_shape[1], dx, k, settings)
    if pooled_shape is not None:
        rows = _pooled_axis(rows, pooled_shape[0], settings)
        cols = _pooled_axis(cols, pooled_shape[1], settings)
    return rows[:, None] & cols[None, :]


def _max_abs(diff: np.ndarray, mask: np.ndarray) -> float | None:
    return float(np.abs(diff[mask]).max()) if mask.any() else None


def _relative_rms(diff: np.ndarray, ref: np.ndarray, mask: np.ndarray) -> float | None:
    """RMS of the change over RMS of the map itself: 0 = untouched, ~1.4 = unrelated maps."""
    if not mask.any():
        return None
    size = float(np.sqrt(np.mean(np.square(ref[mask], dtype=np.float64))))
    if size == 0.0:
        return None
    return float(np.sqrt(np.mean(np.square(diff[mask], dtype=np.float64)))) / size


@dataclass(frozen=True)
class TranslationReport:
    """How the feature map and the pooled map respond to shifting the input by ``(dy, dx)``.

    Maps are float32; differences are zero outside the interior masks (where a comparison would
    measure padding or the blank strip, not the shift). Changes are ``None`` when nothing can be
    compared (the shift is too large for the image, or the settings are impossible; see ``error``).

    Attributes
    ----------
    dy, dx : int
        The input shift (down, right).
    image, shifted_image : ndarray, shape (H, W) or (3, H, W)
    kernel : ndarray, shape (k, k) or (3, k, k)
    output, shifted_output : ndarray, shape (Ho, Wo) or None
        Feature maps as the playground shows them (bias, ReLU applied).
    pooled, shifted_pooled : ndarray, shape (Hp, Wp) or None
        None without pooling.
    output_shift : (int, int)
        The shift in output pixels used to re-align: ``round(dy / stride)``, ``round(dx / stride)``.
    shift_is_whole : bool
        True when both shifts are multiples of the stride, so the map can move by whole pixels.
    pooled_shift : (int, int)
        The shift in pooled pixels used to re-align the pooled map.
    pooled_shift_is_whole : bool
        True when the shifts are multiples of ``stride * pool_stride`` (the pool grid).
    interior, pooled_interior : ndarray of bool
    difference_unaligned : ndarray, shape (Ho, Wo)
        ``shifted_output - output`` at the same positions: large, because the map moved.
    difference_aligned : ndarray, shape (Ho, Wo)
        ``shifted_output - shift(output)``: zero in the interior when the map moved exactly.
    difference_pooled : ndarray, shape (Hp, Wp) or None
        ``shifted_pooled - pooled`` at the same positions: small when pooling absorbs the shift.
    max_abs_change_output_unaligned, max_abs_change_output_aligned : float or None
    max_abs_change_pooled, max_abs_change_pooled_aligned : float or None
    relative_change_output, relative_change_pooled : float or None
        RMS of the same-position change divided by the RMS of the map, over the interior: one
        number for "how much of the map changed" (0 = nothing; about 1.4 = unrelated maps). The
        maximum alone is ruled by the single worst pixel.
    output_range, pooled_range : float
        Largest ``|value|`` of the unshifted map, to express changes as a share of it.
    error : str or None
    """

    dy: int
    dx: int
    settings: ConvSettings
    image: np.ndarray
    shifted_image: np.ndarray
    kernel: np.ndarray
    output: np.ndarray | None = None
    shifted_output: np.ndarray | None = None
    pooled: np.ndarray | None = None
    shifted_pooled: np.ndarray | None = None
    output_shift: tuple[int, int] = (0, 0)
    shift_is_whole: bool = True
    pooled_shift: tuple[int, int] = (0, 0)
    pooled_shift_is_whole: bool = True
    interior: np.ndarray | None = None
    pooled_interior: np.ndarray | None = None
    difference_unaligned: np.ndarray | None = None
    difference_aligned: np.ndarray | None = None
    difference_pooled: np.ndarray | None = None
    max_abs_change_output_unaligned: float | None = None
    max_abs_change_output_aligned: float | None = None
    max_abs_change_pooled: float | None = None
    max_abs_change_pooled_aligned: float | None = None
    relative_change_output: float | None = None
    relative_change_pooled: float | None = None
    output_range: float = 0.0
    pooled_range: float = 0.0
    error: str | None = None

    def share(self, change: float | None, pooled: bool = False) -> float | None:
        """``change`` as a fraction of the unshifted map's largest magnitude (None if undefined)."""
        scale = self.pooled_range if pooled else self.output_range
        if change is None or scale <= 0:
            return None
        return change / scale

    def summary(self) -> list[str]:
        """Plain sentences for the user: what moved, what stayed, and why."""
        return _summary(self)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _summary(r: TranslationReport) -> list[str]:
    if r.error and r.output is None:
        return [r.error]
    if r.max_abs_change_output_unaligned is None:
        return [
            "The shift is too large for this image: no output pixel sees the same content twice."
        ]
    lines = [
        f"Feature map, same positions: changed by {_pct(r.relative_change_output)} "
        f"(max |change| {r.max_abs_change_output_unaligned:.3g}): the map moved with the input."
    ]
    oy, ox = r.output_shift
    al = r.max_abs_change_output_aligned
    if al is None:
        pass
    elif r.shift_is_whole:
        exact = al <= 1e-4 * max(r.output_range, 1.0)
        lines.append(
            f"Moved back by ({ox}, {oy}) output px: max |change| {al:.2g}"
            + (": identical, that is equivariance." if exact else ".")
        )
    else:
        lines.append(
            f"With stride {r.settings.stride} this shift is a fraction of an output pixel, so the "
            f"map cannot simply move: even re-aligned by ({ox}, {oy}) px, max |change| is {al:.3g}."
        )
    if r.error:
        lines.append(r.error)
    elif r.pooled is not None and r.relative_change_pooled is not None:
        before, after = r.relative_change_output or 0.0, r.relative_change_pooled
        lines.append(
            f"Pooled map, same positions: changed by {_pct(after)} vs {_pct(before)} before "
            f"pooling (max |change| {r.max_abs_change_pooled:.3g})."
        )
        py, px = r.pooled_shift
        pal = r.max_abs_change_pooled_aligned
        if r.pooled_shift_is_whole and (py, px) != (0, 0) and pal is not None:
            # A shift by whole pooling steps just moves the pooled map: equivariance again, and
            # calling it "little absorbed" would hide that.
            lines.append(
                f"This shift is a whole number of pooling steps, so the pooled map simply moved "
                f"by ({px}, {py}) pooled px (moved back: max |change| {pal:.2g}). Invariance is "
                "about shifts smaller than a pooling step: try a shift of 1."
            )
        elif after < 0.5 * before:
            lines.append("Pooling absorbed most of the shift: approximate invariance.")
        elif after < 0.9 * before:
            lines.append(
                "Pooling absorbed part of the shift: approximate invariance. Stacking more "
                "pooling layers (as deep networks do) absorbs more."
            )
        else:
            lines.append(
                "Pooling absorbed little of this shift: features crossed the edges of the pooling "
                "windows, so the invariance is only approximate."
            )
    return lines


def equivariance_report(
    image: np.ndarray,
    kernel: np.ndarray,
    settings: ConvSettings | None,
    dy: int,
    dx: int,
    base: PlaygroundResult | None = None,
) -> TranslationReport:
    """Compare the playground's maps for ``image`` and for ``image`` shifted by ``(dy, dx)``.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (3, H, W)
        Grey or colour input in [0, 1].
    kernel : ndarray, shape (k, k), or (3, k, k) for a colour image (one filter)
    settings : ConvSettings or None
        Stride, padding, dilation, ReLU, bias and pooling, as in the playground.
    dy, dx : int
        Shift down / right in input pixels (negative: up / left); the vacated strip is black.
    base : PlaygroundResult or None
        The playground's result for exactly this image, kernel and settings, when it has one
        already: saves one of the two convolutions. Ignored if its settings or shapes differ.

    Returns
    -------
    TranslationReport
        Never raises for impossible settings: ``error`` holds the playground's explanation.
    """
    settings = settings or ConvSettings()
    image = np.asarray(image, dtype=np.float32)
    dy, dx = int(dy), int(dx)
    shifted = shift_image(image, dy, dx)
    reusable = (
        base is not None and base.settings == settings
        and np.shape(base.image) == image.shape and np.shape(base.kernel) == np.shape(kernel)
    )
    if not reusable:
        base = compute(image, kernel, settings)
    moved = compute(shifted, kernel, settings)
    kernel = np.asarray(kernel, dtype=np.float32)
    report = dict(dy=dy, dx=dx, settings=settings, image=image, shifted_image=shifted,
                  kernel=kernel)
    if base.output is None or moved.output is None:
        return TranslationReport(**report, error=base.error or moved.error)
    k, shape = kernel.shape[-1], image.shape[-2:]
    report.update(_compare_outputs(shape, base.output, moved.output, k, settings, dy, dx))
    if base.pooled is not None and moved.pooled is not None:
        report.update(_compare_pooled(shape, base.output.shape, base.pooled, moved.pooled,
                                      k, settings, dy, dx))
    return TranslationReport(**report, error=base.error or moved.error)


def _compare_outputs(image_shape, y, y2, k, settings, dy, dx) -> dict:
    """The feature-map fields of a :class:`TranslationReport`: ``y`` and shifted ``y2``."""
    s = settings.stride
    oy, ox = round(dy / s), round(dx / s)
    mask = interior_mask(image_shape, y.shape, k, settings, dy, dx)
    # the re-aligned comparison also needs the source pixel inside the map
    realigned = shift_image(y, oy, ox)
    aligned_mask = mask & (shift_image(np.ones(y.shape, dtype=bool), oy, ox))
    diff_un = np.where(mask, y2 - y, 0.0).astype(np.float32)
    diff_al = np.where(aligned_mask, y2 - realigned, 0.0).astype(np.float32)
    return dict(
        output=y, shifted_output=y2, output_shift=(oy, ox),
        shift_is_whole=(dy % s == 0 and dx % s == 0),
        interior=mask, difference_unaligned=diff_un, difference_aligned=diff_al,
        max_abs_change_output_unaligned=_max_abs(diff_un, mask),
        relative_change_output=_relative_rms(diff_un, y, mask),
        max_abs_change_output_aligned=_max_abs(diff_al, aligned_mask),
        output_range=float(np.abs(y).max()),
    )


def _compare_pooled(image_shape, output_shape, p, p2, k, settings, dy, dx) -> dict:
    """The pooled-map fields of a :class:`TranslationReport`: ``p`` and shifted ``p2``."""
    pmask = interior_mask(image_shape, output_shape, k, settings, dy, dx, pooled_shape=p.shape)
    grid = settings.stride * settings.pool_stride
    py, px = round(dy / grid), round(dx / grid)
    p_al_mask = pmask & shift_image(np.ones(p.shape, dtype=bool), py, px)
    diff_p = np.where(pmask, p2 - p, 0.0).astype(np.float32)
    diff_p_al = np.where(p_al_mask, p2 - shift_image(p, py, px), 0.0)
    return dict(
        pooled=p, shifted_pooled=p2, pooled_interior=pmask, difference_pooled=diff_p,
        pooled_shift=(py, px), pooled_shift_is_whole=(dy % grid == 0 and dx % grid == 0),
        max_abs_change_pooled=_max_abs(diff_p, pmask),
        relative_change_pooled=_relative_rms(diff_p, p, pmask),
        max_abs_change_pooled_aligned=_max_abs(diff_p_al, p_al_mask),
        pooled_range=float(np.abs(p).max()),
    )
