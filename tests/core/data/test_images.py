"""Grey conversion (BT.601), area-averaging resize and the shrink-to-fit rule for photos."""

import numpy as np
import pytest

from cnnviz.data.images import as_grey_image, downscale_to, resize_area, scaled_shape, to_grey


def test_pure_primaries_get_bt601_luma_weights():
    rgb = np.zeros((1, 3, 3), dtype=np.uint8)
    rgb[0, 0, 0] = rgb[0, 1, 1] = rgb[0, 2, 2] = 255
    assert np.allclose(to_grey(rgb)[0], [0.299, 0.587, 0.114], atol=1e-6)


def test_uint8_and_float_rgb_give_the_same_grey():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    assert np.allclose(to_grey(rgb), to_grey(rgb / 255.0), atol=1e-6)


def test_uint16_uses_its_full_range():
    assert to_grey(np.full((2, 2), 65535, dtype=np.uint16))[0, 0] == pytest.approx(1.0)


def test_transparent_pixels_are_composited_over_the_background():
    rgba = np.zeros((1, 2, 4), dtype=np.uint8)
    rgba[0, 1, 3] = 255  # opaque black next to fully transparent black
    grey = to_grey(rgba)
    assert grey[0, 0] == pytest.approx(1.0) and grey[0, 1] == pytest.approx(0.0)
    assert to_grey(rgba, background=0.0)[0, 0] == pytest.approx(0.0)


def test_grey_input_passes_through_as_float32():
    a = np.linspace(0, 1, 12).reshape(3, 4)
    out = to_grey(a)
    assert out.dtype == np.float32 and np.allclose(out, a)


def test_float_values_outside_unit_range_are_clipped():
    assert np.array_equal(as_grey_image(np.array([[-1.0, 2.0]])), [[0.0, 1.0]])


@pytest.mark.parametrize(
    "bad, words",
    [
        (np.zeros((4,)), "shape"),
        (np.zeros((4, 4, 2)), "shape"),
        (np.zeros((0, 4)), "empty"),
        (np.array([[np.nan, 0.0]]), "NaN"),
        (np.array([[-1, 2]], dtype=np.int16), "signed"),
        (np.array([["a"]]), "not numbers"),
    ],
)
def test_unusable_arrays_are_refused_with_a_sentence(bad, words):
    with pytest.raises(ValueError, match=words):
        to_grey(bad)


def test_resize_area_averages_whole_blocks_exactly():
    a = np.arange(16, dtype=float).reshape(4, 4)
    out = resize_area(a, (2, 2))
    assert np.allclose(out, [[2.5, 4.5], [10.5, 12.5]])


def test_resize_area_preserves_the_mean_for_fractional_factors():
    rng = np.random.default_rng(1)
    a = rng.random((30, 47))
    out = resize_area(a, (11, 13))
    assert out.shape == (11, 13)
    assert out.mean() == pytest.approx(a.mean(), rel=1e-5)


def test_resize_area_can_enlarge_by_repeating_pixels():
    out = resize_area(np.array([[0.0, 1.0]]), (2, 4))
    assert np.allclose(out, [[0, 0, 1, 1], [0, 0, 1, 1]])


def test_resize_area_does_not_alias_a_fine_stripe_pattern():
    stripes = np.tile([0.0, 1.0], (64, 32))  # 1 px stripes, 64 wide
    out = resize_area(stripes, (21, 21))  # a non-integer factor, where point sampling aliases
    cell = 64 / 21
    # point sampling would give pure 0s and 1s; an area average is off by at most half a pixel's
    # share of the cell
    assert np.abs(out - 0.5).max() <= 0.5 / cell + 1e-6


def test_scaled_shape_keeps_aspect_and_fits_the_long_side():
    assert scaled_shape(768, 1024, 512) == (384, 512)
    assert scaled_shape(3000, 100, 512) == (512, 17)
    assert scaled_shape(300, 400, 512) == (300, 400)


def test_downscale_to_shrinks_only_big_images_and_says_so():
    big = np.ones((768, 1024), dtype=np.float32)
    out, scaled = downscale_to(big, 512)
    assert scaled and out.shape == (384, 512) and np.allclose(out, 1.0)
    small = np.ones((20, 30))
    out, scaled = downscale_to(small, 512)
    assert not scaled and out.shape == (20, 30) and out.dtype == np.float32
