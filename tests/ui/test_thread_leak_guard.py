"""The suite's own guard (tests/ui/conftest.py) fails a test that leaves a background task or a
QThread running, and passes one that cleans up. Checked by running small tests in a subprocess
with that conftest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")

LEAKS = '''
from PySide6.QtCore import QThread

from ui.widgets.tasks import TaskRunner

KEEP = []


def wait_for_gate(task):
    task.cancel_event.wait(10)


def test_leaves_a_task_running(qtbot):
    runner = TaskRunner()
    KEEP.append(runner)
    runner.start("load", wait_for_gate)


def test_leaves_a_qthread_running(qtbot):
    thread = QThread()
    KEEP.append(thread)
    thread.start()


def test_waits_for_its_task(qtbot):
    runner = TaskRunner()
    with qtbot.waitSignal(runner.sigResult, timeout=5000):
        runner.start("sum", lambda task: 1 + 1)
'''


@pytest.fixture(scope="module")
def guarded_run(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("guard")
    (folder / "conftest.py").write_text(CONFTEST.read_text())
    (folder / "test_leaks.py").write_text(LEAKS)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-rA", str(folder)], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=120)
    return done.stdout + done.stderr


def test_a_test_that_leaves_a_task_running_fails(guarded_run):
    assert "ERROR at teardown of test_leaves_a_task_running" in guarded_run
    assert "background task(s) left running after the test: 'load': wait_for_gate" in guarded_run


def test_a_test_that_leaves_a_qthread_running_fails(guarded_run):
    assert "ERROR at teardown of test_leaves_a_qthread_running" in guarded_run
    assert "1 QThread(s) still running after the test" in guarded_run


def test_a_test_that_waits_for_its_task_passes(guarded_run):
    assert "PASSED test_leaks.py::test_waits_for_its_task" in guarded_run
