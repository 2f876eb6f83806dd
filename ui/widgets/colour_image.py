"""Decode image files in colour: three float planes (R, G, B), and a note on what was converted.

The playground's RGB mode and colour image folders read pixels through here. Qt decodes every
format into a few pixel layouts; what the file held decides the note the user sees: transparency
(composited over white, as the grey path does), 16-bit samples (kept at full precision), a
palette (expanded to RGB) or CMYK print colours (converted to RGB by Qt). The file checks, the
size limits and the error sentences are :mod:`ui.widgets.image_io`'s.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from cnnviz.data.images import resize_area, scaled_shape
from ui.widgets.image_io import _decode, _open

__all__ = ["qimage_to_planes", "conversion_notes", "header_notes", "load_colour_image",
           "resize_planes"]

_GREY = (QImage.Format.Format_Grayscale8, QImage.Format.Format_Grayscale16)
_DEEP = (QImage.Format.Format_RGBA64, QImage.Format.Format_RGBX64,
         QImage.Format.Format_RGBA64_Premultiplied, QImage.Format.Format_Grayscale16)
_PALETTE = (QImage.Format.Format_Indexed8, QImage.Format.Format_Mono,
            QImage.Format.Format_MonoLSB)
_ALPHA = (QImage.Format.Format_ARGB32, QImage.Format.Format_ARGB32_Premultiplied,
          QImage.Format.Format_RGBA8888, QImage.Format.Format_RGBA64,
          QImage.Format.Format_RGBA64_Premultiplied)

ALPHA_NOTE = "transparent pixels shown over white"
DEEP_NOTE = "16-bit channels kept at full precision"
PALETTE_NOTE = "palette colours expanded to RGB"
CMYK_NOTE = "converted from CMYK (print colours) to RGB"
GREY_NOTE = "a grey image: R, G and B are equal"


def _pixels(image: QImage, fmt: QImage.Format, dtype) -> np.ndarray:
    """The pixels of ``image`` converted to ``fmt`` (4 samples a pixel), shape (H, W, 4)."""
    image = image.convertToFormat(fmt)
    h, w = image.height(), image.width()
    row_items = image.bytesPerLine() // np.dtype(dtype).itemsize
    buf = np.frombuffer(image.constBits(), dtype=dtype, count=row_items * h)
    return buf.reshape(h, row_items)[:, : w * 4].reshape(h, w, 4).copy()


def qimage_to_planes(image: QImage) -> np.ndarray:
    """A decoded QImage as colour planes.

    Returns
    -------
    ndarray, shape (3, H, W), float32 in [0, 1]
        Transparent pixels are composited over white; 16-bit images keep their precision.
    """
    if image.format() in _DEEP:
        rgba = _pixels(image, QImage.Format.Format_RGBA64, np.uint16).astype(np.float32) / 65535
    else:
        rgba = _pixels(image, QImage.Format.Format_RGBA8888, np.uint8).astype(np.float32) / 255
    alpha = rgba[:, :, 3:]
    rgb = rgba[:, :, :3] * alpha + (1.0 - alpha)
    return np.clip(np.moveaxis(rgb, 2, 0), 0.0, 1.0).astype(np.float32)


def conversion_notes(image: QImage, file_format: str = "") -> list[str]:
    """What turning ``image`` (decoded from a ``file_format`` file, e.g. "gif") into RGB planes
    did, as short phrases for the user; empty for a plain 8-bit RGB file."""
    fmt = image.format()
    notes = []
    if fmt == QImage.Format.Format_CMYK8888:
        notes.append(CMYK_NOTE)
    if fmt in _PALETTE or file_format == "gif":  # Qt hands GIFs over already expanded
        notes.append(PALETTE_NOTE)
    if fmt in _DEEP:
        notes.append(DEEP_NOTE)
    if fmt in _GREY:
        notes.append(GREY_NOTE)
    if image.hasAlphaChannel():
        alpha = _pixels(image, QImage.Format.Format_RGBA8888, np.uint8)[:, :, 3]
        if alpha.min() < 255:
            notes.append(ALPHA_NOTE)
    return notes


def header_notes(path) -> list[str]:
    """The same notes read from the file's header only (no pixels decoded), for the grey path.

    The file goes through :mod:`ui.widgets.image_io`'s checks (regular file, sniffed raster
    format, size limits), so no other decoder than the sniffed one ever sees it."""
    source = _open(path)
    fmt, file_format = source.reader.imageFormat(), source.header.format
    notes = []
    if fmt == QImage.Format.Format_CMYK8888:
        notes.append("converted from CMYK (print colours)")
    if fmt in _PALETTE or file_format == "gif":
        notes.append("palette colours expanded")
    if fmt in _DEEP:
        notes.append("16-bit channels kept at full precision")
    if fmt in _ALPHA:
        notes.append("transparent pixels shown over white")
    return notes


def resize_planes(planes: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Area-average every plane of ``planes`` (C, H, W) to ``shape``: (C, rows, cols)."""
    return np.stack([resize_area(p, shape) for p in planes]).astype(np.float32)


def load_colour_image(
    path: str | os.PathLike[str], max_side: int = 512
) -> tuple[np.ndarray, str | None]:
    """Open an image file in colour, shrunk to at most ``max_side`` px, for the playground.

    Parameters
    ----------
    path : str or path-like
        PNG, JPEG, BMP or GIF (its first frame).
    max_side : int

    Returns
    -------
    planes : ndarray, shape (3, H, W), float32 in [0, 1]
    note : str or None
        What was done, e.g. ``"transparent pixels shown over white; scaled from 1024x768 to
        512x384"``; None for a plain RGB image that fits.

    Raises
    ------
    ValueError
        As :func:`ui.widgets.image_io.read_grey_image` does, with the same sentences.
    """
    source = _open(path)
    reader, dims = source.reader, source.dims
    if max(dims) > 2 * max_side:
        # as the grey path does: let the decoder shrink big photos on the way in
        factor = 2 * max_side / max(dims)
        reader.setScaledSize(QSize(*(max(1, round(d * factor)) for d in dims)))
    file_format = source.header.format
    found: dict[str, list[str]] = {}

    def convert(image: QImage) -> np.ndarray:
        found["notes"] = conversion_notes(image, file_format)
        return qimage_to_planes(image)

    planes = _decode(source, convert)
    notes = found.get("notes", [])
    h, w = planes.shape[1:]
    target = scaled_shape(h, w, max_side)
    full = dims
    if target != (h, w):
        planes = resize_planes(planes, target)
    if tuple(full) != (planes.shape[2], planes.shape[1]):
        notes.append(f"scaled from {full[0]}x{full[1]} to {planes.shape[2]}x{planes.shape[1]}")
    return planes, "; ".join(notes) or None

