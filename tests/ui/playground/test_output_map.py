"""Blur kernels draw their (never negative) maps in grey with a note; signed ones stay diverging."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QComboBox

from cnnviz.lab import kernels
from ui.playground.widget import PlaygroundWidget
from ui.theme import DIVERGING, GREY


@pytest.fixture
def pg(qtbot, monkeypatch):
    widget = PlaygroundWidget()
    widget.resize(1400, 900)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.output_map.set_choice("auto")
    widget.colour_combo.setCurrentIndex(widget.colour_combo.findData("signed"))
    widget.set_image(np.random.default_rng(3).random((40, 40)), "noise")
    return widget


def combo(pg) -> QComboBox:
    return pg.findChild(QComboBox, "outputColourMapCombo")


def test_the_combo_offers_auto_diverging_and_grey(pg):
    c = combo(pg)
    assert [c.itemText(i) for i in range(c.count())] == ["Auto", "Diverging", "Grey"]


def test_a_box_blur_is_drawn_grey_from_zero_with_a_note(pg):
    pg.set_kernel(kernels.preset("Box blur", 3))
    pg.current_result()
    assert pg.views.map_name() == GREY
    assert pg.views.levels()[0] == 0.0
    assert pg.output_map.note.isVisibleTo(pg)


def test_an_edge_kernel_stays_diverging_without_the_note(pg):
    pg.set_kernel(kernels.preset("Sobel x"))
    pg.current_result()
    assert pg.views.map_name() == DIVERGING
    lo, hi = pg.views.levels()
    assert lo == -hi and not pg.output_map.note.isVisibleTo(pg)


def test_the_user_can_force_the_diverging_map_on_a_blur(pg):
    pg.set_kernel(kernels.preset("Gaussian blur", 5))
    combo(pg).setCurrentIndex(combo(pg).findData("diverging"))
    pg.current_result()
    assert pg.views.map_name() == DIVERGING and not pg.output_map.note.isVisibleTo(pg)


def test_the_user_can_force_grey_on_a_signed_kernel(pg):
    pg.set_kernel(kernels.preset("Laplacian"))
    combo(pg).setCurrentIndex(combo(pg).findData("grey"))
    pg.current_result()
    lo, hi = pg.views.levels()
    assert pg.views.map_name() == GREY and lo == -hi


def test_the_blurred_map_is_coloured_black_to_white(pg):
    pg.set_kernel(kernels.preset("Box blur", 3))
    pg.current_result()
    lut = np.asarray(pg.views.output_view.image_item.lut)
    assert tuple(lut[0][:3]) == (0, 0, 0) and tuple(lut[-1][:3]) == (255, 255, 255)
