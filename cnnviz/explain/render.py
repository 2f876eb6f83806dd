"""Pictures of explanations without Qt: the app's colour maps as small tables, overlays, grids.

The command line writes its PNGs from these. The tables sample the maps the app's theme names
(``inferno`` for attributions over an image, colorcet ``CET-D1`` for signed values, black to white
for images) at 17 points; linear interpolation between them is indistinguishable on screen.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HEAT", "DIVERGING", "GREY", "colourise", "image_rgb", "overlay", "enlarge", "grid"]

HEAT = np.array([
    [0, 0, 4], [10, 7, 35], [32, 12, 73], [60, 9, 100], [86, 15, 109], [112, 25, 110],
    [137, 34, 106], [162, 43, 97], [187, 54, 84], [208, 69, 68], [227, 89, 50], [241, 113, 30],
    [249, 140, 9], [252, 170, 15], [249, 201, 50], [242, 232, 101], [252, 255, 164]], float)
DIVERGING = np.array([
    [33, 81, 219], [81, 97, 222], [111, 116, 225], [137, 135, 228], [159, 155, 231],
    [181, 176, 234], [201, 196, 236], [220, 218, 238], [237, 231, 233], [242, 214, 207],
    [240, 189, 177], [237, 164, 147], [231, 139, 118], [223, 114, 90], [214, 87, 62],
    [203, 56, 35], [192, 2, 6]], float)
GREY = np.array([[0, 0, 0], [255, 255, 255]], float)


def colourise(values, table: np.ndarray = GREY, levels=None) -> np.ndarray:
    """Colour a 2-D map through a table of anchor colours.

    Parameters
    ----------
    values : ndarray, shape (H, W)
        NaN draws as white (the gaps of a grid).
    table : ndarray, shape (K, 3)
        Anchor colours, evenly spaced from the low to the high level.
    levels : (low, high), optional
        Default min..max; for :data:`DIVERGING`, -max|v|..max|v| so zero is the middle colour.

    Returns
    -------
    ndarray of uint8, shape (H, W, 3)
    """
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"a map to colour must be 2-D, not of shape {a.shape}")
    finite = a[np.isfinite(a)]
    if levels is None:
        if table is DIVERGING:
            m = float(np.abs(finite).max()) if finite.size else 1.0
            levels = (-m, m)
        else:
            levels = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    low, high = levels
    t = np.clip((a - low) / ((high - low) or 1.0), 0.0, 1.0)
    pos = np.nan_to_num(t) * (len(table) - 1)
    i = np.minimum(pos.astype(int), len(table) - 2)
    frac = (pos - i)[..., None]
    rgb = table[i] * (1 - frac) + table[i + 1] * frac
    rgb[~np.isfinite(a)] = 255.0
    return np.round(rgb).astype(np.uint8)


def image_rgb(image) -> np.ndarray:
    """An input image in [0, 1] as RGB: (C, H, W) with 1 or 3 channels, or (H, W)."""
    a = np.asarray(image, dtype=np.float64)
    if a.ndim == 3 and a.shape[0] == 3:
        return np.round(np.clip(a.transpose(1, 2, 0), 0, 1) * 255).astype(np.uint8)
    if a.ndim == 3:
        a = a[0] if a.shape[0] == 1 else a.mean(axis=0)
    return colourise(a, GREY, (0.0, 1.0))


def overlay(image, heat, alpha: float = 0.6) -> np.ndarray:
    """``heat`` (H, W), coloured with :data:`HEAT` from 0 to its maximum, laid over ``image``."""
    heat = np.asarray(heat, dtype=np.float64)
    top = float(np.nanmax(heat)) if np.isfinite(heat).any() else 0.0
    coloured = colourise(heat, HEAT, (0.0, top if top > 0 else 1.0)).astype(np.float64)
    base = image_rgb(image).astype(np.float64)
    return np.round((1 - alpha) * base + alpha * coloured).astype(np.uint8)


def enlarge(rgb: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel as a ``factor`` x ``factor`` block (hard edges: small maps stay readable)."""
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)


def grid(pictures, columns: int | None = None, gap: int = 2) -> np.ndarray:
    """RGB pictures side by side in rows, on white; smaller ones are centred in their cell.

    Parameters
    ----------
    pictures : list of ndarray, each (h, w, 3) uint8
    columns : int, optional
        Default: all in one row.

    Returns
    -------
    ndarray of uint8, shape (H, W, 3)
    """
    if not pictures:
        raise ValueError("no pictures to arrange")
    columns = columns or len(pictures)
    ch = max(p.shape[0] for p in pictures)
    cw = max(p.shape[1] for p in pictures)
    rows = -(-len(pictures) // columns)
    out = np.full((rows * (ch + gap) - gap, columns * (cw + gap) - gap, 3), 255, np.uint8)
    for n, p in enumerate(pictures):
        r, c = divmod(n, columns)
        top = r * (ch + gap) + (ch - p.shape[0]) // 2
        left = c * (cw + gap) + (cw - p.shape[1]) // 2
        out[top:top + p.shape[0], left:left + p.shape[1]] = p
    return out
