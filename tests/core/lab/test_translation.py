"""Shifting the input: the feature map moves with it (equivariance); pooling absorbs part of it."""

import numpy as np
import pytest

from cnnviz.lab.conv import ConvSettings, compute
from cnnviz.lab.kernels import preset
from cnnviz.lab.patterns import pattern
from cnnviz.lab.translation import equivariance_report, interior_mask, shift_image


@pytest.fixture
def photo_like():
    rng = np.random.default_rng(3)
    return rng.random((40, 48)).astype(np.float32)


def test_shift_moves_content_down_and_right_filling_with_zero():
    img = np.arange(1, 13, dtype=float).reshape(3, 4)
    out = shift_image(img, 1, 2)
    assert np.array_equal(out[1:, 2:], img[:2, :2])
    assert not out[0].any() and not out[:, :2].any()


def test_negative_shift_moves_up_and_left():
    img = np.arange(1, 13, dtype=float).reshape(3, 4)
    out = shift_image(img, -1, -1)
    assert np.array_equal(out[:2, :3], img[1:, 1:])
    assert not out[2].any() and not out[:, 3].any()


def test_shift_larger_than_the_image_leaves_only_fill():
    assert np.all(shift_image(np.ones((4, 4)), 0, 9, fill=0.5) == 0.5)


def test_shift_keeps_shape_and_dtype():
    img = np.ones((5, 7), dtype=np.float32)
    out = shift_image(img, 2, -3)
    assert out.shape == img.shape and out.dtype == np.float32


@pytest.mark.parametrize("dy, dx", [(0, 1), (2, 0), (-3, 2), (1, -1)])
def test_conv_of_shifted_image_equals_shifted_conv_in_the_interior(photo_like, dy, dx):
    kernel = preset("Sobel x")
    r = equivariance_report(photo_like, kernel, ConvSettings(padding=1), dy, dx)
    assert r.interior.any()
    assert r.max_abs_change_output_aligned == pytest.approx(0.0, abs=1e-5)
    # and this is a real comparison of the engine's maps, not of two copies of one array
    direct = compute(shift_image(photo_like, dy, dx), kernel, ConvSettings(padding=1)).output
    assert np.array_equal(r.shifted_output, direct)


def test_without_re_aligning_the_map_visibly_changed(photo_like):
    r = equivariance_report(photo_like, preset("Sobel x"), ConvSettings(), 0, 1)
    assert r.max_abs_change_output_unaligned > 0.5
    assert r.relative_change_output > 0.5


def test_zero_shift_changes_nothing(photo_like):
    r = equivariance_report(photo_like, preset("Laplacian"), ConvSettings(pool="max"), 0, 0)
    assert r.max_abs_change_output_unaligned == 0.0 and r.max_abs_change_pooled == 0.0


def test_interior_excludes_padding_and_the_blank_strip():
    settings = ConvSettings(padding=1)
    mask = interior_mask((10, 10), (10, 10), 3, settings, dy=0, dx=2)
    # padding touches row 0 / 9 and column 9; the shifted-in strip is columns 0-1, so column 3
    # (taps 2..4) is the first one fully on shared content
    assert not mask[0].any() and not mask[9].any()
    assert not mask[:, :3].any() and mask[1:9, 3:9].all() and not mask[:, 9].any()


def test_interior_accounts_for_dilation_and_stride():
    settings = ConvSettings(stride=2, dilation=2)
    mask = interior_mask((20, 20), (8, 8), 3, settings, dy=0, dx=0)
    assert mask.all()  # no padding, no shift: everything is comparable
    mask = interior_mask((20, 20), (8, 8), 3, settings, dy=5, dx=0)
    rows = np.flatnonzero(mask[:, 0])
    assert rows.min() * 2 >= 5  # first window starts on a real row


def test_shift_not_a_multiple_of_the_stride_cannot_be_re_aligned_exactly(photo_like):
    settings = ConvSettings(stride=2)
    odd = equivariance_report(photo_like, preset("Sobel x"), settings, 0, 1)
    even = equivariance_report(photo_like, preset("Sobel x"), settings, 0, 2)
    assert not odd.shift_is_whole and odd.max_abs_change_output_aligned > 0.1
    assert even.shift_is_whole and even.output_shift == (0, 1)
    assert even.max_abs_change_output_aligned == pytest.approx(0.0, abs=1e-5)


def test_max_pooling_absorbs_a_one_pixel_shift_of_thin_lines():
    img = pattern("Lines", 64)
    r = equivariance_report(img, preset("Sobel x"), ConvSettings(pool="max"), 0, 1)
    assert r.relative_change_pooled < 0.5 * r.relative_change_output


def test_impulse_shifted_inside_one_pool_window_leaves_the_pooled_map_unchanged():
    img = pattern("Single bright pixel (impulse)", 32)  # bright pixel at (16, 16): even column
    # a 1x1 identity keeps the map aligned with the image: the pixel sits at the left of a window
    r = equivariance_report(img, np.ones((1, 1)), ConvSettings(pool="max"), 0, 1)
    assert r.max_abs_change_output_unaligned == 1.0  # the map did change...
    assert r.max_abs_change_pooled == 0.0  # ...but the max of its 2x2 window did not


def test_impulse_shifted_across_a_pool_window_edge_changes_the_pooled_map():
    img = pattern("Single bright pixel (impulse)", 32)
    r = equivariance_report(img, np.ones((1, 1)), ConvSettings(pool="max"), 0, -1)
    assert r.max_abs_change_pooled == 1.0  # invariance is only approximate
    assert not r.pooled_shift_is_whole


def test_shift_by_a_whole_pool_window_moves_the_pooled_map_exactly(photo_like):
    r = equivariance_report(photo_like, preset("Box blur"), ConvSettings(pool="max"), 2, -4)
    assert r.pooled_shift_is_whole and r.pooled_shift == (1, -2)
    assert r.max_abs_change_pooled_aligned == pytest.approx(0.0, abs=1e-6)


def test_differences_are_zero_outside_the_interior(photo_like):
    r = equivariance_report(photo_like, preset("Sobel y"), ConvSettings(padding=2), 3, 0)
    assert not r.difference_unaligned[~r.interior].any()
    assert r.difference_unaligned[r.interior].any()


def test_impossible_settings_give_the_playgrounds_explanation_not_an_exception(photo_like):
    r = equivariance_report(photo_like, np.ones((9, 9)), ConvSettings(dilation=5), 0, 1)
    assert r.output is None and "spans" in r.error
    assert r.summary() == [r.error]


def test_shift_too_large_for_the_image_says_so():
    r = equivariance_report(np.ones((8, 8)), preset("Sobel x"), ConvSettings(), 0, 7)
    assert r.max_abs_change_output_unaligned is None
    assert "too large" in r.summary()[0]


def test_summary_names_equivariance_and_pooling(photo_like):
    r = equivariance_report(pattern("Lines", 64), preset("Sobel x"), ConvSettings(pool="max"), 0, 1)
    text = " ".join(r.summary())
    assert "equivariance" in text and "Pooling absorbed" in text


def test_a_matching_playground_result_is_reused_instead_of_recomputed(photo_like):
    settings = ConvSettings(pool="max")
    base = compute(photo_like, preset("Sobel x"), settings)
    r = equivariance_report(photo_like, preset("Sobel x"), settings, 0, 1, base=base)
    assert r.output is base.output and r.pooled is base.pooled


def test_a_result_for_other_settings_is_not_reused(photo_like):
    stale = compute(photo_like, preset("Sobel x"), ConvSettings(stride=2))
    r = equivariance_report(photo_like, preset("Sobel x"), ConvSettings(), 0, 1, base=stale)
    assert r.output is not stale.output and r.output.shape != stale.output.shape


def test_a_shift_by_whole_pooling_steps_is_reported_as_the_pooled_map_moving(photo_like):
    settings = ConvSettings(pool="max", pool_size=2, pool_stride=2)
    r = equivariance_report(photo_like, preset("Sobel x"), settings, 0, 2)
    text = " ".join(r.summary())
    assert "simply moved by (1, 0) pooled px" in text
    assert "absorbed little" not in text
    assert r.max_abs_change_pooled_aligned == pytest.approx(0.0, abs=1e-5)
