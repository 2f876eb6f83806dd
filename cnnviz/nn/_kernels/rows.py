"""Row primitives the convolution kernels are built from: copies, zeroing, valid index ranges
and the multiply-add of shifted rows.

Loops count over views with ``range(len)``: that is the form LLVM vectorises (numba's slice
assignment and loops over ``range(lo, hi)`` indices are several times slower here).
"""

from __future__ import annotations

import numba

from cnnviz.nn._jit import fastmath

_jit = numba.njit(nogil=True, cache=True)
_jit_fast = numba.njit(nogil=True, cache=True, fastmath=set(fastmath))


@_jit
def copy(dst, src):
    """``dst[:] = src`` for 1-D views (a counted loop over views vectorises; numba's slice
    assignment and loops over ``range(lo, hi)`` indices do not)."""
    for q in range(dst.shape[0]):
        dst[q] = src[q]


@_jit
def zero(a):
    for q in range(a.shape[0]):
        a[q] = 0


@_jit
def valid(o_count, stride, offset, size):
    """First and one-past-last output index whose input position ``o * stride + offset`` lies in
    ``0 .. size - 1``."""
    lo = 0
    if offset < 0:
        lo = (-offset + stride - 1) // stride
    hi = o_count
    if (o_count - 1) * stride + offset >= size:
        hi = max(0, (size - 1 - offset) // stride + 1) if size - 1 - offset >= 0 else 0
    return min(lo, hi), hi


@_jit_fast
def add_taps(acc, src, w_row, dw):
    """``acc[q] += sum_j w_row[j] * src[q + j dw]``: three or four taps per pass over ``acc``, so
    the accumulator row is loaded and stored once per four multiply-adds."""
    n, kw = acc.shape[0], w_row.shape[0]
    j = 0
    while j + 4 <= kw:
        a, b, c, d = w_row[j], w_row[j + 1], w_row[j + 2], w_row[j + 3]
        s0, s1 = src[j * dw:], src[(j + 1) * dw:]
        s2, s3 = src[(j + 2) * dw:], src[(j + 3) * dw:]
        for q in range(n):
            acc[q] += a * s0[q] + b * s1[q] + c * s2[q] + d * s3[q]
        j += 4
    if j + 3 == kw:
        a, b, c = w_row[j], w_row[j + 1], w_row[j + 2]
        s0, s1, s2 = src[j * dw:], src[(j + 1) * dw:], src[(j + 2) * dw:]
        for q in range(n):
            acc[q] += a * s0[q] + b * s1[q] + c * s2[q]
        j += 3
    while j + 2 <= kw:
        a, b = w_row[j], w_row[j + 1]
        s0, s1 = src[j * dw:], src[(j + 1) * dw:]
        for q in range(n):
            acc[q] += a * s0[q] + b * s1[q]
        j += 2
    if j < kw:
        a, s0 = w_row[j], src[j * dw:]
        for q in range(n):
            acc[q] += a * s0[q]


@_jit_fast
def add_taps_2rows(acc, src0, src1, w0, w1, dw):
    """:func:`add_taps` for two kernel rows at once (``acc += taps(src0, w0) + taps(src1, w1)``):
    up to six multiply-adds per load and store of the accumulator."""
    n, kw = acc.shape[0], w0.shape[0]
    j = 0
    while j + 3 <= kw:
        a0, a1, a2, b0, b1, b2 = w0[j], w0[j + 1], w0[j + 2], w1[j], w1[j + 1], w1[j + 2]
        s0, s1, s2 = src0[j * dw:], src0[(j + 1) * dw:], src0[(j + 2) * dw:]
        t0, t1, t2 = src1[j * dw:], src1[(j + 1) * dw:], src1[(j + 2) * dw:]
        for q in range(n):
            acc[q] += (a0 * s0[q] + a1 * s1[q] + a2 * s2[q]) + (b0 * t0[q] + b1 * t1[q]
                                                                  + b2 * t2[q])
        j += 3
    while j < kw:
        a0, b0 = w0[j], w1[j]
        s0, t0 = src0[j * dw:], src1[j * dw:]
        for q in range(n):
            acc[q] += a0 * s0[q] + b0 * t0[q]
        j += 1
