"""Colour input, a bank of filters and layer 2 in the playground, driven as a user would."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from cnnviz.data.bundled import asset_path
from cnnviz.lab import kernels
from cnnviz.lab.conv import ConvSettings
from cnnviz.nn import reference
from ui.playground.widget import PlaygroundWidget
from ui.widgets.colour_image import load_colour_image

RNG = np.random.default_rng(5)


@pytest.fixture
def pg(qtbot):
    widget = PlaygroundWidget()
    widget.resize(1400, 900)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    select_source(widget, "Disc")
    return widget


def select_source(widget, text):
    combo = widget.controls.image_combo
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def choose(qtbot, combo, text):
    """Pick ``text`` in a combo box with the arrow keys, as a user can."""
    combo.setFocus()
    target = combo.findText(text)
    assert target >= 0, text
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)


def rgb(qtbot, pg):
    choose(qtbot, pg.controls.channel_combo, "RGB")
    return pg.current_result()


def small_colour_image(pg, h=14, w=17):
    image = RNG.random((3, h, w)).astype(np.float32)
    assert pg.set_image(image, "noise")
    return image


def hover(view, row, col):
    """Move the mouse over pixel (row, col) of an ImagePanel (a real mouse event)."""
    point = QPointF(view.mapFromScene(view.image_item.mapToScene(col + 0.5, row + 0.5)))
    event = QMouseEvent(QEvent.Type.MouseMove, point, view.viewport().mapToGlobal(point),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def loops(x, w, b, s: ConvSettings):
    return reference.conv2d(x[None].astype(float), w, b, stride=s.stride, padding=s.padding,
                            dilation=s.dilation, padding_mode=s.padding_mode)[0]


def no_outline_left(pg) -> bool:
    paths = [item.path() for item in pg.views.overlays.items()]
    stack = pg.views.stack
    cells = [*stack.strip.inputs, *stack.strip.partials, stack.strip.total, *stack.bank.cells]
    paths += [c.marker.path() for c in cells] + [c.window.path() for c in cells]
    paths.append(stack.layer2.marker.path())
    return all(p.isEmpty() for p in paths)


# -- the controls ---------------------------------------------------------------------------------
def test_channel_bank_and_layer2_controls_carry_their_object_names(pg):
    for name in ("channelModeCombo", "filterCountSpin", "layer2Check", "kernelGrid",
                 "channelViews", "bankView", "layer2View"):
        assert pg.findChild(QWidget, name) is not None, name
    assert [pg.controls.channel_combo.itemText(i) for i in range(2)] == ["Grey", "RGB"]
    assert (pg.controls.filter_spin.minimum(), pg.controls.filter_spin.maximum()) == (1, 8)


def test_the_grey_playground_still_reports_one_grey_channel_and_one_filter(pg):
    result = pg.current_result()
    assert result.channels == "grey" and result.image.ndim == 2 and result.kernel.shape == (3, 3)
    assert result.kernels.shape == (1, 1, 3, 3) and isinstance(result.bias, float)
    assert result.layer2_output is None and result.layer2_kernel is None
    assert not pg.views.stack.isVisible()


# -- RGB ------------------------------------------------------------------------------------------
def test_rgb_mode_keeps_the_photos_three_channels(qtbot, pg):
    select_source(pg, "Chelsea the cat (photo)")
    result = rgb(qtbot, pg)
    expected, _ = load_colour_image(asset_path("chelsea.png"))
    assert result.channels == "rgb" and result.image.shape == (3,) + expected.shape[1:]
    np.testing.assert_array_equal(result.image, expected)
    assert result.kernel.shape == (3, 3, 3) and pg.kernel_grid.channels() == 3
    assert pg.views.stack.strip.isVisible()


def test_an_rgb_filter_is_the_reference_convolution_over_three_channels(qtbot, pg):
    rgb(qtbot, pg)
    image = small_colour_image(pg)
    pg.kernel_grid.set_kernel(RNG.uniform(-1, 1, (3, 3, 3)))
    pg.controls.padding_spin.setValue(1)
    pg.controls.bias_spin.setValue(0.25)
    result = pg.current_result()
    expected = loops(image, result.kernel[None], np.array([0.25]), result.settings)[0]
    np.testing.assert_allclose(result.pre_relu, expected, rtol=1e-5, atol=1e-5)


def test_partial_maps_sum_with_the_bias_to_the_map_and_are_what_the_strip_shows(qtbot, pg):
    rgb(qtbot, pg)
    image = small_colour_image(pg)
    pg.controls.bias_spin.setValue(-0.5)
    result = pg.current_result()
    for c in range(3):
        alone = loops(image[c:c + 1], result.kernel[None, c:c + 1], None, result.settings)[0]
        np.testing.assert_allclose(result.channel_outputs[c], alone, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(result.channel_outputs.sum(axis=0) + result.bias,
                               result.pre_relu, rtol=1e-6, atol=1e-6)
    shown = pg.views.stack.strip.shown()
    for c in range(3):
        np.testing.assert_array_equal(shown[c], result.channel_outputs[c])
    np.testing.assert_array_equal(shown[3], result.pre_relu)


def test_presets_fill_every_channel_or_weight_them_by_luma(qtbot, pg):
    rgb(qtbot, pg)
    choose(qtbot, pg.controls.preset_combo, "Laplacian")
    np.testing.assert_array_equal(pg.kernel_grid.kernel(),
                                  np.repeat(kernels.preset("Laplacian")[None], 3, axis=0))
    choose(qtbot, pg.controls.channels_group.fill_combo, "luma (0.299 R + 0.587 G + 0.114 B)")
    luma = pg.kernel_grid.kernel()
    for c, weight in enumerate((0.299, 0.587, 0.114)):
        np.testing.assert_allclose(luma[c], weight * kernels.preset("Laplacian"))


def test_with_luma_weights_a_colour_photo_gives_what_its_grey_version_gives(qtbot, pg):
    select_source(pg, "Coffee cup (photo)")
    grey = pg.current_result()
    choose(qtbot, pg.controls.channels_group.fill_combo, "luma (0.299 R + 0.587 G + 0.114 B)")
    colour = rgb(qtbot, pg)
    np.testing.assert_allclose(colour.output, grey.output, atol=2e-3)


def test_same_for_all_channels_edits_every_slice_at_once(qtbot, pg):
    rgb(qtbot, pg)
    grid = pg.kernel_grid
    grid.set_kernel(np.zeros((3, 3, 3)))
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(0, 2, 1).center())
    assert grid.kernel()[:, 0, 2].tolist() == [0.0, 1.0, 0.0]  # the green slice alone
    pg.controls.channels_group.same_check.setChecked(True)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(1, 1, 2).center())
    assert grid.kernel()[:, 1, 1].tolist() == [1.0, 1.0, 1.0]


def test_back_to_grey_gives_the_grey_result_exactly(qtbot, pg):
    before = pg.current_result()
    rgb(qtbot, pg)
    choose(qtbot, pg.controls.channel_combo, "Grey")
    after = pg.current_result()
    np.testing.assert_array_equal(after.kernel, before.kernel)
    np.testing.assert_array_equal(after.output, before.output)


def test_a_colour_kernel_from_the_training_studio_switches_to_rgb(pg):
    kernel = RNG.uniform(-1, 1, (3, 5, 5))
    assert pg.set_kernel(kernel)
    result = pg.current_result()
    assert result.channels == "rgb"
    np.testing.assert_array_equal(result.kernel, kernel)


def test_the_parameter_line_counts_three_slices_plus_a_bias(qtbot, pg):
    result = rgb(qtbot, pg)
    text = pg.params_label.text()
    assert "this conv 28 (3 x 3 x 3 + 1)" in text
    assert f"{result.image.size:,}" in text  # the dense layer sees every colour value


# -- a bank of filters ----------------------------------------------------------------------------
def test_a_bank_gives_one_map_per_filter_on_one_shared_scale(qtbot, pg):
    rgb(qtbot, pg)
    pg.controls.filter_spin.setValue(4)
    result = pg.current_result()
    assert result.kernels.shape == (4, 3, 3, 3) and result.outputs.shape[0] == 4
    assert result.bias.shape == (4,)
    expected = loops(result.image, result.kernels, result.bias, result.settings)
    np.testing.assert_allclose(result.outputs, expected, rtol=1e-5, atol=1e-5)
    shown = pg.views.stack.bank.shown()
    for f in range(4):
        np.testing.assert_array_equal(shown[f], result.outputs[f])
        assert pg.views.stack.bank.cells[f].item.levels.tolist() == list(pg.views.levels())
    assert "4 x (3 x 3 x 3 + 1)" in pg.params_label.text() and "112" in pg.params_label.text()


def test_new_filters_start_as_different_classic_kernels(pg):
    pg.controls.filter_spin.setValue(3)
    bank = pg.kernel_grid.kernels()
    np.testing.assert_array_equal(bank[1, 0], kernels.preset("Sobel y"))
    np.testing.assert_array_equal(bank[2, 0], kernels.preset("Laplacian"))


def test_clicking_a_map_of_the_bank_edits_that_filter(qtbot, pg):
    pg.controls.filter_spin.setValue(3)
    pg.current_result()
    bank = pg.views.stack.bank
    centre = bank.mapFromScene(bank.cells[2].box.sceneBoundingRect().center())
    qtbot.mouseClick(bank.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert pg.kernel_grid.selected() == 2 and pg.controls.filter_tabs.currentIndex() == 2
    result = pg.current_result()
    assert result.selected == 2
    np.testing.assert_array_equal(result.output, result.outputs[2])


def test_each_filter_keeps_its_own_bias(qtbot, pg):
    pg.controls.filter_spin.setValue(2)
    pg.controls.filter_tabs.setCurrentIndex(1)
    pg.controls.bias_spin.setValue(0.7)
    pg.controls.filter_tabs.setCurrentIndex(0)
    assert pg.controls.bias_spin.value() == 0.0
    assert pg.current_result().bias.tolist() == [0.0, 0.7]


def test_set_kernels_replaces_the_whole_bank_and_the_controls_follow(pg):
    bank = RNG.uniform(-1, 1, (5, 3, 5, 5))
    pg.kernel_grid.set_kernels(bank)
    np.testing.assert_array_equal(pg.kernel_grid.kernels(), bank)
    c = pg.controls
    assert c.filter_spin.value() == 5 and c.kernel_size_spin.value() == 5
    assert c.channel_combo.currentText() == "RGB" and c.filter_tabs.count() == 5
    assert pg.current_result().kernels.shape == (5, 3, 5, 5)


# -- layer 2 --------------------------------------------------------------------------------------
def test_layer2_is_the_reference_convolution_of_layer_ones_pooled_maps(qtbot, pg):
    rgb(qtbot, pg)
    pg.controls.filter_spin.setValue(3)
    pg.controls.relu_check.setChecked(True)
    qtbot.mouseClick(pg.controls.layer2_check, Qt.MouseButton.LeftButton)
    l2 = pg.controls.layer2_group
    l2.grid.set_kernels(RNG.uniform(-1, 1, (1, 3, 3, 3)))
    l2.bias_spin.setValue(0.2)
    result = pg.current_result()
    assert result.layer2_kernel.shape == (3, 3, 3) and result.layer2_output.ndim == 2
    expected = loops(result.pooled_outputs, result.layer2_kernel[None], np.array([0.2]),
                     ConvSettings(padding=1))[0]
    np.testing.assert_allclose(result.layer2_output, np.maximum(expected, 0), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_array_equal(pg.views.stack.layer2.values(), result.layer2_output)


@pytest.mark.parametrize("pool, size", [("none", 5), ("max", 8)])
def test_layer2s_receptive_field_is_stated_in_numbers(qtbot, pg, pool, size):
    pg.controls.pool_type_combo.setCurrentText(pool)
    pg.controls.layer2_check.setChecked(True)
    pg.current_result()
    assert f"{size}x{size} pixels" in pg.controls.layer2_group.field_label.text()
    assert f"sees {size}x{size} input pixels" in pg.shapes_label.text()


def test_layer2_gets_one_kernel_slice_per_filter(pg):
    pg.controls.layer2_check.setChecked(True)
    pg.controls.filter_spin.setValue(4)
    assert pg.current_result().layer2_kernel.shape == (4, 3, 3)
    pg.controls.filter_spin.setValue(2)
    assert pg.current_result().layer2_kernel.shape == (2, 3, 3)


def test_hovering_a_layer2_pixel_outlines_its_receptive_field_and_explains_its_sum(qtbot, pg):
    pg.controls.filter_spin.setValue(2)
    pg.controls.layer2_check.setChecked(True)
    pg.controls.layer2_group.grid.set_kernels(RNG.uniform(-1, 1, (1, 2, 3, 3)))
    result = pg.current_result()
    view = pg.views.stack.layer2
    hover(view, 20, 30)
    qtbot.waitUntil(lambda: hasattr(pg.inspector.explanation, "field_size"))
    ex = pg.inspector.explanation
    assert ex.total == pytest.approx(float(result.layer2_pre_relu[20, 30]), abs=1e-5)
    assert ex.value == float(result.layer2_output[20, 30])
    assert f"{ex.value:.4f}" in pg.inspector.sum_label.text()
    top, left, bottom, right = ex.input_field
    rect = pg.views.overlays.layer2_field.path().boundingRect()
    assert (rect.top(), rect.left(), rect.bottom(), rect.right()) == (top, left, bottom, right)
    assert bottom - top == 8  # 3x3, 2x2 max pool, 3x3


def test_a_two_layer_example_finds_the_grid_crossings(qtbot, pg):
    choose(qtbot, pg.controls.layer2_group.preset_combo, "Lines → crossings")
    pg.controls.layer2_group.preset_combo.activated.emit(
        pg.controls.layer2_group.preset_combo.currentIndex())
    result = pg.current_result()
    assert pg.controls.image_combo.currentText() == "Grid" and result.n_filters == 2
    lines = np.flatnonzero(np.arange(128) % 16 == 8)
    crossings = np.zeros((128, 128), dtype=bool)
    crossings[np.ix_(lines, lines)] = True
    np.testing.assert_array_equal(result.layer2_output > 0, crossings)


# -- the inspector adds up to what is shown, everywhere ------------------------------------------
def test_inspector_sums_equal_the_displayed_values_at_many_random_pixels(qtbot, pg):
    rgb(qtbot, pg)
    pg.controls.filter_spin.setValue(3)
    pg.controls.padding_spin.setValue(1)
    pg.controls.padding_mode_combo.setCurrentText("reflect")
    pg.controls.relu_check.setChecked(True)
    pg.kernel_grid.set_kernel(RNG.uniform(-1, 1, (3, 3, 3)))
    result = pg.current_result()
    ho, wo = result.output.shape
    for row, col in RNG.integers(0, [ho, wo], size=(25, 2)):
        pg.hover.hover_output(int(row), int(col))
        pg.hover._refresh_inspector()  # what the timer does once the mouse rests
        ex = pg.inspector.explanation
        np.testing.assert_allclose(ex.partial_sums, result.channel_outputs[:, row, col],
                                   rtol=1e-5, atol=1e-5)
        assert ex.total == pytest.approx(float(result.pre_relu[row, col]), abs=1e-5)
        assert f"{float(result.output[row, col]):.4f}" in pg.inspector.sum_label.text()


# -- nothing stale --------------------------------------------------------------------------------
def test_turning_layer2_off_mid_hover_leaves_no_outline(qtbot, pg):
    pg.controls.layer2_check.setChecked(True)
    pg.current_result()
    hover(pg.views.stack.layer2, 10, 10)
    assert not pg.views.overlays.layer2_field.path().isEmpty()
    pg.controls.layer2_check.setChecked(False)
    pg.current_result()
    assert no_outline_left(pg)


def test_switching_to_rgb_mid_hover_leaves_no_outline(qtbot, pg):
    pg.current_result()
    hover(pg.views.output_view, 30, 40)
    assert not pg.views.overlays.taps.path().isEmpty()
    rgb(qtbot, pg)
    assert no_outline_left(pg) and pg.hover.focus() is None


def test_switching_modes_mid_animation_shows_the_whole_map_and_no_window(qtbot, pg):
    for _ in range(5):
        pg.animation.step()
    assert pg.animation.active()
    assert np.isnan(pg.views.output_view.image_item.image).any()
    rgb(qtbot, pg)
    result = pg.current_result()
    assert not pg.animation.active()
    np.testing.assert_array_equal(pg.views.output_view.image_item.image, result.output)
    assert no_outline_left(pg)


def test_shrinking_the_bank_under_a_hovered_filter_leaves_no_outline(qtbot, pg):
    pg.controls.filter_spin.setValue(3)
    pg.current_result()
    pg.hover.hover_bank(2, 5, 5)
    assert not pg.views.overlays.taps.path().isEmpty()
    pg.controls.filter_spin.setValue(2)
    pg.current_result()
    assert no_outline_left(pg)


# -- bad input files ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, phrase", [
    ("alpha", "transparent pixels shown over white"), ("deep", "16-bit"),
    ("gif", "palette colours expanded"), ("cmyk", "converted from CMYK"),
])
@pytest.mark.parametrize("mode", ["Grey", "RGB"])
def test_awkward_image_files_load_with_a_note_about_what_was_done(qtbot, pg, tmp_path, kind,
                                                                  phrase, mode, awkward_image):
    choose(qtbot, pg.controls.channel_combo, mode)
    path = awkward_image(kind, tmp_path)
    with qtbot.waitSignal(pg.sigStatus) as status:
        assert pg.load_image(path)
    assert phrase in pg.controls.image_info.text() and phrase in status.args[0]
    result = pg.current_result()
    assert result.image.ndim == (3 if mode == "RGB" else 2) and result.error is None
