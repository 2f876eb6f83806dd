"""Textbook loops for convolution and pooling, forward and backward: slow, short, plainly right.

They are the oracle the tests compare :mod:`cnnviz.nn.functional` against and the "naive" side of
the speed comparison the app shows (CONCEPTS.md #19). They deliberately share no code with
:mod:`cnnviz.nn.functional` (not even padding), so a bug there cannot hide by being copied here.
Semantics match PyTorch: ``conv2d`` is a cross-correlation, pooling windows never start inside the
padding of the far edge (floor mode), max pooling pads with -inf and average pooling counts padded
zeros (``count_include_pad=True``).

The backward passes follow the same loops in the other direction, as numpy-ml's
``_backward_naive`` does: every output pixel hands its gradient back to the input pixels (and
weights) that produced it, one multiply at a time. Like
:func:`cnnviz.nn.functional.conv2d_backward` they cover zero padding only.

Notes
-----
Output size along one axis: ``out = floor((n + 2p - d(k - 1) - 1) / s) + 1``.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "conv2d_backward", "max_pool2d_backward",
           "avg_pool2d_backward", "global_avg_pool2d", "global_max_pool2d",
           "global_avg_pool2d_backward", "global_max_pool2d_backward"]


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def _source_index(i: int, n: int, mode: str) -> int | None:
    """Index into an axis of length ``n`` that padded position ``i`` copies (None = a zero)."""
    if 0 <= i < n:
        return i
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if i < 0 else n - 1
    if mode == "reflect":  # mirror about the edge pixel, which is not repeated
        return -i if i < 0 else 2 * (n - 1) - i
    if mode == "circular":
        return i % n
    raise ValueError(f"unknown padding mode {mode!r}")


def _pad(x2d: np.ndarray, ph: int, pw: int, mode: str, fill: float) -> np.ndarray:
    """Pad one image, copying each padded pixel from where ``mode`` says (or ``fill``)."""
    h, w = x2d.shape
    out = np.full((h + 2 * ph, w + 2 * pw), fill, dtype=np.float64)
    for i in range(h + 2 * ph):
        for j in range(w + 2 * pw):
            si, sj = _source_index(i - ph, h, mode), _source_index(j - pw, w, mode)
            if si is not None and sj is not None:
                out[i, j] = x2d[si, sj]
    return out


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, padding_mode="zeros"):
    """Cross-correlate a batch of images with a bank of filters, one output pixel at a time.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)
    b : ndarray, shape (F,), optional
    stride, padding, dilation : int or (int, int)
    padding_mode : {"zeros", "reflect", "replicate", "circular"}

    Returns
    -------
    ndarray, shape (N, F, Ho, Wo), float64
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, f, ho, wo))
    for ni in range(n):
        padded = np.stack([_pad(x[ni, ci], ph, pw, padding_mode, 0.0) for ci in range(c)])
        for fi in range(f):
            for oi in range(ho):
                for oj in range(wo):
                    top, left = oi * sh, oj * sw
                    # the window's taps are dilation apart: rows top, top+dh, ... (kh of them)
                    rows = slice(top, top + dh * (kh - 1) + 1, dh)
                    cols = slice(left, left + dw * (kw - 1) + 1, dw)
                    window = padded[:, rows, cols]
                    total = np.sum(window * w[fi])
                    out[ni, fi, oi, oj] = total + (0.0 if b is None else float(b[fi]))
    return out


def _pool(x, kernel_size, stride, padding, fill, reduce):
    x = np.asarray(x, dtype=np.float64)
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    n, c, h, wd = x.shape
    ho = (h + 2 * ph - kh) // sh + 1
    wo = (wd + 2 * pw - kw) // sw + 1
    out = np.zeros((n, c, ho, wo))
    for ni in range(n):
        for ci in range(c):
            padded = _pad(x[ni, ci], ph, pw, "zeros", fill)
            for oi in range(ho):
                for oj in range(wo):
                    window = padded[oi * sh:oi * sh + kh, oj * sw:oj * sw + kw]
                    out[ni, ci, oi, oj] = reduce(window)
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """Largest value in each window (padding is -inf, so it never wins); see ``ops.max_pool2d``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding : int or (int, int); stride None means kernel_size

    Returns
    -------
    ndarray, shape (N, C, Ho, Wo), float64
    """
    return _pool(x, kernel_size, stride, padding, -math.inf, np.max)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Mean of each window, padded zeros counted (``count_include_pad=True``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding : int or (int, int); stride None means kernel_size

    Returns
    -------
    ndarray, shape (N, C, Ho, Wo), float64
    """
    return _pool(x, kernel_size, stride, padding, 0.0, np.mean)


def conv2d_backward(dy, x, w, stride=1, padding=0, dilation=1):
    """Gradients of a zero-padded :func:`conv2d`, one tap of one output pixel at a time.

    Output pixel ``(oi, oj)`` of filter ``f`` computed ``sum x[c, r, q] * w[f, c, i, j]`` over its
    taps ``r = oi * sh - ph + i * dh``, ``q = oj * sw - pw + j * dw``; so its gradient ``g`` adds
    ``g * w[f, c, i, j]`` to ``dx[c, r, q]`` (unless the tap lies in the padding) and
    ``g * x[c, r, q]`` to ``dw[f, c, i, j]``, and ``g`` to ``db[f]``.

    Parameters
    ----------
    dy : ndarray, shape (N, F, Ho, Wo)
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kh, kw)
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), float64
    dw : ndarray, shape (F, C, kh, kw), float64
    db : ndarray, shape (F,), float64
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw_ = _pair(dilation)
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    dx, dw, db = np.zeros_like(x), np.zeros_like(w), np.zeros(f)
    for ni, fi, oi, oj in np.ndindex(n, f, dy.shape[2], dy.shape[3]):
        g = dy[ni, fi, oi, oj]
        db[fi] += g
        for ci, i, j in np.ndindex(c, kh, kw):
            r, q = oi * sh - ph + i * dh, oj * sw - pw + j * dw_
            if 0 <= r < h and 0 <= q < wd:
                dx[ni, ci, r, q] += g * w[fi, ci, i, j]
                dw[fi, ci, i, j] += g * x[ni, ci, r, q]
    return dx, dw, db


def _pool_backward(dy, x, kernel_size, stride, padding, share):
    """Hand each window's gradient to its real pixels: ``share(window values, g)`` says how much."""
    x = np.asarray(x, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    n, c, h, wd = x.shape
    dx = np.zeros_like(x)
    for ni, ci, oi, oj in np.ndindex(dy.shape):
        top, left = oi * sh - ph, oj * sw - pw
        window = np.full((kh, kw), -math.inf)  # padding: never the maximum, dropped below
        for i, j in np.ndindex(kh, kw):
            if 0 <= top + i < h and 0 <= left + j < wd:
                window[i, j] = x[ni, ci, top + i, left + j]
        shares = share(window, dy[ni, ci, oi, oj])
        for i, j in np.ndindex(kh, kw):
            if 0 <= top + i < h and 0 <= left + j < wd:
                dx[ni, ci, top + i, left + j] += shares[i, j]
    return dx


def _to_first_maximum(window: np.ndarray, g: float) -> np.ndarray:
    shares = np.zeros_like(window)
    best = (0, 0)
    for i, j in np.ndindex(window.shape):  # row-major scan; a tie keeps the first maximum
        if window[i, j] > window[best]:
            best = (i, j)
    shares[best] = g
    return shares


def _equally(window: np.ndarray, g: float) -> np.ndarray:
    return np.full(window.shape, g / window.size)


def max_pool2d_backward(dy, x, kernel_size, stride=None, padding=0):
    """Gradient of :func:`max_pool2d`: each window's gradient goes to its first maximum.

    Parameters
    ----------
    dy : ndarray, shape (N, C, Ho, Wo)
    x : ndarray, shape (N, C, H, W), the forward input
    kernel_size, stride, padding : int or (int, int); stride None means kernel_size

    Returns
    -------
    ndarray, shape (N, C, H, W), float64
        Where windows overlap, a pixel collects the gradient of every window it won.
    """
    return _pool_backward(dy, x, kernel_size, stride, padding, _to_first_maximum)


def avg_pool2d_backward(dy, x, kernel_size, stride=None, padding=0):
    """Gradient of :func:`avg_pool2d`: each window's gradient shared by its ``kh * kw`` taps.

    Shares that fall on padding are dropped (``count_include_pad=True`` divides by the full
    window).

    Parameters
    ----------
    dy : ndarray, shape (N, C, Ho, Wo)
    x : ndarray, shape (N, C, H, W), the forward input (only its shape matters)
    kernel_size, stride, padding : int or (int, int); stride None means kernel_size

    Returns
    -------
    ndarray, shape (N, C, H, W), float64
    """
    return _pool_backward(dy, x, kernel_size, stride, padding, _equally)


def _first_maximum(plane: np.ndarray) -> tuple[int, int]:
    best = (0, 0)
    for i, j in np.ndindex(plane.shape):  # row-major scan; a tie keeps the first maximum
        if plane[i, j] > plane[best]:
            best = (i, j)
    return best


def global_avg_pool2d(x):
    """Mean of each channel's whole map, added up one pixel at a time.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, C), float64
    """
    x = np.asarray(x, dtype=np.float64)
    n, c, h, w = x.shape
    out = np.zeros((n, c))
    for ni, ci in np.ndindex(n, c):
        total = 0.0
        for i, j in np.ndindex(h, w):
            total += x[ni, ci, i, j]
        out[ni, ci] = total / (h * w)
    return out


def global_max_pool2d(x):
    """Largest value of each channel's whole map.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, C), float64
    """
    x = np.asarray(x, dtype=np.float64)
    n, c = x.shape[:2]
    out = np.zeros((n, c))
    for ni, ci in np.ndindex(n, c):
        out[ni, ci] = x[(ni, ci) + _first_maximum(x[ni, ci])]
    return out


def global_avg_pool2d_backward(dy, x):
    """Gradient of :func:`global_avg_pool2d`: every pixel gets ``1 / (H * W)`` of its channel's.

    Parameters
    ----------
    dy : ndarray, shape (N, C)
    x : ndarray, shape (N, C, H, W), the forward input (only its shape matters)

    Returns
    -------
    ndarray, shape (N, C, H, W), float64
    """
    x = np.asarray(x, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    n, c, h, w = x.shape
    dx = np.zeros_like(x)
    for ni, ci, i, j in np.ndindex(n, c, h, w):
        dx[ni, ci, i, j] = dy[ni, ci] / (h * w)
    return dx


def global_max_pool2d_backward(dy, x):
    """Gradient of :func:`global_max_pool2d`: all of a channel's to its first maximum.

    Parameters
    ----------
    dy : ndarray, shape (N, C)
    x : ndarray, shape (N, C, H, W), the forward input

    Returns
    -------
    ndarray, shape (N, C, H, W), float64
    """
    x = np.asarray(x, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    dx = np.zeros_like(x)
    for ni, ci in np.ndindex(x.shape[:2]):
        dx[(ni, ci) + _first_maximum(x[ni, ci])] = dy[ni, ci]
    return dx
