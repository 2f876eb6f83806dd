"""Read PNG files with the standard library (zlib) alone, for the command line's image folders.

The app decodes images with Qt; the engine and its command line may not import Qt, so folders of
images reach ``python -m cnnviz train`` through this small reader of the PNG format (ISO/IEC
15948): grey, grey + alpha, RGB, RGBA and palette images, 1 to 16 bits, not interlaced. Anything
else is refused with a sentence saying what to do.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from cnnviz import limits
from cnnviz.data.guarded import open_regular, read_limited

__all__ = ["read_png", "PngImage", "MAX_PIXELS", "MAX_PNG_FILE_BYTES"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel
# This reader undoes PNG's row filters in Python (about 1.5 s per megapixel), so it takes images
# up to 4 megapixels: plenty for a folder of training images, which are shrunk to 28..64 px anyway.
MAX_PIXELS = 4_000_000
MAX_PNG_FILE_BYTES = 64 << 20


class PngImage:
    """A decoded PNG.

    Attributes
    ----------
    pixels : ndarray, shape (H, W, C), float32 in [0, 1]
        C is 1 (grey), 3 (RGB) or 4 (RGBA, also for grey + alpha and palettes with transparency).
    notes : list of str
        What was done to get there ("16-bit", "palette of 12 colours expanded", ...).
    """

    def __init__(self, pixels: np.ndarray, notes: list[str]):
        self.pixels = pixels
        self.notes = notes


def _chunks(data: bytes, name: str):
    pos = len(_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) < length:
            raise ValueError(f"{name} is truncated inside its {kind.decode('latin-1')} chunk")
        yield kind, body
        pos += 12 + length
        if kind == b"IEND":
            return
    raise ValueError(f"{name} ends without an IEND chunk: the file is truncated")


def _header(body: bytes, name: str) -> tuple[int, int, int, int, int]:
    if len(body) != 13:
        raise ValueError(f"{name} has a malformed IHDR header")
    width, height, depth, colour, _comp, _filter, interlace = struct.unpack(">IIBBBBB", body)
    if colour not in _CHANNELS or depth not in (1, 2, 4, 8, 16):
        raise ValueError(f"{name} uses PNG colour type {colour} with {depth}-bit samples, which "
                         "is not valid PNG")
    if width == 0 or height == 0:
        raise ValueError(f"{name} claims to be {width} x {height} pixels: it is damaged")
    if width * height > MAX_PIXELS:
        raise ValueError(f"{name} is {width} x {height} pixels, more than the command line's "
                         f"{MAX_PIXELS // 1_000_000} megapixel limit for PNG files "
                         "(cnnviz.data.png.MAX_PIXELS); shrink it, or open the folder in the app")
    # the decoded samples (int64 while converting) and the float32 pixels, before allocating them
    limits.check_budget(width * height * _CHANNELS[colour] * 12, name, "to decode")
    if interlace:
        raise ValueError(f"{name} is an interlaced PNG; save it without interlacing (or open the "
                         "folder in the app, which reads it)")
    return width, height, depth, colour, _CHANNELS[colour]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _unfilter(raw: bytes, height: int, stride: int, bpp: int, name: str) -> bytearray:
    """Undo the per-row filters (none, sub, up, average, Paeth) of the PNG specification."""
    if len(raw) < height * (stride + 1):
        raise ValueError(f"{name} holds fewer pixels than its header promises")
    out = bytearray(height * stride)
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left, upleft = (line[i - bpp], prev[i - bpp]) if i >= bpp else (0, 0)
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xFF
        elif kind != 0:
            raise ValueError(f"{name} uses an unknown PNG row filter ({kind}): it is damaged")
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return out


def _samples(data: bytearray, width: int, height: int, depth: int, channels: int) -> np.ndarray:
    """Unpacked samples, shape (H, W, channels), as integers."""
    if depth == 16:
        return np.frombuffer(bytes(data), ">u2").reshape(height, width, channels).astype(np.int64)
    rows = np.frombuffer(bytes(data), np.uint8).reshape(height, -1)
    if depth == 8:
        return rows.reshape(height, width, channels).astype(np.int64)
    bits = np.unpackbits(rows, axis=1).reshape(height, -1, depth)
    values = (bits * (1 << np.arange(depth - 1, -1, -1))).sum(axis=2)
    return values[:, :width * channels].reshape(height, width, channels)


def _palette(samples: np.ndarray, plte: bytes, trns: bytes, name: str) -> np.ndarray:
    colours = np.frombuffer(plte, np.uint8).reshape(-1, 3).astype(np.float32) / 255
    if samples.max() >= len(colours):
        raise ValueError(f"{name} refers to colour {int(samples.max())} of a palette of "
                         f"{len(colours)}: it is damaged")
    alpha = np.ones(len(colours), np.float32)
    alpha[:len(trns)] = np.frombuffer(trns[:len(colours)], np.uint8) / 255
    table = np.concatenate([colours, alpha[:, None]], axis=1) if trns else colours
    return table[samples[:, :, 0]]


def read_png(path) -> PngImage:
    """Decode a PNG file into float pixels in [0, 1].

    Raises
    ------
    ValueError
        For a missing, unreadable, non-PNG, truncated, damaged or interlaced file, naming it.
    """
    path = Path(path)
    name = path.name
    try:
        with open_regular(path, "image file") as stream:
            data = read_limited(stream, name, MAX_PNG_FILE_BYTES)
    except OSError as exc:
        raise ValueError(f"{name} cannot be read: {exc.strerror or exc}") from None
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{name} is not a PNG file")
    header, plte, trns, idat = None, b"", b"", []
    for kind, body in _chunks(data, name):
        if kind == b"IHDR":
            header = _header(body, name)
        elif kind == b"PLTE":
            plte = body
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat.append(body)
    if header is None or not idat:
        raise ValueError(f"{name} has no image data")
    width, height, depth, colour, channels = header
    bpp = max(1, depth * channels // 8)
    stride = (width * channels * depth + 7) // 8
    try:  # never inflate more than the header promises (a zip bomb stops there)
        raw = zlib.decompressobj().decompress(b"".join(idat), height * (stride + 1))
    except zlib.error as exc:
        raise ValueError(f"{name} is damaged ({exc})") from None
    samples = _samples(_unfilter(raw, height, stride, bpp, name), width, height, depth, channels)
    notes = ["16-bit samples scaled to [0, 1]"] if depth == 16 else []
    if colour == 3:
        if not plte:
            raise ValueError(f"{name} is a palette PNG without a palette: it is damaged")
        notes.append(f"palette of {len(plte) // 3} colours expanded to RGB")
        pixels = _palette(samples, plte, trns, name)
    else:
        pixels = samples.astype(np.float32) / ((1 << depth) - 1)
        if colour == 4:  # grey + alpha as RGBA, so one compositing rule serves every file
            pixels = np.concatenate([np.repeat(pixels[:, :, :1], 3, axis=2), pixels[:, :, 1:]],
                                    axis=2)
    return PngImage(pixels.astype(np.float32), notes)
