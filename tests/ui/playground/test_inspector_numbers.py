"""The pixel inspector shows every product that adds up to the sum, and all of a 9x9 kernel."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtWidgets import QScrollArea

from cnnviz.lab import kernels
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.tabs.setCurrentWidget(win.playground)
    return win


def explain_gaussian_9x9(qtbot, pg):
    pg.set_image(np.random.default_rng(0).random((64, 64)) * 0.5 + 0.25, "noise")
    assert pg.set_kernel(kernels.preset("Gaussian blur", 9))
    result = pg.current_result()
    pg.inspector.explain(result, 20, 20)
    qtbot.wait(20)  # the layout settles
    return result


def cells(label) -> list[str]:
    return re.findall(r"<td[^>]*>(?:<i>)?([^<]*)", label.text())


def test_no_product_of_a_9x9_gaussian_reads_zero(qtbot, window):
    pg = window.playground
    explain_gaussian_9x9(qtbot, pg)
    products = cells(pg.inspector.products_label)
    assert len(products) == 81 and all(float(t) != 0 for t in products)


def test_a_9x9_kernel_fits_the_inspector_without_scrolling_sideways_at_1400x900(qtbot, window):
    pg = window.playground
    pg.tabs.setCurrentWidget(pg.tabs.widget(0))
    explain_gaussian_9x9(qtbot, pg)
    scroll = pg.inspector.findChild(QScrollArea)
    assert scroll.horizontalScrollBar().maximum() == 0
    products = pg.inspector.products_label
    right = products.mapTo(scroll.viewport(), products.rect().topRight())
    assert right.x() <= scroll.viewport().width()
