"""The studio fits small windows: at 1024x700 the main controls show without scrolling, each
plot keeps a usable height and the network table shows at least 6 rows, however long the network."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from ui.main_window import MainWindow

MAIN_CONTROLS = ("datasetCombo", "optimizerCombo", "lrSpin", "batchSizeSpin", "epochsSpin",
                 "startButton", "pauseButton", "stopButton", "stepButton", "progressBar")
LONG_NETWORK = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 1},
                {"type": "relu"}] * 5 + [{"type": "flatten"}, {"type": "dense", "out_features": 8},
                                         {"type": "relu"}, {"type": "dense", "out_features": 2}]


@pytest.fixture(params=[(1024, 700), (1400, 900)], ids=["1024x700", "1400x900"])
def window(qtbot, request):
    w = MainWindow()
    w.remember_layout = False
    qtbot.addWidget(w)
    w.resize(*request.param)
    w.show_tab("training")
    w.show()
    qtbot.waitExposed(w)
    w.training.editor.set_spec(LONG_NETWORK)
    QCoreApplication.processEvents()
    yield w
    w.close()


def visible_rows(table) -> int:
    height = table.viewport().height()
    return sum(1 for r in range(table.rowCount())
               if table.rowViewportPosition(r) >= 0
               and table.rowViewportPosition(r) + table.rowHeight(r) <= height)


def test_the_long_network_table_shows_at_least_6_rows(window):
    assert window.training.editor.is_valid()
    assert visible_rows(window.training.editor.table) >= 6


def test_each_plot_keeps_at_least_150_px(window):
    assert window.training.curves.loss_plot.height() >= 150
    assert window.training.curves.accuracy_plot.height() >= 150


def test_the_main_controls_show_without_scrolling(window):
    for name in MAIN_CONTROLS:
        widget = window.findChild(QWidget, name)
        assert widget.isVisible(), name
        top_left = widget.mapTo(window, QPoint(0, 0))
        assert window.rect().contains(QRect(top_left, widget.size())), name
        scroll = widget.parentWidget()
        while scroll is not None and not isinstance(scroll, QScrollArea):
            scroll = scroll.parentWidget()
        if scroll is not None:
            view = scroll.viewport()
            inside = widget.mapTo(view, QPoint(0, 0))
            assert view.rect().contains(QRect(inside, widget.size())), name


def test_the_receptive_field_view_sits_below_the_table_not_over_it(window):
    editor = window.training.editor
    table_bottom = editor.table.mapTo(editor, QPoint(0, editor.table.height())).y()
    assert editor.rf_view.mapTo(editor, QPoint(0, 0)).y() >= table_bottom
    assert editor.rf_view.mapTo(editor, QPoint(0, editor.rf_view.height())).y() <= editor.height()
