"""The translation lab driven as a user would: shift by spin boxes and arrow keys, read the maps."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from cnnviz.lab.conv import ConvSettings, compute
from cnnviz.lab.kernels import preset
from cnnviz.lab.patterns import pattern
from cnnviz.lab.translation import shift_image
from ui.playground.translation_lab import TranslationLab


@pytest.fixture
def lab(qtbot):
    widget = TranslationLab()
    qtbot.addWidget(widget)
    widget.resize(400, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def lines():
    return pattern("Lines", 64)


def _shown(lab, row, col):
    return lab.items[row][col].image


def test_shift_spin_boxes_are_named_for_automation(lab):
    assert lab.findChild(type(lab.x_spin), "shiftXSpin") is lab.x_spin
    assert lab.findChild(type(lab.y_spin), "shiftYSpin") is lab.y_spin


def test_shifted_input_view_shows_the_input_moved_by_the_spin_boxes(qtbot, lab, lines):
    lab.set_inputs(lines, preset("Sobel x"), ConvSettings())
    lab.x_spin.setValue(3)
    lab.y_spin.setValue(-2)
    qtbot.waitUntil(lambda: lab.report() is not None and lab.report().dx == 3)
    assert np.array_equal(_shown(lab, 1, 0), shift_image(lines, -2, 3))
    assert np.array_equal(_shown(lab, 0, 0), lines)


def test_feature_map_views_show_the_engines_maps(qtbot, lab, lines):
    settings = ConvSettings(padding=1, relu=True, pool="max")
    lab.set_inputs(lines, preset("Sobel y"), settings)
    lab.set_shift(1, 2)
    r = lab.report()
    expected = compute(shift_image(lines, 1, 2), preset("Sobel y"), settings)
    assert np.allclose(_shown(lab, 1, 1), expected.output)
    assert np.allclose(_shown(lab, 1, 2), expected.pooled)
    assert np.allclose(_shown(lab, 0, 1), compute(lines, preset("Sobel y"), settings).output)
    assert r.dy == 1 and r.dx == 2


def test_arrow_keys_shift_the_input(qtbot, lab, lines):
    lab.set_inputs(lines, preset("Sobel x"), ConvSettings())
    lab.set_shift(0, 0)
    lab.setFocus()
    qtbot.keyClick(lab, Qt.Key.Key_Right)
    qtbot.keyClick(lab, Qt.Key.Key_Right)
    qtbot.keyClick(lab, Qt.Key.Key_Up)
    assert lab.shift() == (-1, 2)
    qtbot.keyClick(lab, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert lab.shift() == (3, 2)
    assert lab.report().dy == 3 and lab.report().dx == 2


def test_arrow_keys_over_the_views_shift_too(qtbot, lab, lines):
    lab.set_inputs(lines, preset("Sobel x"), ConvSettings())
    lab.set_shift(0, 0)
    qtbot.keyClick(lab.graphics, Qt.Key.Key_Left)
    assert lab.shift() == (0, -1)


def test_numbers_show_equivariance_and_the_pooled_change(qtbot, lab, lines):
    lab.set_inputs(lines, preset("Sobel x"), ConvSettings(pool="max"))
    lab.set_shift(0, 1)
    r = lab.report()
    text = lab.numbers.text()
    assert "equivariance" in text
    assert f"{r.max_abs_change_output_unaligned:.3g}" in text
    assert f"{r.max_abs_change_pooled:.3g}" in text


def test_move_back_shows_a_zero_difference_in_the_interior(qtbot, lab, lines):
    lab.set_inputs(lines, preset("Laplacian"), ConvSettings())
    lab.set_shift(2, 1)
    lab.report()
    unaligned = _shown(lab, 2, 1).copy()
    assert np.abs(unaligned).max() > 0.1
    lab.align_check.setChecked(True)
    assert np.allclose(_shown(lab, 2, 1), 0.0, atol=1e-5)


def test_without_pooling_the_pooled_column_is_empty(qtbot, lab, lines):
    lab.set_inputs(lines, preset("Sobel x"), ConvSettings(pool="none"))
    lab.report()
    assert _shown(lab, 0, 2) is None
    assert "Pooled" not in lab.numbers.text()


def test_impossible_settings_show_the_explanation(qtbot, lab):
    lab.set_inputs(np.zeros((10, 10)), np.ones((9, 9)), ConvSettings(dilation=3))
    lab.report()
    assert "spans" in lab.numbers.text()
    assert _shown(lab, 0, 1) is None


def test_updates_are_coalesced_until_the_event_loop_runs(qtbot, lab, lines):
    reports = []
    lab.sigReportChanged.connect(reports.append)
    lab.set_inputs(lines, preset("Sobel x"), ConvSettings())
    with qtbot.waitSignal(lab.sigReportChanged):
        for dx in range(1, 6):
            lab.x_spin.setValue(dx)
    with qtbot.assertNotEmitted(lab.sigReportChanged, wait=20):
        pass
    assert len(reports) == 1 and reports[0].dx == 5


def test_zoom_centres_every_view_on_the_region_at_one_scale(qtbot, lab):
    lab.set_inputs(pattern("Disc", 256), preset("Sobel x"), ConvSettings(stride=2, pool="max"))
    lab.report()
    lab.zoom_combo.setCurrentIndex(lab.zoom_combo.findData(32))
    region = lab.visible_region()
    assert region.width() == 32 and region.center().x() == pytest.approx(128)
    for vb in (vb for row in lab.views for vb in row):
        (x0, x1), (y0, y1) = vb.viewRange()
        assert (x0 + x1) / 2 == pytest.approx(128) and (y0 + y1) / 2 == pytest.approx(128)
        assert x1 - x0 >= 32 - 1e-6 and y1 - y0 >= 32 - 1e-6  # the whole region is in view
        scale = vb.size().width() / (x1 - x0)
        assert scale == pytest.approx(vb.size().height() / (y1 - y0))  # square pixels
        assert scale == pytest.approx(lab.views[0][0].size().width() / 32, rel=0.35)


def test_why_note_is_shown_beside_the_views(lab):
    why = lab.findChild(type(lab.numbers), "translationWhy")
    assert why.isVisible() and "equivariance" in why.text()


def test_clicking_a_view_looks_at_that_spot(qtbot, lab):
    lab.set_inputs(pattern("Disc", 256), preset("Sobel x"), ConvSettings())
    lab.report()
    vb = lab.views[1][1]
    (x0, x1), (y0, y1) = vb.viewRange()
    target = vb.mapViewToScene(pg.Point(x0 + 0.25 * (x1 - x0), y0 + 0.75 * (y1 - y0)))
    pos = lab.graphics.mapFromScene(target)
    qtbot.mouseClick(lab.graphics.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    centre = lab.visible_region().center()
    assert centre.x() == pytest.approx(x0 + 0.25 * (x1 - x0), abs=1.5)
    assert centre.y() == pytest.approx(y0 + 0.75 * (y1 - y0), abs=1.5)
    (nx0, nx1), _ = lab.views[0][0].viewRange()
    assert (nx0 + nx1) / 2 == pytest.approx(centre.x())


def test_a_shift_by_one_pooling_step_lists_the_pooled_map_moved_back(qtbot, lab, lines):
    lab.set_inputs(lines, preset("Sobel x"), ConvSettings(pool="max"))
    lab.set_shift(0, 2)
    r = lab.report()
    assert "Pooled, moved back (1, 0)" in lab.numbers.text()
    assert r.max_abs_change_pooled_aligned == pytest.approx(0.0, abs=1e-5)


def test_maps_use_the_playgrounds_robust_scale_not_the_single_extreme(qtbot, lab):
    rng = np.random.default_rng(1)
    image = (0.4 + 0.05 * rng.random((64, 64))).astype(np.float32)
    image[30:32, 30:32] = 1.0  # one bright spot: a few extreme responses
    lab.set_inputs(image, preset("Sobel x"), ConvSettings())
    r = lab.report()
    low, high = lab.items[0][1].getLevels()
    assert low == -high and high < 0.5 * np.abs(r.output).max()
