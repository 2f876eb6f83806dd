"""Convolution without laying out windows: sums of shifted rows (stride 1 batches, one image).

The playground convolves one image with one kernel (:func:`direct_conv`); a network's first layer
has one or three channels (:func:`direct_forward_chunk`). Either way there is too little to
multiply per window column for a matrix product to pay for laying the windows out.
"""

from __future__ import annotations

import numba
import numpy as np

from cnnviz.nn._jit import fastmath
from cnnviz.nn._kernels.rows import add_taps, add_taps_2rows, copy, zero

_jit = numba.njit(nogil=True, cache=True)
_jit_fast = numba.njit(nogil=True, cache=True, fastmath=set(fastmath))


@_jit
def _padded_image(x, ph, pw):
    """x (C, H, W) with (ph, pw) zeros around; x itself when there is no padding."""
    if ph == 0 and pw == 0:
        return x
    c_count, h, w = x.shape
    xp = np.zeros((c_count, h + 2 * ph, w + 2 * pw), x.dtype)
    for c in range(c_count):
        for r in range(h):
            copy(xp[c, r + ph, pw:pw + w], x[c, r])
    return xp


@_jit
def _interior(wo, kw, w, dw, pw):
    """Output columns lo..hi-1 whose every tap is inside a row of ``w`` pixels."""
    lo = min(wo, pw)  # left of it the first tap falls on the padding
    return lo, max(lo, min(wo, w + pw - (kw - 1) * dw))  # from hi on the last tap does


@_jit_fast
def _add_edges(acc, src, w_row, dw, pw, lo, hi):
    """The edge pixels (left of lo, from hi on) of ``acc[q] += sum_j w_row[j] src[q + j dw - pw]``,
    tap by tap: taps outside ``src`` are the zero padding (no padded copy of the image)."""
    wo, kw, w = acc.shape[0], w_row.shape[0], src.shape[0]
    for edge in range(lo + wo - hi):  # the lo pixels on the left, then those from hi on
        q = edge if edge < lo else hi + edge - lo
        for j in range(kw):
            col = q + j * dw - pw
            if 0 <= col < w:
                acc[q] += w_row[j] * src[col]


@_jit_fast
def direct_conv(x, w, b, sh, sw, ph, pw, dh, dw, y):
    """Shift-and-add convolution of one image ``x`` (C, H, W), zero-padded by (ph, pw), with
    ``w`` (F, C, kh, kw) into ``y`` (F, Ho, Wo): each output row accumulates the kh * kw shifted
    input rows, so the inner loop runs along a row (vectorised) and the row being summed stays in
    the L1 cache (the playground's one image and one kernel; no window layout at all)."""
    f_count, c_count, kh, kw = w.shape
    ho, wo = y.shape[1], y.shape[2]
    xp = x if sw == 1 else _padded_image(x, ph, pw)  # stride 1 handles its edges itself
    for f in range(f_count):
        for oh in range(ho):
            acc = y[f, oh]
            bias = b[f]
            for q in range(wo):
                acc[q] = bias
            for c in range(c_count):
                if sw == 1:
                    _rows_stride1(acc, x[c], w[f, c], oh * sh - ph, dh, dw, pw)
                    continue
                for i in range(kh):
                    src = xp[c, oh * sh + i * dh]
                    for j in range(kw):
                        weight, seg = w[f, c, i, j], src[j * dw:]
                        for q in range(wo):
                            acc[q] += weight * seg[q * sw]


@_jit_fast
def _rows_stride1(acc, plane, w_rows, top, dh, dw, pw):
    """Add every kernel row's taps (stride 1 along the row) from the rows ``top + i dh`` of
    ``plane`` that exist (the others are padding), two kernel rows per pass."""
    h, kh, kw = plane.shape[0], w_rows.shape[0], w_rows.shape[1]
    lo, hi = _interior(acc.shape[0], kw, plane.shape[1], dw, pw)
    inner = acc[lo:hi]
    pending = -1  # a valid kernel row waiting for a partner
    for i in range(kh):
        r = top + i * dh
        if r < 0 or r >= h:
            continue
        _add_edges(acc, plane[r], w_rows[i], dw, pw, lo, hi)
        if hi <= lo:
            continue
        if pending < 0:
            pending = i
            continue
        add_taps_2rows(inner, plane[top + pending * dh, lo - pw:], plane[r, lo - pw:],
                       w_rows[pending], w_rows[i], dw)
        pending = -1
    if pending >= 0 and hi > lo:
        add_taps(inner, plane[top + pending * dh, lo - pw:], w_rows[pending], dw)


@_jit
def _pad_planes(planes, ph, pw, out):
    """Every (H, W) plane of ``planes`` (C, H, W), zero-padded by (ph, pw), one after the other
    in the flat ``out``; the rest of ``out`` (the runs' overhang past the last plane) is zero."""
    c_count, h, w = planes.shape
    wp = w + 2 * pw
    plane = (h + 2 * ph) * wp
    zero(out)
    for c in range(c_count):
        for r in range(h):
            start = c * plane + (r + ph) * wp + pw
            copy(out[start:start + w], planes[c, r])


@_jit
def _sum_shifted(planes, w, bias, dh, dw, wp, plane, acc):
    """``acc[o] = bias[o] + sum_{c, i, j} w[o, c, i, j] * planes[c * plane + i dh wp + j dw + q]``
    for every wide position q: a stride-1 convolution of zero-padded planes, computed Wp wide."""
    for o in range(acc.shape[0]):
        a = acc[o]
        for q in range(a.shape[0]):
            a[q] = bias[o]
        for c in range(w.shape[1]):
            i = 0
            while i + 2 <= w.shape[2]:  # two kernel rows per pass: fewer loads and stores of a
                top = c * plane + i * dh * wp
                add_taps_2rows(a, planes[top:], planes[top + dh * wp:], w[o, c, i], w[o, c, i + 1],
                               dw)
                i += 2
            if i < w.shape[2]:
                add_taps(a, planes[c * plane + i * dh * wp:], w[o, c, i], dw)


@_jit
def _narrow(acc, wp, out):
    """``out[o, r, :] = acc[o, r * wp:][:W]``: drop the extra columns of wide rows."""
    for o in range(out.shape[0]):
        for r in range(out.shape[1]):
            copy(out[o, r], acc[o, r * wp:r * wp + out.shape[2]])


@_jit
def direct_forward_chunk(x, n0, n1, w, b, ph, pw, dh, dw, ho, xpad, acc, y):
    """Stride-1 convolution of images n0..n1-1 without laying out windows: per image, pad its
    planes into ``xpad`` and sum shifted wide rows into ``acc`` (F, ho * Wp), then drop the extra
    columns. For few channels, where a matrix product has too little to multiply per column."""
    wp = x.shape[3] + 2 * pw
    plane = (x.shape[2] + 2 * ph) * wp
    for n in range(n0, n1):
        _pad_planes(x[n], ph, pw, xpad)
        _sum_shifted(xpad, w, b, dh, dw, wp, plane, acc)
        _narrow(acc, wp, y[n])


def warm_up() -> None:
    """Compile (or load from the cache) every kernel for float32 arrays."""
    f32 = np.float32
    x, b = np.zeros((1, 1, 4, 4), f32), np.zeros(1, f32)
    direct_forward_chunk(x, 0, 1, np.zeros((1, 1, 3, 3), f32), b, 1, 1, 1, 1, 4,
                         np.zeros(6 * 6 + 2, f32), np.zeros((1, 24), f32), x)
    direct_conv(np.zeros((1, 4, 4), f32), np.zeros((1, 1, 3, 3), f32), b, 1, 1, 1, 1, 1, 1,
                np.zeros((1, 4, 4), f32))
