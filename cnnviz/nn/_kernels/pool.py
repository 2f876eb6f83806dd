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
def _pool_row_2x2_nan(top, bottom, best, won):
    """One row of 2x2 windows with the NaN rule: the first NaN wins (it propagates)."""
    for q in range(best.shape[0]):
        m, t = top[2 * q], 0
        v = top[2 * q + 1]
        if v > m or (v != v and m == m):  # larger, or the first NaN
            m, t = v, 1
        v = bottom[2 * q]
        if v > m or (v != v and m == m):
            m, t = v, 2
        v = bottom[2 * q + 1]
        if v > m or (v != v and m == m):
            m, t = v, 3
        best[q] = m
        won[q] = t


@_jit
def _planes_2x2(x, n0, n1, y, arg):
    """The 2x2 maxima of images n0..n1-1 with plain ``>`` (the first maximum wins); True if a
    NaN was seen. Whole planes indexed in 2-D: per-row views cost more than a short row's work
    (2-3x slower, measured on 14-28 pixel rows), and selects instead of branches (comparisons on
    real data are unpredictable)."""
    nan = False
    for n in range(n0, n1):
        for c in range(x.shape[1]):
            p, best, won = x[n, c], y[n, c], arg[n, c]
            for oh in range(best.shape[0]):
                for q in range(best.shape[1]):
                    a, b = p[2 * oh, 2 * q], p[2 * oh, 2 * q + 1]
                    cc, d = p[2 * oh + 1, 2 * q], p[2 * oh + 1, 2 * q + 1]
                    take = b > a
                    m = b if take else a
                    t = 1 if take else 0
                    take = cc > m
                    m = cc if take else m
                    t = 2 if take else t
                    take = d > m
                    m = d if take else m
                    t = 3 if take else t
                    best[oh, q] = m
                    won[oh, q] = t
                    nan |= (a != a) | (b != b) | (cc != cc) | (d != d)
    return nan


@_jit
def max_pool_2x2(x, n0, n1, y, arg):
    """:func:`max_pool` for the common 2x2 window, stride 2, no padding. Plain ``>``
    comparisons (measured 7x faster than also testing for NaN on every tap); images with a NaN
    are done again, row by row, with the NaN rule."""
    if not _planes_2x2(x, n0, n1, y, arg):
        return
    for n in range(n0, n1):
        for c in range(x.shape[1]):
            for oh in range(y.shape[2]):
                _pool_row_2x2_nan(x[n, c, 2 * oh], x[n, c, 2 * oh + 1], y[n, c, oh],
                                  arg[n, c, oh])


@_jit
def max_pool_grad_2x2(dy, arg, n0, n1, dx):
    """:func:`max_pool_grad` for 2x2 windows, stride 2, no padding: every input pixel is
    written once (its window's gradient if it won, else 0; the odd last row or column, which no
    window covers, 0), so there is no zeroing pass and no scatter."""
    zero = dx.dtype.type(0)
    for n in range(n0, n1):
        for c in range(dy.shape[1]):
            g, won, out = dy[n, c], arg[n, c], dx[n, c]
            ho, wo = g.shape
            for oh in range(ho):
                for q in range(wo):
                    v, t = g[oh, q], won[oh, q]
                    out[2 * oh, 2 * q] = v if t == 0 else zero
                    out[2 * oh, 2 * q + 1] = v if t == 1 else zero
                    out[2 * oh + 1, 2 * q] = v if t == 2 else zero
                    out[2 * oh + 1, 2 * q + 1] = v if t == 3 else zero
                for r in range(2 * wo, out.shape[1]):
                    out[2 * oh, r] = zero
                    out[2 * oh + 1, r] = zero
            for r in range(2 * ho, out.shape[0]):
                for q in range(out.shape[1]):
                    out[r, q] = zero


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
    max_pool_grad_2x2(y, arg, 0, 1, x)
    avg_pool(x, 0, 1, 2, 2, 2, 2, 0, 0, y)
    avg_pool_grad(y, 0, 1, 2, 2, 2, 2, 0, 0, x)
    flat = x.reshape(-1)
    relu(flat, 0, flat.size, flat)
    relu_grad(flat, flat, 0, flat.size, flat)
