"""Colour decoding: three planes in [0, 1], and a note for what a file needed (files made here)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from ui.widgets.colour_image import header_notes, load_colour_image
from ui.widgets.image_io import load_grey_image, load_image_folder


def save(image: QImage, path):
    assert image.save(str(path)), path
    return path


def test_a_colour_png_gives_three_planes_in_0_1(tmp_path):
    image = QImage(5, 4, QImage.Format.Format_RGB32)
    image.fill(QColor(255, 128, 0))
    planes, note = load_colour_image(save(image, tmp_path / "orange.png"))
    assert planes.shape == (3, 4, 5) and planes.dtype == np.float32
    np.testing.assert_allclose(planes[:, 0, 0], [1.0, 128 / 255, 0.0], atol=1e-6)
    assert note is None


def test_a_png_with_alpha_is_composited_over_white_and_says_so(tmp_path, awkward_image):
    planes, note = load_colour_image(awkward_image("alpha", tmp_path))
    a = 100 / 255
    expected = np.array([200, 30, 40]) / 255 * a + (1 - a)
    np.testing.assert_allclose(planes[:, 0, 0], expected, atol=2 / 255)
    assert "transparent pixels shown over white" in note


def test_a_sixteen_bit_png_keeps_its_precision_and_says_so(tmp_path, awkward_image):
    planes, note = load_colour_image(awkward_image("deep", tmp_path))
    np.testing.assert_allclose(planes[:, 0, 0], [40000 / 65535, 1000 / 65535, 1.0], atol=1e-6)
    assert "16-bit" in note


def test_a_palette_gif_is_expanded_to_its_rgb_colours_and_says_so(tmp_path, awkward_image):
    planes, note = load_colour_image(awkward_image("gif", tmp_path))
    assert planes.shape == (3, 15, 20)
    np.testing.assert_allclose(planes[:, 0, 3] * 255, [3, 252, 21], atol=0.5)  # colour 3
    assert "palette colours expanded to RGB" in note


def test_a_cmyk_jpeg_is_converted_to_rgb_and_says_so(tmp_path, awkward_image):
    planes, note = load_colour_image(awkward_image("cmyk", tmp_path))
    np.testing.assert_allclose(planes[:, 2, 2] * 255, [200, 30, 40], atol=12)  # JPEG is lossy
    assert "converted from CMYK" in note


def test_a_big_colour_image_is_shrunk_and_says_from_what(tmp_path):
    image = QImage(1024, 768, QImage.Format.Format_RGB32)
    image.fill(QColor(10, 200, 10))
    planes, note = load_colour_image(save(image, tmp_path / "big.png"), max_side=512)
    assert planes.shape == (3, 384, 512) and "scaled from 1024x768 to 512x384" in note


@pytest.mark.parametrize("kind, phrase", [
    ("alpha", "transparent"), ("deep", "16-bit"), ("cmyk", "CMYK"), ("gif", "palette"),
])
def test_the_grey_path_reads_the_same_notes_from_the_header(tmp_path, awkward_image, kind,
                                                            phrase):
    assert any(phrase in note for note in header_notes(awkward_image(kind, tmp_path)))


def test_a_broken_file_keeps_the_grey_paths_sentence(tmp_path):
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(ValueError) as grey:
        load_grey_image(tmp_path / "notes.png")
    with pytest.raises(ValueError) as colour:
        load_colour_image(tmp_path / "notes.png")
    assert str(colour.value) == str(grey.value) and "notes.png" in str(colour.value)


def test_an_image_folder_read_in_colour_keeps_three_channels(tmp_path):
    for name, colour in (("reds", QColor(220, 0, 0)), ("blues", QColor(0, 0, 220))):
        (tmp_path / name).mkdir()
        for i in range(2):
            image = QImage(12, 12, QImage.Format.Format_RGB32)
            image.fill(colour)
            save(image, tmp_path / name / f"{i}.png")
    folder = load_image_folder(tmp_path, size=(6, 6), colour=True)
    assert folder.images.shape == (4, 3, 6, 6) and folder.class_names == ["blues", "reds"]
    np.testing.assert_allclose(folder.images[folder.labels == 1][:, :, 0, 0],
                               [[220 / 255, 0, 0]] * 2, atol=1e-6)
    assert load_image_folder(tmp_path, size=(6, 6)).images.shape == (4, 6, 6)
