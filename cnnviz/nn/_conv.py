"""The strategies behind :func:`cnnviz.nn.functional.conv2d` and its gradient (arguments checked).

All of them turn the convolution into one matrix product per image, so the multiply-adds run in
BLAS, and differ in how the input windows are laid out:

``im2col``
    Copy every window into a column: shape (N, C * kh * kw, Ho * Wo). Works for any stride.
``wide rows`` (stride 1 only)
    Treat each padded input plane as one long row of ``Hp * Wp`` pixels. Tap (i, j) of every
    window is then the contiguous run starting at ``i * dh * Wp + j * dw`` of length
    ``Ho * Wp``: the output is computed ``Wp`` pixels wide and the ``Wp - Wo`` extra columns
    (which mix the end of one row with the start of the next) are dropped. Every copy and every
    scatter-add then runs over long contiguous runs instead of ``Wo``-pixel snippets, which is
    what makes small feature maps fast in NumPy. The gradient pads ``dy`` with zero columns, so
    the extra columns contribute exactly nothing.
``row sums`` (forward only; large images with few filters)
    Copy only ``kw`` shifted copies of the input, multiply, and add ``kh`` shifted partial sums.

With the compiled kernels (:mod:`cnnviz.nn._jit`) the layer and ``functional`` entry points below
(:func:`layer_forward`, :func:`layer_backward`, :func:`conv`) run :mod:`cnnviz.nn._conv_fast`
instead: the batch split between the cores, windows laid out per chunk into cache-sized buffers,
and a direct shift-and-add for one image with few filters (the playground).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnviz.nn import _conv_fast as fast
from cnnviz.nn._arrays import pad2d, unpad2d, window_view
from cnnviz.nn._geometry import ConvGeometry
from cnnviz.nn._jit import kernels_for

__all__ = ["ConvCache", "columns", "forward_from_columns", "backward_from_columns",
           "im2col", "col2im", "conv_rows", "prefer_rows", "conv", "layer_forward",
           "layer_backward"]


class ConvCache(NamedTuple):
    """What the backward pass needs from the forward pass."""

    wide: bool  # True: wide-rows layout, False: im2col layout
    cols: np.ndarray  # (N, C * kh * kw, L) with L = Ho * Wp (wide) or Ho * Wo
    x_shape: tuple


def im2col(xp: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """Every window of the padded input as a column: shape (N, C * kh * kw, Ho * Wo)."""
    xp = np.ascontiguousarray(xp)
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    view = window_view(xp, (n, c, g.kh, g.kw, g.ho, g.wo),
                       (s0, s1, s2 * g.dh, s3 * g.dw, s2 * g.sh, s3 * g.sw))
    return view.reshape(n, c * g.kh * g.kw, g.ho * g.wo)


def col2im(dcols: np.ndarray, g: ConvGeometry, x_shape: tuple) -> np.ndarray:
    """Adjoint of :func:`im2col`: add each column back onto its window; shape ``x_shape``."""
    n, c, h, w = x_shape
    d6 = dcols.reshape(n, c, g.kh, g.kw, g.ho, g.wo)
    dxp = np.zeros((n, c, h + 2 * g.ph, w + 2 * g.pw), dtype=dcols.dtype)
    rows, cols = g.sh * (g.ho - 1) + 1, g.sw * (g.wo - 1) + 1
    for i in range(g.kh):
        top = i * g.dh
        for j in range(g.kw):
            left = j * g.dw
            dxp[:, :, top:top + rows:g.sh, left:left + cols:g.sw] += d6[:, :, i, j]
    return unpad2d(dxp, g.ph, g.pw)


def _wide_layout(x_shape: tuple, g: ConvGeometry):
    n, c, h, w = x_shape
    wp = w + 2 * g.pw
    plane = (h + 2 * g.ph) * wp
    # the runs of the last taps reach (kw - 1) * dw pixels past the end of a plane
    size = n * c * plane + (g.kw - 1) * g.dw
    return wp, plane, size


def _wide_view(buf: np.ndarray, x_shape: tuple, g: ConvGeometry) -> np.ndarray:
    """View (N, C, kh, kw, Ho * Wp): tap (i, j) of plane (n, c) as one contiguous run."""
    n, c = x_shape[:2]
    wp, plane, _ = _wide_layout(x_shape, g)
    s = buf.itemsize
    return window_view(buf, (n, c, g.kh, g.kw, g.ho * wp),
                       (c * plane * s, plane * s, g.dh * wp * s, g.dw * s, s))


def columns(x: np.ndarray, g: ConvGeometry) -> ConvCache:
    """Lay out the windows of the unpadded input ``x`` (N, C, H, W) for a zero-padded conv."""
    if g.sh == 1 and g.sw == 1:
        n, c, h, w = x.shape
        wp, plane, size = _wide_layout(x.shape, g)
        buf = np.zeros(size, dtype=x.dtype)
        xp = buf[:n * c * plane].reshape(n, c, h + 2 * g.ph, wp)
        xp[:, :, g.ph:g.ph + h, g.pw:g.pw + w] = x
        cols = _wide_view(buf, x.shape, g).reshape(n, c * g.kh * g.kw, g.ho * wp)
        return ConvCache(True, cols, x.shape)
    xp = pad2d(x, (g.ph, g.pw)) if g.ph or g.pw else x
    return ConvCache(False, im2col(xp, g), x.shape)


def forward_from_columns(cache: ConvCache, w: np.ndarray, b, g: ConvGeometry) -> np.ndarray:
    """The convolution output (N, F, Ho, Wo) from the laid-out windows."""
    n, f = cache.x_shape[0], w.shape[0]
    y = np.matmul(w.reshape(f, -1), cache.cols)
    if cache.wide:
        y = y.reshape(n, f, g.ho, -1)[..., :g.wo]
        return y + b[:, None, None] if b is not None else np.ascontiguousarray(y)
    if b is not None:
        y += b[:, None]
    return y.reshape(n, f, g.ho, g.wo)


def backward_from_columns(dy: np.ndarray, cache: ConvCache, w: np.ndarray, g: ConvGeometry,
                          need_dx: bool = True):
    """Gradients (dx or None, dw, db) of the convolution, given dy (N, F, Ho, Wo)."""
    n, f = dy.shape[:2]
    db = dy.sum(axis=(0, 2, 3))
    if cache.wide:
        wp = cache.cols.shape[2] // g.ho
        dy_wide = np.zeros((n, f, g.ho, wp), dtype=dy.dtype)
        dy_wide[..., :g.wo] = dy  # zero extra columns: the wrapped pixels get no gradient
        dy3 = dy_wide.reshape(n, f, -1)
    else:
        dy3 = dy.reshape(n, f, -1)
    dw = np.matmul(dy3, cache.cols.transpose(0, 2, 1))
    dw = (dw[0] if n == 1 else dw.sum(axis=0)).reshape(w.shape)
    if not need_dx:
        return None, dw, db
    dcols = np.matmul(w.reshape(f, -1).T, dy3)
    if not cache.wide:
        return col2im(dcols, g, cache.x_shape), dw, db
    n, c, h, wd = cache.x_shape
    _, plane, size = _wide_layout(cache.x_shape, g)
    dbuf = np.zeros(size, dtype=dcols.dtype)
    taps = _wide_view(dbuf, cache.x_shape, g)
    d5 = dcols.reshape(taps.shape)
    for i in range(g.kh):
        for j in range(g.kw):
            taps[:, :, i, j] += d5[:, :, i, j]
    dxp = dbuf[:n * c * plane].reshape(n, c, h + 2 * g.ph, wd + 2 * g.pw)
    return unpad2d(dxp, g.ph, g.pw), dw, db


def conv_rows(xp: np.ndarray, w: np.ndarray, b, g: ConvGeometry) -> np.ndarray:
    """Forward convolution of the padded input via kw column shifts and kh row sums."""
    xp = np.ascontiguousarray(xp)
    n, c, hp, _ = xp.shape
    f = w.shape[0]
    s0, s1, s2, s3 = xp.strides
    # cols[n, (c, j), (row, o)] = xp[n, c, row, j*dw + o*sw]: every row, each column tap
    cols = window_view(xp, (n, c, g.kw, hp, g.wo), (s0, s1, s3 * g.dw, s2, s3 * g.sw))
    cols = cols.reshape(n, c * g.kw, hp * g.wo)
    w_rows = w.transpose(0, 2, 1, 3).reshape(f * g.kh, c * g.kw)
    partial = np.matmul(w_rows, cols).reshape(n, f, g.kh, hp, g.wo)
    last = g.sh * (g.ho - 1) + 1
    y = partial[:, :, 0, 0:last:g.sh].copy()
    for i in range(1, g.kh):
        top = i * g.dh
        y += partial[:, :, i, top:top + last:g.sh]
    if b is not None:
        y += b[:, None, None]
    return y


def prefer_rows(n: int, c: int, f: int, g: ConvGeometry) -> bool:
    """Whether :func:`conv_rows` beats laying out every window (big image, few filters)."""
    return g.kh > 1 and n * c * g.kh * g.kw * g.ho * g.wo > 1 << 16 and f <= c * g.kw


def conv(x: np.ndarray, w: np.ndarray, b, g: ConvGeometry) -> np.ndarray:
    """The zero-padded convolution (N, F, Ho, Wo) of checked arguments (``functional.conv2d``)."""
    if (k := kernels_for(x)) is not None:
        x = np.ascontiguousarray(x)
        if fast.prefer_direct(x.shape[0], x.shape[1], w.shape[0], g):
            return fast.direct(k, x, w, b, g)
        return fast.forward(k, x, w, b, g)
    if prefer_rows(x.shape[0], x.shape[1], w.shape[0], g):
        return conv_rows(pad2d(x, (g.ph, g.pw)) if g.ph or g.pw else x, w, b, g)
    return forward_from_columns(columns(x, g), w, b, g)


def layer_forward(x: np.ndarray, w: np.ndarray, b, g: ConvGeometry):
    """``(y, cache)`` for a layer: the output and what :func:`layer_backward` needs.

    The compiled path keeps only the input (its windows are laid out again backwards); the NumPy
    path keeps the laid-out windows (:class:`ConvCache`).
    """
    if (k := kernels_for(x)) is not None:
        x = np.ascontiguousarray(x)
        return fast.forward(k, x, w, b, g), x
    cache = columns(x, g)
    return forward_from_columns(cache, w, b, g), cache


def layer_backward(dy: np.ndarray, cache, w: np.ndarray, g: ConvGeometry, need_dx: bool = True):
    """Gradients (dx or None, dw, db) from dy (N, F, Ho, Wo) and :func:`layer_forward`'s cache."""
    if isinstance(cache, np.ndarray):  # the input, kept by the compiled path
        dy = dy.astype(w.dtype, copy=False)
        if (k := kernels_for(cache, dy)) is not None:
            return fast.backward(k, dy, cache, w, g, need_dx)
        cache = columns(cache, g)  # the kernels were switched off since the forward pass
    return backward_from_columns(dy, cache, w, g, need_dx)
