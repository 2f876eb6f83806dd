"""The studio after a run as a learner sees it: no stale labels, axes that fit the run, honest
clamps, keyboard shortcuts, and room for the plots and the network table on small windows."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget


def click(qtbot, widget, name):
    qtbot.mouseClick(widget.findChild(QWidget, name), Qt.MouseButton.LeftButton)


def run_then_stop(qtbot, studio, rows=20):
    studio.controls.epochs_spin.setValue(500)
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
    assert studio.latest_snapshot().total_steps > 2 * last  # the run was far from its end
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


def focused_studio(qtbot, studio, widget=None):
    studio.activateWindow()
    qtbot.waitUntil(lambda: studio.isActiveWindow(), timeout=5000)
    (widget or studio).setFocus()
    qtbot.waitUntil(lambda: (widget or studio).hasFocus(), timeout=5000)


def test_space_starts_pauses_and_resumes_training(qtbot, studio):
    studio.controls.epochs_spin.setValue(200)
    focused_studio(qtbot, studio)
    qtbot.keyClick(studio, Qt.Key.Key_Space)
    assert studio.is_running() and studio.session.state().name == "RUNNING"
    qtbot.keyClick(studio, Qt.Key.Key_Space)
    assert studio.session.state().name == "PAUSED"
    qtbot.keyClick(studio, Qt.Key.Key_Space)
    assert studio.session.state().name == "RUNNING"


def test_escape_stops_training(qtbot, studio):
    studio.controls.epochs_spin.setValue(200)
    focused_studio(qtbot, studio)
    qtbot.keyClick(studio, Qt.Key.Key_Space)
    qtbot.keyClick(studio, Qt.Key.Key_Escape)
    assert studio.session.state().name in ("STOPPING", "STOPPED")
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=10000)


def test_s_runs_a_single_step(qtbot, studio):
    focused_studio(qtbot, studio)
    qtbot.keyClick(studio, Qt.Key.Key_S)
    assert studio.session.state().name == "PAUSED"
    qtbot.waitUntil(lambda: len(studio.history()) == 1, timeout=20000)


def test_a_focused_spin_box_keeps_space_and_s(qtbot, studio):
    spin = studio.findChild(QWidget, "batchSizeSpin")
    focused_studio(qtbot, studio, spin)
    qtbot.keyClick(spin, Qt.Key.Key_Space)
    qtbot.keyClick(spin, Qt.Key.Key_S)
    assert not studio.is_running() and studio.history() == []


def test_the_run_keys_do_nothing_in_another_tab(qtbot):
    from ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.show_tab("playground")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.playground.setFocus()
    qtbot.keyClick(window.playground, Qt.Key.Key_Space)
    qtbot.keyClick(window.playground, Qt.Key.Key_S)
    assert not window.training.is_running()
    QCoreApplication.processEvents()  # the playground's queued fit-to-view runs before deletion
    window.close()


def test_help_lists_the_keyboard_shortcuts(qtbot):
    from ui.main_window import MainWindow
    from ui.shortcuts import help_text

    window = MainWindow()
    qtbot.addWidget(window)
    action = window.findChild(QAction, "shortcutsAction")
    action.trigger()
    box = window.shortcuts_box
    assert "Space" in help_text() and help_text() in box.text()
    box.close()
    window.close()
