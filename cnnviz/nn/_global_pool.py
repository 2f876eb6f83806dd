"""Global average and max pooling: one number per channel, wherever in the map it came from.

``(N, C, H, W) -> (N, C)``, like ``torch.nn.functional.adaptive_avg_pool2d(x, 1)`` and
``adaptive_max_pool2d(x, 1)`` followed by a flatten. Public in :mod:`cnnviz.nn.functional`.

Why they matter: a dense layer after ``Flatten`` has one weight per map *position*, so what it
learned on the left of the image says nothing about the right. A global pool throws the positions
away, so the layers after it see the same numbers wherever the pattern sits in the map.
"""

from __future__ import annotations

import numpy as np

from cnnviz.nn._arrays import as_batch, check_dy

__all__ = ["global_avg_pool2d", "global_max_pool2d", "global_avg_pool2d_backward",
           "global_max_pool2d_backward", "global_max_forward", "global_max_scatter",
           "global_avg_spread"]


def global_avg_pool2d(x) -> np.ndarray:
    """Mean of each channel's map.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, C)
    """
    return as_batch(x).mean(axis=(2, 3))


def global_max_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest value of each channel's map and where it is.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), already checked

    Returns
    -------
    y : ndarray, shape (N, C)
    where : ndarray of int, shape (N, C)
        Row-major index ``i * W + j`` of the first maximum (ties go to the first, like PyTorch).
    """
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    where = flat.argmax(axis=2)
    return np.take_along_axis(flat, where[..., None], axis=2)[..., 0], where


def global_max_pool2d(x) -> np.ndarray:
    """Largest value of each channel's map.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, C)
    """
    return as_batch(x).max(axis=(2, 3))


def global_avg_spread(dy: np.ndarray, x_shape: tuple) -> np.ndarray:
    """Share each channel's gradient equally among its ``H * W`` pixels.

    Parameters
    ----------
    dy : ndarray, shape (N, C)
    x_shape : tuple (N, C, H, W)

    Returns
    -------
    ndarray, shape ``x_shape``
    """
    h, w = x_shape[2:]
    share = dy / (h * w)
    return np.ascontiguousarray(np.broadcast_to(share[:, :, None, None], x_shape))


def global_max_scatter(dy: np.ndarray, where: np.ndarray, x_shape: tuple) -> np.ndarray:
    """Send each channel's gradient to the pixel that held its maximum; zero elsewhere.

    Parameters
    ----------
    dy : ndarray, shape (N, C)
    where : ndarray of int, shape (N, C), from :func:`global_max_forward`
    x_shape : tuple (N, C, H, W)

    Returns
    -------
    ndarray, shape ``x_shape``
    """
    n, c, h, w = x_shape
    dx = np.zeros((n, c, h * w), dtype=dy.dtype)
    np.put_along_axis(dx, where[..., None], dy[..., None], axis=2)
    return dx.reshape(x_shape)


def global_avg_pool2d_backward(dy, x) -> np.ndarray:
    """Gradient of :func:`global_avg_pool2d`.

    Parameters
    ----------
    dy : ndarray, shape (N, C)
    x : ndarray, shape (N, C, H, W), the forward input (only its shape matters)

    Returns
    -------
    ndarray, shape (N, C, H, W)
    """
    x = as_batch(x)
    return global_avg_spread(check_dy(dy, x.shape[:2], x.dtype), x.shape)


def global_max_pool2d_backward(dy, x) -> np.ndarray:
    """Gradient of :func:`global_max_pool2d`: all of it to each map's (first) maximum.

    Parameters
    ----------
    dy : ndarray, shape (N, C)
    x : ndarray, shape (N, C, H, W), the forward input

    Returns
    -------
    ndarray, shape (N, C, H, W)
    """
    x = as_batch(x)
    dy = check_dy(dy, x.shape[:2], x.dtype)
    _, where = global_max_forward(x)
    return global_max_scatter(dy, where, x.shape)
