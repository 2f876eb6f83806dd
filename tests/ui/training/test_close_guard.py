"""Closing the window mid-training asks first: Stop and quit / Save model first / Cancel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QPushButton

from ui.main_window import MainWindow
from ui.training import close_guard


@pytest.fixture
def training_window(qtbot):
    window = MainWindow()
    window.remember_layout = False
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QCoreApplication.processEvents()  # the playground's queued first layout runs before closing
    window.show_tab("training")
    window.training.controls.epochs_spin.setValue(200)
    qtbot.mouseClick(window.findChild(QPushButton, "startButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.training.is_running, timeout=5000)
    yield window
    window.training.shutdown()
    window.playground.shutdown()
    window.why.shutdown()


def answer(monkeypatch, choice, asked=None):
    def ask(_parent):
        if asked is not None:
            asked.append(True)
        return choice
    monkeypatch.setattr(close_guard, "ask_close_while_training", ask)


def test_closing_mid_training_asks_first(training_window, monkeypatch):
    asked = []
    answer(monkeypatch, close_guard.CANCEL, asked)
    training_window.close()
    assert asked == [True]


def test_cancel_keeps_the_window_and_the_run(training_window, monkeypatch):
    answer(monkeypatch, close_guard.CANCEL)
    training_window.close()
    assert training_window.isVisible() and training_window.training.is_running()


def test_stop_and_quit_stops_the_worker_and_closes(training_window, monkeypatch):
    answer(monkeypatch, close_guard.STOP_AND_QUIT)
    training_window.close()
    assert not training_window.isVisible()
    assert not training_window.training.is_running()
    assert not training_window.training.session.runner.is_running()


def test_save_first_saves_the_model_then_closes(training_window, monkeypatch, tmp_path):
    answer(monkeypatch, close_guard.SAVE_FIRST)
    target = tmp_path / "run.npz"
    monkeypatch.setattr(close_guard, "ask_save_path", lambda _parent: str(target))
    training_window.close()
    assert target.exists() and not training_window.isVisible()
    assert not training_window.training.is_running()


def test_a_cancelled_save_keeps_the_window_and_the_run_going(training_window, monkeypatch):
    answer(monkeypatch, close_guard.SAVE_FIRST)
    monkeypatch.setattr(close_guard, "ask_save_path", lambda _parent: "")
    training_window.close()
    assert training_window.isVisible()
    assert training_window.training.session.state().name == "RUNNING"


def test_closing_when_nothing_trains_asks_nothing(qtbot, monkeypatch):
    asked = []
    answer(monkeypatch, close_guard.CANCEL, asked)
    window = MainWindow()
    window.remember_layout = False
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QCoreApplication.processEvents()  # the playground's queued first layout runs before closing
    window.close()
    assert asked == [] and not window.isVisible()
