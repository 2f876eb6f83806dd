"""Vectorised 2-D convolution and pooling on NCHW arrays, with their gradients.

Semantics and layouts match PyTorch (``torch.nn.functional.conv2d``, ``max_pool2d``, ``avg_pool2d``
with ``count_include_pad=True``), so PyTorch can serve as an oracle; :mod:`cnnviz.reference` holds
the slow loop versions the tests compare against.

Every ``stride``, ``padding``, ``dilation`` and ``kernel_size`` is an int or an ``(h, w)`` pair.
Bad arguments raise ``ValueError`` with a sentence that says what to change.

Notes
-----
Output size along one axis of length ``n``: ``out = floor((n + 2p - d(k - 1) - 1) / s) + 1``.

A convolution is computed by copying every window into a column matrix (im2col) and multiplying it
with the filter matrix once, so the work runs in BLAS instead of Python loops. For a large image and
few filters (the playground) the column matrix would be ``kh`` times bigger than needed, so there a
row-wise variant copies only ``kw`` shifted copies of the input and sums ``kh`` shifted partial
results instead.
"""

from __future__ import annotations

import numpy as np

from cnnviz._arrays import PADDING_MODES, as_batch, check_dy, pad2d, window_view
from cnnviz._geometry import ConvGeometry, conv_geometry
from cnnviz._geometry import conv_output_size as conv_output_size
from cnnviz.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)

__all__ = [
    "PADDING_MODES", "conv2d", "conv2d_backward", "max_pool2d", "avg_pool2d",
    "max_pool2d_backward", "avg_pool2d_backward", "conv_output_size", "pad2d", "im2col",
]

def _check_weights(x: np.ndarray, w, b):
    w = np.asarray(w)
    if w.ndim != 4:
        hint = "; for one 2-D kernel use w[None, None]" if w.ndim == 2 else ""
        raise ValueError(f"w must have 4 axes (F, C, kh, kw), but it has shape {w.shape}{hint}")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"the input has {x.shape[1]} channel(s) but the kernel expects "
                         f"{w.shape[1]}; make w's second axis match x's channel axis")
    if 0 in w.shape:
        raise ValueError(f"w is empty (shape {w.shape})")
    w = w.astype(x.dtype, copy=False)
    if b is not None:
        b = np.asarray(b)
        if b.shape != (w.shape[0],):
            raise ValueError(f"b must have shape ({w.shape[0]},), one value per filter, "
                             f"but it has shape {b.shape}")
        b = b.astype(x.dtype, copy=False)
    return w, b


# ----------------------------------------------------------------------------- convolution
def im2col(xp: np.ndarray, g: ConvGeometry) -> np.ndarray:
    """Copy every window of the (already padded) input into a column.

    Parameters
    ----------
    xp : ndarray, shape (N, C, H + 2 * ph, W + 2 * pw)
    g : ConvGeometry

    Returns
    -------
    ndarray, shape (N, C * kh * kw, Ho * Wo)
        Row ``(c, i, j)`` holds tap ``(i, j)`` of channel ``c`` for every output pixel.
    """
    xp = np.ascontiguousarray(xp)
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    view = window_view(xp, (n, c, g.kh, g.kw, g.ho, g.wo),
                        (s0, s1, s2 * g.dh, s3 * g.dw, s2 * g.sh, s3 * g.sw))
    return view.reshape(n, c * g.kh * g.kw, g.ho * g.wo)


def _conv_im2col(xp, w, b, g: ConvGeometry):
    cols = im2col(xp, g)
    y = np.matmul(w.reshape(w.shape[0], -1), cols)
    if b is not None:
        y += b[:, None]
    return y.reshape(xp.shape[0], w.shape[0], g.ho, g.wo), cols


def _conv_rows(xp, w, b, g: ConvGeometry) -> np.ndarray:
    """Convolution via kw column shifts and kh row shifts (cheaper for big images, few filters)."""
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


def _prefer_rows(n: int, c: int, f: int, g: ConvGeometry) -> bool:
    # the row variant copies kh times less but adds kh shifted partial outputs per filter
    return g.kh > 1 and n * c * g.kh * g.kw * g.ho * g.wo > 1 << 16 and f <= c * g.kw


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, padding_mode: str = "zeros"):
    """Cross-correlate a batch of images with a bank of filters (no kernel flip, like PyTorch).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Computed in x's floating dtype (float32 stays float32); integers become float64.
    w : ndarray, shape (F, C, kh, kw)
    b : ndarray, shape (F,), optional
    stride, padding, dilation : int or (int, int)
    padding_mode : {"zeros", "reflect", "replicate", "circular"}

    Returns
    -------
    ndarray, shape (N, F, Ho, Wo)
        ``Ho = floor((H + 2 ph - dh (kh - 1) - 1) / sh) + 1``, likewise ``Wo``.
    """
    x = as_batch(x)
    w, b = _check_weights(x, w, b)
    g = conv_geometry(x.shape[2:], w.shape[2:], stride, padding, dilation)
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {', '.join(PADDING_MODES)}; "
                         f"got {padding_mode!r}")
    xp = pad2d(x, (g.ph, g.pw), padding_mode) if g.ph or g.pw else x
    if _prefer_rows(x.shape[0], x.shape[1], w.shape[0], g):
        return _conv_rows(xp, w, b, g)
    return _conv_im2col(xp, w, b, g)[0]


def col2im(dcols: np.ndarray, g: ConvGeometry, x_shape: tuple) -> np.ndarray:
    """Add each column back onto the window it came from (the adjoint of :func:`im2col`).

    Parameters
    ----------
    dcols : ndarray, shape (N, C * kh * kw, Ho * Wo)
    g : ConvGeometry
    x_shape : tuple (N, C, H, W), the unpadded input shape

    Returns
    -------
    ndarray, shape (N, C, H, W)
    """
    n, c, h, w = x_shape
    d6 = dcols.reshape(n, c, g.kh, g.kw, g.ho, g.wo)
    dxp = np.zeros((n, c, h + 2 * g.ph, w + 2 * g.pw), dtype=dcols.dtype)
    rows, cols = g.sh * (g.ho - 1) + 1, g.sw * (g.wo - 1) + 1
    for i in range(g.kh):
        top = i * g.dh
        for j in range(g.kw):
            left = j * g.dw
            dxp[:, :, top:top + rows:g.sh, left:left + cols:g.sw] += d6[:, :, i, j]
    if g.ph or g.pw:
        return dxp[:, :, g.ph:g.ph + h, g.pw:g.pw + w]
    return dxp


def _conv_backward(dy, cols, x_shape, w, g: ConvGeometry, need_dx: bool = True):
    n, f = dy.shape[:2]
    dy3 = dy.reshape(n, f, g.ho * g.wo)
    db = dy3.sum(axis=(0, 2))
    dw = np.matmul(dy3, cols.transpose(0, 2, 1))
    dw = (dw[0] if n == 1 else dw.sum(axis=0)).reshape(w.shape)
    if not need_dx:
        return None, dw, db
    dcols = np.matmul(w.reshape(f, -1).T, dy3)
    return col2im(dcols, g, x_shape), dw, db


def conv2d_backward(dy, x, w, stride=1, padding=0, dilation=1):
    """Gradients of a zero-padded :func:`conv2d` with respect to its input, weights and bias.

    Parameters
    ----------
    dy : ndarray, shape (N, F, Ho, Wo)
        Gradient of the loss with respect to the convolution's output.
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (F, C, kh, kw)
    db : ndarray, shape (F,)
    """
    x = as_batch(x)
    w, _ = _check_weights(x, w, None)
    g = conv_geometry(x.shape[2:], w.shape[2:], stride, padding, dilation)
    dy = check_dy(dy, (x.shape[0], w.shape[0], g.ho, g.wo), x.dtype)
    xp = pad2d(x, (g.ph, g.pw)) if g.ph or g.pw else x
    return _conv_backward(dy, im2col(xp, g), x.shape, w, g)


