"""Single step, truly staged: Next stage runs forward, loss, backward, update, one per press,
each highlighted in the step view with its number; and the pace control."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from cnnviz.staged_step import STAGES
from ui.theme import STAGE_NOW_STYLE


def next_stage(qtbot, studio, expected):
    view = studio.step_view
    qtbot.mouseClick(studio.findChild(QWidget, "nextStageButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.current_stage() == expected, timeout=10000)


def test_each_press_of_next_stage_runs_and_highlights_one_stage(qtbot, studio):
    for stage in STAGES:
        next_stage(qtbot, studio, stage)
        box = studio.step_view.boxes[STAGES.index(stage)]
        assert box.styleSheet() == STAGE_NOW_STYLE


def test_the_loss_shows_after_the_loss_stage_and_not_before(qtbot, studio):
    view = studio.step_view
    next_stage(qtbot, studio, "forward")
    assert "Loss =" not in view.stage_text("loss")
    next_stage(qtbot, studio, "loss")
    assert "Loss =" in view.stage_text("loss")


def test_the_gradient_norm_shows_after_backward(qtbot, studio):
    for stage in ("forward", "loss", "backward"):
        next_stage(qtbot, studio, stage)
    assert "Gradient norm" in studio.step_view.stage_text("backward")
    assert "Weight change" not in studio.step_view.stage_text("update")


def test_the_weight_change_shows_after_update_and_the_step_is_counted(qtbot, studio):
    for stage in STAGES:
        next_stage(qtbot, studio, stage)
    qtbot.waitUntil(lambda: len(studio.history()) == 1, timeout=10000)
    assert "Weight change" in studio.step_view.stage_text("update")
    assert studio.step_view.current_stage() == "update"


def test_no_step_is_counted_before_the_update_stage(qtbot, studio):
    for stage in ("forward", "loss", "backward"):
        next_stage(qtbot, studio, stage)
    assert studio.history() == []


def test_the_single_step_button_keeps_its_name_and_shows_the_whole_step(qtbot, studio):
    qtbot.mouseClick(studio.findChild(QWidget, "stepButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.step_view.trace() is not None, timeout=10000)
    assert studio.step_view.current_stage() is None
    assert "Loss =" in studio.step_view.stage_text("loss")


def test_the_pace_combo_sets_the_runs_steps_per_second(qtbot, studio):
    combo = studio.findChild(QComboBox, "paceCombo")
    combo.setCurrentIndex(combo.findData("5"))
    studio.controls.epochs_spin.setValue(50)
    qtbot.mouseClick(studio.controls.start_button, Qt.MouseButton.LeftButton)
    assert studio.session.runner.control.steps_per_second == 5.0


def test_changing_the_pace_mid_run_reaches_the_running_worker(qtbot, studio):
    combo = studio.findChild(QComboBox, "paceCombo")
    combo.setCurrentIndex(combo.findData("5"))
    studio.controls.epochs_spin.setValue(50)
    qtbot.mouseClick(studio.controls.start_button, Qt.MouseButton.LeftButton)
    combo.setCurrentIndex(combo.findData("full"))
    assert studio.session.runner.control.steps_per_second is None


def test_at_a_slow_pace_the_curves_are_redrawn_at_the_next_tick(qtbot, studio):
    studio.session.set_pace(5.0)
    studio.live_views.timer.stop()
    studio.curves.refresh()
    studio.session.sigRowsAdded.emit([{"step": 1, "epoch": 1, "epoch_progress": 0.1,
                                       "loss": 0.7, "train_accuracy": 0.5, "lr": 0.01}])
    studio.curves.add_rows([])  # nothing more arrives
    studio.live_views._tick = 0  # the next tick is a filters-only tick at full speed
    studio.live_views._redraw()
    drawn = [len(item.xData) for item in studio.curves.loss_plot.listDataItems()
             if item.xData is not None]
    assert 1 in drawn
