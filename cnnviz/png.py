"""A minimal PNG encoder (zlib + the standard library), so the engine and the command line can
write pictures without Qt.

Only what cnnviz needs: 8-bit grey, RGB or RGBA, no interlacing, filter "none" on every row. The
file is written atomically (:func:`cnnviz.fileio.write_bytes_atomic`).
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np

from cnnviz.fileio import write_bytes_atomic

__all__ = ["encode_png", "write_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPES = {1: 0, 3: 2, 4: 6}   # channels -> PNG colour type (grey, RGB, RGBA)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def encode_png(pixels) -> bytes:
    """The bytes of a PNG file showing ``pixels``.

    Parameters
    ----------
    pixels : ndarray of uint8, shape (H, W) (grey), (H, W, 3) (RGB) or (H, W, 4) (RGBA)

    Raises
    ------
    ValueError
        For another shape, an empty image or a dtype other than uint8.
    """
    a = np.asarray(pixels)
    if a.dtype != np.uint8:
        raise ValueError(f"PNG pixels must be uint8 (0..255), not {a.dtype}")
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in _COLOUR_TYPES or 0 in a.shape:
        raise ValueError(f"PNG pixels must have shape (H, W), (H, W, 3) or (H, W, 4), not "
                         f"{np.asarray(pixels).shape}")
    h, w, c = a.shape
    header = struct.pack(">IIBBBBB", w, h, 8, _COLOUR_TYPES[c], 0, 0, 0)
    rows = np.concatenate([np.zeros((h, 1), np.uint8), a.reshape(h, w * c)], axis=1)
    return (_SIGNATURE + _chunk(b"IHDR", header) +
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))


def write_png(path: str | os.PathLike[str], pixels) -> Path:
    """Encode ``pixels`` (see :func:`encode_png`) and write them to ``path`` atomically.

    Returns
    -------
    Path
        The file written.
    """
    return write_bytes_atomic(path, encode_png(pixels))
