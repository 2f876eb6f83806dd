"""What an image file really is, and how big it says it is, from its first bytes (no decoding).

The app decodes only the raster formats it names (:data:`RASTER_FORMATS`), chosen from the bytes,
never from the file name: a renamed SVG must not reach an SVG renderer (2 KB of nested ``<use>``
elements kept one busy for ever). The header's size is checked against :mod:`cnnviz.limits`
before a single pixel is allocated. Qt-free, so the rules are tested without a display.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from cnnviz import limits
from cnnviz.limits import check_budget

__all__ = ["RASTER_FORMATS", "FORMAT_NAMES", "ImageHeader", "sniff_format", "read_header",
           "check_image_size"]

# Qt format names of the images the app opens, and how a sentence names them.
RASTER_FORMATS = ("png", "jpeg", "bmp", "gif")
FORMAT_NAMES = "PNG, JPEG, BMP or GIF"
_PNG = b"\x89PNG\r\n\x1a\n"
# Formats recognised only to say what the file is when it is refused.
_OTHER = ((b"%PDF", "a PDF document"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
          (b"PK\x03\x04", "a zip archive"), (b"\x1f\x8b", "a gzip archive"),
          (b"\x93NUMPY", "a NumPy array"))


@dataclass(frozen=True)
class ImageHeader:
    """The facts a header states. ``bytes_per_pixel`` is what Qt decodes one pixel to."""

    format: str
    width: int
    height: int
    bytes_per_pixel: int = 4


def _looks_like_text_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html", b"<!--"))


def sniff_format(data: bytes) -> str | None:
    """The format in :data:`RASTER_FORMATS` that ``data`` starts like, or None."""
    if data.startswith(_PNG):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"BM") and len(data) >= 26:
        return "bmp"
    return None


def describe_content(data: bytes) -> str:
    """What a refused file seems to be, for the message ("an SVG drawing", "a TIFF image")."""
    if _looks_like_text_markup(data[:256]):
        return "an SVG drawing or other markup (text, not pixels)"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    for magic, what in _OTHER:
        if data.startswith(magic):
            return what
    return "not an image in a format the app opens"


def _png(data: bytes) -> ImageHeader | None:
    if len(data) < 26 or data[12:16] != b"IHDR":
        return None
    width, height, depth = *struct.unpack(">II", data[16:24]), data[24]
    return ImageHeader("png", width, height, 8 if depth == 16 else 4)


def _jpeg(data: bytes) -> ImageHeader | None:
    """Width and height from the first start-of-frame marker (SOF0..SOF15 but DHT/JPG/DAC)."""
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # markers without a length
            at += 2
            continue
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return ImageHeader("jpeg", width, height)
        if length < 2:
            return None
        at += 2 + length
    return None


def _bmp(data: bytes) -> ImageHeader | None:
    if int.from_bytes(data[14:18], "little") == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack("<HH", data[18:22])
    else:
        width, height = struct.unpack("<ii", data[18:26])
    return ImageHeader("bmp", abs(width), abs(height))  # negative height: top-down rows


def _gif(data: bytes) -> ImageHeader | None:
    if len(data) < 10:
        return None
    return ImageHeader("gif", *struct.unpack("<HH", data[6:10]))


_READERS = {"png": _png, "jpeg": _jpeg, "bmp": _bmp, "gif": _gif}


def read_header(data: bytes, name: str) -> ImageHeader:
    """The format and declared size of an image file's bytes, checked against the limits.

    Raises
    ------
    ValueError
        If the bytes are not one of :data:`RASTER_FORMATS` (whatever the file's name says), the
        header is unreadable, or the size is zero or over the limits (see
        :func:`check_image_size`).
    """
    fmt = sniff_format(data)
    if fmt is None:
        raise ValueError(f"{name} is {describe_content(data)}; only {FORMAT_NAMES} images are "
                         "opened (the format is read from the file's bytes, not its name)")
    header = _READERS[fmt](data)
    if header is None:
        raise ValueError(f"{name} is a damaged {fmt.upper()} file: its header cannot be read")
    check_image_size(name, header)
    return header


def check_image_size(name: str, header: ImageHeader) -> None:
    """Refuse an image whose declared size is empty, or too large to decode safely.

    The limits are :data:`cnnviz.limits.MAX_IMAGE_SIDE`, :data:`~cnnviz.limits.MAX_IMAGE_PIXELS`
    and, for the decoded pixels, :data:`~cnnviz.limits.MAX_DECODED_BYTES`.
    """
    w, h = header.width, header.height
    if w == 0 or h == 0:
        raise ValueError(f"{name} claims to be {w} x {h} pixels: an image with no pixels")
    if max(w, h) > limits.MAX_IMAGE_SIDE:
        raise ValueError(
            f"{name} claims to be {w} x {h} pixels, too large to open safely: its longer side "
            f"is over the limit of {limits.MAX_IMAGE_SIDE} px; shrink it in an image editor first")
    if w * h > limits.MAX_IMAGE_PIXELS:
        raise ValueError(
            f"{name} claims to be {w} x {h} pixels, too large to open safely: "
            f"{w * h / 1e6:.0f} megapixels is over the limit of "
            f"{limits.MAX_IMAGE_PIXELS // 1_000_000} megapixels, although each side is within "
            f"{limits.MAX_IMAGE_SIDE} px; shrink it in an image editor first")
    check_budget(math.prod((w, h, header.bytes_per_pixel)), name, "to decode")
