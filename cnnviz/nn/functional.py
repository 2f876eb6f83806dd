"""Vectorised 2-D convolution and pooling on NCHW arrays, with their gradients.

Semantics and layouts match PyTorch (``torch.nn.functional.conv2d``, ``max_pool2d``, ``avg_pool2d``
with ``count_include_pad=True``), so PyTorch can serve as an oracle; :mod:`cnnviz.nn.reference`
holds the slow loop versions the tests compare against.

Every ``stride``, ``padding``, ``dilation`` and ``kernel_size`` is an int or an ``(h, w)`` pair.
Bad arguments raise ``ValueError`` with a sentence that says what to change.

Notes
-----
Output size along one axis of length ``n``: ``out = floor((n + 2p - d(k - 1) - 1) / s) + 1``.

A convolution is computed by laying every window out as a column of a matrix and multiplying it
with the filter matrix once per image, so the multiply-adds run in BLAS instead of Python loops
(:mod:`cnnviz.nn._conv` holds the layouts; :mod:`cnnviz.nn._pool` the pooling,
:mod:`cnnviz.nn._global_pool` the global pooling ``(N, C, H, W) -> (N, C)``).
"""

from __future__ import annotations

import numpy as np

from cnnviz.nn import _conv as _conv_impl
from cnnviz.nn import _conv_fast
from cnnviz.nn._arrays import PADDING_MODES, as_batch, check_dy, pad2d
from cnnviz.nn._geometry import (
    conv_geometry,
    conv_output_shape,
    conv_output_size,
    pool_output_shape,
    window_count,
    window_span,
)
from cnnviz.nn._global_pool import (
    global_avg_pool2d,
    global_avg_pool2d_backward,
    global_max_pool2d,
    global_max_pool2d_backward,
)
from cnnviz.nn._jit import kernels_for
from cnnviz.nn._pool import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)

__all__ = [
    "PADDING_MODES", "conv2d", "conv2d_backward", "max_pool2d", "avg_pool2d",
    "max_pool2d_backward", "avg_pool2d_backward", "conv_output_size", "conv_output_shape",
    "pool_output_shape", "window_count", "window_span", "pad2d",
    "global_avg_pool2d", "global_max_pool2d", "global_avg_pool2d_backward",
    "global_max_pool2d_backward",
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
    if padding_mode != "zeros" and (g.ph or g.pw):
        x = pad2d(x, (g.ph, g.pw), padding_mode)
        g = g._replace(h=x.shape[2], w=x.shape[3], ph=0, pw=0)
    return _conv_impl.conv(x, w, b, g)


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
    if (k := kernels_for(x)) is not None:
        return _conv_fast.backward(k, dy, np.ascontiguousarray(x), w, g)
    return _conv_impl.backward_from_columns(dy, _conv_impl.columns(x, g), w, g)


