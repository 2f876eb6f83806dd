"""Array helpers shared by convolution and pooling: input checks, padding, window views."""

from __future__ import annotations

import numpy as np

from cnnviz.nn._geometry import pair

__all__ = ["PADDING_MODES", "as_batch", "check_dy", "pad2d", "unpad2d", "window_view"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def as_batch(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a floating (N, C, H, W) array, or explain what shape was expected."""
    x = np.asarray(x)
    if x.ndim != 4:
        hint = {2: f"; for one grey image use {name}[None, None]",
                3: f"; for a single image add a batch axis: {name}[None]"}.get(x.ndim, "")
        raise ValueError(f"{name} must have 4 axes (N, C, H, W), but it has shape {x.shape}{hint}")
    if x.dtype.kind != "f":
        if x.dtype.kind not in "biu":
            raise ValueError(f"{name} must hold real numbers, but its dtype is {x.dtype}")
        x = x.astype(np.float64)
    if 0 in x.shape:
        raise ValueError(f"{name} is empty (shape {x.shape}); every axis needs at least one "
                         "element")
    return x


def check_dy(dy, expected_shape: tuple, dtype) -> np.ndarray:
    """Return ``dy`` in ``dtype`` if it has the forward output's shape, else explain."""
    dy = np.asarray(dy)
    if dy.shape != tuple(expected_shape):
        raise ValueError(f"dy has shape {dy.shape}, but the forward output has shape "
                         f"{tuple(expected_shape)}; pass the gradient of that output")
    return dy.astype(dtype, copy=False)


def pad2d(x, padding, mode: str = "zeros", value: float = 0.0) -> np.ndarray:
    """Pad the last two axes of ``x`` (rows and columns) on both sides.

    Parameters
    ----------
    x : ndarray, shape (..., H, W)
    padding : int or (int, int)
        Rows added above and below, columns added left and right.
    mode : {"zeros", "reflect", "replicate", "circular"}
        As in ``torch.nn.Conv2d(padding_mode=...)``: "reflect" mirrors about the edge pixel
        (which is not repeated), "replicate" repeats the edge pixel, "circular" wraps around.
    value : float
        The constant written by "zeros" mode (max pooling pads with -inf).

    Returns
    -------
    ndarray, shape (..., H + 2 * ph, W + 2 * pw)
    """
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"pad2d needs an array with at least 2 axes (H, W), got shape {x.shape}")
    ph, pw = pair(padding, "padding", 0)
    if mode not in PADDING_MODES:
        raise ValueError(f"padding mode must be one of {', '.join(PADDING_MODES)}; got {mode!r}")
    h, w = x.shape[-2:]
    if mode == "zeros":
        out = np.full(x.shape[:-2] + (h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
        out[..., ph:ph + h, pw:pw + w] = x
        return out
    for p, n, extent in ((ph, h, "tall"), (pw, w, "wide")):
        limit = n - 1 if mode == "reflect" else n
        if mode != "replicate" and p > limit:
            raise ValueError(
                f"{mode} padding of {p} needs an input at least {p + (mode == 'reflect')} pixels "
                f"{extent}, but it is only {n} {extent}; use padding <= {limit} or the "
                f"'replicate' or 'zeros' mode")
    if ph == 0 and pw == 0:
        return x.copy()
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths, mode=_NUMPY_MODES[mode])


def unpad2d(xp: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """The inverse of :func:`pad2d`: ``xp`` without ``ph`` rows and ``pw`` columns on each side.

    Backward passes accumulate into a padded gradient and keep only the real pixels (a view).
    """
    if not (ph or pw):
        return xp
    return xp[..., ph:xp.shape[-2] - ph, pw:xp.shape[-1] - pw]


def window_view(xp: np.ndarray, shape: tuple, strides: tuple) -> np.ndarray:
    """A view of ``xp``'s memory with the given shape and byte strides (no copy).

    ``xp`` must be C-contiguous (callers compute ``strides`` from it, so a silent copy here would
    pair them with the wrong memory); NumPy raises ValueError otherwise. Building the view with
    ``np.ndarray(buffer=...)`` makes NumPy check that every element lies inside the buffer
    (unlike ``as_strided``) and costs less per call.
    """
    return np.ndarray(shape, dtype=xp.dtype, buffer=xp, strides=strides)
