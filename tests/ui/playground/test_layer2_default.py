"""Layer 2, switched on by hand, starts with a kernel that shows something."""

from __future__ import annotations

import numpy as np
import pytest

from ui.playground.widget import PlaygroundWidget


@pytest.fixture
def pg(qtbot):
    widget = PlaygroundWidget()
    qtbot.addWidget(widget)
    widget.controls.layer2_check.setChecked(True)
    return widget


def test_layer2s_default_kernel_is_not_all_zeros(pg):
    assert np.count_nonzero(pg.current_result().layer2_kernel) > 0


def test_layer2s_default_map_is_not_flat(pg):
    out = pg.current_result().layer2_output
    assert out.max() > out.min()


def test_a_filter_added_later_gets_a_zero_slice_in_layer2(pg):
    first = pg.current_result().layer2_kernel[0]
    pg.bank.set_filter_count(2)
    kernel = pg.current_result().layer2_kernel
    np.testing.assert_array_equal(kernel[0], first)
    assert not kernel[1].any()



@pytest.fixture
def view(qtbot, pg):
    from ui.playground.bank_view import Layer2View
    from ui.theme import colormap

    result = pg.current_result()
    v = Layer2View()
    qtbot.addWidget(v)
    v.show_layer2(result, (-3.5, 3.5), colormap("CET-D1"))
    v.show()
    qtbot.waitExposed(v)
    return v


def _advance(view) -> int:
    from PySide6.QtGui import QFont, QFontMetrics
    font = QFont(view.font())
    font.setPointSizeF(9)
    return QFontMetrics(font).horizontalAdvance(view.title_text())


@pytest.mark.parametrize("width", [120, 150, 400])
def test_layer2s_title_fits_its_view(qtbot, view, width):
    view.resize(width, 200)
    qtbot.waitUntil(lambda: view.width() == width)
    assert view.title_text().startswith("Layer 2")
    assert _advance(view) <= width - 8


def test_a_wide_layer2_view_shows_the_size_and_the_scale(qtbot, view):
    view.resize(600, 200)
    qtbot.waitUntil(lambda: view.width() == 600)
    assert view.title_text() == "Layer 2 255x255 ±3.5"
