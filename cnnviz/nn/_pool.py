"""Max and average pooling on NCHW arrays, with their gradients (public in ``nn.functional``).

Semantics match PyTorch: ``stride=None`` means ``stride = kernel_size``; padding is at most half
the window; max pooling pads with -inf (padding never wins) and sends each window's gradient to
its first maximum in row-major window order; average pooling counts padded zeros
(``count_include_pad=True``).

Notes
-----
Output size along one axis: ``out = floor((n + 2p - k) / s) + 1``.

Large maps copy every tap once into an array of shape (kh * kw, N * C * Ho * Wo), so the max, the
tie-breaking and the gradient routing are a few operations over long contiguous rows (NumPy is
much slower on many short strided rows, and on data-dependent branches such as masked copies,
hence the branch-free boolean arithmetic). Tiny maps (a batch of one 8x8 image) copy the windows
into (N, C, Ho, Wo, kh * kw) and reduce the last axis, which needs fewer NumPy calls. Both give
identical results.

With the compiled kernels (:mod:`cnnviz.nn._jit`) each of these runs as one pass over the batch,
split between the cores (:mod:`cnnviz.nn._pool_fast`), again with identical results.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from cnnviz.nn import _jit
from cnnviz.nn import _pool_fast as fast
from cnnviz.nn._arrays import as_batch, check_dy, pad2d, unpad2d, window_view
from cnnviz.nn._geometry import PoolGeometry, pool_geometry

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_backward", "avg_pool2d_backward",
           "max_pool_forward", "max_pool_scatter", "avg_pool_forward", "avg_pool_spread"]

# below this many windows, per-call overhead outweighs the copy of the windows
_TAPS_FROM = 2048
_kernels_for = _jit.kernels_for


def _pool_input(x, kernel_size, stride, padding):
    x = as_batch(x)
    return x, pool_geometry(x.shape[2:], kernel_size, stride, padding)


def _padded(x: np.ndarray, g: PoolGeometry, fill: float) -> np.ndarray:
    return pad2d(x, (g.ph, g.pw), value=fill) if g.ph or g.pw else x


def _tap(xp: np.ndarray, g: PoolGeometry, i: int, j: int) -> np.ndarray:
    """Tap (i, j) of every window: a strided view of shape (N, C, Ho, Wo)."""
    return xp[:, :, i:i + g.sh * (g.ho - 1) + 1:g.sh, j:j + g.sw * (g.wo - 1) + 1:g.sw]


def _taps(g: PoolGeometry) -> tuple:
    return _tap_list(g.kh, g.kw)


@lru_cache(maxsize=64)
def _tap_list(kh: int, kw: int) -> tuple:
    """(t, i, j) for every tap of a kh x kw window, t = i * kw + j (row-major)."""
    return tuple((i * kw + j, i, j) for i in range(kh) for j in range(kw))


@lru_cache(maxsize=64)
def _tap_ids(kk: int) -> np.ndarray:
    return np.arange(kk)


def _windows(xp: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """Every window of the padded input, copied and flattened: shape (N, C, Ho, Wo, kh * kw)."""
    xp = np.ascontiguousarray(xp)
    s0, s1, s2, s3 = xp.strides
    n, c = xp.shape[:2]
    view = window_view(xp, (n, c, g.ho, g.wo, g.kh, g.kw), (s0, s1, s2 * g.sh, s3 * g.sw, s2, s3))
    return view.reshape(n, c, g.ho, g.wo, g.kh * g.kw)


def _many(x: np.ndarray, g: PoolGeometry) -> bool:
    return x.shape[0] * x.shape[1] * g.ho * g.wo >= _TAPS_FROM


def _tap_strides(xp: np.ndarray, g: PoolGeometry) -> tuple[tuple, tuple]:
    """Shape and strides of the view (kh, kw, N, C, Ho, Wo): tap (i, j) of every window."""
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    return (g.kh, g.kw, n, c, g.ho, g.wo), (s2, s3, s0, s1, s2 * g.sh, s3 * g.sw)


def _stacked(xp: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """Every tap of every window, copied once: shape (kh * kw, N * C * Ho * Wo), contiguous.

    After this single copy each per-tap operation runs over one long contiguous row, which is
    far cheaper in NumPy than the same operation on a strided (Ho, Wo) view.
    """
    xp = np.ascontiguousarray(xp)
    view = window_view(xp, *_tap_strides(xp, g))
    return view.reshape(g.kh * g.kw, -1)


def _covers_every_pixel(g: PoolGeometry) -> bool:
    return g.blocks and (g.ho * g.kh, g.wo * g.kw) == (g.h, g.w) and not (g.ph or g.pw)


def _grad_canvas(g: PoolGeometry, x_shape: tuple, dtype, overwritten: bool) -> np.ndarray:
    """The padded input gradient (N, C, Hp, Wp) to fill; left uninitialised when every pixel of
    it will be written (``overwritten``), zeroed otherwise."""
    n, c, h, w = x_shape
    return (np.empty if overwritten else np.zeros)((n, c, h + 2 * g.ph, w + 2 * g.pw), dtype)


def max_pool_forward(x: np.ndarray, g: PoolGeometry):
    """Max pooling that also records, per window, which tap won (the first of any ties).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    g : PoolGeometry

    Returns
    -------
    y : ndarray, shape (N, C, Ho, Wo)
    route : ndarray or TapRoute
        What :func:`max_pool_scatter` needs: for small inputs the winning tap index ``i * kw + j``
        per window, shape (N, C, Ho, Wo); otherwise a boolean one-hot of shape
        (kh * kw, N * C * Ho * Wo); with the compiled kernels a ``TapRoute`` of those indices.
    """
    if (k := _kernels_for(x)) is not None:
        return fast.max_pool(k, x, g)
    xp = _padded(x, g, -np.inf)
    if not _many(x, g):
        win = _windows(xp, g)
        return win.max(axis=-1), win.argmax(axis=-1)
    taps = _stacked(xp, g)
    best = taps.max(axis=0)
    onehot = taps == best
    # keep only the first tap holding the maximum (as PyTorch does): boolean ops, no branches
    seen = onehot[0].copy()
    for t in range(1, g.kh * g.kw):
        np.greater(onehot[t], seen, out=onehot[t])
        if t < g.kh * g.kw - 1:
            seen |= onehot[t]
    return best.reshape(x.shape[:2] + (g.ho, g.wo)), onehot


def max_pool_scatter(dy: np.ndarray, route: np.ndarray, g: PoolGeometry, x_shape: tuple):
    """Route each window's gradient to the tap that won its forward max.

    Parameters
    ----------
    dy : ndarray, shape (N, C, Ho, Wo)
    route : ndarray, the second result of :func:`max_pool_forward`
    x_shape : tuple (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, C, H, W)
    """
    if isinstance(route, fast.TapRoute):
        if (k := _kernels_for(dy)) is not None:
            return fast.max_pool_grad(k, dy, route, g, x_shape)
        route = route.tap.astype(np.intp)  # kernels switched off since the forward pass
    apart = g.sh >= g.kh and g.sw >= g.kw  # windows never overlap
    if route.dtype != bool and apart:
        # small input: one-hot per window, written into all windows at once
        per_window = (route[..., None] == _tap_ids(g.kh * g.kw)) * dy[..., None]
        dxp = _grad_canvas(g, x_shape, dy.dtype, _covers_every_pixel(g))
        s0, s1, s2, s3 = dxp.strides
        view = window_view(dxp, x_shape[:2] + (g.ho, g.wo, g.kh, g.kw),
                           (s0, s1, s2 * g.sh, s3 * g.sw, s2, s3))
        view[...] = per_window.reshape(view.shape)
    elif apart:  # each tap's view is written exactly once
        masks = route.reshape((-1,) + dy.shape)
        dxp = _grad_canvas(g, x_shape, dy.dtype, _covers_every_pixel(g))
        for t, i, j in _taps(g):
            np.multiply(dy, masks[t], out=_tap(dxp, g, i, j))
    else:
        masks = (route.reshape((-1,) + dy.shape) if route.dtype == bool
                 else [route == t for t in range(g.kh * g.kw)])
        dxp = _grad_canvas(g, x_shape, dy.dtype, False)
        for t, i, j in _taps(g):
            _tap(dxp, g, i, j)[...] += dy * masks[t]
    return unpad2d(dxp, g.ph, g.pw)


def avg_pool_forward(x: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """Average pooling of a checked (N, C, H, W) input; shape (N, C, Ho, Wo)."""
    if (k := _kernels_for(x)) is not None:
        return fast.avg_pool(k, x, g)
    xp = _padded(x, g, 0.0)
    if not _many(x, g):
        return _windows(xp, g).mean(axis=-1)
    total = _stacked(xp, g).sum(axis=0)
    total /= g.kh * g.kw
    return total.reshape(x.shape[:2] + (g.ho, g.wo))


def avg_pool_spread(dy: np.ndarray, g: PoolGeometry, x_shape: tuple) -> np.ndarray:
    """Share each window's gradient equally among its kh * kw taps; shape ``x_shape``."""
    if (k := _kernels_for(dy)) is not None:
        return fast.avg_pool_grad(k, dy, g, x_shape)
    share = dy / (g.kh * g.kw)
    if g.sh >= g.kh and g.sw >= g.kw:
        dxp = _grad_canvas(g, x_shape, dy.dtype, _covers_every_pixel(g))
        np.copyto(window_view(dxp, *_tap_strides(dxp, g)), share)
    else:
        dxp = _grad_canvas(g, x_shape, dy.dtype, False)
        for _, i, j in _taps(g):
            _tap(dxp, g, i, j)[...] += share
    return unpad2d(dxp, g.ph, g.pw)


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
    if (k := _kernels_for(x)) is not None:
        return fast.max_pool(k, x, g)[0]
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
    _, route = max_pool_forward(x, g)
    return max_pool_scatter(dy, route, g, x.shape)


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
