"""The playground driven as a user would: what it displays equals the engine's result."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage

from cnnviz.lab import kernels, patterns
from cnnviz.lab.conv import compute
from ui.playground.widget import PlaygroundWidget


@pytest.fixture
def pg(qtbot):
    widget = PlaygroundWidget()
    widget.resize(1200, 800)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    # A small pattern keeps every test fast.
    select_source(qtbot, widget, "Disc")
    return widget


def select_source(qtbot, widget, text):
    combo = widget.controls.image_combo
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def assert_shows_engine_result(widget):
    result = widget.current_result()
    expected = compute(result.image, widget.kernel_grid.kernel(), widget.settings())
    if expected.output is None:
        assert result.output is None
    else:
        np.testing.assert_array_equal(result.output, expected.output)
        # and that array is what the output view holds
        np.testing.assert_array_equal(
            widget.views.output_view.image_item.image,
            np.abs(result.output) if widget.views.mode == "abs" else result.output,
        )
    if expected.pooled is None:
        assert result.pooled is None
    else:
        np.testing.assert_array_equal(result.pooled, expected.pooled)
    assert result.error == expected.error
    return result


def type_into(qtbot, spin, value):
    """Select the spin box's text, type a number and press Enter, as a user does."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), str(value))
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


def choose(qtbot, combo, text):
    """Pick ``text`` in a combo box with the keyboard (arrow keys), as a user can."""
    combo.setFocus()
    target = combo.findText(text)
    assert target >= 0, text
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)


def click_cell(qtbot, widget, row, col, button=Qt.MouseButton.LeftButton):
    grid = widget.kernel_grid
    qtbot.mouseClick(grid, button, pos=grid.cell_rect(row, col).center())


def test_object_names_for_acceptance_checks_exist(pg):
    from PySide6.QtWidgets import QWidget

    for name in (
        "kernelGrid",
        "kernelSizeSpin",
        "strideSpin",
        "paddingSpin",
        "paddingModeCombo",
        "dilationSpin",
        "reluCheck",
        "poolTypeCombo",
        "poolSizeSpin",
        "imageSourceCombo",
        "inputView",
        "outputView",
        "pooledView",
    ):
        assert pg.findChild(QWidget, name) is not None, name


def test_starts_with_a_photo_and_a_signed_kernel_shown_by_the_engine(qtbot):
    widget = PlaygroundWidget()
    qtbot.addWidget(widget)
    result = assert_shows_engine_result(widget)
    assert result.image.shape == (512, 512) and result.output.min() < 0 < result.output.max()


def test_clicking_a_kernel_cell_updates_the_displayed_output(qtbot, pg):
    before = pg.current_result().output.copy()
    click_cell(qtbot, pg, 1, 1)
    result = assert_shows_engine_result(pg)
    assert pg.kernel_grid.kernel()[1, 1] == kernels.preset("Sobel x")[1, 1] + 1
    assert not np.array_equal(before, result.output)


def test_right_click_subtracts_and_marks_the_kernel_custom(qtbot, pg):
    click_cell(qtbot, pg, 0, 0, Qt.MouseButton.RightButton)
    assert pg.kernel_grid.kernel()[0, 0] == -2
    assert pg.controls.preset_combo.currentText() == "Custom"
    assert_shows_engine_result(pg)


def test_step_size_is_selectable(qtbot, pg):
    pg.controls.step_combo.setCurrentText("0.25")
    click_cell(qtbot, pg, 2, 2)
    assert pg.kernel_grid.kernel()[2, 2] == pytest.approx(1.25)


def test_refused_typed_value_shows_a_visible_message_and_keeps_the_old_value(qtbot, pg):
    grid = pg.kernel_grid
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(0, 2).center())
    editor = grid._editor
    editor.clear()
    qtbot.keyClicks(editor, "lots")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert grid.kernel()[0, 2] == 1
    assert pg.controls.kernel_message.isVisible()
    assert "not a finite number" in pg.controls.kernel_message.text()


def test_kernel_size_spin_resizes_the_grid_and_the_padding_limit(qtbot, pg):
    type_into(qtbot, pg.controls.kernel_size_spin, 7)
    assert pg.kernel_grid.kernel().shape == (7, 7)
    assert pg.controls.padding_spin.maximum() == 7
    result = assert_shows_engine_result(pg)
    assert result.output.shape == (122, 122)


def test_set_kernel_loads_a_learned_filter_and_resizes_the_spin(pg):
    learned = np.arange(25.0).reshape(5, 5) / 25
    assert pg.set_kernel(learned)
    assert pg.controls.kernel_size_spin.value() == 5
    np.testing.assert_array_equal(pg.current_result().kernel, learned)


def test_set_kernel_refuses_a_non_square_kernel_with_a_message(pg):
    assert not pg.set_kernel(np.zeros((3, 4)))
    assert pg.controls.kernel_message.isVisible()
    assert pg.kernel_grid.kernel().shape == (3, 3)


@pytest.mark.parametrize("name", ["Laplacian", "Gaussian blur", "Prewitt y", "Emboss"])
def test_presets_load_their_kernel(pg, name):
    pg.controls.preset_combo.setCurrentText(name)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset(name, 3))
    assert pg.controls.preset_description.text() == kernels.DESCRIPTIONS[name]
    assert_shows_engine_result(pg)


@pytest.mark.parametrize(
    "button, expected",
    [
        ("Flip", kernels.flip(kernels.preset("Sobel x"))),
        ("Rotate", kernels.rotate(kernels.preset("Sobel x"))),
        ("Zero", np.zeros((3, 3))),
    ],
)
def test_kernel_buttons_transform_the_kernel(qtbot, pg, button, expected):
    qtbot.mouseClick(pg.controls.kernel_buttons[button], Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), expected)


def test_normalise_divides_a_blur_by_its_sum(qtbot, pg):
    pg.set_kernel(np.ones((3, 3)))
    qtbot.mouseClick(pg.controls.kernel_buttons["Normalise"], Qt.MouseButton.LeftButton)
    assert pg.kernel_grid.kernel().sum() == pytest.approx(1.0)


def test_random_gives_a_new_kernel_of_the_same_size(qtbot, pg):
    qtbot.mouseClick(pg.controls.kernel_buttons["Random"], Qt.MouseButton.LeftButton)
    k = pg.kernel_grid.kernel()
    assert (
        k.shape == (3, 3)
        and np.abs(k).max() <= 1
        and not np.array_equal(k, kernels.preset("Sobel x"))
    )


def test_bias_is_added_to_every_output_pixel(pg):
    before = pg.current_result().output
    pg.controls.bias_spin.setValue(0.5)
    after = assert_shows_engine_result(pg).output
    np.testing.assert_allclose(after, before + 0.5, atol=1e-6)


def test_stride_two_halves_the_feature_map(qtbot, pg):
    type_into(qtbot, pg.controls.padding_spin, 1)
    type_into(qtbot, pg.controls.stride_spin, 2)
    result = assert_shows_engine_result(pg)
    assert result.output.shape == (64, 64)
    assert "/ 2) + 1 = 64" in pg.shapes_label.text()


@pytest.mark.parametrize("mode", ["reflect", "replicate", "zeros"])
def test_padding_mode_combo_changes_the_border_as_the_engine_does(qtbot, pg, mode):
    type_into(qtbot, pg.controls.padding_spin, 2)
    choose(qtbot, pg.controls.padding_mode_combo, mode)
    result = assert_shows_engine_result(pg)
    assert result.settings.padding_mode == mode and result.output.shape == (130, 130)


def test_impossible_dilation_shows_the_explanation_in_place_of_the_output(qtbot, pg):
    pg.set_image(patterns.pattern("Disc", 32), "small disc")
    type_into(qtbot, pg.controls.kernel_size_spin, 9)
    type_into(qtbot, pg.controls.dilation_spin, 5)
    result = assert_shows_engine_result(pg)
    assert result.output is None and "spans 41 pixels" in result.error
    assert pg.views.message.isVisible() and "spans 41 pixels" in pg.views.message.text()
    assert pg.controls.dilation_spin.isEnabled()
    type_into(qtbot, pg.controls.dilation_spin, 1)  # every control stays usable
    assert assert_shows_engine_result(pg).error is None
    assert not pg.views.message.isVisible()


def test_relu_makes_negatives_vanish(qtbot, pg):
    assert pg.current_result().output.min() < 0
    qtbot.mouseClick(pg.controls.relu_check, Qt.MouseButton.LeftButton)
    result = assert_shows_engine_result(pg)
    assert result.output.min() == 0 and result.pre_relu.min() < 0


def test_pool_type_none_hides_the_pooled_view(qtbot, pg):
    choose(qtbot, pg.controls.pool_type_combo, "none")
    assert assert_shows_engine_result(pg).pooled is None
    assert not pg.views.pooled_view.isVisible()


def test_average_pooling_with_size_and_stride(qtbot, pg):
    choose(qtbot, pg.controls.pool_type_combo, "average")
    type_into(qtbot, pg.controls.pool_size_spin, 3)
    type_into(qtbot, pg.controls.pool_stride_spin, 3)
    result = assert_shows_engine_result(pg)
    assert result.pooled.shape == (42, 42)


def test_a_burst_of_edits_is_computed_once(qtbot, pg, monkeypatch):
    import ui.playground.widget as module

    calls = []
    monkeypatch.setattr(module, "compute", lambda *a: calls.append(1) or compute(*a))
    with qtbot.waitSignal(pg.sigResultChanged):
        for _ in range(10):
            click_cell(qtbot, pg, 1, 1)
        pg.controls.stride_spin.setValue(2)
    with qtbot.assertNotEmitted(pg.sigResultChanged, wait=20):
        pass
    assert len(calls) == 1
    assert_shows_engine_result(pg)


def write_png(path, size=(40, 30)):
    image = QImage(size[0], size[1], QImage.Format.Format_Grayscale8)
    image.fill(200)
    assert image.save(str(path))
    return path


def test_load_image_opens_a_png_as_the_input(pg, tmp_path):
    assert pg.load_image(write_png(tmp_path / "grey.png"))
    result = assert_shows_engine_result(pg)
    assert result.image.shape == (30, 40)
    np.testing.assert_allclose(result.image, 200 / 255, atol=1e-6)
    assert pg.controls.image_combo.currentText() == "File: grey.png"


@pytest.mark.parametrize("content", [None, b"", b"\x89PNG\r\n\x1a\n not really a png", b"hello"])
def test_a_bad_file_keeps_the_current_image_and_says_why(pg, tmp_path, content):
    path = tmp_path / "bad.png"
    if content is not None:
        path.write_bytes(content)
    before = pg.current_result().image.copy()
    messages = []
    pg.sigStatus.connect(messages.append)
    assert not pg.load_image(path)
    np.testing.assert_array_equal(pg.current_result().image, before)
    assert pg.controls.image_message.isVisible() and messages


def test_image_source_combo_offers_photos_patterns_open_and_draw(pg):
    combo = pg.controls.image_combo
    texts = [combo.itemText(i) for i in range(combo.count())]
    for wanted in (
        "Camera man (photo)",
        "Coins (photo)",
        "Checkerboard",
        "Single bright pixel (impulse)",
        "Open image...",
        "Draw...",
    ):
        assert wanted in texts


def test_an_impulse_input_shows_the_kernel_itself_rotated(qtbot, pg):
    select_source(qtbot, pg, "Single bright pixel (impulse)")
    pg.controls.pool_type_combo.setCurrentText("none")
    result = assert_shows_engine_result(pg)
    r, c = np.unravel_index(np.argmax(result.image), result.image.shape)
    window = result.output[r - 2 : r + 1, c - 2 : c + 1]
    np.testing.assert_allclose(window, kernels.flip(kernels.preset("Sobel x")), atol=1e-6)


def test_dropping_an_image_file_loads_it_in_the_background(qtbot, pg, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write_png(tmp_path / "drop.png", (20, 20))))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    pg.dropEvent(event)
    qtbot.waitUntil(lambda: pg.current_result().image.shape == (20, 20), timeout=10000)


def test_preferences_remember_the_image_source_and_colour_mode(qtbot, pg):
    select_source(qtbot, pg, "Checkerboard")
    pg.colour_combo.setCurrentIndex(pg.colour_combo.findData("minmax"))
    again = PlaygroundWidget()
    qtbot.addWidget(again)
    assert again.controls.image_combo.currentText() == "Checkerboard"
    assert again.views.mode == "minmax"
    np.testing.assert_array_equal(
        again.current_result().image, patterns.pattern("Checkerboard", 128)
    )


def test_signed_colours_are_centred_on_zero_and_magnitude_mode_shows_abs(pg):
    out = pg.current_result().output
    m = float(np.abs(out).max())
    low, high = pg.views.colour_bar.levels()
    assert low == -high and m <= high <= 1.1 * m  # symmetric, nothing clipped
    pg.colour_combo.setCurrentIndex(pg.colour_combo.findData("abs"))
    assert pg.views.colour_bar.levels() == (0, high)
    assert_shows_engine_result(pg)


def double_click(view):
    """A real double click in the middle of a view (press, release, double click, release)."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    point = QPointF(view.viewport().rect().center())
    where = view.viewport().mapToGlobal(point)
    left = Qt.MouseButton.LeftButton
    for kind, buttons in ((QEvent.Type.MouseButtonPress, left),
                          (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
                          (QEvent.Type.MouseButtonDblClick, left),
                          (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton)):
        event = QMouseEvent(kind, point, where, left, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(view.viewport(), event)


def hover(view, row, col):
    """Move the mouse over pixel (row, col) of the array a view shows."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    point = QPointF(view.mapFromScene(view.image_item.mapToScene(col + 0.5, row + 0.5)))
    assert view.viewport().rect().contains(point.toPoint()), "pixel not visible"
    # QTest.mouseMove does not reach a QGraphicsView's scene on the offscreen platform
    event = QMouseEvent(QEvent.Type.MouseMove, point, view.viewport().mapToGlobal(point),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def test_hovering_an_output_pixel_explains_its_multiply_and_sum(qtbot, pg):
    pg.controls.padding_spin.setValue(1)
    result = pg.current_result()
    view = pg.views.output_view
    hover(view, 0, 5)
    qtbot.waitUntil(lambda: getattr(pg.inspector.explanation, "taps", [0])[0] == (-1, 4))
    ex = pg.inspector.explanation
    assert ex.total == pytest.approx(float(result.output[0, 5]), abs=1e-5)
    assert ex.in_padding[0].all()
    assert f"{float(result.output[0, 5]):.4f}" in pg.inspector.sum_label.text()
    # nine taps outlined: three in the padding row (magenta), six inside the image (yellow)
    assert pg.views.overlays.pad_taps.path().elementCount() == 3 * 5
    assert pg.views.overlays.taps.path().elementCount() == 6 * 5


def test_hovering_a_pooled_pixel_outlines_its_window_and_marks_the_max(qtbot, pg):
    result = pg.current_result()
    view = pg.views.pooled_view
    hover(view, 10, 20)
    rect = pg.views.overlays.pool_window.path().boundingRect()
    assert (rect.top(), rect.left(), rect.height()) == (20, 40, 2)
    marker = pg.views.overlays.pool_max.path().boundingRect()
    assert result.output[int(marker.top()), int(marker.left())] == result.pooled[10, 20]
    # and the (larger) input region the pooled pixel depends on, dashed on the input
    field = pg.views.overlays.pool_field.path().boundingRect()
    assert (field.top(), field.left(), field.height(), field.width()) == (20, 40, 4, 4)


def test_animation_step_fills_the_output_in_scan_order(qtbot, pg):
    for _ in range(3):
        qtbot.mouseClick(pg.animation.step_button, Qt.MouseButton.LeftButton)
    shown = pg.views.output_view.image_item.image
    assert np.isfinite(shown.ravel()[:3]).all() and np.isnan(shown.ravel()[3:]).all()
    qtbot.mouseClick(pg.animation.reset_button, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(pg.views.output_view.image_item.image, pg.current_result().output)


def test_animation_plays_and_pauses(qtbot, pg):
    pg.animation.speed_slider.setValue(100)
    qtbot.mouseClick(pg.animation.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pg.animation.filled > 0)
    qtbot.mouseClick(pg.animation.play_button, Qt.MouseButton.LeftButton)
    filled = pg.animation.filled
    with qtbot.assertNotEmitted(pg.animation.sigFrame, wait=80):
        pass
    assert pg.animation.filled == filled


def test_speed_panel_compares_loops_and_vectorised(qtbot, pg):
    pg.set_image(patterns.pattern("Disc", 32), "tiny")
    pg.tabs.setCurrentWidget(pg.speed)
    qtbot.mouseClick(pg.speed.button, Qt.MouseButton.LeftButton)
    assert "times faster" in pg.speed.label.text()


def test_histogram_counts_every_output_pixel(pg):
    pg.tabs.setCurrentWidget(pg.histogram)
    _x, counts = pg.histogram.curve.getData()
    assert counts.sum() == pg.current_result().output.size


def test_every_view_shows_its_whole_map(pg):
    for view in (pg.views.input_view, pg.views.output_view, pg.views.pooled_view):
        visible = view.getPlotItem().getViewBox().viewRect()
        assert visible.contains(view.image_item.mapRectToParent(view.image_item.boundingRect()))


def test_fits_at_1024_by_700_without_hiding_controls(qtbot, pg):
    pg.resize(1024, 700)
    qtbot.wait(10)
    for widget in (pg.views.input_view, pg.views.output_view, pg.views.pooled_view):
        assert widget.width() > 100 and widget.height() > 100
    assert pg.width() <= 1024 and pg.height() <= 700
    assert pg.kernel_grid.visibleRegion().boundingRect().width() > 100


def test_export_saves_the_exact_feature_map_as_npy(pg, tmp_path):
    written = pg.export_map("output", str(tmp_path / "map.npy"))
    np.testing.assert_array_equal(np.load(written), pg.current_result().output)


def test_export_saves_the_pooled_map_as_a_png_of_its_size(pg, tmp_path):
    written = pg.export_map("pooled", str(tmp_path / "pooled.png"))
    image = QImage(written)
    assert (image.height(), image.width()) == pg.current_result().pooled.shape


def test_export_without_a_map_says_so(pg, tmp_path):
    messages = []
    pg.sigStatus.connect(messages.append)
    pg.controls.pool_type_combo.setCurrentText("none")
    assert pg.export_map("pooled", str(tmp_path / "x.npy")) is None
    assert "no pooled map" in messages[-1]


def test_translation_lab_tab_gets_the_current_image_kernel_and_settings(qtbot, pg):
    lab = pg.translation_lab
    pg.controls.stride_spin.setValue(2)
    pg.tabs.setCurrentWidget(pg.translation_page)
    qtbot.waitUntil(lambda: lab.report() is not None)
    np.testing.assert_array_equal(lab._image, pg.current_result().image)
    assert lab._settings == pg.current_result().settings


def test_open_image_item_asks_for_a_file_and_loads_it(qtbot, pg, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    path = write_png(tmp_path / "chosen.png", (24, 16))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    select_source(qtbot, pg, "Open image...")
    qtbot.waitUntil(lambda: pg.current_result().image.shape == (16, 24), timeout=10000)
    assert pg.controls.image_combo.currentText() == "File: chosen.png"


def test_cancelling_the_file_dialog_keeps_image_and_menu_choice(qtbot, pg, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    before = pg.current_result().image
    select_source(qtbot, pg, "Open image...")
    assert pg.current_result().image is before
    assert pg.controls.image_combo.currentText() == "Disc"


def test_draw_item_uses_the_drawing_as_input(qtbot, pg, monkeypatch):
    from ui.widgets.draw_dialog import DrawDialog

    drawing = np.zeros((256, 256), dtype=np.float32)
    drawing[100:150, 60:70] = 1.0
    monkeypatch.setattr(DrawDialog, "exec", lambda self: DrawDialog.DialogCode.Accepted)
    monkeypatch.setattr(DrawDialog, "image", lambda self: drawing)
    select_source(qtbot, pg, "Draw...")
    np.testing.assert_array_equal(pg.current_result().image, drawing)
    assert pg.controls.image_combo.currentText() == "Drawing"


def test_a_large_image_is_scaled_down_with_a_note(pg, tmp_path):
    messages = []
    pg.sigStatus.connect(messages.append)
    assert pg.load_image(write_png(tmp_path / "big.png", (1024, 600)))
    assert pg.current_result().image.shape == (300, 512)
    assert any("scaled" in m for m in messages)
    assert "scaled" in pg.controls.image_info.text()


def test_clicking_why_pins_the_explanation_beside_the_controls(pg):
    from PySide6.QtWidgets import QWhatsThis

    from ui.playground.controls import WHY
    from ui.widgets.why import WhyLabel

    labels = [w for w in pg.findChildren(WhyLabel) if w.explanation == WHY["dilation"]]
    assert labels and labels[0].toolTip() == WHY["dilation"]
    labels[0].linkActivated.emit("#")
    assert pg.controls.why_note.text() == WHY["dilation"]
    QWhatsThis.hideText()  # the balloon beside the link would swallow the next test's click


def test_every_idea_has_a_why_note_beside_its_control(pg):
    from ui.playground.controls import WHY
    from ui.widgets.why import WhyLabel

    notes = {w.explanation for w in pg.findChildren(WhyLabel)}
    assert set(WHY.values()) <= notes


def test_inspector_explains_the_centre_pixel_before_anything_is_hovered(qtbot, pg):
    result = pg.current_result()
    qtbot.waitUntil(lambda: pg.inspector.explanation is not None)
    ho, wo = result.output.shape
    assert pg.inspector.explanation.value == float(result.output[ho // 2, wo // 2])


def test_editing_the_kernel_updates_the_explanation_of_the_hovered_pixel(qtbot, pg):
    hover(pg.views.output_view, 40, 30)
    click_cell(qtbot, pg, 0, 0)
    result = pg.current_result()
    # Sobel x's -1 plus one step: the explanation follows the edit
    qtbot.waitUntil(
        lambda: pg.inspector.explanation is not None and pg.inspector.explanation.kernel[0, 0] == 0
    )
    assert pg.inspector.explanation.value == float(result.output[40, 30])
    assert pg.inspector.explanation.taps[4] == (41, 31)  # still the hovered pixel's window


@pytest.mark.parametrize("seed", range(3))
def test_random_extreme_settings_never_raise_and_always_show_the_engine_result(pg, seed):
    rng = np.random.default_rng(seed)
    c = pg.controls
    pg.set_image(patterns.pattern("Lines", 32), "small lines")
    for _ in range(12):
        c.kernel_size_spin.setValue(int(rng.integers(1, 10)))
        c.stride_spin.setValue(int(rng.integers(1, 9)))
        c.padding_spin.setValue(int(rng.integers(0, 10)))
        c.dilation_spin.setValue(int(rng.integers(1, 6)))
        c.padding_mode_combo.setCurrentIndex(int(rng.integers(0, 3)))
        c.pool_type_combo.setCurrentIndex(int(rng.integers(0, 3)))
        c.pool_size_spin.setValue(int(rng.integers(1, 9)))
        c.pool_stride_spin.setValue(int(rng.integers(1, 9)))
        c.relu_check.setChecked(bool(rng.integers(0, 2)))
        result = assert_shows_engine_result(pg)
        assert (result.output is None) == pg.views.message.isVisible()


def test_zooming_one_view_zooms_the_others_to_the_same_region(pg):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    view = pg.views.input_view
    centre = QPointF(view.viewport().rect().center())
    where = QPointF(view.viewport().mapToGlobal(centre.toPoint()))
    event = QWheelEvent(centre, where, QPoint(0, 0), QPoint(0, 480), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    before = view.getPlotItem().getViewBox().viewRect().width()
    QApplication.sendEvent(view.viewport(), event)
    zoomed = view.getPlotItem().getViewBox().viewRect()
    assert zoomed.width() < before
    for other in (pg.views.output_view, pg.views.pooled_view):
        rect = other.getPlotItem().getViewBox().viewRect()
        assert rect.contains(zoomed.center()) and rect.width() < before


def test_preferences_reopen_the_last_image_file(qtbot, pg, tmp_path):
    pg.load_image(write_png(tmp_path / "remembered.png", (33, 21)))
    again = PlaygroundWidget()
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.current_result().image.shape == (21, 33), timeout=10000)
    assert again.controls.image_combo.currentText() == "File: remembered.png"


def test_shrinking_a_fixed_3x3_preset_crops_it_and_keeps_spin_and_grid_in_step(pg):
    pg.controls.kernel_size_spin.setValue(1)
    assert pg.kernel_grid.kernel().shape == (1, 1)
    assert pg.kernel_grid.kernel()[0, 0] == kernels.preset("Sobel x")[1, 1]
    # still Sobel x, cropped: the next size that has it brings the whole preset back
    assert pg.controls.preset_combo.currentText() == "Sobel x"
    assert assert_shows_engine_result(pg).kernel.shape == (1, 1)


def test_setting_the_grid_kernel_directly_keeps_the_size_spin_in_step(pg):
    pg.kernel_grid.set_kernel(np.ones((5, 5)))
    assert pg.controls.kernel_size_spin.value() == 5
    assert pg.controls.padding_spin.maximum() == 5
    assert assert_shows_engine_result(pg).kernel.shape == (5, 5)


def test_double_click_on_a_view_shows_the_whole_image_again(qtbot, pg):
    box = pg.views.output_view.getPlotItem().getViewBox()
    box.setRange(xRange=(10, 20), yRange=(10, 20), padding=0)
    assert not box.viewRect().contains(QRectF(0, 0, 128, 128))
    double_click(pg.views.output_view)
    assert box.viewRect().contains(QRectF(0, 0, 128, 128))


def test_export_menu_asks_for_a_file_and_saves_what_was_chosen(pg, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QToolButton

    target = tmp_path / "chosen.npy"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    button = pg.findChild(QToolButton, "exportButton")
    button.menu().actions()[0].trigger()  # "Export feature map (PNG or .npy)..."
    np.testing.assert_array_equal(np.load(target), pg.current_result().output)
