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


def type_into(qtbot, spin, text):
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_a_clamped_learning_rate_is_said_next_to_the_form(qtbot, studio):
    note = studio.findChild(QWidget, "clampNote")
    type_into(qtbot, studio.findChild(QWidget, "lrSpin"), "1e6")
    assert studio.controls.values()["lr"] == 10.0
    assert note.isVisible()
    assert note.text() == "Learning rate 1e+06 is above the maximum 10; using 10."
    type_into(qtbot, studio.findChild(QWidget, "lrSpin"), "0.02")
    assert not note.isVisible()


def test_the_form_shows_each_allowed_range_in_its_tooltip(studio):
    for name, allowed in (("lrSpin", "Allowed: 1e-06 to 10."),
                          ("batchSizeSpin", "Allowed: 1 to 1024."),
                          ("epochsSpin", "Allowed: 1 to 500.")):
        assert studio.findChild(QWidget, name).toolTip().endswith(allowed), name
