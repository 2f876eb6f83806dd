"""Max and average pooling on NCHW arrays, with their gradients (re-exported by ``cnnviz.ops``).

Semantics match PyTorch: ``stride=None`` means ``stride = kernel_size``; padding is at most half
the window; max pooling pads with -inf (padding never wins) and sends each window's gradient to
its first maximum in row-major window order; average pooling counts padded zeros
(``count_include_pad=True``).

Notes
-----
Output size along one axis: ``out = floor((n + 2p - k) / s) + 1``.

Large maps are pooled tap by tap: for a k x k window, ``k * k`` whole-array operations on strided
views of the input (one per position inside the window), so every NumPy call does a lot of work.
Tiny maps (a batch of one 8x8 image) instead copy the windows into one array and reduce it, which
needs fewer NumPy calls; both give identical results.
"""

from __future__ import annotations

import numpy as np

from cnnviz._arrays import as_batch, check_dy, pad2d, window_view
from cnnviz._geometry import PoolGeometry, pool_geometry

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward",
           "max_pool_argmax", "max_pool_scatter", "avg_pool_forward", "avg_pool_spread"]

# below this many windows, per-call overhead outweighs the copy of the windows
_TAPS_FROM = 2048


def _pool_input(x, kernel_size, stride, padding):
    x = as_batch(x)
    return x, pool_geometry(x.shape[2:], kernel_size, stride, padding)


def _padded(x: np.ndarray, g: PoolGeometry, fill: float) -> np.ndarray:
    return pad2d(x, (g.ph, g.pw), value=fill) if g.ph or g.pw else x


def _tap(xp: np.ndarray, g: PoolGeometry, i: int, j: int) -> np.ndarray:
    """Tap (i, j) of every window: a strided view of shape (N, C, Ho, Wo)."""
    return xp[:, :, i:i + g.sh * (g.ho - 1) + 1:g.sh, j:j + g.sw * (g.wo - 1) + 1:g.sw]


def _taps(g: PoolGeometry):
    return [(t, i, j) for t, (i, j) in enumerate(np.ndindex(g.kh, g.kw))]


def _windows(xp: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """Every window of the padded input, copied and flattened: shape (N, C, Ho, Wo, kh * kw)."""
    xp = np.ascontiguousarray(xp)
    s0, s1, s2, s3 = xp.strides
    n, c = xp.shape[:2]
    view = window_view(xp, (n, c, g.ho, g.wo, g.kh, g.kw), (s0, s1, s2 * g.sh, s3 * g.sw, s2, s3))
    return view.reshape(n, c, g.ho, g.wo, g.kh * g.kw)


def _many(x: np.ndarray, g: PoolGeometry) -> bool:
    return x.shape[0] * x.shape[1] * g.ho * g.wo >= _TAPS_FROM


def max_pool_argmax(x: np.ndarray, g: PoolGeometry):
    """Max pooling that also records which tap of each window won (the first of any ties).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    g : PoolGeometry

    Returns
    -------
    y : ndarray, shape (N, C, Ho, Wo)
    arg : ndarray of int, shape (N, C, Ho, Wo), the winning tap ``i * kw + j``
    """
    xp = _padded(x, g, -np.inf)
    if not _many(x, g):
        win = _windows(xp, g)
        return win.max(axis=-1), win.argmax(axis=-1)
    best = _tap(xp, g, 0, 0).copy()
    arg = np.zeros(best.shape, np.uint8 if g.kh * g.kw < 256 else np.int32)
    for t, i, j in _taps(g)[1:]:
        v = _tap(xp, g, i, j)
        wins = v > best  # strict, so an equal later tap never takes over: ties go to the first
        np.maximum(best, v, out=best)
        np.copyto(arg, t, where=wins)
    return best, arg


def max_pool_scatter(dy: np.ndarray, arg: np.ndarray, g: PoolGeometry, x_shape: tuple):
    """Route each window's gradient to the tap that won its forward max.

    Parameters
    ----------
    dy : ndarray, shape (N, C, Ho, Wo)
    arg : ndarray of int, shape (N, C, Ho, Wo), from :func:`max_pool_argmax`
    x_shape : tuple (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, C, H, W)
    """
    n, c, h, w = x_shape
    dxp = np.zeros((n, c, h + 2 * g.ph, w + 2 * g.pw), dtype=dy.dtype)
    overlapping = g.sh < g.kh or g.sw < g.kw
    for t, i, j in _taps(g):
        target = _tap(dxp, g, i, j)
        if overlapping:
            target += dy * (arg == t)
        else:  # each input pixel is in at most one window: write instead of add
            np.multiply(dy, arg == t, out=target)
    if g.ph or g.pw:
        return dxp[:, :, g.ph:g.ph + h, g.pw:g.pw + w]
    return dxp


def avg_pool_forward(x: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """Average pooling of a checked (N, C, H, W) input; shape (N, C, Ho, Wo)."""
    xp = _padded(x, g, 0.0)
    if not _many(x, g):
        return _windows(xp, g).mean(axis=-1)
    total = _tap(xp, g, 0, 0).copy()
    for _, i, j in _taps(g)[1:]:
        total += _tap(xp, g, i, j)
    total /= g.kh * g.kw
    return total


def avg_pool_spread(dy: np.ndarray, g: PoolGeometry, x_shape: tuple) -> np.ndarray:
    """Share each window's gradient equally among its kh * kw taps; shape ``x_shape``."""
    n, c, h, w = x_shape
    share = dy / (g.kh * g.kw)
    dxp = np.zeros((n, c, h + 2 * g.ph, w + 2 * g.pw), dtype=dy.dtype)
    for _, i, j in _taps(g):
        _tap(dxp, g, i, j)[...] += share
    if g.ph or g.pw:
        return dxp[:, :, g.ph:g.ph + h, g.pw:g.pw + w]
    return dxp


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """Largest value in each window; padding is -inf, so it never wins (like PyTorch).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding : int or (int, int)
        ``stride=None`` means ``stride = kernel_size``; padding at most half the window.

    Returns
    -------
    ndarray, shape (N, C, Ho, Wo), ``Ho = floor((H + 2 ph - kh) / sh) + 1``
    """
    x, g = _pool_input(x, kernel_size, stride, padding)
    xp = _padded(x, g, -np.inf)
    if not _many(x, g):
        return _windows(xp, g).max(axis=-1)
    best = _tap(xp, g, 0, 0).copy()
    for _, i, j in _taps(g)[1:]:
        np.maximum(best, _tap(xp, g, i, j), out=best)
    return best


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Mean of each window, counting padded zeros (``count_include_pad=True``, like PyTorch).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding : int or (int, int)
        ``stride=None`` means ``stride = kernel_size``; padding at most half the window.

    Returns
    -------
    ndarray, shape (N, C, Ho, Wo)
    """
    x, g = _pool_input(x, kernel_size, stride, padding)
    return avg_pool_forward(x, g)


def max_pool2d_backward(dy, x, kernel_size, stride=None, padding=0):
    """Gradient of :func:`max_pool2d`: each window's gradient goes to its maximum only.

    Ties go to the first maximum in row-major window order, as in PyTorch; where windows overlap
    a pixel collects the gradients of every window it won.

    Parameters
    ----------
    dy : ndarray, shape (N, C, Ho, Wo)
    x : ndarray, shape (N, C, H, W), the forward input

    Returns
    -------
    ndarray, shape (N, C, H, W)
    """
    x, g = _pool_input(x, kernel_size, stride, padding)
    dy = check_dy(dy, x.shape[:2] + (g.ho, g.wo), x.dtype)
    _, arg = max_pool_argmax(x, g)
    return max_pool_scatter(dy, arg, g, x.shape)


def avg_pool2d_backward(dy, x, kernel_size, stride=None, padding=0):
    """Gradient of :func:`avg_pool2d` (``count_include_pad=True``).

    Parameters
    ----------
    dy : ndarray, shape (N, C, Ho, Wo)
    x : ndarray, shape (N, C, H, W), the forward input (only its shape matters)

    Returns
    -------
    ndarray, shape (N, C, H, W)
    """
    x, g = _pool_input(x, kernel_size, stride, padding)
    dy = check_dy(dy, x.shape[:2] + (g.ho, g.wo), x.dtype)
    return avg_pool_spread(dy, g, x.shape)
