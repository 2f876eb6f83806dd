"""The launch paints the playground first and builds the other tabs right after that paint.

``MainWindow(defer_hidden_tabs=True)`` is what ``main.py`` makes; a plain ``MainWindow()`` builds
every tab at once (the other tests use it).
"""

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QPushButton, QSpinBox, QWidget

from ui.main_window import MainWindow
from ui.training.widget import TrainingWidget
from ui.why.widget import WhyWidget


@pytest.fixture
def deferred(qtbot):
    w = MainWindow(defer_hidden_tabs=True)
    qtbot.addWidget(w)
    yield w
    if w._training is not None:
        w._training.shutdown()
        w._why.shutdown()


def test_a_deferred_window_starts_without_the_studio_and_experiments(deferred):
    assert deferred._training is None
    assert deferred.findChild(QWidget, "trainingTab") is None
    assert deferred.tabs.count() == 3
    assert deferred.tabs.tabText(1) == "Training studio"


def test_the_other_tabs_are_built_after_the_first_paint(deferred, qtbot):
    deferred.show()
    qtbot.waitUntil(lambda: deferred.findChild(QWidget, "trainingTab") is not None, timeout=5000)
    assert isinstance(deferred.tabs.widget(1), TrainingWidget)
    assert isinstance(deferred.tabs.widget(2), WhyWidget)
    assert deferred.findChild(QPushButton, "startButton") is not None
    assert deferred.tabs.currentWidget() is deferred.playground


def test_the_studios_file_actions_join_the_file_menu_when_it_is_built(deferred, qtbot):
    before = [a.text() for a in deferred.file_menu.actions() if a.text()]
    assert before == ["&Quit"]
    deferred.show()
    qtbot.waitUntil(lambda: deferred._training is not None, timeout=5000)
    texts = [a.text() for a in deferred.file_menu.actions() if a.text()]
    assert texts[-1] == "&Quit"
    assert any("Open model" in t for t in texts)


def test_asking_for_the_studio_builds_it_at_once(deferred):
    assert isinstance(deferred.training, TrainingWidget)
    assert deferred.findChild(QWidget, "trainingTab") is deferred.training
    assert deferred.tabs.widget(1) is deferred.training


def test_choosing_a_tab_before_it_is_built_shows_the_real_tab(deferred):
    deferred.tabs.setCurrentIndex(2)
    assert deferred.tabs.currentWidget() is deferred.why
    assert isinstance(deferred.why, WhyWidget)


def test_show_tab_playground_does_not_build_the_others(deferred):
    deferred.show_tab("playground")
    assert deferred._training is None


def test_the_studios_reset_action_works_once_the_studio_is_built(deferred):
    reset = deferred.edit_menu.reset_network_action
    assert not reset.isEnabled()  # no studio yet, and the playground is current
    deferred.show_tab("training")
    assert reset.isEnabled()


def test_closing_before_the_build_does_not_build_the_tabs(qtbot):
    w = MainWindow(defer_hidden_tabs=True)
    qtbot.addWidget(w)
    w.remember_layout = False
    w.close()
    assert w._training is None


def test_closing_between_the_first_paint_and_the_build_cancels_the_build(qtbot):
    w = MainWindow(defer_hidden_tabs=True)
    qtbot.addWidget(w)
    w.remember_layout = False
    w._first_paint_watch.eventFilter(w.playground, QEvent(QEvent.Type.Paint))  # build queued
    w.close()
    qtbot.wait(50)  # the queued build would run now
    assert w._training is None


def test_the_wheel_guard_covers_the_tabs_built_after_the_first_paint(deferred, qtbot):
    deferred.show()
    qtbot.waitUntil(lambda: deferred._training is not None, timeout=5000)
    epochs = deferred.findChild(QSpinBox, "epochsSpin")
    assert epochs.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_a_remembered_studio_tab_is_built_for_the_first_paint(qtbot):
    QSettings().setValue("mainWindow/tab", 1)
    w = MainWindow(defer_hidden_tabs=True)
    qtbot.addWidget(w)
    try:
        assert w._training is not None
        assert w.tabs.currentWidget() is w.training
    finally:
        w.training.shutdown()
        w.why.shutdown()
