"""Filter thumbnails as big as the panel allows, their values on hover, and "first step vs
now" on one colour scale."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QCheckBox, QToolTip, QWidget

from ui.training.filters_view import FiltersView


@pytest.fixture
def view(qtbot):
    v = FiltersView()
    qtbot.addWidget(v)
    v.resize(700, 360)
    v.show()
    qtbot.waitExposed(v)
    return v


def filters(seed=0, scale=0.5):
    return np.random.default_rng(seed).normal(0, scale, (4, 1, 3, 3))


def test_four_filters_in_a_wide_panel_fill_one_row(view):
    view.add_frame(1, filters())
    view.refresh()
    assert view.grid()[1] == 4


def test_thumbnails_grow_with_the_panel(qtbot, view):
    view.add_frame(1, filters())
    view.refresh()
    small = view.thumbnail_size()
    view.resize(1200, 700)
    qtbot.waitUntil(lambda: view.thumbnail_size() > 1.5 * small, timeout=3000)


def test_hovering_a_filter_shows_its_weights_to_3_significant_digits(view):
    weights = filters()
    view.add_frame(1, weights)
    view.refresh()
    text = view.hover_filter(2)
    assert f"{weights[2, 0, 1, 1]:.3g}" in text and "filter 3" in text


def test_the_hover_tooltip_is_shown(view):
    view.add_frame(1, filters())
    view.refresh()
    view.hover_filter(0)
    assert "filter 1" in QToolTip.text()


def test_the_pointer_over_a_thumbnail_finds_that_filter(view):
    view.add_frame(1, filters())
    view.refresh()
    _count, cols, kh, kw = view.grid()
    vb = view.graphics.getViewBox()
    import pyqtgraph as pg
    centre = vb.mapViewToScene(pg.Point(2 * (kw + 1) + 1, 1))
    assert view.index_at(centre) == 2


def test_first_vs_now_shows_the_first_steps_filters_beside_the_current_ones(view):
    first, now = filters(0, 0.1), filters(1, 0.9)
    view.add_frame(1, first)
    view.add_frame(50, now)
    check = view.findChild(QCheckBox, "firstVsNowCheck")
    check.setChecked(True)
    view.refresh()
    comparison = view.findChild(QWidget, "firstVsNowView")
    assert comparison.isVisible()
    bound = max(np.abs(first).max(), np.abs(now).max())
    assert comparison.levels() == pytest.approx((-bound, bound))  # one scale for both
    assert np.nanmax(np.abs(comparison.first_item.image)) == pytest.approx(np.abs(first).max())


def test_first_vs_now_keeps_the_first_frame_when_the_timeline_thins(view):
    first = filters(0)
    view.add_frame(1, first)
    for step in range(2, 600):
        view.add_frame(step, filters(step))
    assert view.first_frame()[0] == 1
    np.testing.assert_array_equal(view.first_frame()[1], first)


def test_a_new_run_forgets_the_first_frame(view):
    view.add_frame(1, filters())
    view.clear()
    assert view.first_frame() is None


def test_hovering_a_colour_filter_shows_its_red_green_and_blue_weights(view):
    weights = np.random.default_rng(2).normal(0, 0.5, (4, 3, 3, 3))
    view.add_frame(1, weights)
    view.refresh()
    text = view.hover_filter(1)
    assert "red" in text and "blue" in text and f"{weights[1, 2, 0, 0]:.3g}" in text


def test_a_bad_stored_pace_falls_back_to_full_speed(qtbot):
    from ui.training.controls import TrainingControls
    from ui.widgets.settings import write_setting

    write_setting("training/pace", "7")
    controls = TrainingControls()
    qtbot.addWidget(controls)
    controls.restore_settings()
    assert controls.pace() is None
