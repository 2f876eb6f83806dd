"""Fixtures shared by the engine tests."""

import struct
import zlib

import numpy as np
import pytest

from cnnviz.nn import _pool as pooling


@pytest.fixture(params=["windows", "taps"])
def pool_path(request, monkeypatch):
    """Run a pooling test through both strategies: copied windows (small inputs) and per-tap views
    (large inputs)."""
    monkeypatch.setattr(pooling, "_TAPS_FROM", 0 if request.param == "taps" else 10**9)
    return request.param


@pytest.fixture(params=["numpy", "compiled"])
def engine(request):
    """Run a test through the pure-NumPy path and through the compiled kernels (numba)."""
    from cnnviz.nn import _jit

    if request.param == "compiled" and (not _jit.enabled() or _jit.kernels() is None):
        pytest.skip(f"compiled kernels unavailable: {_jit.backend()}")
    _jit.set_enabled(request.param == "compiled")
    yield request.param
    _jit.set_enabled(True)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _filtered(line: bytes, prev: bytes, kind: int, bpp: int) -> bytes:
    out = bytearray()
    for i, x in enumerate(line):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        predictor = (0, a, b, (a + b) // 2, _paeth(a, b, c))[kind]
        out.append((x - predictor) & 0xFF)
    return bytes([kind]) + bytes(out)


def _write_png(path, samples: np.ndarray, colour: int, depth: int = 8, palette=None, trns=None):
    """A PNG of ``samples`` (H, W, C) integers; row y uses filter y % 5."""
    h, w, c = samples.shape
    if depth == 16:
        rows = [samples[y].astype(">u2").tobytes() for y in range(h)]
    elif depth == 8:
        rows = [samples[y].astype(np.uint8).tobytes() for y in range(h)]
    else:
        bits = ((samples[..., 0][..., None] >> np.arange(depth - 1, -1, -1)) & 1).astype(np.uint8)
        rows = [np.packbits(bits[y].reshape(-1)).tobytes() for y in range(h)]
    bpp = max(1, depth * c // 8)
    raw, prev = b"", bytes(len(rows[0]))
    for y, line in enumerate(rows):
        raw += _filtered(line, prev, y % 5, bpp)
        prev = line

    def chunk(kind, body):
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0,
                                                             0, 0))
    if palette is not None:
        png += chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1)))
    if trns is not None:
        png += chunk(b"tRNS", bytes(trns))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


@pytest.fixture
def write_png():
    """``write_png(path, samples (H, W, C) ints, colour_type, depth=8, palette=None, trns=None)``
    writes a PNG by hand (no image library), row ``y`` filtered with PNG filter ``y % 5``."""
    return _write_png
