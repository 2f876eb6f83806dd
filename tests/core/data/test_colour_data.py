"""Colour data: the coloured-shapes set, colour arrays, PNG files and folders read without Qt."""

import os
import struct
import zlib

import numpy as np
import pytest

from cnnviz import data
from cnnviz.data.folders import read_png_folder
from cnnviz.data.png import read_png
from cnnviz.data.synthetic import COLOUR_SHAPE_CLASSES, make_colour_shapes


def test_coloured_shapes_are_three_channel_images_of_six_balanced_classes():
    ds = make_colour_shapes(n=120, size=20)
    assert ds.input_shape == (3, 20, 20) and ds.n_classes == 6
    assert ds.class_names == list(COLOUR_SHAPE_CLASSES)
    assert set(ds.class_counts("train")) == {16} and set(ds.class_counts("test")) == {4}
    assert 0.0 <= ds.x_train.min() and ds.x_train.max() <= 1.0


def test_in_coloured_shapes_only_colour_tells_red_from_green():
    # Same shape, different colour: their grey (luma) versions are equally bright.
    ds = make_colour_shapes(n=600, size=20, noise=0.0)
    luma = np.tensordot([0.299, 0.587, 0.114], ds.x_train, axes=([0], [1]))
    brightness = {}
    for k, name in enumerate(ds.class_names):
        shapes = luma[ds.y_train == k]
        brightness[name] = shapes[shapes > 0].mean()
    assert all(0.2 <= b <= 0.3 for b in brightness.values())
    assert brightness["red square"] == pytest.approx(brightness["green square"], abs=0.01)
    red = ds.x_train[ds.y_train == 0]
    assert (red[:, 0].sum(axis=(1, 2)) > red[:, 1].sum(axis=(1, 2))).all()


def test_load_dataset_knows_colour_shapes_by_name():
    assert "colour-shapes" in data.BUILTIN
    assert data.load_dataset("colour-shapes").input_shape == (3, 20, 20)


def test_from_arrays_keeps_three_colour_channels_and_refuses_two():
    x = np.random.default_rng(0).random((10, 3, 4, 4))
    assert data.from_arrays(x, np.arange(10) % 2).input_shape == (3, 4, 4)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\) for colour"):
        data.from_arrays(np.zeros((10, 2, 4, 4)), np.arange(10) % 2)


# -- PNG files written by hand (the write_png fixture), every filter and colour type ----------
RNG = np.random.default_rng(4)


@pytest.mark.parametrize("colour, channels", [(0, 1), (2, 3), (4, 2), (6, 4)])
def test_eight_bit_pngs_of_every_colour_type_decode_to_their_samples(tmp_path, write_png, colour,
                                                                   channels):
    samples = RNG.integers(0, 256, (7, 9, channels))
    png = read_png(write_png(tmp_path / "x.png", samples, colour))
    expected = samples / 255
    if colour == 4:  # grey + alpha reads as RGBA
        expected = np.concatenate([np.repeat(expected[..., :1], 3, 2), expected[..., 1:]], 2)
    np.testing.assert_allclose(png.pixels, expected, atol=1e-6)
    assert png.notes == []


def test_a_sixteen_bit_png_keeps_its_precision_and_says_so(tmp_path, write_png):
    samples = RNG.integers(0, 65536, (5, 6, 3))
    png = read_png(write_png(tmp_path / "deep.png", samples, 2, depth=16))
    np.testing.assert_allclose(png.pixels, samples / 65535, atol=1e-6)
    assert png.notes == ["16-bit samples scaled to [0, 1]"]


@pytest.mark.parametrize("depth", [1, 2, 4, 8])
def test_palette_pngs_expand_their_colours_and_transparency(tmp_path, write_png, depth):
    palette = RNG.integers(0, 256, (2 ** depth, 3))
    index = RNG.integers(0, 2 ** depth, (6, 11, 1))
    png = read_png(write_png(tmp_path / "pal.png", index, 3, depth, palette, trns=[0, 128]))
    alpha = np.ones(2 ** depth)
    alpha[:2] = [0, 128 / 255]
    np.testing.assert_allclose(png.pixels[..., :3], palette[index[..., 0]] / 255, atol=1e-6)
    np.testing.assert_allclose(png.pixels[..., 3], alpha[index[..., 0]], atol=1e-6)
    assert png.notes == [f"palette of {2 ** depth} colours expanded to RGB"]


def test_broken_pngs_are_sentences(tmp_path, write_png):
    good = write_png(tmp_path / "good.png", RNG.integers(0, 256, (4, 4, 3)), 2)
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:40])
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(ValueError, match="truncated|no image data|fewer pixels"):
        read_png(tmp_path / "cut.png")
    with pytest.raises(ValueError, match="not a PNG file"):
        read_png(tmp_path / "text.png")
    with pytest.raises(ValueError, match="no such file"):
        read_png(tmp_path / "missing.png")


def test_a_named_pipe_called_png_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file|named pipe"):
        read_png(fifo)


def test_a_png_header_over_the_command_lines_pixel_limit_is_refused_before_decoding(
        tmp_path, write_png):
    good = write_png(tmp_path / "good.png", RNG.integers(0, 256, (4, 4, 3)), 2).read_bytes()
    # Rewrite the IHDR to claim 5000 x 5000 pixels (25 megapixels), fixing its CRC.
    ihdr = struct.pack(">IIBBBBB", 5000, 5000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    forged = good[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) \
        + good[8 + 25:]
    (tmp_path / "huge.png").write_bytes(forged)
    with pytest.raises(ValueError, match="megapixel limit"):
        read_png(tmp_path / "huge.png")


def _class_folders(tmp_path, write_png):
    for name, colour in (("red", (200, 0, 0)), ("green", (0, 200, 0))):
        (tmp_path / name).mkdir()
        for i in range(3):
            rgba = np.zeros((10, 10, 4), int)
            rgba[..., :3], rgba[..., 3] = colour, 255
            rgba[0, 0, 3] = 0  # one transparent pixel
            write_png(tmp_path / name / f"{i}.png", rgba, 6)
    (tmp_path / "red" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return tmp_path


def test_a_png_folder_reads_in_colour_and_says_what_it_converted_and_skipped(tmp_path, write_png):
    folder = read_png_folder(_class_folders(tmp_path, write_png), (5, 5), colour=True)
    assert folder.images.shape == (6, 3, 5, 5) and folder.class_names == ["green", "red"]
    red = folder.images[folder.labels == 1][0]  # 10x10 averaged down to 5x5: 2x2 per pixel
    np.testing.assert_allclose(red[:, 1, 1], [200 / 255, 0, 0], atol=1e-6)
    # the top-left pixel holds three red pixels and one transparent one, shown white
    np.testing.assert_allclose(red[:, 0, 0], [(3 * 200 / 255 + 1) / 4, 0.25, 0.25], atol=1e-6)
    assert len(folder.skipped) == 1 and "PNG files only" in folder.skipped[0][1]
    note = folder.note()
    assert "colour (3 channels)" in note and "6 transparent pixels composited over white" in note
    assert "skipped 1 file(s)" in note


def test_a_png_folder_reads_grey_unless_asked_for_colour(tmp_path, write_png):
    ds = data.load_dataset(_class_folders(tmp_path, write_png), image_size=8)
    assert ds.input_shape == (1, 8, 8)
    assert data.load_dataset(tmp_path, colour=True, image_size=8).input_shape == (3, 8, 8)
