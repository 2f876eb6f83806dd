"""Opening image files: real formats decode to grey, bad files are refused with a sentence."""

import struct
import zlib

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from ui.widgets.image_io import (
    IMAGE_FILE_FILTER,
    load_grey_image,
    load_image_folder,
    read_grey_image,
)


def _qimage(width, height, colour=None):
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor(255, 0, 0) if colour is None else colour)
    return img


def _save(img, path):
    assert img.save(str(path)), f"Qt could not write the fixture {path}"
    return path


def _gif(path, width, height, pixels, palette):
    """Write a GIF by hand (Qt reads GIF but cannot write it): uncompressed-style LZW codes."""
    min_code = 8
    clear, end = 1 << min_code, (1 << min_code) + 1
    codes = []
    for i, p in enumerate(pixels):
        if i % 250 == 0:  # reset before the table grows past 9-bit codes
            codes.append(clear)
        codes.append(p)
    codes.append(end)
    bits, nbits, out = 0, 0, bytearray()
    for c in codes:
        bits |= c << nbits
        nbits += 9
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    table = b"".join(bytes(c) for c in palette) + b"\0" * (3 * (256 - len(palette)))
    blocks = [out[i : i + 255] for i in range(0, len(out), 255)]
    data = b"".join(bytes([len(b)]) + b for b in blocks)
    path.write_bytes(
        b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + table
        + b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + bytes([min_code]) + data
        + b"\0;"
    )
    return path


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_in_pure_red_decodes_to_its_bt601_grey(tmp_path):
    img, note = load_grey_image(_save(_qimage(40, 30), tmp_path / "red.png"))
    assert img.shape == (30, 40) and img.dtype == np.float32
    assert np.allclose(img, 0.299, atol=1e-3)
    assert note is None


def test_jpeg_decodes_to_about_the_right_grey(tmp_path):
    img, _ = load_grey_image(_save(_qimage(32, 16, QColor(0, 255, 0)), tmp_path / "green.jpg"))
    assert img.shape == (16, 32)
    assert abs(float(img.mean()) - 0.587) < 0.02  # JPEG is lossy


def test_bmp_keeps_the_position_of_pixels(tmp_path):
    qimg = _qimage(8, 6, QColor(0, 0, 0))
    qimg.setPixelColor(5, 2, QColor(255, 255, 255))
    img, _ = load_grey_image(_save(qimg, tmp_path / "dot.bmp"))
    assert img[2, 5] == pytest.approx(1.0) and img.sum() == pytest.approx(1.0)


def test_gif_decodes_through_its_palette(tmp_path):
    pixels = [1 if (r + c) % 2 else 0 for r in range(4) for c in range(6)]
    path = _gif(tmp_path / "check.gif", 6, 4, pixels, [(0, 0, 0), (255, 255, 255)])
    img, _ = load_grey_image(path)
    expected = np.array(pixels, dtype=np.float32).reshape(4, 6)
    assert np.allclose(img, expected)


def test_big_images_are_shrunk_with_a_note_for_the_status_bar(tmp_path):
    img, note = load_grey_image(_save(_qimage(1024, 768), tmp_path / "big.png"), max_side=512)
    assert img.shape == (384, 512)
    assert note == "scaled from 1024x768 to 512x384"
    assert np.allclose(img, 0.299, atol=2e-3)


def test_transparent_png_is_composited_over_white(tmp_path):
    qimg = QImage(4, 4, QImage.Format.Format_ARGB32)
    qimg.fill(Qt.GlobalColor.transparent)
    img, _ = load_grey_image(_save(qimg, tmp_path / "clear.png"))
    assert np.allclose(img, 1.0)


def test_missing_file_is_reported_by_name(tmp_path):
    with pytest.raises(ValueError, match="nothere.png: no such file"):
        load_grey_image(tmp_path / "nothere.png")


def test_empty_file_is_reported_as_empty(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_grey_image(tmp_path / "empty.png")


def test_folder_is_not_an_image(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        load_grey_image(tmp_path)


def test_text_file_renamed_png_is_refused(tmp_path):
    (tmp_path / "notes.png").write_text("shopping list: eggs, milk\n")
    with pytest.raises(ValueError, match="notes.png is not an image in a format the app opens"):
        load_grey_image(tmp_path / "notes.png")


def test_truncated_png_is_reported_as_damaged(tmp_path):
    good = _save(_qimage(64, 64), tmp_path / "good.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="cut.png is damaged"):
        load_grey_image(tmp_path / "cut.png")


def test_png_header_claiming_huge_size_is_refused_before_decoding(tmp_path):
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b"")
    (tmp_path / "bomb.png").write_bytes(data)
    with pytest.raises(ValueError, match="100000 x 100000 pixels, too large"):
        load_grey_image(tmp_path / "bomb.png")


def test_bmp_header_claiming_huge_size_is_refused(tmp_path):
    header = b"BM" + struct.pack("<IHHI", 54, 0, 0, 54)
    header += struct.pack("<IiiHHIIiiII", 40, 30_000, 30_000, 1, 24, 0, 0, 0, 0, 0, 0)
    (tmp_path / "bomb.bmp").write_bytes(header)
    with pytest.raises(ValueError, match="30000 x 30000 pixels, too large"):
        read_grey_image(tmp_path / "bomb.bmp")


def test_file_filter_offers_the_four_formats():
    for pattern in ("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.gif"):
        assert pattern in IMAGE_FILE_FILTER


def _class_folder(root, name, colours, size=(20, 10)):
    folder = root / name
    folder.mkdir(parents=True)
    for i, colour in enumerate(colours):
        _save(_qimage(*size, QColor(*colour)), folder / f"{i}.png")
    return folder


def test_image_folder_gives_one_label_per_sub_folder_resized_to_the_chosen_size(tmp_path):
    _class_folder(tmp_path, "dark", [(0, 0, 0)] * 2)
    _class_folder(tmp_path, "light", [(255, 255, 255)] * 3)
    images, labels, names = load_image_folder(tmp_path, size=(8, 12))
    assert names == ["dark", "light"]
    assert images.shape == (5, 8, 12) and images.dtype == np.float32
    assert list(labels) == [0, 0, 1, 1, 1]
    assert np.allclose(images[labels == 0], 0.0) and np.allclose(images[labels == 1], 1.0)


def test_image_folder_skips_unreadable_files_and_counts_them(tmp_path):
    _class_folder(tmp_path, "a", [(0, 0, 0)])
    _class_folder(tmp_path, "b", [(255, 255, 255)])
    (tmp_path / "a" / "broken.png").write_text("not a picture")
    (tmp_path / "a" / ".DS_Store").write_text("hidden files are ignored")
    folder = load_image_folder(tmp_path)
    assert len(folder.labels) == 2
    assert [p.name for p, _ in folder.skipped] == ["broken.png"]
    assert "skipped 1 unreadable file" in folder.note()


def test_image_folder_without_class_folders_is_refused(tmp_path):
    _save(_qimage(4, 4), tmp_path / "loose.png")
    with pytest.raises(ValueError, match="no sub-folders"):
        load_image_folder(tmp_path)


def test_image_folder_with_a_single_usable_class_is_refused(tmp_path):
    _class_folder(tmp_path, "only", [(0, 0, 0)])
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.png").write_text("nope")
    with pytest.raises(ValueError, match="at least two"):
        load_image_folder(tmp_path)


def test_image_folder_path_must_be_a_folder(tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        load_image_folder(tmp_path / "missing")


def test_grey_png_with_odd_width_keeps_every_value(tmp_path):
    # rows of an 8-bit image are padded to 4 bytes: a 7-wide image must not shear
    qimg = QImage(7, 5, QImage.Format.Format_Grayscale8)
    qimg.fill(QColor(10, 10, 10))
    qimg.setPixelColor(6, 4, QColor(250, 250, 250))
    img, _ = load_grey_image(_save(qimg, tmp_path / "odd.png"))
    assert img.shape == (5, 7)
    assert img[4, 6] == pytest.approx(250 / 255) and np.allclose(img[:4], 10 / 255)


def test_sixteen_bit_grey_png_uses_its_full_range(tmp_path):
    qimg = QImage(4, 3, QImage.Format.Format_Grayscale16)
    qimg.fill(QColor(255, 255, 255))
    img, _ = load_grey_image(_save(qimg, tmp_path / "g16.png"))
    assert np.allclose(img, 1.0)
