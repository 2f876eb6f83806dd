"""Turn whatever image array we are given into the grey, bounded float image the playground expects.

Three jobs: colour to grey (:func:`to_grey`), shrinking big photos (:func:`downscale_to`,
:func:`resize_area`) and checking an array is usable as an image (:func:`as_grey_image`). Qt-free:
``ui.widgets.image_io`` decodes files with Qt and hands the pixels to these functions.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BT601", "to_grey", "as_grey_image", "resize_area", "downscale_to", "scaled_shape"]

# ITU-R BT.601 luma weights: how bright R, G and B look to us (green most, blue least).
BT601 = np.array([0.299, 0.587, 0.114])


def _to_unit_float(a: np.ndarray) -> np.ndarray:
    """Map integer pixel values to [0, 1] by their type's full range; clip floats into [0, 1]."""
    # float32 throughout: a 50-megapixel RGBA photo in float64 would need 1.6 GB
    if a.dtype == np.bool_:
        return a.astype(np.float32)
    if np.issubdtype(a.dtype, np.integer):
        info = np.iinfo(a.dtype)
        if info.min < 0:
            raise ValueError(
                f"signed integer pixels ({a.dtype}) are ambiguous; convert to uint8 or float"
            )
        return a.astype(np.float32) / np.float32(info.max)
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)):
            raise ValueError(
                "the image contains NaN or infinite values; only finite pixels can be shown"
            )
        return np.clip(a, 0.0, 1.0, dtype=np.float32)
    raise ValueError(f"pixels of type {a.dtype} are not numbers an image can hold")


def to_grey(image: np.ndarray, background: float = 1.0) -> np.ndarray:
    """Convert an RGB, RGBA or already-grey image to grey brightness in [0, 1].

    Parameters
    ----------
    image : ndarray, shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)
        uint8 / uint16 (full range) or float (expected in [0, 1], clipped) or bool.
    background : float
        Grey level that transparent pixels of an RGBA image are composited over. White by default,
        because a transparent PNG usually draws dark marks meant for a light page.

    Returns
    -------
    ndarray, shape (H, W), float32 in [0, 1]
        ITU-R BT.601 luma ``0.299 R + 0.587 G + 0.114 B``, the weighting JPEG and most tools use.

    Raises
    ------
    ValueError
        For other shapes, an empty image, non-finite values or non-numeric pixels.
    """
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)):
        raise ValueError(
            f"an image must have shape (H, W), (H, W, 3) or (H, W, 4); got {a.shape}"
        )
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"the image is empty ({a.shape[1]} x {a.shape[0]} pixels)")
    a = _to_unit_float(a)
    if a.ndim == 2:
        return a.astype(np.float32)
    grey = a[:, :, :3] @ BT601.astype(np.float32)
    if a.shape[2] == 4:
        alpha = a[:, :, 3]
        grey = grey * alpha + np.float32(background) * (1.0 - alpha)
    return np.clip(grey, 0.0, 1.0).astype(np.float32)


def as_grey_image(image: np.ndarray) -> np.ndarray:
    """Validate an array meant as the playground's input and return it as float32 (H, W) in [0, 1].

    Accepts everything :func:`to_grey` accepts. A grey float image outside [0, 1] is clipped, which
    keeps the displayed input and the convolved input identical.
    """
    return to_grey(image)


def _block_mean(a: np.ndarray, new_len: int, axis: int) -> np.ndarray:
    """Area averaging by a whole factor: a reshape and a mean (one pass, in float32)."""
    shape = a.shape[:axis] + (new_len, a.shape[axis] // new_len) + a.shape[axis + 1:]
    return a.reshape(shape).mean(axis=axis + 1, dtype=np.float32)


def _resample_axis(a: np.ndarray, new_len: int, axis: int) -> np.ndarray:
    """Exact area averaging along one axis: each output cell is the mean over its span of input.

    Pixels are treated as constant over their unit cell, so the integral up to position ``t`` is
    the cumulative sum linearly interpolated at ``t``. Differences of that integral at the output
    cell boundaries, divided by the cell width, are the averages. O(size), works both ways.
    """
    n = a.shape[axis]
    a = np.moveaxis(a, axis, -1).astype(np.float64)
    cum = np.concatenate([np.zeros(a.shape[:-1] + (1,)), np.cumsum(a, axis=-1)], axis=-1)
    bounds = np.linspace(0.0, n, new_len + 1)
    i = np.minimum(np.floor(bounds).astype(np.intp), n - 1)
    frac = bounds - i
    integral = cum[..., i] + frac * (cum[..., i + 1] - cum[..., i])
    out = np.diff(integral, axis=-1) / (n / new_len)
    return np.moveaxis(out, -1, axis)


def resize_area(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a grey image to ``shape`` by area averaging (no aliasing when shrinking).

    Parameters
    ----------
    image : ndarray, shape (H, W)
    shape : (int, int)
        Target (rows, cols), each at least 1. The aspect ratio is not preserved.

    Returns
    -------
    ndarray, shape ``shape``, float32
    """
    a = np.asarray(image)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"resize_area needs a non-empty 2-D image, got shape {a.shape}")
    rows, cols = (int(s) for s in shape)
    if rows < 1 or cols < 1:
        raise ValueError(f"cannot resize an image to {cols} x {rows} pixels")
    out = a if a.dtype == np.float32 else a.astype(np.float64)
    for axis, size in ((0, rows), (1, cols)):
        if size == out.shape[axis]:
            continue
        if out.shape[axis] % size == 0:  # a whole factor (a 2048 px photo to 512): block means
            out = _block_mean(out, size, axis)
        else:
            out = _resample_axis(out, size, axis)
    return out.astype(np.float32)


def scaled_shape(height: int, width: int, max_side: int = 512) -> tuple[int, int]:
    """The (rows, cols) of a ``height`` x ``width`` image whose long side is cut to ``max_side``.

    Unchanged when it already fits; otherwise both sides shrink by the same factor (rounded, >= 1).
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1 pixel, not {max_side}")
    long_side = max(height, width)
    if long_side <= max_side:
        return height, width
    scale = max_side / long_side
    return max(1, round(height * scale)), max(1, round(width * scale))


def downscale_to(image: np.ndarray, max_side: int = 512) -> tuple[np.ndarray, bool]:
    """Shrink a grey image so its long side is at most ``max_side``, keeping the aspect ratio.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    max_side : int

    Returns
    -------
    image : ndarray, shape (H', W'), float32
        Area-averaged (every input pixel contributes, so fine texture does not alias).
    scaled : bool
        True when the image was shrunk, so the caller can tell the user.
    """
    a = np.asarray(image)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"downscale_to needs a non-empty 2-D grey image, got shape {a.shape}")
    target = scaled_shape(a.shape[0], a.shape[1], max_side)
    if target == a.shape:
        return a.astype(np.float32, copy=True), False
    return resize_area(a, target), True
