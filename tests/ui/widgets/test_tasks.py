"""The background-task runner: results and errors reach the GUI thread as signals; tasks can be
cancelled and superseded; shutdown waits for every thread and never kills one."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread

from ui.widgets.tasks import TaskCancelled, TaskRunner, live_tasks


@pytest.fixture
def runner():
    made = TaskRunner()
    yield made
    made.shutdown()


def add(_task, a, b):
    return a + b


def refuse(_task, text):
    raise ValueError(text)


def crash(_task):
    return 1 / 0


def wait_for_cancel(task, started: threading.Event, seen: list):
    """Polls its cancel flag the way a long loader does, and records that it saw it."""
    started.set()
    while not task.cancelled():
        task.cancel_event.wait(0.01)
    seen.append("cancelled")
    return "too late"


def test_a_result_arrives_on_the_gui_thread_with_its_slot_name(qtbot, runner):
    threads = []
    runner.sigResult.connect(lambda slot, value: threads.append(QThread.currentThread()))
    with qtbot.waitSignal(runner.sigResult, timeout=5000) as blocker:
        runner.start("sum", add, 2, b=3)
    assert blocker.args == ["sum", 5]
    assert threads == [QThread.currentThread()]


def test_the_function_runs_off_the_gui_thread(qtbot, runner):
    def where(_task):
        return threading.get_ident()

    with qtbot.waitSignal(runner.sigResult, timeout=5000) as blocker:
        runner.start("where", where)
    assert blocker.args[1] != threading.get_ident()


def test_a_value_error_arrives_as_its_message(qtbot, runner):
    with qtbot.waitSignal(runner.sigError, timeout=5000) as blocker:
        runner.start("load", refuse, "mnist.npz is not a zip archive")
    assert blocker.args == ["load", "mnist.npz is not a zip archive"]


def test_an_unexpected_exception_becomes_a_sentence_not_a_crash(qtbot, runner):
    with qtbot.waitSignal(runner.sigError, timeout=5000) as blocker:
        runner.start("load", crash)
    assert blocker.args[1].startswith("unexpected ZeroDivisionError")


def test_progress_reaches_the_gui_thread(qtbot, runner):
    def count(task):
        task.progress(0.5)
        return "done"

    seen = []
    runner.sigProgress.connect(lambda slot, value: seen.append((slot, value)))
    with qtbot.waitSignals([runner.sigProgress, runner.sigResult], timeout=5000,
                           order="strict"):
        runner.start("count", count)
    assert seen == [("count", 0.5)]


def test_progress_is_throttled_to_about_twenty_a_second(qtbot, runner):
    def chatty(task):
        for i in range(100000):
            task.progress(i)
        return "done"

    seen = []
    runner.sigProgress.connect(lambda slot, value: seen.append(value))
    with qtbot.waitSignal(runner.sigResult, timeout=10000):
        runner.start("chatty", chatty)
    assert 1 <= len(seen) < 1000


def test_a_cancelled_task_is_told_and_its_result_never_arrives(qtbot, runner):
    started, seen = threading.Event(), []
    runner.start("load", wait_for_cancel, started, seen)
    assert started.wait(5)
    with qtbot.assertNotEmitted(runner.sigResult, wait=200):
        runner.cancel("load")
        qtbot.waitUntil(lambda: runner.thread_count() == 0, timeout=5000)
    assert seen == ["cancelled"] and not runner.is_busy("load")


def test_a_newer_task_in_the_same_slot_supersedes_the_older_one(qtbot, runner):
    started, seen = threading.Event(), []
    runner.start("dataset", wait_for_cancel, started, seen)
    assert started.wait(5)
    results = []
    runner.sigResult.connect(lambda slot, value: results.append(value))
    with qtbot.waitSignal(runner.sigResult, timeout=5000):
        runner.start("dataset", add, 1, 1)
    qtbot.waitUntil(lambda: runner.thread_count() == 0, timeout=5000)
    assert results == [2] and seen == ["cancelled"]


def test_a_newer_task_starts_without_waiting_for_the_one_it_supersedes(qtbot, runner):
    release = threading.Event()

    def stubborn(_task):  # never polls: e.g. a decoder stuck inside one call
        release.wait(10)
        return "stale"

    runner.start("image", stubborn)
    with qtbot.waitSignal(runner.sigResult, timeout=5000) as blocker:
        runner.start("image", add, 20, 22)
    assert blocker.args == ["image", 42]
    release.set()
    qtbot.waitUntil(lambda: runner.thread_count() == 0, timeout=5000)


def test_tasks_in_different_slots_run_side_by_side(qtbot, runner):
    gate = threading.Event()

    def waits(_task):
        return gate.wait(5)

    runner.start("first", waits)
    with qtbot.waitSignal(runner.sigResult, timeout=5000) as blocker:
        runner.start("second", add, 1, 2)
    assert blocker.args == ["second", 3] and runner.is_busy("first")
    gate.set()
    with qtbot.waitSignal(runner.sigResult, timeout=5000) as blocker:
        pass
    assert blocker.args == ["first", True]


def test_shutdown_while_running_cancels_waits_and_delivers_nothing_later(qtbot, runner):
    started, seen = threading.Event(), []
    runner.start("load", wait_for_cancel, started, seen)
    assert started.wait(5)
    runner.shutdown()
    assert seen == ["cancelled"]
    assert runner.thread_count() == 0 and not runner.is_busy() and live_tasks() == []
    with qtbot.assertNotEmitted(runner.sigResult, wait=100):
        pass


def test_shutdown_waits_for_a_task_that_never_polls(qtbot, runner):
    finished = []

    def bounded(_task):
        threading.Event().wait(0.2)
        finished.append(True)

    runner.start("load", bounded)
    runner.shutdown()
    assert finished == [True] and runner.thread_count() == 0


def test_check_raises_once_cancelled_and_the_task_ends_quietly(qtbot, runner):
    started = threading.Event()

    def loop(task):
        started.set()
        while True:
            task.check()
            task.cancel_event.wait(0.01)

    runner.start("loop", loop)
    assert started.wait(5)
    with qtbot.assertNotEmitted(runner.sigError, wait=100):
        runner.cancel("loop")
        qtbot.waitUntil(lambda: runner.thread_count() == 0, timeout=5000)


def test_idle_is_signalled_when_the_last_current_task_ends(qtbot, runner):
    with qtbot.waitSignals([runner.sigResult, runner.sigIdle], timeout=5000, order="strict"):
        runner.start("sum", add, 1, 1)
    assert not runner.is_busy()


def test_a_running_task_is_listed_until_its_runner_collects_it(qtbot, runner):
    started, seen = threading.Event(), []
    runner.start("load", wait_for_cancel, started, seen)
    assert started.wait(5)
    assert len(live_tasks()) == 1 and "'load'" in live_tasks()[0]
    runner.shutdown()
    assert live_tasks() == []


def test_a_task_past_its_time_limit_is_abandoned_with_a_sentence(qtbot, runner):
    release = threading.Event()

    def stuck(_task):
        release.wait(10)  # a decoder that does not poll
        return "late"

    with qtbot.waitSignal(runner.sigError, timeout=5000) as blocker:
        runner.start("image", stuck, time_limit=0.1)
    assert blocker.args[0] == "image" and "took longer than 0.1 s" in blocker.args[1]
    assert not runner.is_busy("image")
    with qtbot.assertNotEmitted(runner.sigResult, wait=100):
        release.set()
        qtbot.waitUntil(lambda: runner.thread_count() == 0, timeout=5000)


def test_a_task_done_within_its_time_limit_is_not_timed_out(qtbot, runner):
    with qtbot.waitSignal(runner.sigResult, timeout=5000):
        runner.start("sum", add, 1, 2, time_limit=5)
    with qtbot.assertNotEmitted(runner.sigError, wait=50):
        pass


def test_an_engine_loader_that_stops_on_the_cancel_flag_counts_as_cancelled(qtbot, runner):
    from cnnviz.limits import Cancelled, check_cancel

    started = threading.Event()

    def loader(task):
        started.set()
        while True:
            check_cancel(task.cancel_event)  # what the data loaders do between chunks
            task.cancel_event.wait(0.01)

    runner.start("dataset", loader)
    assert started.wait(5)
    with qtbot.assertNotEmitted(runner.sigError, wait=100):
        runner.cancel("dataset")
        qtbot.waitUntil(lambda: runner.thread_count() == 0, timeout=5000)
    assert issubclass(TaskCancelled, Cancelled)
