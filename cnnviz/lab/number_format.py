"""Numbers for people: three significant digits, one format per column.

The pixel inspector shows a patch, a kernel and their products side by side. Rounding every cell
to two decimals turned a 9x9 Gaussian's products into a table of 0.00 whose sum was 0.595: the
sum looked made up. Here a column (a table of numbers read together) gets one format, chosen so
that its largest value has three significant digits and its smaller values keep theirs as far as
two extra decimals allow; only a column of very large or very small numbers turns scientific.
Pure Python and NumPy.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SIGNIFICANT", "column_decimals", "format_column", "format_number"]

SIGNIFICANT = 3
# Beyond these magnitudes fixed notation needs too many digits: 123456 or 0.000123.
LARGE = 1e5
SMALL = 1e-3
# How many decimals a column may add beyond what its largest value needs, so that a value 100
# times smaller than the largest still shows a significant digit, but a column never grows long.
EXTRA_DECIMALS = 2
MAX_DECIMALS = 8


def _magnitudes(values) -> np.ndarray:
    a = np.abs(np.asarray(values, dtype=float).ravel())
    return a[np.isfinite(a) & (a > 0)]


def _exponent(x: float) -> int:
    return math.floor(math.log10(x))


def column_decimals(values, significant: int = SIGNIFICANT) -> int | None:
    """Decimals for a column of ``values`` (any shape); None when it needs scientific notation.

    The largest magnitude gets ``significant`` digits; smaller ones as many as up to
    ``EXTRA_DECIMALS`` further decimals allow.
    """
    m = _magnitudes(values)
    if m.size == 0:
        return 0
    big, small = float(m.max()), float(m.min())
    if big >= LARGE or big < SMALL:
        return None
    want_big = significant - 1 - _exponent(big)
    want_small = significant - 1 - _exponent(small)
    decimals = min(max(want_big, want_small), want_big + EXTRA_DECIMALS, MAX_DECIMALS)
    return max(decimals, 0)


def _fixed(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    # Never "-0.00": a tiny negative product would read as a sign error.
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _scientific(value: float, significant: int) -> str:
    return "0" if value == 0 else f"{value:.{significant - 1}e}"


def format_column(values, significant: int = SIGNIFICANT) -> np.ndarray:
    """Every value of ``values`` (any shape) as text in the column's one format.

    Returns
    -------
    ndarray of str, the shape of ``values``. Non-finite values read ``nan``, ``inf``, ``-inf``.
    """
    a = np.asarray(values, dtype=float)
    decimals = column_decimals(a, significant)
    out = np.empty(a.shape, dtype=object)
    for index, v in np.ndenumerate(a):
        v = float(v)
        if not math.isfinite(v):
            out[index] = str(v)
        elif decimals is None:
            out[index] = _scientific(v, significant)
        else:
            out[index] = _fixed(v, decimals)
    return out


def format_number(value: float, significant: int = SIGNIFICANT) -> str:
    """One value with ``significant`` digits (a column of one): ``0.595``, ``12.3``, ``1.23e-05``.

    Whole numbers of up to ``significant`` digits print with that many significant digits too
    (``2.00``), so a kernel weight and a sum line up with their tables.
    """
    return str(format_column([value], significant)[0])
