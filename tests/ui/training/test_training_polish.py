"""The studio after a run as a learner sees it: no stale labels, axes that fit the run, honest
clamps, keyboard shortcuts, and room for the plots and the network table on small windows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def click(qtbot, widget, name):
    qtbot.mouseClick(widget.findChild(QWidget, name), Qt.MouseButton.LeftButton)


def run_then_stop(qtbot, studio, rows=20):
    studio.controls.epochs_spin.setValue(200)
    click(qtbot, studio, "startButton")
    qtbot.waitUntil(lambda: len(studio.history()) >= rows, timeout=60000)
    click(qtbot, studio, "stopButton")
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=10000)


def x_range(plot):
    view = plot.getViewBox()
    view.updateAutoRange()  # what the next paint does
    return view.viewRange()[0]


def test_the_step_axis_spans_the_steps_trained_not_the_whole_run(qtbot, studio):
    run_then_stop(qtbot, studio)
    studio.curves.refresh()
    last = studio.history()[-1]["step"]
    assert studio.latest_snapshot().total_steps > 10 * last
    for plot in (studio.curves.loss_plot, studio.curves.accuracy_plot):
        assert last <= x_range(plot)[1] <= 1.2 * last + 2


def test_stop_leaves_no_time_left_in_the_progress_bar(qtbot, studio):
    run_then_stop(qtbot, studio)
    text = studio.controls.progress_bar.format()
    assert "left" not in text and "step" in text


def test_reset_forgets_the_filters_weight_scale(qtbot, studio):
    run_then_stop(qtbot, studio)
    studio.filters_view.refresh()
    assert studio.filters_view.scale_label.text().startswith("weights")
    click(qtbot, studio, "resetButton")
    studio.filters_view.refresh()
    assert studio.filters_view.frame_label.text() == "no filters yet"
    assert studio.filters_view.scale_label.text() == ""


def test_reset_forgets_the_old_step_range(qtbot, studio):
    run_then_stop(qtbot, studio)
    studio.curves.refresh()
    click(qtbot, studio, "resetButton")
    studio.curves.refresh()
    for plot in (studio.curves.loss_plot, studio.curves.accuracy_plot):
        assert x_range(plot)[1] <= 2
