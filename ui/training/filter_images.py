"""The pictures of first-layer filters: one image per (filter, channel), or one RGB picture per
colour filter, tiled into a montage (shared by the filters view and "first step vs now")."""

from __future__ import annotations

import numpy as np

from ui.widgets.tiling import tile


def rgb_filter_images(filters: np.ndarray, bound: float) -> np.ndarray:
    """Colour filters as RGB pictures: weight 0 is mid-grey, +``bound`` full, -``bound`` none.

    Parameters
    ----------
    filters : ndarray, shape (F, 3, kh, kw)
    bound : float
        The largest |weight| (of all filters: one scale, so they compare).

    Returns
    -------
    ndarray, shape (F, 3, kh, kw), values in [0, 1]
    """
    return np.clip(0.5 + np.asarray(filters, dtype=np.float64) / (2 * max(bound, 1e-12)), 0, 1)


def filter_images(filters: np.ndarray) -> list[np.ndarray]:
    """The 2-D images to show for a first-layer weight array.

    Parameters
    ----------
    filters : ndarray, shape (F, C, kh, kw)

    Returns
    -------
    list of ndarray, each shape (kh, kw)
        One image per (filter, input channel) pair, filter-major.
    """
    f, c = filters.shape[:2]
    return [np.asarray(filters[i, j], dtype=np.float64) for i in range(f) for j in range(c)]


def montage_of(images: list[np.ndarray], cols: int) -> np.ndarray:
    """The images tiled: 2-D on the diverging scale, or (H, W, 3) colour with white gaps."""
    stack = np.stack(images)
    if stack.ndim == 4:
        return np.stack([tile(stack[..., c], columns=cols, gap=1, fill=1.0)
                         for c in range(3)], axis=-1)
    return tile(stack, columns=cols, gap=1)
