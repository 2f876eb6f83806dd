"""Fixtures for the pytest-qt tests: isolated settings and a guard against leaked threads."""

from __future__ import annotations

import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread

_started_threads: weakref.WeakSet[QThread] = weakref.WeakSet()
_original_start = QThread.start


def _recording_start(self, *args, **kwargs):
    _started_threads.add(self)
    return _original_start(self, *args, **kwargs)


QThread.start = _recording_start


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):
    """Each test reads and writes QSettings in its own temporary folder."""
    QCoreApplication.setOrganizationName("cnnviz-tests")
    QCoreApplication.setApplicationName("cnnviz-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    yield


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp):
    """Fail any test that leaves a background task or a QThread running (as napari does).

    Checked after every test, once the test's own fixtures are torn down. A leaked thread crashes
    Qt at exit ("QThread: Destroyed while thread is still running"); a leaked task would deliver
    its result into a later test.
    """
    from ui.widgets.tasks import live_tasks, shut_down_live_tasks

    yield
    tasks = live_tasks()
    shut_down_live_tasks()  # clean up so one leak does not cascade into every later test
    running = [t for t in list(_started_threads) if t.isRunning()]
    for thread in running:
        thread.requestInterruption()
        thread.quit()
        thread.wait(5000)
    if tasks:
        pytest.fail(f"background task(s) left running after the test: {'; '.join(tasks)}; "
                    "wait for them or shut their TaskRunner down")
    if running:
        names = ", ".join(t.objectName() or "unnamed" for t in running)
        pytest.fail(f"{len(running)} QThread(s) still running after the test ({names}); shut "
                    "them down before returning")


@pytest.fixture
def studio(qtbot):
    """A shown training studio (1400x900) that is shut down after the test."""
    from ui.training.widget import TrainingWidget

    widget = TrainingWidget()
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    yield widget
    widget.shutdown()
