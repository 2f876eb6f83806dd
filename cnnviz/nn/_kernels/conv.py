"""Convolution kernels: window layout (im2col) and its adjoint, output and gradient re-layout, and a
direct shift-and-add convolution of one image (the playground's case).

Every kernel works on images ``n0 .. n1 - 1`` of full NCHW arrays, so one batch is split between
threads by image without copying slices. The column matrix is *channel-major*:
``cols[(c, i, j), (n - n0, oh, ow)]``, so a chunk's whole convolution is one matrix product
``W (F, C kh kw) @ cols`` with a long inner dimension, which BLAS runs near its peak.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import types

from cnnviz.nn._blas import NO_TRANS, ROW_MAJOR, SGEMM_SYMBOL, THREADS_SYMBOL, TRANS
from cnnviz.nn._jit import fastmath
from cnnviz.nn._kernels.rows import copy, valid, zero

_jit = numba.njit(nogil=True, cache=True)
_jit_fast = numba.njit(nogil=True, cache=True, fastmath=set(fastmath))

# cblas_sgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), 64-bit ints
_i32, _i64, _f32, _ptr = types.int32, types.int64, types.float32, types.uintp
_sgemm = types.ExternalFunction(SGEMM_SYMBOL, types.void(
    _i32, _i32, _i32, _i64, _i64, _i64, _f32, _ptr, _i64, _ptr, _i64, _f32, _ptr, _i64))
_blas_local_threads = types.ExternalFunction(THREADS_SYMBOL, types.int32(types.int32))


@_jit
def im2col(x, n0, n1, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, cols):
    """Write the windows of images n0..n1-1 of ``x`` (N, C, H, W) into ``cols``
    (C * kh * kw, (n1 - n0) * ho * wo); zero padding is written as zeros."""
    c_count, h, w = x.shape[1], x.shape[2], x.shape[3]
    plane = ho * wo
    for c in range(c_count):
        for i in range(kh):
            oh_lo, oh_hi = valid(ho, sh, i * dh - ph, h)
            for j in range(kw):
                row = (c * kh + i) * kw + j
                ow_lo, ow_hi = valid(wo, sw, j * dw - pw, w)
                for n in range(n0, n1):
                    base = (n - n0) * plane
                    out = cols[row, base:base + plane]
                    out[:oh_lo * wo] = 0
                    out[oh_hi * wo:] = 0
                    for oh in range(oh_lo, oh_hi):
                        r = out[oh * wo:(oh + 1) * wo]
                        r[:ow_lo] = 0
                        r[ow_hi:] = 0
                        src = x[n, c, oh * sh + i * dh - ph]
                        left = ow_lo * sw + j * dw - pw
                        for ow in range(ow_lo, ow_hi):
                            r[ow] = src[left + (ow - ow_lo) * sw]


@_jit
def col2im(dcols, n0, n1, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, dx):
    """Adjoint of :func:`im2col`: ``dx[n0:n1]`` (zeroed first) receives every column entry at the
    input pixel it was copied from; padding positions are dropped."""
    c_count, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    plane = ho * wo
    dx[n0:n1] = 0
    for n in range(n0, n1):
        base = (n - n0) * plane
        for c in range(c_count):
            for i in range(kh):
                oh_lo, oh_hi = valid(ho, sh, i * dh - ph, h)
                for j in range(kw):
                    row = (c * kh + i) * kw + j
                    ow_lo, ow_hi = valid(wo, sw, j * dw - pw, w)
                    left = ow_lo * sw + j * dw - pw
                    for oh in range(oh_lo, oh_hi):
                        dst = dx[n, c, oh * sh + i * dh - ph]
                        src = dcols[row, base + oh * wo:base + (oh + 1) * wo]
                        for ow in range(ow_lo, ow_hi):
                            dst[left + (ow - ow_lo) * sw] += src[ow]


@_jit
def scatter_output(out, b, n0, n1, y):
    """``y[n, f] = out[f, (n - n0) plane] + b[f]`` for images n0..n1-1: channel-major product
    back to NCHW, with the bias added on the way."""
    f_count = y.shape[1]
    plane = y.shape[2] * y.shape[3]
    for n in range(n0, n1):
        base = (n - n0) * plane
        for f in range(f_count):
            dst = y[n, f].reshape(plane)
            src = out[f, base:base + plane]
            bias = b[f]
            for p in range(plane):
                dst[p] = src[p] + bias


@_jit_fast
def gather_grad(dy, n0, n1, dycm, db):
    """``dycm[f, (n - n0) plane] = dy[n, f]`` (NCHW to channel-major) and ``db[f] += sum``."""
    f_count = dy.shape[1]
    plane = dy.shape[2] * dy.shape[3]
    for f in range(f_count):
        total = 0.0
        for n in range(n0, n1):
            base = (n - n0) * plane
            src = dy[n, f].reshape(plane)
            dst = dycm[f, base:base + plane]
            for p in range(plane):
                v = src[p]
                dst[p] = v
                total += v
        db[f] += total


@_jit
def im2col_wide(x, n0, n1, kh, kw, ph, pw, dh, dw, ho, xpad, cols):
    """Stride-1 windows of images n0..n1-1 as *wide rows*: every padded plane of ``x`` is copied
    into ``xpad`` (C * Hp * Wp per image, zero borders, zeros past the end), then tap (i, j) of
    every output pixel is one contiguous run ``xpad[plane + i dh Wp + j dw :][:ho * Wp]``, so
    ``cols[(c, i, j), (n - n0, oh, ow')]`` (ow' < Wp; the Wp - Wo extra columns mix the end of a
    row with the start of the next and are dropped later) is filled by long contiguous copies."""
    c_count, h, w = x.shape[1], x.shape[2], x.shape[3]
    hp, wp = h + 2 * ph, w + 2 * pw
    plane, run = hp * wp, ho * wp
    zero(xpad)
    for n in range(n0, n1):
        for c in range(c_count):
            base = ((n - n0) * c_count + c) * plane
            for r in range(h):
                start = base + (r + ph) * wp + pw
                copy(xpad[start:start + w], x[n, c, r])
    for n in range(n0, n1):
        for c in range(c_count):
            base = ((n - n0) * c_count + c) * plane
            for i in range(kh):
                for j in range(kw):
                    off = base + i * dh * wp + j * dw
                    copy(cols[(c * kh + i) * kw + j, (n - n0) * run:(n - n0 + 1) * run],
                          xpad[off:off + run])


@_jit
def col2im_wide(dcols, n0, n1, kh, kw, ph, pw, dh, dw, ho, dxpad, dx):
    """Adjoint of :func:`im2col_wide`: add every wide row back onto ``dxpad`` (zeroed first), then
    copy the interior of each padded plane to ``dx[n0:n1]``."""
    c_count, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    hp, wp = h + 2 * ph, w + 2 * pw
    plane, run = hp * wp, ho * wp
    zero(dxpad)
    for n in range(n0, n1):
        for c in range(c_count):
            base = ((n - n0) * c_count + c) * plane
            for i in range(kh):
                for j in range(kw):
                    off = base + i * dh * wp + j * dw
                    dst = dxpad[off:off + run]
                    src = dcols[(c * kh + i) * kw + j, (n - n0) * run:(n - n0 + 1) * run]
                    for q in range(run):
                        dst[q] += src[q]
            for r in range(h):
                start = base + (r + ph) * wp + pw
                copy(dx[n, c, r], dxpad[start:start + w])


@_jit
def scatter_output_wide(out, b, n0, n1, wp, y):
    """``y[n, f, oh, :] = out[f, (n - n0, oh, :Wo)] + b[f]``: wide channel-major rows to NCHW."""
    f_count, ho, wo = y.shape[1], y.shape[2], y.shape[3]
    run = ho * wp
    for n in range(n0, n1):
        for f in range(f_count):
            bias = b[f]
            for oh in range(ho):
                src = out[f, (n - n0) * run + oh * wp:(n - n0) * run + oh * wp + wo]
                dst = y[n, f, oh]
                for ow in range(wo):
                    dst[ow] = src[ow] + bias


@_jit_fast
def gather_grad_wide(dy, n0, n1, wp, dycm, db):
    """``dycm[f, (n - n0, oh, ow')] = dy[n, f, oh, ow']`` for ow' < Wo, zero for the extra columns
    (so they contribute nothing), and ``db[f] += sum``."""
    f_count, ho, wo = dy.shape[1], dy.shape[2], dy.shape[3]
    run = ho * wp
    for f in range(f_count):
        total = 0.0
        for n in range(n0, n1):
            for oh in range(ho):
                dst = dycm[f, (n - n0) * run + oh * wp:(n - n0) * run + (oh + 1) * wp]
                src = dy[n, f, oh]
                for ow in range(wo):
                    v = src[ow]
                    dst[ow] = v
                    total += v
                zero(dst[wo:])
        db[f] += total


@_jit
def gemm(trans_a, trans_b, a, b, c, beta):
    """``c = op(a) @ op(b) + beta c`` for C-contiguous float32 matrices, in NumPy's sgemm on the
    calling thread."""
    m, n = c.shape
    k = a.shape[0] if trans_a else a.shape[1]
    _blas_local_threads(1)
    _sgemm(ROW_MAJOR, TRANS if trans_a else NO_TRANS, TRANS if trans_b else NO_TRANS, m, n, k,
           np.float32(1.0), a.ctypes.data, a.shape[1], b.ctypes.data, b.shape[1],
           np.float32(beta), c.ctypes.data, n)


@_jit
def _run(x, ho, wo, pw, wide):
    """Columns per image: Ho * Wp wide rows, or Ho * Wo."""
    return ho * (x.shape[3] + 2 * pw) if wide else ho * wo


@_jit
def forward_chunk(x, n0, n1, per, w2, bias, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, wide,
                  xpad, cols, out, y):
    """Images n0..n1-1 of the convolution in one call, ``per`` images at a time (what the flat
    scratch buffers hold: a block's columns stay in the L2 cache): lay out, multiply, write
    back with the bias. One call per chunk keeps the GIL out of the way of the other threads."""
    run, f, ckk = _run(x, ho, wo, pw, wide), w2.shape[0], w2.shape[1]
    for s0 in range(n0, n1, per):
        s1 = min(n1, s0 + per)
        m = (s1 - s0) * run
        _forward_block(x, s0, s1, w2, bias, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, wide, xpad,
                       cols[:ckk * m].reshape(ckk, m), out[:f * m].reshape(f, m), y)


@_jit
def backward_chunk(x, dy, n0, n1, per, w2, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, wide, xpad,
                   cols, dycm, dwt_out, db_out, dx, need_dx):
    """:func:`_backward_block` for images n0..n1-1, ``per`` at a time; ``dwt_out`` (C kh kw, F),
    the weight gradient transposed and zeroed by the caller, and ``db_out`` accumulate over the
    blocks."""
    run, f, ckk = _run(x, ho, wo, pw, wide), w2.shape[0], w2.shape[1]
    for s0 in range(n0, n1, per):
        s1 = min(n1, s0 + per)
        m = (s1 - s0) * run
        _backward_block(x, dy, s0, s1, w2, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, wide, xpad,
                        cols[:ckk * m].reshape(ckk, m), dycm[:f * m].reshape(f, m), dwt_out,
                        db_out, dx, need_dx)


@_jit
def _forward_block(x, n0, n1, w2, bias, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, wide, xpad,
                   cols, out, y):
    """Images n0..n1-1 of the convolution: lay out, multiply, write back + bias."""
    if wide:
        im2col_wide(x, n0, n1, kh, kw, ph, pw, dh, dw, ho, xpad, cols)
    else:
        im2col(x, n0, n1, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, cols)
    gemm(False, False, w2, cols, out, 0.0)
    if wide:
        scatter_output_wide(out, bias, n0, n1, x.shape[3] + 2 * pw, y)
    else:
        scatter_output(out, bias, n0, n1, y)


@_jit
def _backward_block(x, dy, n0, n1, w2, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, wide, xpad,
                    cols, dycm, dwt_out, db_out, dx, need_dx):
    """Images n0..n1-1 of the gradients: ``dwt_out += cols @ dy^T`` (the weight gradient
    transposed), ``db_out += sums``, and when ``need_dx`` the columns' gradient added back on
    dx."""
    wp = x.shape[3] + 2 * pw
    if wide:
        im2col_wide(x, n0, n1, kh, kw, ph, pw, dh, dw, ho, xpad, cols)
        gather_grad_wide(dy, n0, n1, wp, dycm, db_out)
    else:
        im2col(x, n0, n1, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, cols)
        gather_grad(dy, n0, n1, dycm, db_out)
    # cols @ dy^T, not dy @ cols^T: with few filters sgemm runs this orientation 1.2-2x faster
    # (measured here: 8 filters x 72 taps, 35 against 18 GFLOP/s on one core)
    gemm(False, True, cols, dycm, dwt_out, 1.0)
    if need_dx:
        gemm(True, False, w2, dycm, cols, 0.0)  # the columns are not needed any more
        if wide:
            col2im_wide(cols, n0, n1, kh, kw, ph, pw, dh, dw, ho, xpad, dx)
        else:
            col2im(cols, n0, n1, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, dx)


def wide_cols(wide: bool) -> np.ndarray:
    return np.zeros(9 * (24 if wide else 16), np.float32)


def warm_up() -> None:
    """Compile (or load from the cache) every kernel for float32 arrays."""
    f32 = np.float32
    x = np.zeros((1, 1, 4, 4), f32)
    cols = np.zeros((9, 16), f32)
    im2col(x, 0, 1, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, cols)
    col2im(cols, 0, 1, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, x)
    out, b = np.zeros((1, 16), f32), np.zeros(1, f32)
    scatter_output(out, b, 0, 1, x)
    gather_grad(x, 0, 1, out, np.zeros(1))
    xpad = np.zeros(6 * 6 + 2, f32)
    wide = np.zeros((9, 24), f32)
    im2col_wide(x, 0, 1, 3, 3, 1, 1, 1, 1, 4, xpad, wide)
    col2im_wide(wide, 0, 1, 3, 3, 1, 1, 1, 1, 4, xpad, x)
    scatter_output_wide(np.zeros((1, 24), f32), b, 0, 1, 6, x)
    gather_grad_wide(x, 0, 1, 6, np.zeros((1, 24), f32), np.zeros(1))
    w2 = np.zeros((1, 9), f32)
    for wide in (True, False):
        forward_chunk(x, 0, 1, 1, w2, b, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, wide, xpad,
                      wide_cols(wide), np.zeros(24, f32), x)
        backward_chunk(x, x, 0, 1, 1, w2, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, wide, xpad,
                       wide_cols(wide), np.zeros(24, f32), np.zeros((9, 1), f32), np.zeros(1), x,
                       True)
