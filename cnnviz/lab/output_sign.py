"""Can a convolution's output be negative at all? Decided from the kernel and the input's range.

A blur or box kernel (every weight >= 0) on an image in [0, 1] gives only values >= 0: a
diverging blue-white-red map then spends its whole blue half on nothing and shows a blurred photo
as pale pink. Such outputs are *non-negative* and read best on a sequential map (black = 0); any
kernel with weights of both signs gives *signed* outputs, which need the diverging map. The answer
comes from interval arithmetic on the weights, not from the values computed: it does not flip
while the user edits an image region or drags a kernel cell of the same sign.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NON_NEGATIVE", "SIGNED", "output_bounds", "output_sign"]

SIGNED = "signed"
NON_NEGATIVE = "non-negative"


def output_bounds(kernels, bias=0.0, input_range: tuple[float, float] = (0.0, 1.0),
                  zero_padding: bool = True) -> tuple[float, float]:
    """The smallest and largest value any output pixel of any filter can take.

    Parameters
    ----------
    kernels : ndarray, shape (k, k), (C, k, k) or (F, C, k, k)
    bias : float or ndarray, shape (F,)
    input_range : (low, high)
        Every input value lies in it (the playground's images: [0, 1]).
    zero_padding : bool
        Whether taps can fall on zero padding, which widens the input range to include 0.

    Returns
    -------
    (low, high) over the filters: the bounds of ``sum(w * x) + b`` for x in the range.
    """
    w = np.asarray(kernels, dtype=float)
    w = w.reshape((1, -1)) if w.ndim <= 3 else w.reshape((w.shape[0], -1))
    lo, hi = map(float, input_range)
    if zero_padding:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    b = np.broadcast_to(np.asarray(bias, dtype=float).ravel(), (w.shape[0],))
    # Each weight's product is smallest at one end of the input range, largest at the other.
    low = np.minimum(w * lo, w * hi).sum(axis=1) + b
    high = np.maximum(w * lo, w * hi).sum(axis=1) + b
    return float(low.min()), float(high.max())


def output_sign(kernels, bias=0.0, input_range: tuple[float, float] = (0.0, 1.0),
                zero_padding: bool = True) -> str:
    """:data:`NON_NEGATIVE` when no output can be below zero, else :data:`SIGNED`.

    Same parameters as :func:`output_bounds`.
    """
    low, _high = output_bounds(kernels, bias, input_range, zero_padding)
    return NON_NEGATIVE if low >= 0 else SIGNED
