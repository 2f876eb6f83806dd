"""The playground's pure arithmetic: what it displays must be the engine's convolution."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.lab.conv import (
    ConvSettings,
    compute,
    output_size_formula,
    pool_size_formula,
)
from cnnviz.lab.pixel import (
    partial_maps,
    pixel_explanation,
    pool_argmax,
    pool_window,
    pooled_receptive_field,
    receptive_window,
    source_index,
)
from cnnviz.lab.speed import time_vectorised_vs_loops
from cnnviz.nn import functional as F
from cnnviz.nn import reference

RNG = np.random.default_rng(0)
IMAGE = RNG.random((13, 17)).astype(np.float32)
KERNEL = RNG.uniform(-1, 1, (3, 3))

SETTINGS = [
    ConvSettings(),
    ConvSettings(stride=2, padding=1),
    ConvSettings(padding=2, padding_mode="reflect", dilation=2),
    ConvSettings(padding=3, padding_mode="replicate", stride=3),
    ConvSettings(bias=-0.3, relu=True, pool="max"),
    ConvSettings(padding=1, pool="average", pool_size=3, pool_stride=1),
]


def engine(image, kernel, s: ConvSettings):
    return reference.conv2d(
        image[None, None].astype(float),
        kernel[None, None],
        np.array([s.bias]),
        stride=s.stride,
        padding=s.padding,
        dilation=s.dilation,
        padding_mode=s.padding_mode,
    )[0, 0]


@pytest.mark.parametrize("settings", SETTINGS)
def test_output_is_the_reference_convolution_plus_bias(settings):
    result = compute(IMAGE, KERNEL, settings)
    expected = engine(IMAGE, KERNEL, settings)
    assert result.error is None
    np.testing.assert_allclose(result.pre_relu, expected, rtol=1e-5, atol=1e-5)


def test_relu_removes_exactly_the_negative_responses():
    result = compute(IMAGE, KERNEL, ConvSettings(relu=True))
    assert result.pre_relu.min() < 0
    np.testing.assert_array_equal(result.output, np.maximum(result.pre_relu, 0))


@pytest.mark.parametrize("pool, fn", [("max", F.max_pool2d), ("average", F.avg_pool2d)])
def test_pooled_map_is_the_engine_pooling_of_the_output(pool, fn):
    result = compute(IMAGE, KERNEL, ConvSettings(pool=pool, pool_size=2, pool_stride=2))
    np.testing.assert_array_equal(result.pooled, fn(result.output[None, None], 2, 2)[0, 0])


def test_two_by_two_pooling_with_stride_two_halves_each_side():
    image = RNG.random((32, 32))
    result = compute(image, np.ones((3, 3)), ConvSettings(padding=1, pool="max"))
    assert result.pooled.shape == (16, 16)


def test_no_pooling_gives_no_pooled_map():
    assert compute(IMAGE, KERNEL, ConvSettings(pool="none")).pooled is None


def test_a_dilated_kernel_wider_than_the_padded_image_is_explained_not_raised():
    result = compute(IMAGE, np.ones((9, 9)), ConvSettings(dilation=5))
    assert result.output is None and result.pooled is None
    assert "spans 41 pixels" in result.error


def test_an_impossible_kernel_gets_the_engines_own_explanation():
    with pytest.raises(ValueError) as engine:
        F.conv2d(IMAGE[None, None], np.ones((1, 1, 9, 9)), dilation=5)
    result = compute(IMAGE, np.ones((9, 9)), ConvSettings(dilation=5))
    # the same sentence, written as the playground writes sentences (capital, full stop)
    assert result.error == str(engine.value)[0].upper() + str(engine.value)[1:] + "."


def test_the_playgrounds_padding_modes_are_the_engines_minus_circular():
    from cnnviz.lab.conv import PADDING_MODES

    assert PADDING_MODES == ("zeros", "reflect", "replicate")
    assert set(PADDING_MODES) < set(F.PADDING_MODES)


def test_a_pool_window_larger_than_the_feature_map_keeps_the_map_and_explains():
    result = compute(IMAGE[:4, :4], np.ones((3, 3)), ConvSettings(pool="max", pool_size=3))
    assert result.output is not None and result.pooled is None
    assert "larger than the 2x2 feature map" in result.error


def test_reflect_padding_wider_than_the_image_is_explained():
    result = compute(
        IMAGE[:3, :3], np.ones((1, 1)), ConvSettings(padding=3, padding_mode="reflect")
    )
    assert result.output is None and "Reflect padding" in result.error


def test_a_non_finite_kernel_is_explained():
    kernel = KERNEL.copy()
    kernel[0, 0] = np.nan
    assert "finite" in compute(IMAGE, kernel, ConvSettings()).error


@pytest.mark.parametrize("settings", SETTINGS)
def test_formula_shows_the_numbers_and_the_size_actually_computed(settings):
    result = compute(IMAGE, KERNEL, settings)
    text = output_size_formula(IMAGE.shape[0], 3, settings)
    assert text.endswith(f"= {result.output.shape[0]}")
    assert (
        f"floor((13 + 2*{settings.padding} - {settings.dilation}*(3-1) - 1) / {settings.stride})"
        in text
    )


def test_formula_example_from_the_brief():
    s = ConvSettings(stride=2, padding=1)
    assert output_size_formula(512, 3, s) == "out = floor((512 + 2*1 - 1*(3-1) - 1) / 2) + 1 = 256"


def test_formula_says_when_nothing_fits():
    assert output_size_formula(5, 7, ConvSettings()).endswith("nothing fits")
    assert pool_size_formula(1, ConvSettings(pool_size=2)).endswith("nothing fits")


def test_dilated_taps_are_spread_by_the_dilation():
    taps = receptive_window(0, 0, 3, ConvSettings(dilation=2))
    assert taps == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]


def test_taps_move_by_the_stride_and_start_in_the_padding():
    taps = receptive_window(1, 2, 3, ConvSettings(stride=2, padding=1))
    assert taps[0] == (1, 3) and taps[-1] == (3, 5)
    assert receptive_window(0, 0, 3, ConvSettings(padding=1))[0] == (-1, -1)


@pytest.mark.parametrize("mode, np_mode", [("reflect", "reflect"), ("replicate", "edge")])
def test_padding_cells_read_the_same_pixels_as_numpy_padding(mode, np_mode):
    n = 5
    padded = np.pad(np.arange(n), 4, mode=np_mode)
    assert [source_index(i, n, mode) for i in range(-4, n + 4)] == list(padded)
    assert source_index(-1, n, "zeros") is None


@pytest.mark.parametrize("settings", SETTINGS)
def test_patch_times_kernel_plus_bias_equals_every_output_pixel(settings):
    result = compute(IMAGE, KERNEL, settings)
    ho, wo = result.output.shape
    for row, col in [(0, 0), (ho - 1, wo - 1), (ho // 2, wo // 3)]:
        ex = pixel_explanation(result, row, col)
        np.testing.assert_allclose(ex.products, ex.patch * ex.kernel)
        assert ex.total == pytest.approx(float(result.pre_relu[row, col]), abs=1e-5)
        assert ex.value == float(result.output[row, col])


def test_explanation_marks_taps_in_the_padding():
    result = compute(IMAGE, KERNEL, ConvSettings(padding=1))
    ex = pixel_explanation(result, 0, 0)
    assert ex.in_padding[0].all() and ex.in_padding[:, 0].all() and not ex.in_padding[1:, 1:].any()
    assert (ex.patch[ex.in_padding] == 0).all()


def test_explaining_a_pixel_outside_the_output_is_a_value_error():
    result = compute(IMAGE, KERNEL, ConvSettings())
    with pytest.raises(ValueError, match="outside"):
        pixel_explanation(result, 99, 0)


def test_pool_window_and_argmax_point_at_the_pooled_maximum():
    result = compute(IMAGE, KERNEL, ConvSettings(pool="max", pool_size=3, pool_stride=2))
    top, left, bottom, right = pool_window(1, 2, result.settings)
    assert (top, left, bottom, right) == (2, 4, 5, 7)
    r, c = pool_argmax(result, 1, 2)
    assert result.output[r, c] == result.pooled[1, 2]
    assert top <= r < bottom and left <= c < right


def test_speed_comparison_measures_small_convolutions_fully():
    c = time_vectorised_vs_loops(IMAGE, KERNEL, ConvSettings(), budget_seconds=60)
    assert not c.estimated and c.loops_seconds > 0 and c.ratio > 0


def test_speed_comparison_estimates_from_a_crop_when_the_loops_would_be_too_slow():
    image = RNG.random((200, 200))
    c = time_vectorised_vs_loops(image, KERNEL, ConvSettings(), budget_seconds=0.0)
    assert c.estimated and c.crop_shape == (26, 26)  # 24x24 outputs of a 3x3 kernel


def test_partial_maps_fill_in_scan_order_and_pool_only_complete_windows():
    result = compute(IMAGE, KERNEL, ConvSettings(pool="max", pool_size=2, pool_stride=2))
    wo = result.output.shape[1]
    output, pooled = partial_maps(result, wo + 2)  # first row and two pixels of the second
    assert np.isfinite(output.ravel()[: wo + 2]).all() and np.isnan(output.ravel()[wo + 2 :]).all()
    assert pooled[0, 0] == result.pooled[0, 0]  # window rows 0-1, cols 0-1: complete
    assert np.isnan(pooled[0, 1]) and np.isnan(pooled[1:]).all()


def test_a_pooled_pixel_sees_the_union_of_its_windows_receptive_fields():
    s = ConvSettings(stride=2, padding=1, dilation=2, pool="max", pool_size=2, pool_stride=2)
    top, left, bottom, right = pooled_receptive_field(1, 0, 3, s)
    first = receptive_window(2, 0, 3, s)[0]  # feature-map pixel (2, 0): top-left of the window
    last = receptive_window(3, 1, 3, s)[-1]  # feature-map pixel (3, 1): bottom-right
    assert (top, left) == first and (bottom - 1, right - 1) == last


@pytest.mark.parametrize("weight", [1e308, -1e38])
def test_weights_that_would_overflow_float32_are_explained_not_computed(weight):
    import warnings

    kernel = np.zeros((3, 3))
    kernel[1, 1] = weight
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning may escape
        result = compute(np.full((8, 8), 0.5), kernel, ConvSettings())
    assert result.output is None
    assert "between" in result.error and "Zero" in result.error


def test_reflect_padding_message_names_the_side_that_is_too_short():
    image = np.zeros((3, 10), dtype=np.float32)
    result = compute(image, np.ones((1, 1)), ConvSettings(padding=3, padding_mode="reflect"))
    assert "more than 3 pixels tall, but it is 3" in result.error
