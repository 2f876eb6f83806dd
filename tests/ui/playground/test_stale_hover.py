"""Hover and pin state never outlives the image or the geometry it was computed for."""

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
    assert widget.set_image(np.random.default_rng(1).random((512, 512)), "noise")
    widget.current_result()
    return widget


def move_mouse(view, row, col):
    """The scene's mouse-move signal over the centre of pixel (row, col) of an ImagePanel (a
    zoomed-out 512 px map has pixels smaller than a screen pixel: a QMouseEvent cannot aim)."""
    view.scene().sigMouseMoved.emit(view.image_item.mapToScene(QPointF(col + 0.5, row + 0.5)))


def outlines(pg) -> list:
    paths = [item for item in pg.views.overlays.items() if not item.path().isEmpty()]
    rings = [r for r in (pg.views.overlays.input_locator, pg.views.overlays.output_locator)
             if len(r.data)]
    return paths + rings


def hover_then_pin(pg, qtbot, row=112, col=286):
    move_mouse(pg.views.output_view, row, col)
    assert pg.hover_label.text().startswith(f"feature map ({row}, {col})")
    pg.views.output_view.sigClicked.emit(row, col)
    assert pg.hover.pinned() == (row, col) and outlines(pg)


def test_a_smaller_image_clears_the_pinned_pixel_label_and_circles(qtbot, pg):
    hover_then_pin(pg, qtbot)
    assert pg.set_image(np.random.default_rng(2).random((254, 254)), "Drawing")
    pg.current_result()
    qtbot.wait(5)
    assert pg.hover.focus() is None
    assert "(112, 286)" not in pg.hover_label.text()
    assert outlines(pg) == []


def test_a_new_image_of_the_same_size_leaves_no_old_value_in_the_label(qtbot, pg):
    hover_then_pin(pg, qtbot, 40, 50)
    assert pg.set_image(np.zeros((512, 512)), "blank")
    pg.current_result()
    assert "(40, 50)" not in pg.hover_label.text() and outlines(pg) == []


def test_a_mouse_move_before_the_new_image_is_computed_leaves_no_old_value(qtbot, pg):
    # Closing the draw dialog sends a mouse move over the old map before the new image is drawn.
    move_mouse(pg.views.output_view, 112, 286)
    assert pg.set_image(np.random.default_rng(2).random((254, 254)), "Drawing")
    move_mouse(pg.views.output_view, 112, 300)
    assert "feature map (112, 300)" not in pg.hover_label.text()
    pg.current_result()
    assert "(112, 3" not in pg.hover_label.text() and outlines(pg) == []


# (control, value, where pinned pixel (100, 300) of a 3x3 stride-1 unpadded map looks, in the
# new map: the pixel whose window has the same centre, input pixel (101, 301))
GEOMETRY_CHANGES = [
    ("kernel_size_spin", 5, (99, 299)),
    ("stride_spin", 2, (50, 150)),
    ("padding_spin", 1, (101, 301)),
    ("dilation_spin", 2, (99, 299)),
]


@pytest.mark.parametrize("spin, value, expected", GEOMETRY_CHANGES)
def test_a_new_geometry_keeps_the_pin_on_the_same_input_pixel(qtbot, pg, spin, value, expected):
    hover_then_pin(pg, qtbot, 100, 300)
    getattr(pg.controls, spin).setValue(value)
    result = pg.current_result()
    assert pg.hover.pinned() == expected
    row, col = expected
    assert pg.hover_label.text() == f"feature map ({row}, {col}) = {result.output[row, col]:.4f}"


def test_a_geometry_that_loses_the_pinned_pixel_clears_label_and_circles(qtbot, pg):
    hover_then_pin(pg, qtbot, 0, 500)
    pg.controls.kernel_size_spin.setValue(9)  # no 9x9 window is centred on input row 1
    pg.current_result()
    assert pg.hover.focus() is None and pg.hover_label.text() == "" and outlines(pg) == []
