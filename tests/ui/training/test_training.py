"""The training studio driven as a user would: pick data, press Start/Pause/Step/Stop, read the
views."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QScrollArea, QWidget

from ui.training.widget import TrainingWidget

NAMES = ("datasetCombo", "optimizerCombo", "startButton", "pauseButton", "stopButton", "lrSpin",
         "epochsSpin", "batchSizeSpin", "progressBar", "lossPlot", "accuracyPlot", "filtersView")


def click(qtbot, widget, name):
    qtbot.mouseClick(widget.findChild(QWidget, name), Qt.MouseButton.LeftButton)


def choose_dataset(qtbot, studio, key):
    combo = studio.dataset_panel.combo
    index = combo.findData(key)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's pick in the drop-down sends
    qtbot.waitUntil(lambda: studio.dataset_panel.dataset().name == key, timeout=20000)


def train_to_end(qtbot, studio, timeout=60000):
    click(qtbot, studio, "startButton")
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=timeout)


def test_every_control_the_checks_use_has_its_object_name(studio):
    for name in NAMES:
        assert studio.findChild(QWidget, name) is not None, name


def test_lines_reach_95_percent_test_accuracy_from_the_gui(qtbot, studio):
    assert studio.dataset_panel.dataset().name == "lines"
    train_to_end(qtbot, studio)
    evaluated = [row["test_accuracy"] for row in studio.history() if "test_accuracy" in row]
    assert evaluated[-1] >= 0.95


def test_history_has_one_row_per_step_with_the_documented_keys(qtbot, studio):
    train_to_end(qtbot, studio)
    history = studio.history()
    assert [row["step"] for row in history] == list(range(1, len(history) + 1))
    assert {"step", "epoch", "loss", "train_accuracy"} <= set(history[0])
    assert studio.curves.point_counts()["loss"] == len(history)


def test_training_batches_never_run_on_the_gui_thread(qtbot, studio, monkeypatch):
    from cnnviz.train import Trainer

    threads = set()
    original = Trainer._plain_step

    def recording(self, xb, yb):
        threads.add(threading.get_ident())
        return original(self, xb, yb)

    monkeypatch.setattr(Trainer, "_plain_step", recording)
    train_to_end(qtbot, studio)
    assert threads and threading.get_ident() not in threads


def test_start_is_disabled_while_running_and_controls_come_back_after(qtbot, studio):
    studio.controls.epochs_spin.setValue(200)
    click(qtbot, studio, "startButton")
    assert studio.is_running()
    assert not studio.controls.start_button.isEnabled()
    assert not studio.controls.batch_spin.isEnabled()
    assert studio.controls.lr_spin.isEnabled()  # the learning rate may change mid-run
    assert not studio.editor.add_button.isEnabled()  # the network is fixed while it trains
    assert studio.editor.table.isEnabled() and studio.editor.rf_view.isEnabled()
    click(qtbot, studio, "stopButton")
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=5000)
    assert studio.controls.start_button.isEnabled() and studio.controls.batch_spin.isEnabled()


def test_stop_ends_the_run_early(qtbot, studio):
    studio.controls.epochs_spin.setValue(200)
    click(qtbot, studio, "startButton")
    qtbot.waitUntil(lambda: len(studio.history()) > 0, timeout=10000)
    click(qtbot, studio, "stopButton")
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=3000)
    assert studio.history()[-1]["step"] < studio.latest_snapshot().total_steps


def test_pause_holds_training_and_resume_continues_it(qtbot, studio):
    studio.controls.epochs_spin.setValue(200)
    click(qtbot, studio, "startButton")
    qtbot.waitUntil(lambda: len(studio.history()) > 0, timeout=10000)
    click(qtbot, studio, "pauseButton")
    assert studio.controls.pause_button.text() == "Resume"
    # The batch in flight may still report; once the loop is held, nothing more may arrive.
    qtbot.waitUntil(studio.session.runner.control.held_event.is_set, timeout=5000)
    QCoreApplication.processEvents()
    held = len(studio.history())
    with qtbot.assertNotEmitted(studio.session.sigRowsAdded, wait=300):
        pass
    assert len(studio.history()) == held
    click(qtbot, studio, "pauseButton")
    qtbot.waitUntil(lambda: len(studio.history()) > held, timeout=5000)


def test_learning_rate_changed_mid_run_applies_to_later_batches(qtbot, studio):
    studio.controls.epochs_spin.setValue(200)
    click(qtbot, studio, "startButton")
    qtbot.waitUntil(lambda: len(studio.history()) > 0, timeout=10000)
    studio.controls.lr_spin.setValue(0.002)
    qtbot.waitUntil(lambda: studio.history()[-1]["lr"] == pytest.approx(0.002), timeout=5000)
    assert studio.history()[0]["lr"] == pytest.approx(0.01)


def test_single_step_runs_one_batch_and_shows_its_four_stages(qtbot, studio):
    click(qtbot, studio, "stepButton")
    qtbot.waitUntil(lambda: studio.step_view.trace() is not None, timeout=10000)
    trace = studio.step_view.trace()
    assert len(trace.y) == studio.controls.batch_spin.value()
    assert studio.tabs.currentWidget() is studio.step_view
    assert len(studio.history()) == 1 and studio.controls.pause_button.isChecked()
    # The max-pool routing: gradient reaches exactly one input pixel per 2x2 window.
    routed = np.asarray(trace.pool_grad_input[0, 0])
    assert np.count_nonzero(routed) <= routed.size // 4


def _first_weight(state: dict) -> np.ndarray:
    return np.asarray(next(iter(state.values())), dtype=np.float64).copy()


def _finished_run(qtbot, studio) -> np.ndarray:
    """Train one epoch to the end; the first layer's weights it learned."""
    studio.controls.epochs_spin.setValue(1)
    click(qtbot, studio, "startButton")
    qtbot.waitUntil(lambda: not studio.is_running() and studio.session.has_weights(),
                    timeout=30000)
    return _first_weight(studio.session.weights())


def _one_step_later(qtbot, studio, first_run) -> np.ndarray:
    """Wait for the new run's first snapshot; the first layer's weights in it."""
    qtbot.waitUntil(lambda: studio.session.latest_snapshot() not in (None, first_run),
                    timeout=15000)
    return _first_weight(studio.session.weights())


def test_single_step_after_a_finished_run_goes_on_from_its_weights(qtbot, studio):
    trained = _finished_run(qtbot, studio)
    first_run = studio.session.latest_snapshot()
    click(qtbot, studio, "stepButton")
    stepped = _one_step_later(qtbot, studio, first_run)
    # one batch further than the trained weights (Adam at lr 0.01), not a fresh start
    assert np.abs(stepped - trained).max() < 0.05


def test_next_stage_after_a_finished_run_says_it_goes_on_from_the_learned_weights(qtbot, studio):
    _finished_run(qtbot, studio)
    said = []
    studio.sigStatus.connect(said.append)
    qtbot.mouseClick(studio.step_view.next_stage_button, Qt.MouseButton.LeftButton)
    assert any("from the weights the last run learned" in text for text in said)


def test_start_after_a_finished_run_trains_from_fresh_weights(qtbot, studio):
    trained = _finished_run(qtbot, studio)
    first_run = studio.session.latest_snapshot()
    assert studio.start(paused=True)
    studio.session.single_step()
    fresh = _one_step_later(qtbot, studio, first_run)
    assert np.abs(fresh - trained).max() > 0.1


def test_ten_rapid_start_stop_clicks_leave_no_thread_running(qtbot, studio, qtlog):
    studio.controls.epochs_spin.setValue(200)
    for _ in range(10):
        click(qtbot, studio, "startButton")
        click(qtbot, studio, "stopButton")
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=5000)
    assert not studio.session.runner.is_running()
    assert not [r for r in qtlog.records if "Destroyed while thread" in r.message]


def test_shutdown_mid_training_then_destroying_the_widget_is_clean(qtbot, qtlog):
    studio = TrainingWidget()
    studio.controls.epochs_spin.setValue(200)
    click(qtbot, studio, "startButton")
    qtbot.waitUntil(lambda: len(studio.history()) > 0, timeout=10000)
    studio.shutdown()
    assert not studio.is_running() and not studio.session.runner.is_running()
    with qtbot.waitSignal(studio.destroyed, timeout=2000):
        studio.deleteLater()
    assert not [r for r in qtlog.records if "Destroyed while thread" in r.message]


def test_digits_reach_95_percent_with_the_proposed_small_conv_net(qtbot, studio):
    choose_dataset(qtbot, studio, "digits")
    studio.controls.epochs_spin.setValue(5)
    train_to_end(qtbot, studio, timeout=120000)
    evaluated = [row["test_accuracy"] for row in studio.history() if "test_accuracy" in row]
    assert evaluated[-1] >= 0.95


def test_a_diverging_run_stops_and_suggests_a_lower_learning_rate(qtbot, studio):
    choose_dataset(qtbot, studio, "digits")
    studio.controls.optimizer_combo.setCurrentIndex(studio.controls.optimizer_combo.findData("sgd"))
    studio.controls.lr_spin.setValue(10.0)
    studio.controls.epochs_spin.setValue(20)
    train_to_end(qtbot, studio)
    message = studio.controls.message_label.text()
    assert "diverged" in message and "lower learning rate" in message
    assert studio.latest_snapshot().diverged


def test_an_invalid_network_disables_start_and_says_why(qtbot, studio):
    editor = studio.editor
    editor.select_layer(len(editor.spec()) - 1)
    click(qtbot, editor, "removeLayerButton")  # the final Dense layer
    assert not studio.controls.start_button.isEnabled()
    assert "Dense 2" in editor.error_label.text()


def test_settings_are_remembered_by_the_next_studio(qtbot, studio):
    studio.controls.lr_spin.setValue(0.005)
    studio.controls.batch_spin.setValue(16)
    studio.controls.optimizer_combo.setCurrentIndex(
        studio.controls.optimizer_combo.findData("momentum"))
    studio.controls.lr_spin.setValue(0.005)
    studio.shutdown()
    again = TrainingWidget()
    qtbot.addWidget(again)
    assert again.controls.lr_spin.value() == pytest.approx(0.005)
    assert again.controls.batch_spin.value() == 16
    assert again.controls.optimizer() == "momentum"
    again.shutdown()


def test_filters_view_shows_every_first_layer_filter_and_moves_with_training(qtbot, studio):
    train_to_end(qtbot, studio)
    view = studio.filters_view
    assert view.frame_count() > 1
    view.refresh()
    n_filters = studio.latest_snapshot().filters.shape[0]
    assert len(view.displayed_images()) == n_filters
    view.slider.setValue(0)
    first = view.displayed_images()[0]
    view.slider.setValue(view.slider.maximum())
    assert not np.allclose(first, view.displayed_images()[0])


def test_open_in_playground_sends_the_selected_learned_filter(qtbot, studio):
    train_to_end(qtbot, studio)
    studio.filters_view.select(2)
    with qtbot.waitSignal(studio.sigOpenInPlayground) as blocker:
        click(qtbot, studio.filters_view, "openInPlaygroundButton")
    kernel = blocker.args[0]
    assert kernel.ndim == 2
    np.testing.assert_allclose(kernel, studio.latest_snapshot().filters[2, 0])


def test_the_gradients_toggle_shows_the_filter_gradients(qtbot, studio):
    train_to_end(qtbot, studio)
    view = studio.filters_view
    view.gradients_check.setChecked(True)
    np.testing.assert_allclose(view.displayed_images()[0],
                               studio.latest_snapshot().filter_grads[0, 0])
    view.gradients_check.setChecked(False)
    np.testing.assert_allclose(view.displayed_images()[0], studio.latest_snapshot().filters[0, 0])


def test_the_learning_rate_arrows_step_along_1_2_5(qtbot, studio):
    spin = studio.controls.lr_spin
    spin.setValue(0.01)
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.value() == pytest.approx(0.02)
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.value() == pytest.approx(0.05)
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert spin.value() == pytest.approx(0.005)


def test_the_progress_bar_reports_epoch_step_speed_and_time_left(qtbot, studio):
    studio.controls.epochs_spin.setValue(200)
    click(qtbot, studio, "startButton")
    qtbot.waitUntil(lambda: "step" in studio.controls.progress_bar.format(), timeout=10000)
    text = studio.controls.progress_bar.format()
    assert text.startswith("epoch ") and "/200 · step " in text
    assert "samples/s" in text and "s left" in text
    click(qtbot, studio, "stopButton")
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=5000)


def test_replay_scrubs_the_filter_timeline_from_the_start_back_to_live(qtbot, studio):
    studio.controls.epochs_spin.setValue(30)  # long enough for a timeline of many frames
    train_to_end(qtbot, studio)
    assert studio.filters_view.frame_count() > 3
    view = studio.filters_view
    seen = []
    view.slider.valueChanged.connect(seen.append)
    click(qtbot, view, "replayFiltersButton")
    qtbot.waitUntil(lambda: view.slider.value() == view.slider.maximum(), timeout=10000)
    assert seen[0] == 0 and seen == sorted(seen) and len(seen) > 2
    assert "(live)" in view.frame_label.text()


def test_setting_the_dataset_combo_index_loads_that_data_set(studio):
    # Keyboard selection, scripts and acceptance checks change the index without an `activated`
    # signal; the combo must never show one data set while another is loaded.
    combo = studio.findChild(QWidget, "datasetCombo")
    combo.setCurrentIndex(combo.findData("digits"))
    assert studio.dataset_panel.dataset().name == "digits"
    assert studio.dataset_panel.dataset().n_classes == 10


def test_the_control_column_is_shown_whole_at_1024_by_700(qtbot):
    widget = TrainingWidget()
    qtbot.addWidget(widget)
    widget.resize(1024, 700)
    widget.show()
    qtbot.waitExposed(widget)
    column = widget.findChild(QWidget, "startButton").parentWidget()
    while not isinstance(column.parentWidget().parentWidget(), QScrollArea):
        column = column.parentWidget()
    scroll = column.parentWidget().parentWidget()
    # the scroll area shows the whole width of the column: nothing is clipped on the right
    assert scroll.viewport().width() >= column.minimumSizeHint().width()
    widget.shutdown()
