"""A 1024x700 window shows the kernel, stride and padding without scrolling the controls."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QScrollArea

from ui.main_window import MainWindow


def window_of(qtbot, width, height):
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(width, height)
    win.show()
    qtbot.waitExposed(win)
    win.tabs.setCurrentWidget(win.playground)
    qtbot.wait(20)
    return win


def fully_visible(scroll: QScrollArea, widget) -> bool:
    top_left = widget.mapTo(scroll.viewport(), widget.rect().topLeft())
    shown = QRect(top_left, widget.size())
    return scroll.viewport().rect().contains(shown)


@pytest.mark.parametrize("name", ["kernel_grid", "kernel_size_spin", "preset_combo",
                                  "stride_spin", "padding_spin", "padding_mode_combo",
                                  "dilation_spin"])
def test_main_controls_are_on_screen_at_1024x700(qtbot, name):
    win = window_of(qtbot, 1024, 700)
    scroll = win.playground.findChild(QScrollArea, "playgroundControls")
    assert scroll.verticalScrollBar().value() == 0
    assert fully_visible(scroll, getattr(win.playground.controls, name))


def test_a_tall_window_keeps_the_preset_description_and_the_full_grid(qtbot):
    win = window_of(qtbot, 1400, 1300)
    controls = win.playground.controls
    assert not controls.compact and controls.preset_description.isVisible()


def test_a_9x9_kernel_keeps_readable_cells_in_a_1400x900_window(qtbot):
    from cnnviz.lab import kernels

    win = window_of(qtbot, 1400, 900)
    assert win.playground.set_kernel(kernels.preset("Gaussian blur", 9))
    grid = win.playground.controls.kernel_grid
    # the layout settles over a few events (more of them on a loaded machine)
    qtbot.waitUntil(lambda: grid.cell_rect(0, 0).height() >= 20, timeout=3000)


def test_a_compact_window_describes_the_preset_just_chosen_in_its_tooltip(qtbot):
    from cnnviz.lab import kernels

    win = window_of(qtbot, 1024, 700)
    controls = win.playground.controls
    assert controls.compact
    controls.preset_combo.setCurrentText("Box blur")
    assert controls.preset_combo.toolTip() == kernels.DESCRIPTIONS["Box blur"]
