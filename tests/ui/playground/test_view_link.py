"""Input, feature map and pooled map at one scale, with linked zoom and pan."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from ui.playground.widget import PlaygroundWidget


@pytest.fixture
def pg(qtbot):
    widget = PlaygroundWidget()
    widget.resize(1400, 900)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.controls.pool_type_combo.setCurrentText("max")
    widget.set_image(np.random.default_rng(4).random((512, 512)), "noise")
    widget.current_result()
    qtbot.wait(20)  # the views settle and fit
    return widget


def screen_width(view) -> float:
    """The image's width on screen: its width in input coordinates times the view's scale (the
    scene transform itself is only updated at the next paint)."""
    box = view.getPlotItem().getViewBox()
    item = view.image_item
    return item.mapRectToParent(item.boundingRect()).width() * box.width() / box.viewRect().width()


def test_a_2x2_stride_2_pooled_map_is_drawn_half_as_wide_as_the_feature_map(qtbot, pg):
    result = pg.current_result()
    assert result.output.shape == (510, 510) and result.pooled.shape == (255, 255)
    ratio = screen_width(pg.views.pooled_view) / screen_width(pg.views.output_view)
    assert ratio == pytest.approx(0.5, rel=0.01)


def test_the_feature_map_pixel_is_as_big_on_screen_as_an_input_pixel(qtbot, pg):
    out = screen_width(pg.views.output_view) / 510
    inp = screen_width(pg.views.input_view) / 512
    assert out == pytest.approx(inp, rel=0.01)


def test_stride_2_halves_the_feature_map_on_screen_too(qtbot, pg):
    pg.controls.stride_spin.setValue(2)
    pg.current_result()
    qtbot.wait(20)
    out = pg.current_result().output.shape[1]
    per_pixel = screen_width(pg.views.output_view) / out
    assert per_pixel == pytest.approx(screen_width(pg.views.input_view) / 512, rel=0.01)


def drag(view, dx: float, dy: float) -> None:
    """Pan ``view`` by (dx, dy) screen pixels, as pyqtgraph's mouse drag does."""
    box = view.getPlotItem().getViewBox()
    box.translateBy(x=-dx / box.width() * box.viewRect().width(),
                    y=-dy / box.height() * box.viewRect().height())
    box.sigRangeChangedManually.emit([True, True])


def centre(view) -> QPointF:
    return view.getPlotItem().getViewBox().viewRect().center()


@pytest.mark.parametrize("leader", ["input_view", "output_view", "pooled_view"])
def test_panning_one_view_pans_the_others_to_the_same_input_place(qtbot, pg, leader):
    drag(getattr(pg.views, leader), 40, 25)
    c = centre(getattr(pg.views, leader))
    for name in ("input_view", "output_view", "pooled_view"):
        assert (centre(getattr(pg.views, name)).x(), centre(getattr(pg.views, name)).y()) == \
            pytest.approx((c.x(), c.y()), abs=1e-6)
    ratio = screen_width(pg.views.pooled_view) / screen_width(pg.views.output_view)
    assert ratio == pytest.approx(0.5, rel=0.01)


def test_zooming_one_view_zooms_the_others_at_the_same_scale(qtbot, pg):
    before = screen_width(pg.views.input_view)
    box = pg.views.output_view.getPlotItem().getViewBox()
    box.scaleBy((0.5, 0.5))
    box.sigRangeChangedManually.emit([True, True])
    inp = screen_width(pg.views.input_view) / 512
    out = screen_width(pg.views.output_view) / 510
    pooled = screen_width(pg.views.pooled_view) / 255
    assert out == pytest.approx(inp, rel=0.01) and pooled == pytest.approx(inp, rel=0.01)
    assert screen_width(pg.views.input_view) == pytest.approx(2 * before, rel=0.01)


def test_double_click_shows_the_whole_image_again_in_every_view(qtbot, pg):
    drag(pg.views.input_view, 200, 0)
    pg.views.show_all()
    for view in (pg.views.input_view, pg.views.output_view, pg.views.pooled_view):
        shown = view.getPlotItem().getViewBox().viewRect()
        assert shown.contains(view.image_item.mapRectToParent(view.image_item.boundingRect()))
