"""An image file's real format and declared size, from its bytes alone."""

import struct
import zlib

import pytest

from cnnviz import limits
from cnnviz.data.image_headers import ImageHeader, check_image_size, read_header, sniff_format


def png(width, height, depth=8):
    ihdr = struct.pack(">IIBBBBB", width, height, depth, 6, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def jpeg(width, height):
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + bytes(9)
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + bytes(3)
    return b"\xff\xd8" + app0 + sof


def bmp(width, height):
    return b"BM" + bytes(12) + struct.pack("<Iii", 40, width, height) + bytes(30)


def gif(width, height):
    return b"GIF89a" + struct.pack("<HH", width, height) + bytes(10)


@pytest.mark.parametrize("data, fmt, size", [
    (png(640, 480), "png", (640, 480)), (jpeg(1024, 768), "jpeg", (1024, 768)),
    (bmp(33, -21), "bmp", (33, 21)), (gif(7, 5), "gif", (7, 5)),
])
def test_the_header_gives_the_format_and_size(data, fmt, size):
    header = read_header(data, "x")
    assert (header.format, header.width, header.height) == (fmt, *size)


def test_a_sixteen_bit_png_decodes_to_eight_bytes_a_pixel():
    assert read_header(png(10, 10, 16), "x").bytes_per_pixel == 8


@pytest.mark.parametrize("data, what", [
    (b"<?xml version='1.0'?><svg/>", "SVG drawing"), (b"  <svg xmlns='x'/>", "SVG drawing"),
    (b"%PDF-1.4", "PDF"), (b"II*\x00" + bytes(8), "TIFF"), (b"RIFF\0\0\0\0WEBPVP8 ", "WebP"),
    (b"shopping list", "not an image in a format the app opens"),
])
def test_other_content_is_refused_whatever_the_name_says(data, what):
    assert sniff_format(data) is None
    with pytest.raises(ValueError, match=what):
        read_header(data, "photo.png")


def test_a_jpeg_without_a_frame_header_is_called_damaged():
    with pytest.raises(ValueError, match="damaged JPEG"):
        read_header(b"\xff\xd8\xff\xe0\x00\x10" + bytes(14), "x.jpg")


@pytest.mark.parametrize("width, height", [(26_500, 26_500), (20_001, 10), (0, 5)])
def test_sizes_beyond_the_limits_or_empty_are_refused(width, height):
    with pytest.raises(ValueError, match=f"{width} x {height} pixels"):
        check_image_size("x.png", ImageHeader("png", width, height))


def test_decoded_bytes_must_fit_the_budget(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 1 << 20)
    check_image_size("x.png", ImageHeader("png", 512, 512, 4))
    with pytest.raises(ValueError, match="2 MiB to decode, more than the 1 MiB"):
        check_image_size("x.png", ImageHeader("png", 512, 512, 8))


def test_a_refusal_names_the_side_limit_when_a_side_is_too_long():
    with pytest.raises(ValueError, match="longer side is over the limit of 20000 px") as info:
        check_image_size("x.png", ImageHeader("png", 20_001, 10))
    assert "megapixels" not in str(info.value)


def test_a_refusal_names_the_pixel_limit_when_only_the_area_is_too_large():
    with pytest.raises(ValueError, match="400 megapixels is over the limit of 100") as info:
        check_image_size("x.png", ImageHeader("png", 20_000, 20_000))
    assert "each side is within 20000 px" in str(info.value)
