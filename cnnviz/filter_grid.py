"""How to lay out n filter thumbnails in an area so each is as big as the area allows.

Why: a learner looks at the first layer's filters to see them form; 3x3 weights drawn 20 pixels
wide in a corner of a large panel hide what each one became. The grid with the largest thumbnails
depends on the panel's shape (a wide panel wants one row, a tall one a column), so it is chosen
from the area, not fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["FilterGrid", "grid_for"]


@dataclass(frozen=True)
class FilterGrid:
    """A montage layout.

    Attributes
    ----------
    columns, rows : int
    scale : float
        Screen pixels per weight (per montage pixel).
    thumb_width, thumb_height : float
        One thumbnail's size on screen, in pixels.
    """

    columns: int
    rows: int
    scale: float
    thumb_width: float
    thumb_height: float


def grid_for(n: int, width: float, height: float, kh: int = 3, kw: int = 3,
             gap: int = 1) -> FilterGrid:
    """The columns (and rows) that make ``n`` thumbnails of ``kh x kw`` weights largest.

    Parameters
    ----------
    n : int, >= 1
        How many thumbnails.
    width, height : float, > 0
        The area, in screen pixels.
    kh, kw : int, >= 1
        One thumbnail's size in weights.
    gap : int, >= 0
        Weights-wide gap between thumbnails (the montage's separator).

    Returns
    -------
    FilterGrid

    Notes
    -----
    A montage of ``c`` columns and ``r = ceil(n / c)`` rows is ``c (kw + gap) - gap`` weights
    wide and ``r (kh + gap) - gap`` high; drawn to fit the area it gets
    ``min(width / montage_width, height / montage_height)`` pixels per weight. Every ``c`` from
    1 to ``n`` is tried; among equal scales the one with fewer empty cells wins.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of thumbnails must be a whole number >= 1, got {n!r}")
    if not (width > 0 and height > 0):
        raise ValueError(f"the area must have a positive size, got {width} x {height}")
    if kh < 1 or kw < 1 or gap < 0:
        raise ValueError(f"thumbnails need at least 1x1 weights and a gap >= 0, got {kh}x{kw}, "
                         f"gap {gap}")
    best: tuple[float, int, int] | None = None
    for columns in range(1, n + 1):
        rows = math.ceil(n / columns)
        scale = min(width / (columns * (kw + gap) - gap), height / (rows * (kh + gap) - gap))
        empty = columns * rows - n
        # Compare scales with a little tolerance: float noise must not pick a ragged grid.
        if best is None or scale > best[0] * (1 + 1e-9) or (
                math.isclose(scale, best[0], rel_tol=1e-9) and empty < best[2]):
            best = (scale, columns, empty)
    scale, columns, _ = best
    return FilterGrid(columns=columns, rows=math.ceil(n / columns), scale=scale,
                      thumb_width=scale * kw, thumb_height=scale * kh)
