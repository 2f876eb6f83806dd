"""Issue 9, item 3 and the image half of item 5: only the raster formats the app names are
decoded, chosen from the bytes; the header's size is checked first; special files are refused.

A 2 KB SVG of nested ``<use>`` elements used to hang ``QImageReader.read()`` for ever, even when
renamed ``.png``; a FIFO named ``photo.png`` could block the reader.
"""

import os

import pytest
from conftest import run_cases

SETUP = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from makers import nested_use_svg, png_header_only, scratch, write
from ui.widgets.image_io import load_grey_image, load_image_folder
def shape(path):
    return list(load_grey_image(path)[0].shape)
"""

CASES = {
    **{f"SVG named .{suffix}": f"""
        return shape(write("bomb.{suffix}", nested_use_svg()))
    """ for suffix in ("svg", "png", "jpg", "gif")},
    "PNG header asking for 2.8 GB": """
        return shape(write("huge.png", png_header_only(26_500, 26_500)))
    """,
    "16-bit PNG over the decoded-bytes budget": """
        from cnnviz import limits
        budget, limits.MAX_DECODED_BYTES = limits.MAX_DECODED_BYTES, 64 << 20
        try:
            return shape(write("deep.png", png_header_only(4000, 4000, bit_depth=16)))
        finally:
            limits.MAX_DECODED_BYTES = budget
    """,
    "FIFO named photo.png": """
        path = os.path.join(scratch(), "photo.png")
        os.mkfifo(path)
        return shape(path)
    """,
    "/dev/zero named photo.png": """
        os.symlink("/dev/zero", os.path.join(scratch(), "zero.png"))
        return shape(os.path.join(scratch(), "zero.png"))
    """,
    # 3 GB on disk (sparse: no real disk space) after a valid 1x1 PNG: refused from its size,
    # never read into memory.
    "3 GB file that starts as a PNG": """
        path = write("sparse.png", png_header_only(1, 1))
        with open(path, "r+b") as f:
            f.truncate(3 << 30)
        return shape(path)
    """,
    "folder of SVG bombs and a FIFO": """
        from PySide6.QtGui import QImage
        for name in ("a", "b"):
            write(f"f/{name}/bomb.png", nested_use_svg())
            image = QImage(8, 8, QImage.Format.Format_Grayscale8)
            image.fill(120)
            image.save(os.path.join(scratch(), "f", name, "good.png"))
        os.mkfifo(os.path.join(scratch(), "f", "a", "pipe.png"))
        folder = load_image_folder(os.path.join(scratch(), "f"), size=(8, 8))
        return [len(folder.labels), len(folder.skipped), [r for _f, r in folder.skipped]]
    """,
}


@pytest.fixture(scope="module")
def outcomes():
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs named pipes (POSIX)")
    return run_cases(SETUP, CASES, timeout=30)


@pytest.mark.parametrize("suffix", ["svg", "png", "jpg", "gif"])
def test_an_svg_is_refused_from_its_bytes_whatever_its_name(outcomes, suffix):
    got = outcomes[f"SVG named .{suffix}"]
    assert got.refused() and "SVG drawing" in got.message and got.seconds < 1


def test_a_png_whose_header_needs_gigabytes_is_refused_before_decoding(outcomes):
    got = outcomes["PNG header asking for 2.8 GB"]
    assert got.refused() and "26500 x 26500 pixels" in got.message and got.seconds < 1


def test_decoded_bytes_count_sixteen_bit_pixels_against_the_budget(outcomes):
    got = outcomes["16-bit PNG over the decoded-bytes budget"]
    assert got.refused() and "MAX_DECODED_BYTES" in got.message


@pytest.mark.parametrize("case", ["FIFO named photo.png", "/dev/zero named photo.png"])
def test_a_special_file_is_refused_as_an_image(outcomes, case):
    got = outcomes[case]
    assert got.refused() and ("named pipe" in got.message or "device" in got.message)
    assert got.seconds < 1


def test_a_folder_skips_svg_bombs_and_pipes_and_keeps_its_real_images(outcomes):
    got = outcomes["folder of SVG bombs and a FIFO"]
    assert got.raised is None, got.message
    images, skipped, reasons = got.value
    assert (images, skipped) == (2, 3) and got.seconds < 2
    assert sum("SVG" in r for r in reasons) == 2 and sum("named pipe" in r for r in reasons) == 1


def test_an_image_file_larger_than_the_limit_is_refused_from_its_size(outcomes):
    got = outcomes["3 GB file that starts as a PNG"]
    assert got.refused() and "3 GiB" in got.message and "512 MiB" in got.message
    assert got.seconds < 1
