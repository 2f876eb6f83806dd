"""Colour input, a bank of filters and layer 2: the playground's layer equals the textbook loops."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.lab.bank import LayerCache, compute_bank
from cnnviz.lab.conv import ConvSettings, compute
from cnnviz.lab.pixel import pixel_explanation
from cnnviz.lab.stack import Layer2, layer2_explanation, layer2_field
from cnnviz.nn import reference

RNG = np.random.default_rng(11)
RGB = RNG.random((3, 12, 15)).astype(np.float32)
BANK = RNG.uniform(-1, 1, (4, 3, 3, 3))
BIASES = np.array([0.1, -0.2, 0.3, 0.0])

SETTINGS = [
    ConvSettings(),
    ConvSettings(stride=2, padding=1),
    ConvSettings(padding=2, padding_mode="reflect", dilation=2),
    ConvSettings(padding=1, padding_mode="replicate", relu=True, pool="max"),
    ConvSettings(padding=1, relu=True, pool="average", pool_size=3, pool_stride=1),
]


def loops(x, w, b, s: ConvSettings):
    """The textbook convolution: x (C, H, W), w (F, C, k, k), b (F,) -> (F, Ho, Wo)."""
    return reference.conv2d(x[None].astype(float), w, b, stride=s.stride, padding=s.padding,
                            dilation=s.dilation, padding_mode=s.padding_mode)[0]


def pooled(maps, s: ConvSettings):
    pool = reference.max_pool2d if s.pool == "max" else reference.avg_pool2d
    return pool(maps[None], s.pool_size, s.pool_stride)[0]


@pytest.mark.parametrize("settings", SETTINGS)
def test_an_rgb_filter_is_the_reference_convolution_over_three_channels(settings):
    kernel, bias = BANK[0], 0.25
    result = compute(RGB, kernel, ConvSettings(**{**settings.__dict__, "bias": bias}))
    assert result.error is None and result.channels == "rgb"
    assert result.image.shape == (3, 12, 15) and result.kernel.shape == (3, 3, 3)
    expected = loops(RGB, kernel[None], np.array([bias]), settings)[0]
    np.testing.assert_allclose(result.pre_relu, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("settings", SETTINGS)
def test_channel_outputs_are_each_channel_alone_and_sum_with_the_bias_to_the_output(settings):
    result = compute(RGB, BANK[1], ConvSettings(**{**settings.__dict__, "bias": -0.4}))
    assert result.channel_outputs.shape == (3,) + result.output.shape
    for c in range(3):
        alone = loops(RGB[c:c + 1], BANK[1][None, c:c + 1], None, settings)[0]
        np.testing.assert_allclose(result.channel_outputs[c], alone, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(result.channel_outputs.sum(axis=0) + result.bias, result.pre_relu,
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("settings", SETTINGS)
def test_a_bank_gives_every_filters_map_as_the_reference_layer_does(settings):
    result = compute_bank(RGB, BANK, BIASES, settings, selected=2)
    expected = loops(RGB, BANK, BIASES, settings)
    if settings.relu:
        expected = np.maximum(expected, 0)
    assert result.outputs.shape == expected.shape == (4,) + result.output.shape
    np.testing.assert_allclose(result.outputs, expected, rtol=1e-5, atol=1e-5)
    if settings.pool != "none":
        np.testing.assert_allclose(result.pooled_outputs, pooled(expected, settings), rtol=1e-5,
                                   atol=1e-5)


def test_the_selected_filter_is_what_output_kernel_and_bias_describe():
    result = compute_bank(RGB, BANK, BIASES, ConvSettings(pool="max"), selected=2)
    np.testing.assert_array_equal(result.output, result.outputs[2])
    np.testing.assert_array_equal(result.pooled, result.pooled_outputs[2])
    np.testing.assert_array_equal(result.kernel, BANK[2])
    np.testing.assert_array_equal(result.bias, BIASES)
    assert result.settings.bias == BIASES[2] and result.n_filters == 4


def test_a_grey_result_keeps_its_shapes_and_gains_one_channel_and_one_filter():
    image = RGB[0]
    result = compute(image, BANK[0, 0], ConvSettings(bias=0.5, relu=True))
    assert result.channels == "grey" and result.kernel.shape == (3, 3) and result.bias == 0.5
    assert result.kernels.shape == (1, 1, 3, 3) and result.outputs.shape == (1, 10, 13)
    np.testing.assert_array_equal(result.outputs[0], result.output)
    np.testing.assert_array_equal(result.channel_outputs[0] + np.float32(0.5), result.pre_relu)


@pytest.mark.parametrize("pool", ["none", "max", "average"])
def test_layer2_is_the_reference_convolution_of_layer_ones_pooled_maps(pool):
    s = ConvSettings(padding=1, relu=True, pool=pool)
    layer2 = Layer2(RNG.uniform(-1, 1, (4, 3, 3)), bias=-0.2, padding=1, relu=False)
    result = compute_bank(RGB, BANK, BIASES, s, layer2=layer2)
    assert result.layer2_error is None
    source = result.outputs if pool == "none" else result.pooled_outputs
    np.testing.assert_array_equal(result.layer2_input, source)
    expected = loops(source, layer2.kernel[None], np.array([-0.2]), ConvSettings(padding=1))[0]
    np.testing.assert_allclose(result.layer2_output, expected, rtol=1e-5, atol=1e-5)
    assert result.layer2_kernel.shape == (4, 3, 3) and result.layer2_output.ndim == 2


def test_layer2_relu_removes_its_negative_responses():
    layer2 = Layer2(RNG.uniform(-1, 1, (4, 3, 3)), bias=-1.0, relu=True)
    result = compute_bank(RGB, BANK, BIASES, ConvSettings(relu=True), layer2=layer2)
    assert result.layer2_pre_relu.min() < 0
    np.testing.assert_array_equal(result.layer2_output, np.maximum(result.layer2_pre_relu, 0))


def test_layer2_problems_are_sentences_and_leave_layer_one_in_place():
    wrong = compute_bank(RGB, BANK, BIASES, ConvSettings(), layer2=Layer2(np.ones((2, 3, 3))))
    assert wrong.output is not None and wrong.layer2_output is None
    assert "4 map(s)" in wrong.layer2_error
    wide = compute_bank(RGB, BANK, BIASES, ConvSettings(stride=4),
                        layer2=Layer2(np.ones((4, 5, 5))))
    assert wide.layer2_output is None and "layer 1's 3x4 maps" in wide.layer2_error


@pytest.mark.parametrize("pool, size", [("none", 5), ("max", 8), ("average", 8)])
def test_layer2_sees_the_receptive_field_the_summary_rules_give(pool, size):
    # 3x3 then 3x3 sees 5x5 input pixels; a 2x2 pool in between makes it 8x8
    result = compute_bank(RGB, BANK, BIASES, ConvSettings(pool=pool),
                          layer2=Layer2(np.ones((4, 3, 3))))
    assert layer2_field(result).size == size
    assert layer2_explanation(result, 0, 0).field_size == size


def test_the_input_field_holds_exactly_the_pixels_a_layer2_pixel_depends_on():
    # Perturb every input pixel in turn: the ones that move layer-2 pixel (1, 1) form the box.
    s = ConvSettings(padding=1, pool="average", pool_size=2, pool_stride=2)
    layer2 = Layer2(RNG.uniform(0.5, 1, (4, 3, 3)), relu=False)
    kernels = RNG.uniform(0.5, 1, (4, 3, 3, 3))  # all positive: no accidental cancellation
    base = compute_bank(RGB, kernels, BIASES, s, layer2=layer2)
    moved = np.zeros(RGB.shape[1:], dtype=bool)
    for r in range(RGB.shape[1]):
        for c in range(RGB.shape[2]):
            x = RGB.copy()
            x[:, r, c] += 1.0
            other = compute_bank(x, kernels, BIASES, s, layer2=layer2)
            moved[r, c] = other.layer2_output[1, 1] != base.layer2_output[1, 1]
    top, left, bottom, right = layer2_explanation(base, 1, 1).input_field
    rows, cols = np.flatnonzero(moved.any(axis=1)), np.flatnonzero(moved.any(axis=0))
    assert (rows[0], cols[0], rows[-1] + 1, cols[-1] + 1) == (max(top, 0), max(left, 0),
                                                              bottom, right)


def test_layer2_explanation_sums_equal_the_displayed_layer2_pixels():
    s = ConvSettings(padding=1, relu=True, pool="max")
    layer2 = Layer2(RNG.uniform(-1, 1, (4, 3, 3)), bias=0.3, padding=1, relu=True)
    result = compute_bank(RGB, BANK, BIASES, s, layer2=layer2)
    h2, w2 = result.layer2_output.shape
    for row, col in RNG.integers(0, [h2, w2], size=(25, 2)):
        ex = layer2_explanation(result, int(row), int(col))
        np.testing.assert_allclose(ex.partial_sums, result.layer2_channel_outputs[:, row, col],
                                   rtol=1e-5, atol=1e-5)
        assert ex.total == pytest.approx(float(result.layer2_pre_relu[row, col]), abs=1e-5)
        assert ex.value == float(result.layer2_output[row, col])
        assert max(ex.total, 0.0) == pytest.approx(ex.value, abs=1e-5)


@pytest.mark.parametrize("settings", SETTINGS)
def test_inspector_sums_per_channel_equal_the_displayed_values_at_random_pixels(settings):
    result = compute_bank(RGB, BANK, BIASES, settings, selected=1)
    ho, wo = result.output.shape
    for row, col in RNG.integers(0, [ho, wo], size=(40, 2)):
        ex = pixel_explanation(result, int(row), int(col))
        assert ex.patch.shape == ex.kernel.shape == (3, 3, 3)
        np.testing.assert_allclose(ex.products, ex.patch * ex.kernel)
        np.testing.assert_allclose(ex.partial_sums, result.channel_outputs[:, row, col],
                                   rtol=1e-5, atol=1e-5)
        assert ex.total == pytest.approx(float(result.pre_relu[row, col]), abs=1e-5)
        assert ex.value == float(result.output[row, col])


def test_a_colour_kernel_for_a_grey_image_is_explained_not_computed():
    result = compute(RGB[0], BANK[0])
    assert result.output is None and "1 channel(s)" in result.error


def test_a_four_channel_image_is_explained_not_computed():
    result = compute(np.zeros((4, 8, 8)), np.zeros((4, 3, 3)))
    assert result.output is None and "(3, H, W)" in result.error


# -- the cache: an edit recomputes only what it changed ---------------------------------------
def _layer2():
    return Layer2(RNG.uniform(-1, 1, (4, 3, 3)), bias=0.1, padding=1)


def test_one_edited_weight_recomputes_one_partial_map_one_filter_and_one_layer2_slice():
    cache, s, layer2 = LayerCache(), ConvSettings(padding=1, relu=True, pool="max"), _layer2()
    cache.compute(RGB, BANK, BIASES, s, 0, layer2)
    assert cache.computed == {"partial": 12, "filter": 4, "layer2_partial": 4}
    edited = BANK.copy()
    edited[2, 1, 0, 0] += 1.0
    cache.computed.clear()
    result = cache.compute(RGB, edited, BIASES, s, 0, layer2)
    assert cache.computed == {"partial": 1, "filter": 1, "layer2_partial": 1}
    fresh = compute_bank(RGB, edited, BIASES, s, 0, layer2)
    for name in ("output", "outputs", "pooled_outputs", "channel_outputs", "layer2_output"):
        np.testing.assert_array_equal(getattr(result, name), getattr(fresh, name), err_msg=name)


def test_choosing_another_filter_or_editing_layer2_recomputes_no_layer1_map():
    cache, s, layer2 = LayerCache(), ConvSettings(relu=True), _layer2()
    cache.compute(RGB, BANK, BIASES, s, 0, layer2)
    cache.computed.clear()
    cache.compute(RGB, BANK, BIASES, s, 3, layer2)
    assert cache.computed == {}
    layer2.kernel[1, 0, 0] += 1.0  # a new array would do the same; in place must be seen too
    cache.compute(RGB, BANK, BIASES, s, 3, layer2)
    assert cache.computed == {"layer2_partial": 1}


def test_a_new_bias_redoes_that_filters_sum_but_no_convolution():
    cache, s = LayerCache(), ConvSettings(relu=True)
    cache.compute(RGB, BANK, BIASES, s)
    cache.computed.clear()
    result = cache.compute(RGB, BANK, BIASES + np.array([0, 1.0, 0, 0]), s)
    assert cache.computed == {"filter": 1}
    assert result.bias[1] == BIASES[1] + 1.0


def test_a_new_image_or_stride_recomputes_every_partial_map():
    cache, s = LayerCache(), ConvSettings()
    cache.compute(RGB, BANK, BIASES, s)
    cache.computed.clear()
    cache.compute(RGB.copy(), BANK, BIASES, s)
    assert cache.computed["partial"] == 12
    cache.computed.clear()
    cache.compute(RGB, BANK, BIASES, ConvSettings(stride=2))
    assert cache.computed["partial"] == 12


def test_earlier_results_stay_valid_after_later_edits():
    cache, s = LayerCache(), ConvSettings()
    first = cache.compute(RGB, BANK, BIASES, s)
    kept = first.outputs.copy()
    edited = BANK.copy()
    edited[0] *= -1
    cache.compute(RGB, edited, BIASES, s)
    np.testing.assert_array_equal(first.outputs, kept)


# -- filling colour kernels and the two-layer presets -------------------------------------------
def test_a_luma_weighted_kernel_sees_a_colour_photo_as_its_grey_version_does():
    from cnnviz.data.images import BT601
    from cnnviz.lab.kernels import fill_channels, preset

    sobel = preset("Sobel x")
    grey = np.tensordot(BT601.astype(np.float32), RGB, axes=1)
    colour = compute(RGB, fill_channels(sobel, 3, "luma"), ConvSettings(padding=1))
    np.testing.assert_allclose(colour.output, compute(grey, sobel, ConvSettings(padding=1)).output,
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("how, slices", [("same", (1, 1, 1)), ("R", (1, 0, 0)), ("B", (0, 0, 1))])
def test_filling_channels_copies_the_kernel_into_the_chosen_slices(how, slices):
    from cnnviz.lab.kernels import fill_channels

    kernel = RNG.uniform(-1, 1, (3, 3))
    filled = fill_channels(kernel, 3, how)
    for c, on in enumerate(slices):
        np.testing.assert_array_equal(filled[c], kernel * on)


def _run_stack(name, channels):
    from cnnviz.lab import patterns
    from cnnviz.lab.stacks import stack_preset

    p = stack_preset(name)
    image = patterns.pattern(p.pattern, 128)
    if channels == 3:
        image = np.repeat(image[None], 3, axis=0)
    s = ConvSettings(padding=1, relu=True, pool=p.pool)
    result = compute_bank(image, p.layer1_kernels(channels), np.zeros(len(p.layer1)), s,
                          layer2=Layer2(p.layer2, p.bias2, padding=1, relu=True))
    return image, result


@pytest.mark.parametrize("channels", [1, 3])
def test_the_crossing_preset_fires_at_grid_crossings_and_nowhere_else(channels):
    _, result = _run_stack("Lines → crossings", channels)
    lines = np.flatnonzero(np.arange(128) % 16 == 8)  # the Grid pattern's lines at 128 px
    crossings = np.zeros((128, 128), dtype=bool)
    crossings[np.ix_(lines, lines)] = True
    fired = result.layer2_output > 0
    np.testing.assert_array_equal(fired, crossings)


@pytest.mark.parametrize("name", ["Edges → top-left corners", "Edges → corners, pooled"])
def test_the_corner_presets_fire_at_top_left_corners_only(name):
    image, result = _run_stack(name, 1)
    field = layer2_field(result)
    corners = np.argwhere((image[1:, 1:] > 0) & (image[:-1, 1:] == 0) & (image[1:, :-1] == 0)) + 1
    assert len(corners) == 9  # one per square of the Squares pattern
    fired = np.argwhere(result.layer2_output > 0)
    starts = field.offset + fired * field.jump  # (top, left) of each firing pixel's input field
    # seen[i, j]: firing pixel i's receptive field holds corner j
    seen = ((corners[None] >= starts[:, None]) & (corners[None] < starts[:, None] + field.size))
    seen = seen.all(axis=2)
    assert seen.any(axis=1).all()  # every response sits on a top-left corner
    assert seen.any(axis=0).all()  # and every corner is found


def test_moving_a_colour_image_moves_its_feature_map_too():
    from cnnviz.lab.translation import equivariance_report

    report = equivariance_report(RGB, BANK[0], ConvSettings(), 2, 3)
    assert report.error is None and report.shifted_image.shape == RGB.shape
    assert report.max_abs_change_output_aligned == pytest.approx(0.0, abs=1e-5)
    assert report.max_abs_change_output_unaligned > 0.1


def test_the_speed_comparison_times_a_colour_bank_as_well():
    from cnnviz.lab.speed import time_vectorised_vs_loops

    c = time_vectorised_vs_loops(RGB, BANK, ConvSettings(), budget_seconds=60)
    assert not c.estimated and c.loops_seconds > 0 and c.ratio > 0
