"""What the playground views show: a robust colour scale (full range on request, never degenerate),
the exact extremes, hover rings and inspector numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cnnviz.lab import kernels, patterns
from ui.playground.colour_scale import ROBUST_PERCENTILE, display_levels
from ui.playground.widget import PlaygroundWidget


@pytest.fixture
def pg(qtbot):
    widget = PlaygroundWidget()
    widget.resize(1200, 800)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def textured_image_with_one_hot_spot(size=96):
    """Gentle texture everywhere plus one tiny very bright spot: like a photo's outliers."""
    rng = np.random.default_rng(1)
    image = 0.4 + 0.05 * rng.random((size, size))
    image[40:42, 40:42] = 1.0
    return image.astype(np.float32)


def choose_mode(pg, key):
    pg.colour_combo.setCurrentIndex(pg.colour_combo.findData(key))


def test_default_scale_follows_ordinary_values_not_the_rare_extreme(pg):
    pg.set_image(textured_image_with_one_hot_spot(), "spot")
    pg.set_kernel(kernels.preset("Sobel x"))
    out = pg.current_result().output
    low, high = pg.views.colour_bar.levels()
    assert low == -high  # still centred on zero
    assert high < 0.5 * np.abs(out).max()  # the outlier saturates ...
    assert high >= np.percentile(np.abs(out), ROBUST_PERCENTILE)  # ... ordinary edges do not


def test_full_range_option_keeps_every_value_inside_the_scale(pg):
    pg.set_image(textured_image_with_one_hot_spot(), "spot")
    pg.set_kernel(kernels.preset("Sobel x"))
    choose_mode(pg, "signed_full")
    out = pg.current_result().output
    low, high = pg.views.colour_bar.levels()
    assert low == -high and np.abs(out).max() <= high <= 1.1 * np.abs(out).max()


def test_an_impulse_keeps_its_kernel_unsaturated(pg):
    pg.set_image(patterns.pattern("Single bright pixel (impulse)", 64), "impulse")
    pg.set_kernel(kernels.preset("Gaussian blur", 5))
    out = pg.current_result().output
    _low, high = pg.views.colour_bar.levels()
    assert high >= 0.97 * np.abs(out).max()  # 99% zeros must not shrink the scale to its tails


def test_pooled_map_shares_the_feature_map_scale(pg):
    pg.set_image(textured_image_with_one_hot_spot(), "spot")
    levels = pg.views.pooled_view.image_item.getLevels()
    assert tuple(levels) == pytest.approx(pg.views.colour_bar.levels())
    assert tuple(levels) == pytest.approx(pg.views.output_view.image_item.getLevels())


def test_the_exact_min_and_max_are_printed_beside_the_scale(qtbot, pg):
    pg.set_image(textured_image_with_one_hot_spot(), "spot")
    pg.set_kernel(kernels.preset("Sobel x"))
    result = pg.current_result()
    qtbot.waitUntil(lambda: f"{result.output.min():.4g}" in pg.views.range_label.text())
    text = pg.views.range_label.text()
    assert f"{result.output.min():.4g}" in text and f"{result.output.max():.4g}" in text
    assert f"{result.pooled.max():.4g}" in text
    assert "saturate" in text


@pytest.mark.parametrize("mode", ["signed", "signed_full", "abs", "minmax"])
def test_a_constant_map_gets_a_usable_scale_without_warnings(pg, mode):
    choose_mode(pg, mode)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pg.set_image(np.full((32, 32), 0.5), "flat")
        pg.current_result()
        low, high = pg.views.colour_bar.levels()
    assert np.isfinite(low) and np.isfinite(high) and high > low


@pytest.mark.parametrize("mode", ["signed", "signed_full", "abs", "minmax"])
def test_levels_ignore_non_finite_values(mode):
    values = np.array([[np.nan, -2.0], [np.inf, 1.0]], dtype=np.float32)
    low, high = display_levels(values, mode)
    assert np.isfinite(low) and np.isfinite(high) and high > low


def test_export_png_uses_the_scale_on_screen(pg, tmp_path):
    from PySide6.QtGui import QImage

    pg.set_image(textured_image_with_one_hot_spot(), "spot")
    pg.set_kernel(kernels.preset("Sobel x"))
    out = pg.current_result().output
    path = pg.export_map("output", str(tmp_path / "map.png"))
    image = QImage(path)
    _low, high = pg.views.colour_bar.levels()
    # A pixel at the robust limit and the outlier far above it get the same saturated colour.
    row, col = np.unravel_index(np.argmax(out), out.shape)
    near = np.argwhere((out > high) & (out < out.max()))
    assert near.size, "expected a second saturated pixel"
    r2, c2 = near[0]
    assert image.pixel(int(col), int(row)) == image.pixel(int(c2), int(r2))


def test_hovering_a_pooled_pixel_rings_its_window_on_the_feature_map(qtbot, pg):
    from test_playground import hover

    pg.set_image(textured_image_with_one_hot_spot(), "spot")
    pg.current_result()
    hover(pg.views.pooled_view, 10, 20)
    xs, ys = pg.views.overlays.output_locator.getData()
    window = pg.views.overlays.pool_window.path().boundingRect()
    centre = pg.views.output_view.image_item.mapToParent(window.center())
    assert len(xs) == 1 and (xs[0], ys[0]) == pytest.approx((centre.x(), centre.y()))


def test_inspector_shows_tiny_negative_products_by_their_digits_never_as_minus_zero(qtbot, pg):
    pg.set_image(np.full((16, 16), 0.5), "flat")
    pg.set_kernel(np.full((3, 3), -1e-4))
    result = pg.current_result()
    pg.inspector.explain(result, 5, 5)
    assert "-5.00e-05" in pg.inspector.products_label.text()
    assert "-0.00<" not in pg.inspector.products_label.text()


def test_histogram_marks_where_the_colour_scale_ends(pg):
    pg.set_image(textured_image_with_one_hot_spot(), "spot")
    pg.set_kernel(kernels.preset("Sobel x"))
    pg.tabs.setCurrentWidget(pg.histogram)
    pg.current_result()
    low, high = pg.views.colour_bar.levels()
    lines = pg.histogram.level_lines
    assert all(line.isVisible() for line in lines)
    assert sorted(line.value() for line in lines) == pytest.approx([low, high])
    choose_mode(pg, "signed_full")
    low, high = pg.views.colour_bar.levels()
    assert sorted(line.value() for line in lines) == pytest.approx([low, high])


def _select(pg, text):
    combo = pg.controls.image_combo
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_set_image_names_the_array_in_the_source_menu_and_can_come_back(pg):
    array = patterns.pattern("Lines", 40)
    pg.set_image(array, "my array")
    assert pg.controls.image_combo.currentText() == "Array: my array"
    _select(pg, "Disc")
    _select(pg, "Array: my array")
    np.testing.assert_array_equal(pg.current_result().image, array)


def test_choosing_the_drawing_again_brings_the_drawing_back(qtbot, pg, monkeypatch):
    from ui.widgets.draw_dialog import DrawDialog

    drawing = np.zeros((64, 64), dtype=np.float32)
    drawing[10:40, 20:25] = 1.0
    monkeypatch.setattr(DrawDialog, "exec", lambda self: DrawDialog.DialogCode.Accepted)
    monkeypatch.setattr(DrawDialog, "image", lambda self: drawing)
    _select(pg, "Draw...")
    _select(pg, "Disc")
    _select(pg, "Drawing")
    np.testing.assert_array_equal(pg.current_result().image, drawing)
    assert pg.controls.image_combo.currentText() == "Drawing"


def test_the_input_is_outlined_so_a_dark_image_stays_findable(pg):
    from PySide6.QtCore import QRectF

    pg.set_image(np.zeros((5, 7)), "dark")
    pg.current_result()
    assert pg.views.overlays.image_outline.path().boundingRect() == QRectF(0, 0, 7, 5)


def test_clicking_why_shows_the_explanation_right_beside_the_link(qtbot, pg):
    from PySide6.QtWidgets import QApplication, QWhatsThis

    from ui.playground.controls import WHY, WhyLabel

    link = next(w for w in pg.findChildren(WhyLabel) if w.explanation == WHY["kernel"])
    link.linkActivated.emit("#")

    def balloon_shown():
        return any(
            w.metaObject().className() == "QWhatsThat" and w.isVisible()
            for w in QApplication.topLevelWidgets()
        )

    qtbot.waitUntil(balloon_shown)
    QWhatsThis.hideText()


def test_parameter_comparison_reads_naturally_when_dense_is_not_bigger(pg):
    from ui.playground.panels import params_text

    pg.set_image(np.zeros((1, 1)), "one pixel")
    pg.set_kernel(np.ones((1, 1)))
    text = params_text(pg.current_result())
    assert "about as many" in text and "1 times more" not in text


def test_parameter_comparison_says_fewer_when_the_conv_costs_more(pg):
    from ui.playground.panels import params_text

    pg.set_image(np.zeros((1, 1)), "one pixel")
    pg.controls.padding_spin.setValue(1)
    pg.set_kernel(np.ones((3, 3)))  # 10 parameters against a 1 -> 1 dense layer's 2
    text = params_text(pg.current_result())
    assert "5 times fewer" in text and "about as many" not in text


@pytest.mark.parametrize("n", [1, 2, 7, 500, 30_000])
def test_the_robust_scale_is_numpys_percentile_of_the_nonzero_magnitudes(n):
    from ui.playground.colour_scale import robust_abs_max

    values = np.random.default_rng(n).standard_normal((1, n)).astype(np.float32)
    values[0, ::3] = 0.0  # zeros say nothing about how strong a response is
    magnitudes = np.abs(values[values != 0])
    want = float(np.percentile(magnitudes, ROBUST_PERCENTILE)) if magnitudes.size else 0.0
    assert robust_abs_max(values) == pytest.approx(want or float(np.abs(values).max()),
                                                   rel=1e-6)
