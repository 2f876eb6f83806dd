"""Window geometry shared by convolution and pooling: argument checks and output sizes.

Checking arguments once per input shape (the results are cached) keeps the per-call overhead of a
batch-of-one training step small; the error messages say what to change.

Notes
-----
Output size along one axis of length ``n``: ``out = floor((n + 2p - d(k - 1) - 1) / s) + 1``.
"""

from __future__ import annotations

import numbers
from functools import lru_cache
from typing import NamedTuple

__all__ = ["pair", "window_span", "window_count", "conv_output_size", "conv_output_shape",
           "pool_output_shape", "ConvGeometry", "PoolGeometry", "conv_geometry", "pool_geometry"]

_MINIMUM_HINT = {
    "stride": "at least 1 (the number of pixels the window moves per step)",
    "dilation": "at least 1 (1 means the kernel's taps are adjacent)",
    "kernel_size": "at least 1",
    "padding": "0 or more (0 means no padding)",
    "size": "at least 1 pixel",
}


def _whole(value, name: str) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"{name} must be a whole number or a pair (h, w) of whole numbers, "
                     f"got {value!r}")


def pair(value, name: str, minimum: int) -> tuple[int, int]:
    """Turn an int or an ``(h, w)`` pair into a checked ``(h, w)`` tuple of ints.

    Raises
    ------
    ValueError
        If ``value`` is not a whole number or pair of them, or is below ``minimum``.
    """
    if type(value) is int:
        h = w = value
    elif isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (h, w), got {value!r} "
                             f"with {len(value)} entries")
        h, w = _whole(value[0], name), _whole(value[1], name)
    else:
        h = w = _whole(value, name)
    if h < minimum or w < minimum:
        bad = h if h < minimum else w
        raise ValueError(f"{name} must be {_MINIMUM_HINT.get(name, f'at least {minimum}')}, "
                         f"got {bad}")
    return h, w


def window_span(kernel_size: int, dilation: int = 1) -> int:
    """Pixels one window covers along an axis: ``d(k - 1) + 1`` (a 3-tap kernel, dilation 2: 5)."""
    return dilation * (kernel_size - 1) + 1


def window_count(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                 dilation: int = 1) -> int:
    """The output-size formula itself, unchecked: ``floor((n + 2p - d(k - 1) - 1) / s) + 1``.

    Zero or negative when not even one window fits (:func:`conv_output_size` explains why instead).
    """
    return (size + 2 * padding - window_span(kernel_size, dilation)) // stride + 1


def _out_size(n: int, k: int, s: int, p: int, d: int, extent: str, what: str) -> int:
    span = window_span(k, d)
    padded = n + 2 * p
    if span > padded:
        if d > 1:
            reason = (f"{what} {k} with dilation {d} spans {span} pixels, but the padded input "
                      f"is only {padded} {extent}")
            fix = f"use a smaller {what} or dilation, or more padding"
        else:
            reason = f"{what} {k} is larger than the padded input, which is only {padded} {extent}"
            fix = f"use a {what} of at most {padded}, or more padding"
        raise ValueError(f"{reason}; {fix}")
    return window_count(n, k, s, p, d)


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """Number of output pixels along one axis.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int

    Returns
    -------
    int
        ``floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1``

    Raises
    ------
    ValueError
        With a sentence a user can act on, e.g. "kernel 7 with dilation 2 spans 13 pixels, but
        the padded input is only 10 wide; ...".
    """
    for name, value in (("size", size), ("kernel_size", kernel_size), ("stride", stride),
                        ("padding", padding), ("dilation", dilation)):
        if isinstance(value, (tuple, list)):
            raise ValueError(f"conv_output_size works on one axis at a time: pass {name} as an "
                             f"int, got {value!r}")
    n = pair(size, "size", 1)[0]
    k = pair(kernel_size, "kernel_size", 1)[0]
    s = pair(stride, "stride", 1)[0]
    p = pair(padding, "padding", 0)[0]
    d = pair(dilation, "dilation", 1)[0]
    return _out_size(n, k, s, p, d, "wide", "kernel")


def conv_output_shape(size, kernel_size, stride=1, padding=0, dilation=1) -> tuple[int, int]:
    """Output ``(Ho, Wo)`` of a convolution of an ``(H, W)`` input.

    Parameters
    ----------
    size : (int, int)
        ``(H, W)``.
    kernel_size, stride, padding, dilation : int or (int, int)

    Raises
    ------
    ValueError
        As :func:`conv_output_size`, naming the axis that is too small ("... only 5 tall").
    """
    h, w = pair(size, "size", 1)
    g = conv_geometry((h, w), pair(kernel_size, "kernel_size", 1), stride, padding, dilation)
    return g.ho, g.wo


def pool_output_shape(size, kernel_size, stride=None, padding=0) -> tuple[int, int]:
    """Output ``(Ho, Wo)`` of a pooling of an ``(H, W)`` input (``stride=None``: the window).

    Raises
    ------
    ValueError
        When the window does not fit, or the padding is more than half the window.
    """
    g = pool_geometry(pair(size, "size", 1), kernel_size, stride, padding)
    return g.ho, g.wo


class ConvGeometry(NamedTuple):
    """Checked sizes of one convolution: input (h, w), kernel, stride, padding, dilation, output."""

    h: int
    w: int
    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    dh: int
    dw: int
    ho: int
    wo: int


class PoolGeometry(NamedTuple):
    """Checked sizes of one pooling; ``blocks`` means the windows tile without overlap."""

    h: int
    w: int
    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    ho: int
    wo: int
    blocks: bool


def _key(value):
    return tuple(value) if isinstance(value, list) else value


def conv_geometry(in_hw, k_hw, stride=1, padding=0, dilation=1) -> ConvGeometry:
    """Check a convolution's arguments for an input of size ``in_hw`` and a ``k_hw`` kernel."""
    try:
        return _conv_geometry(tuple(in_hw), tuple(k_hw), _key(stride), _key(padding),
                              _key(dilation))
    except TypeError:  # unhashable argument: check it uncached for the proper message
        return _conv_geometry.__wrapped__(tuple(in_hw), tuple(k_hw), stride, padding, dilation)


@lru_cache(maxsize=256)
def _conv_geometry(in_hw, k_hw, stride, padding, dilation) -> ConvGeometry:
    h, w = in_hw
    kh, kw = k_hw
    sh, sw = pair(stride, "stride", 1)
    ph, pw = pair(padding, "padding", 0)
    dh, dw = pair(dilation, "dilation", 1)
    ho = _out_size(h, kh, sh, ph, dh, "tall", "kernel")
    wo = _out_size(w, kw, sw, pw, dw, "wide", "kernel")
    return ConvGeometry(h, w, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)


def pool_geometry(in_hw, kernel_size, stride=None, padding=0) -> PoolGeometry:
    """Check a pooling's arguments for an input of size ``in_hw`` (stride None = kernel_size)."""
    try:
        return _pool_geometry(tuple(in_hw), _key(kernel_size), _key(stride), _key(padding))
    except TypeError:
        return _pool_geometry.__wrapped__(tuple(in_hw), kernel_size, stride, padding)


@lru_cache(maxsize=256)
def _pool_geometry(in_hw, kernel_size, stride, padding) -> PoolGeometry:
    h, w = in_hw
    kh, kw = pair(kernel_size, "kernel_size", 1)
    sh, sw = (kh, kw) if stride is None else pair(stride, "stride", 1)
    ph, pw = pair(padding, "padding", 0)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"padding {max(ph, pw)} is more than half the pooling window "
                         f"{kh}x{kw}; use padding <= {min(kh, kw) // 2} so that every window "
                         f"covers at least one real pixel")
    ho = _out_size(h, kh, sh, ph, 1, "tall", "pooling window")
    wo = _out_size(w, kw, sw, pw, 1, "wide", "pooling window")
    return PoolGeometry(h, w, kh, kw, sh, sw, ph, pw, ho, wo, (sh, sw) == (kh, kw))
