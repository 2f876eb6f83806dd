"""Convolution with the compiled kernels: the batch split into chunks run on every core.

Per chunk of images (one thread each, see :mod:`cnnviz.nn._parallel`):

forward
    ``im2col`` into a per-thread channel-major column matrix, one sgemm ``W @ cols``, and
    ``scatter_output`` back to NCHW with the bias added.
backward
    the columns are laid out again (cheaper than keeping the whole batch's columns from the
    forward pass: that was most of a step's peak memory), ``gather_grad`` turns dy channel-major
    and sums the bias gradient, one sgemm gives the chunk's weight gradient (transposed,
    ``cols @ dy^T``: the faster orientation when there are few filters), one more the column
    gradients, and ``col2im`` adds them back onto the input gradient.

Each thread keeps its scratch buffers between calls (they are sized to fit the L2 cache), so a
training step allocates only its outputs. The chunk's partial weight gradients are summed at the
end, in chunk order, so results do not depend on which thread ran which chunk.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from cnnviz.nn._geometry import ConvGeometry
from cnnviz.nn._parallel import run_chunks, split

__all__ = ["forward", "backward", "direct", "prefer_direct"]

_SCRATCH_BYTES = 384 * 1024  # column matrix per chunk: well inside a 512 KB-1 MB L2 cache
_local = threading.local()


def _scratch(name: str, shape: tuple, dtype) -> np.ndarray:
    """A per-thread reusable buffer of at least ``shape`` (C-contiguous view of that shape)."""
    size = math.prod(shape)
    buf = getattr(_local, name, None)
    if buf is None or buf.size < size or buf.dtype != dtype:
        buf = np.empty(max(size, 1), dtype)
        setattr(_local, name, buf)
    return buf[:size].reshape(shape)


class _Layout:
    """How a chunk's windows are laid out: wide rows (stride 1) or one column per output pixel."""

    def __init__(self, x_shape: tuple, w_shape: tuple, g: ConvGeometry, itemsize: int):
        self.g = g
        self.c = x_shape[1]
        self.ckk = w_shape[1] * w_shape[2] * w_shape[3]
        self.wide = g.sh == 1 and g.sw == 1
        self.wp = g.w + 2 * g.pw
        self.plane = (g.h + 2 * g.ph) * self.wp
        self.run = g.ho * (self.wp if self.wide else g.wo)  # columns per image
        per_image = self.ckk * self.run * itemsize
        self.per_chunk = max(1, _SCRATCH_BYTES // max(per_image, 1))

    def buffers(self, f: int, dtype) -> tuple:
        """Per-thread flat (padded planes, columns, channel-major rows of F) for one block of
        :attr:`per_chunk` images; the kernels loop over a chunk's blocks."""
        images = self.per_chunk
        extra = (self.g.kw - 1) * self.g.dw  # the last taps' runs reach past the last plane
        xpad = _scratch("xpad", (images * self.c * self.plane + extra,) if self.wide else (1,),
                        dtype)
        cols = _scratch("cols", (self.ckk * images * self.run,), dtype)
        rows = _scratch("rows", (f * images * self.run,), dtype)
        return xpad, cols, rows

    def bounds(self, n: int) -> list[tuple[int, int]]:
        """Chunks of whole blocks, about four per thread."""
        blocks = split(-(-n // self.per_chunk), self.ckk * self.run * self.per_chunk)
        return [(lo * self.per_chunk, min(n, hi * self.per_chunk)) for lo, hi in blocks]


def _geometry_args(g: ConvGeometry) -> tuple:
    return g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.ho, g.wo


def forward(k, x: np.ndarray, w: np.ndarray, b, g: ConvGeometry) -> np.ndarray:
    """The zero-padded convolution (N, F, Ho, Wo) of a C-contiguous x (N, C, H, W)."""
    if prefer_direct_batch(x.shape[1], g):
        return forward_direct(k, x, w, b, g)
    n, f = x.shape[0], w.shape[0]
    y = np.empty((n, f, g.ho, g.wo), x.dtype)
    w2 = np.ascontiguousarray(w.reshape(f, -1))
    bias = np.zeros(f, x.dtype) if b is None else np.ascontiguousarray(b)
    layout = _Layout(x.shape, w.shape, g, x.itemsize)
    geo = _geometry_args(g) + (layout.wide,)

    def chunk(n0: int, n1: int) -> None:
        xpad, cols, out = layout.buffers(f, x.dtype)
        k.conv.forward_chunk(x, n0, n1, layout.per_chunk, w2, bias, *geo, xpad, cols, out, y)

    run_chunks(chunk, layout.bounds(n))
    return y


def backward(k, dy: np.ndarray, x: np.ndarray, w: np.ndarray, g: ConvGeometry,
             need_dx: bool = True):
    """Gradients (dx or None, dw, db) given dy (N, F, Ho, Wo) and the forward input x."""
    n, f = x.shape[0], w.shape[0]
    dy = np.ascontiguousarray(dy)
    w2 = np.ascontiguousarray(w.reshape(f, -1))
    # without dx the kernel still needs an array of the right type to (not) write into
    dx = np.empty(x.shape if need_dx else (1, 1, 1, 1), x.dtype)
    layout = _Layout(x.shape, w.shape, g, x.itemsize)
    geo = _geometry_args(g) + (layout.wide,)
    bounds = layout.bounds(n)
    dwts = np.zeros((len(bounds), w2.shape[1], f), x.dtype)  # transposed: see _backward_block
    dbs = np.zeros((len(bounds), f))
    index = {lo: i for i, (lo, _) in enumerate(bounds)}

    def chunk(n0: int, n1: int) -> None:
        i = index[n0]
        xpad, cols, dycm = layout.buffers(f, x.dtype)
        k.conv.backward_chunk(x, dy, n0, n1, layout.per_chunk, w2, *geo, xpad, cols, dycm,
                              dwts[i], dbs[i], dx, need_dx)

    run_chunks(chunk, bounds)
    dwt = dwts[0] if len(bounds) == 1 else dwts.sum(axis=0)
    dw = np.ascontiguousarray(dwt.T).reshape(w.shape)
    return (dx if need_dx else None), dw, dbs.sum(axis=0).astype(x.dtype)


# Up to this many multiply-adds per output pixel and filter (C kh kw), summing shifted rows beats
# a matrix product in the forward pass (measured: 1.1-1.6x for a first layer, C = 1 or 3, 3x3 or
# 5x5); above it the product wins, and it always wins backwards.
DIRECT_MAX_TAPS = 32


def prefer_direct_batch(c: int, g: ConvGeometry) -> bool:
    """Whether a batch's forward pass sums shifted rows instead of laying out windows."""
    return (c * g.kh * g.kw <= DIRECT_MAX_TAPS and g.sh == 1 and g.sw == 1
            and g.ph <= (g.kh - 1) * g.dh and g.pw <= (g.kw - 1) * g.dw)




def forward_direct(k, x: np.ndarray, w: np.ndarray, b, g: ConvGeometry) -> np.ndarray:
    """:func:`forward` without laying out windows (see :func:`prefer_direct_batch`)."""
    n, c, h, wd = x.shape
    f = w.shape[0]
    y = np.empty((n, f, g.ho, g.wo), x.dtype)
    wc = np.ascontiguousarray(w)
    bias = np.zeros(f, x.dtype) if b is None else np.ascontiguousarray(b)
    wp = wd + 2 * g.pw
    pad_size = c * (h + 2 * g.ph) * wp + (g.kw - 1) * g.dw

    def chunk(n0: int, n1: int) -> None:
        xpad = _scratch("xpad", (pad_size,), x.dtype)
        acc = _scratch("acc", (f, g.ho * wp), x.dtype)
        k.direct.direct_forward_chunk(x, n0, n1, wc, bias, g.ph, g.pw, g.dh, g.dw, g.ho, xpad, acc,
                                    y)

    run_chunks(chunk, split(n, c * h * wd * g.kh * g.kw * f))
    return y


def prefer_direct(n: int, c: int, f: int, g: ConvGeometry) -> bool:
    """One image and few filters (the playground): shift-and-add beats laying out windows."""
    return n == 1 and f * c <= 4


def direct(k, x: np.ndarray, w: np.ndarray, b, g: ConvGeometry) -> np.ndarray:
    """Shift-and-add convolution of one image x (1, C, H, W), zero padding included:
    (1, F, Ho, Wo)."""
    f = w.shape[0]
    y = np.empty((1, f, g.ho, g.wo), x.dtype)
    bias = np.zeros(f, x.dtype) if b is None else b
    k.direct.direct_conv(x[0], np.ascontiguousarray(w), bias, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw,
                       y[0])
    return y
