"""Pooling and ReLU kernels on images ``n0 .. n1 - 1`` of NCHW arrays.

Same semantics as :mod:`cnnviz.nn._pool` (PyTorch's): max pooling sees padding as -inf and its
gradient goes to the first maximum in row-major window order; average pooling counts padded zeros.
The winning tap of each window is kept as ``i * kw + j`` (padding taps included in the count, as in
the NumPy path), so the backward pass is one scatter.
"""

from __future__ import annotations

import numba
import numpy as np

_jit = numba.njit(nogil=True, cache=True)


@_jit
def _valid(o_count, stride, offset, size):
    """Output indices o (a range lo..hi) whose input position ``o * stride + offset`` is inside
    ``0 .. size - 1``."""
    lo = 0 if offset >= 0 else (-offset + stride - 1) // stride
    last = size - 1 - offset
    hi = 0 if last < 0 else min(o_count, last // stride + 1)
    return min(lo, hi), hi


@_jit
def max_pool(x, n0, n1, kh, kw, sh, sw, ph, pw, y, arg):
    """``y[n, c, oh, ow]`` = window maximum, ``arg`` = its tap ``i * kw + j``: the first maximum
    in row-major order, padding counting as -inf, a NaN winning (it propagates), as ``np.max`` /
    ``np.argmax`` over the padded windows do.

    Tap-major: each tap updates a whole output row's running maximum, a branch-free select per
    pixel (comparisons on real data are unpredictable; a mispredicted branch costs more than both
    outcomes). Padding taps are -inf, so they never replace anything and are skipped; with every
    tap -inf the first tap (0) keeps the win, as in ``np.argmax``.
    """
    c_count, h, w = x.shape[1], x.shape[2], x.shape[3]
    ho, wo = y.shape[2], y.shape[3]
    for n in range(n0, n1):
        for c in range(c_count):
            for oh in range(ho):
                best, won = y[n, c, oh], arg[n, c, oh]
                for q in range(wo):
                    best[q] = -np.inf
                    won[q] = 0
                for i in range(kh):
                    r = oh * sh - ph + i
                    if r < 0 or r >= h:
                        continue
                    row = x[n, c, r]
                    for j in range(kw):
                        lo, hi = _valid(wo, sw, j - pw, w)
                        seg = row[lo * sw + j - pw:]
                        b, a = best[lo:hi], won[lo:hi]
                        t = i * kw + j
                        for q in range(hi - lo):
                            v = seg[q * sw]
                            old = b[q]
                            take = (v > old) | ((v != v) & (old == old))
                            b[q] = v if take else old
                            a[q] = t if take else a[q]


@_jit
def _has_nan(row):
    found = False
    for q in range(row.shape[0]):
        found |= row[q] != row[q]
    return found


@_jit
def _pool_row_2x2(top, bottom, best, won, nan_aware):
    for q in range(best.shape[0]):
        m, t = top[2 * q], 0
        v = top[2 * q + 1]
        if v > m or (nan_aware and v != v and m == m):  # larger, or the first NaN
            m, t = v, 1
        v = bottom[2 * q]
        if v > m or (nan_aware and v != v and m == m):
            m, t = v, 2
        v = bottom[2 * q + 1]
        if v > m or (nan_aware and v != v and m == m):
            m, t = v, 3
        best[q] = m
        won[q] = t


@_jit
def max_pool_2x2(x, n0, n1, y, arg):
    """:func:`max_pool` for the common 2x2 window, stride 2, no padding, one row of windows at a
    time. Plain ``>`` comparisons (measured 7x faster than also testing for NaN on every tap);
    a row with a NaN in it is done again with the NaN rule."""
    for n in range(n0, n1):
        for c in range(x.shape[1]):
            for oh in range(y.shape[2]):
                top, bottom = x[n, c, 2 * oh], x[n, c, 2 * oh + 1]
                _pool_row_2x2(top, bottom, y[n, c, oh], arg[n, c, oh], False)
                if _has_nan(top) or _has_nan(bottom):
                    _pool_row_2x2(top, bottom, y[n, c, oh], arg[n, c, oh], True)


@_jit
def max_pool_grad(dy, arg, n0, n1, kh, kw, sh, sw, ph, pw, dx):
    """``dx[n0:n1]`` (zeroed first) receives each window's gradient at its winning tap."""
    h, w = dx.shape[2], dx.shape[3]
    ho, wo = dy.shape[2], dy.shape[3]
    dx[n0:n1] = 0
    for n in range(n0, n1):
        for c in range(dy.shape[1]):
            dst = dx[n, c]
            for oh in range(ho):
                for ow in range(wo):
                    t = arg[n, c, oh, ow]
                    r = oh * sh - ph + t // kw
                    cc = ow * sw - pw + t % kw
                    if 0 <= r < h and 0 <= cc < w:
                        dst[r, cc] += dy[n, c, oh, ow]


@_jit
def avg_pool(x, n0, n1, kh, kw, sh, sw, ph, pw, y):
    """``y`` = sum of each window (padded zeros included) divided by ``kh * kw``."""
    c_count, h, w = x.shape[1], x.shape[2], x.shape[3]
    ho, wo = y.shape[2], y.shape[3]
    count = kh * kw
    for n in range(n0, n1):
        for c in range(c_count):
            src = x[n, c]
            for oh in range(ho):
                for ow in range(wo):
                    total = y.dtype.type(0)
                    for i in range(kh):
                        r = oh * sh - ph + i
                        if 0 <= r < h:
                            for j in range(kw):
                                cc = ow * sw - pw + j
                                if 0 <= cc < w:
                                    total += src[r, cc]
                    y[n, c, oh, ow] = total / count


@_jit
def avg_pool_grad(dy, n0, n1, kh, kw, sh, sw, ph, pw, dx):
    """``dx[n0:n1]`` (zeroed first) receives ``dy / (kh * kw)`` at every tap of its window."""
    h, w = dx.shape[2], dx.shape[3]
    ho, wo = dy.shape[2], dy.shape[3]
    count = kh * kw
    dx[n0:n1] = 0
    for n in range(n0, n1):
        for c in range(dy.shape[1]):
            dst = dx[n, c]
            for oh in range(ho):
                for ow in range(wo):
                    share = dy[n, c, oh, ow] / count
                    for i in range(kh):
                        r = oh * sh - ph + i
                        if 0 <= r < h:
                            for j in range(kw):
                                cc = ow * sw - pw + j
                                if 0 <= cc < w:
                                    dst[r, cc] += share


@_jit
def relu(x, lo, hi, y):
    """``y[lo:hi] = max(x, 0)`` on flat arrays, exactly as ``np.maximum(x, 0)`` (NaN stays)."""
    zero = y.dtype.type(0)
    src, dst = x[lo:hi], y[lo:hi]  # views and range(len): LLVM vectorises this loop
    for p in range(dst.shape[0]):
        v = src[p]
        dst[p] = v if v > zero or v != v else zero  # NaN stays, -0.0 becomes 0, as np.maximum


@_jit
def relu_grad(dy, y, lo, hi, dx):
    """``dx[lo:hi] = dy * (y > 0)`` on flat arrays, exactly as the NumPy expression."""
    zero, one = dx.dtype.type(0), dx.dtype.type(1)
    g, out, mask = dy[lo:hi], dx[lo:hi], y[lo:hi]
    for p in range(out.shape[0]):
        out[p] = g[p] * (one if mask[p] > zero else zero)


def warm_up() -> None:
    """Compile (or load from the cache) every kernel for float32 arrays."""
    x = np.zeros((1, 1, 4, 4), np.float32)
    y = np.zeros((1, 1, 2, 2), np.float32)
    arg = np.zeros((1, 1, 2, 2), np.int8)
    max_pool(x, 0, 1, 2, 2, 2, 2, 0, 0, y, arg)
    max_pool_2x2(x, 0, 1, y, arg)
    max_pool_grad(y, arg, 0, 1, 2, 2, 2, 2, 0, 0, x)
    avg_pool(x, 0, 1, 2, 2, 2, 2, 0, 0, y)
    avg_pool_grad(y, 0, 1, 2, 2, 2, 2, 0, 0, x)
    flat = x.reshape(-1)
    relu(flat, 0, flat.size, flat)
    relu_grad(flat, flat, 0, flat.size, flat)
