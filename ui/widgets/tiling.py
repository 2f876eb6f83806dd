"""Arrange a stack of 2-D maps (filters, activation maps) into one image.

One image of many tiles paints far faster in pyqtgraph than one view per map, which matters when
the training studio redraws its filters ten times a second.
"""

from __future__ import annotations

import numpy as np

__all__ = ["tile"]


def tile(maps: np.ndarray, columns: int | None = None, gap: int = 1,
         fill: float = np.nan) -> np.ndarray:
    """Tile a stack of 2-D maps into one image, row-major, separated by ``gap`` pixels.

    Parameters
    ----------
    maps : ndarray, shape (N, H, W)
    columns : int, optional
        Maps per row (default: about square).
    gap : int
    fill : float
        Value of the gaps (NaN draws as transparent in pyqtgraph).

    Returns
    -------
    ndarray, shape (rows * (H + gap) - gap, columns * (W + gap) - gap)
    """
    maps = np.asarray(maps, dtype=np.float64)
    n, h, w = maps.shape
    columns = max(1, columns or int(np.ceil(np.sqrt(n))))
    rows = int(np.ceil(n / columns))
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), fill)
    for i in range(n):
        r, c = divmod(i, columns)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = maps[i]
    return out
