"""Pooling and ReLU with the compiled kernels, the batch split between the cores.

Results equal the NumPy path's bit for bit (same maxima, same winning taps, same sums in the same
order for windows of fewer than 8 taps); the gradient of max pooling is routed by the winning tap
``i * kw + j`` recorded per window (:class:`TapRoute`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnnviz.nn._geometry import PoolGeometry
from cnnviz.nn._parallel import run_chunks, split

__all__ = ["TapRoute", "max_pool", "max_pool_grad", "avg_pool", "avg_pool_grad", "relu",
           "relu_grad"]



class TapRoute(NamedTuple):
    """Which tap won each max-pooling window: ``tap`` (N, C, Ho, Wo), ``i * kw + j`` (int8 for
    windows of up to 127 taps, else int32)."""

    tap: np.ndarray


def _by_image(n: int, per_image: int) -> list[tuple[int, int]]:
    return split(n, per_image)


def _two_by_two(g: PoolGeometry) -> bool:
    """The usual pooling window: 2x2, stride 2, no padding (a kernel of its own)."""
    return (g.kh, g.kw, g.sh, g.sw, g.ph, g.pw) == (2, 2, 2, 2, 0, 0)


def _flat(size: int) -> list[tuple[int, int]]:
    """Chunks of a flat array, cut at multiples of 64 elements (whole cache lines)."""
    chunks = len(split(-(-size // 64), 64))
    step = 64 * -(-size // (64 * chunks))
    return [(lo, min(size, lo + step)) for lo in range(0, size, step)]


def _geo(g: PoolGeometry) -> tuple:
    return g.kh, g.kw, g.sh, g.sw, g.ph, g.pw


def max_pool(k, x: np.ndarray, g: PoolGeometry) -> tuple[np.ndarray, TapRoute]:
    """Max pooling of x (N, C, H, W): (y (N, C, Ho, Wo), route for :func:`max_pool_grad`)."""
    x = np.ascontiguousarray(x)
    n, c = x.shape[:2]
    y = np.empty((n, c, g.ho, g.wo), x.dtype)
    # int8 holds any tap index of a window up to 11x11 and is a quarter of int32's memory
    tap = np.empty(y.shape, np.int8 if g.kh * g.kw <= 127 else np.int32)
    geo = _geo(g)
    if _two_by_two(g):
        run_chunks(lambda n0, n1: k.pool.max_pool_2x2(x, n0, n1, y, tap), _by_image(n, x[0].size))
    else:
        run_chunks(lambda n0, n1: k.pool.max_pool(x, n0, n1, *geo, y, tap),
                   _by_image(n, x[0].size))
    return y, TapRoute(tap)


def max_pool_grad(k, dy: np.ndarray, route: TapRoute, g: PoolGeometry,
                  x_shape: tuple) -> np.ndarray:
    """Each window's gradient at its winning tap: dx of shape ``x_shape``."""
    dy = np.ascontiguousarray(dy)
    dx = np.empty(x_shape, dy.dtype)
    geo = _geo(g)
    if _two_by_two(g):
        run_chunks(lambda n0, n1: k.pool.max_pool_grad_2x2(dy, route.tap, n0, n1, dx),
                   _by_image(x_shape[0], dx[0].size))
    else:
        run_chunks(lambda n0, n1: k.pool.max_pool_grad(dy, route.tap, n0, n1, *geo, dx),
                   _by_image(x_shape[0], dx[0].size))
    return dx


def avg_pool(k, x: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """Average pooling (padded zeros counted) of x (N, C, H, W): (N, C, Ho, Wo)."""
    x = np.ascontiguousarray(x)
    n, c = x.shape[:2]
    y = np.empty((n, c, g.ho, g.wo), x.dtype)
    geo = _geo(g)
    run_chunks(lambda n0, n1: k.pool.avg_pool(x, n0, n1, *geo, y), _by_image(n, x[0].size))
    return y


def avg_pool_grad(k, dy: np.ndarray, g: PoolGeometry, x_shape: tuple) -> np.ndarray:
    """Each window's gradient shared among its taps: dx of shape ``x_shape``."""
    dy = np.ascontiguousarray(dy)
    dx = np.empty(x_shape, dy.dtype)
    geo = _geo(g)
    run_chunks(lambda n0, n1: k.pool.avg_pool_grad(dy, n0, n1, *geo, dx),
               _by_image(x_shape[0], dx[0].size))
    return dx


def relu(k, x: np.ndarray) -> np.ndarray:
    """``np.maximum(x, 0)`` of a floating array of any shape."""
    x = np.ascontiguousarray(x)
    y = np.empty_like(x)
    flat_x, flat_y = x.reshape(-1), y.reshape(-1)
    run_chunks(lambda lo, hi: k.pool.relu(flat_x, lo, hi, flat_y),
               _flat(x.size))
    return y


def relu_grad(k, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``dy * (y > 0)`` for arrays of one shape."""
    dy = np.ascontiguousarray(dy)
    dx = np.empty(dy.shape, np.result_type(dy.dtype, y.dtype))
    flat_dy, flat_y, flat_dx = dy.reshape(-1), y.reshape(-1), dx.reshape(-1)
    run_chunks(lambda lo, hi: k.pool.relu_grad(flat_dy, flat_y, lo, hi, flat_dx),
               _flat(dy.size))
    return dx
