"""One runner for the background work that is not the training loop: data-set loads, image
decoding, model loading, inspection computations.

A task is a plain function ``fn(task, *args, **kwargs)``. Its first argument is a
:class:`TaskControl`: long work polls ``task.cancelled()`` (or calls ``task.check()``, which raises
:class:`TaskCancelled`) and may call ``task.progress(value)``. The function never sees Qt, so the
same code runs in the CLI and in tests (as Orange3 does with its interruptible state object).

Threading rules (DESIGN.md):

* Each task runs in its own ``QThread`` through a ``QObject`` worker moved there. The function's
  outcome travels back as queued signals to :class:`TaskRunner`, which lives on the GUI thread and
  re-emits it there; no widget is ever touched from the worker.
* Cancelling sets a ``threading.Event`` directly (a queued "cancel" slot would never run while the
  function blocks its thread). A thread is never killed (``QThread.terminate()`` can leave a lock
  held forever); a cancelled or superseded function finishes on its own and its result is dropped.
* Tasks run in named *slots* ("dataset", "model", ...). Starting a task in a busy slot supersedes
  the older one: it is cancelled and whatever it returns is ignored, so a slow, stale load can
  never overwrite a newer choice. The newer task starts at once, in a thread of its own.
* :meth:`TaskRunner.shutdown` cancels every task, then waits for every thread: no ``QThread`` is
  destroyed while it runs.
* A task may be given a time limit: past it the runner gives up on the task (cancels it, drops
  its outcome) and reports ``sigError`` with a sentence, so the GUI never waits on a decoder
  that does not come back. The thread still ends on its own.
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from cnnviz.limits import Cancelled

__all__ = ["TaskCancelled", "TaskControl", "TaskRunner", "live_tasks", "shut_down_live_tasks"]

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress signals a second, like the training reports


class TaskCancelled(Cancelled):
    """Raised by :meth:`TaskControl.check` once the task was cancelled or superseded.

    Engine loaders that poll ``task.cancel_event`` raise its base,
    :class:`cnnviz.limits.Cancelled`; both count as a cancelled task, not an error.
    """


class TaskControl:
    """What a running task function receives: the cancel flag it polls, and a progress channel.

    Attributes
    ----------
    cancel_event : threading.Event
        Set (from the GUI thread) when the task is cancelled, superseded or shut down. Pass it on
        to loaders that accept an event.
    """

    def __init__(self, report: Callable[[Any], None] | None = None):
        self.cancel_event = threading.Event()
        self._report = report
        self._last_report = float("-inf")

    def cancelled(self) -> bool:
        """True once the result is no longer wanted: stop as soon as convenient."""
        return self.cancel_event.is_set()

    def check(self) -> None:
        """Raise :class:`TaskCancelled` if the task was cancelled (a convenient poll in loops)."""
        if self.cancel_event.is_set():
            raise TaskCancelled

    def progress(self, value: Any) -> None:
        """Report progress (e.g. a fraction in [0, 1] or a short sentence) to the GUI thread.

        Throttled to about 20 a second: calling it once per item of a long loop is fine.
        """
        now = time.monotonic()
        if self._report is None or now - self._last_report < PROGRESS_INTERVAL_S:
            return
        self._last_report = now
        self._report(value)


class _Worker(QObject):
    """Runs one task function in its thread and reports the outcome (never a widget call)."""

    sigProgress = Signal(int, object)
    sigDone = Signal(int, str, object)  # task id, "result" | "error" | "cancelled", payload

    def __init__(self, task_id: int, fn: Callable, args: tuple, kwargs: dict):
        super().__init__()
        self._id = task_id
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.control = TaskControl(self._emit_progress)

    def _emit_progress(self, value: Any) -> None:
        self.sigProgress.emit(self._id, value)

    @Slot()
    def run(self) -> None:
        try:
            outcome = ("result", self._fn(self.control, *self._args, **self._kwargs))
        except Cancelled:
            outcome = ("cancelled", None)
        except (ValueError, OSError) as exc:  # the library's way of saying what is wrong
            outcome = ("error", str(exc) or type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - a bug in a task must not take the app down
            traceback.print_exc()
            outcome = ("error", f"unexpected {type(exc).__name__}: {exc}")
        self.sigDone.emit(self._id, *outcome)
        QThread.currentThread().quit()


@dataclass
class _Task:
    id: int
    slot: str
    name: str
    thread: QThread
    worker: _Worker
    timer: QTimer | None = None

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def finish(self) -> None:
        """Cancel, then wait for the thread (the function returns when it next polls)."""
        self.worker.control.cancel_event.set()
        self.thread.quit()
        self.thread.wait()


# Every task whose thread has not been waited for, whichever runner started it. Holding the QThread
# here means it can never be garbage-collected while it runs, even if its runner is deleted first.
_LIVE: dict[int, _Task] = {}
_task_ids = itertools.count(1)  # unique across runners, so a registry key never repeats


def live_tasks() -> list[str]:
    """Descriptions of the tasks not yet finished and collected (for leak checks in tests).

    A task counts until its runner has handled its outcome (or was shut down), so a test that
    starts a task must wait for it or shut its runner down.
    """
    return [f"{t.slot!r}: {t.name} ({'running' if t.is_running() else 'done, not collected'})"
            for t in _LIVE.values()]


def shut_down_live_tasks() -> None:
    """Cancel and wait for every live task of every runner (a safety net after a failed test)."""
    for task in list(_LIVE.values()):
        task.finish()
        _LIVE.pop(task.id, None)


class TaskRunner(QObject):
    """Runs plain functions off the GUI thread, one current task per named slot.

    Signals (emitted on the GUI thread, only for the current task of a slot)
    -------
    sigResult(str, object)
        Slot name and the function's return value.
    sigError(str, str)
        Slot name and a sentence: the message of a ``ValueError``/``OSError``, or
        ``"unexpected <type>: <message>"`` for anything else (the traceback goes to stderr).
    sigProgress(str, object)
        Slot name and the value passed to :meth:`TaskControl.progress`.
    sigIdle()
        No current task is running any more (for a busy indicator).

    A cancelled or superseded task emits nothing, ever.
    """

    sigResult = Signal(str, object)
    sigError = Signal(str, str)
    sigProgress = Signal(str, object)
    sigIdle = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._current: dict[str, int] = {}    # slot -> id of the task whose outcome is wanted
        self._tasks: dict[int, _Task] = {}    # every task of this runner not yet collected

    # ----- public API ----------------------------------------------------------------------------
    def start(self, slot: str, fn: Callable, *args: Any, time_limit: float | None = None,
              **kwargs: Any) -> int:
        """Run ``fn(task_control, *args, **kwargs)`` in a new thread as ``slot``'s task.

        A task already running in ``slot`` is cancelled and its outcome dropped. Call from the GUI
        thread; pass arguments the function may keep (copies, paths, numbers), never widgets.
        With ``time_limit`` (seconds), a task still running then is given up: cancelled, its
        outcome dropped, and ``sigError`` says it took too long (see :meth:`time_out`).

        Returns
        -------
        int
            The task's id (increasing).
        """
        self._retire(slot)
        task_id = next(_task_ids)
        thread = QThread()
        name = getattr(fn, "__qualname__", repr(fn))
        thread.setObjectName(f"cnnviz-task-{slot}-{task_id}")
        worker = _Worker(task_id, fn, args, kwargs)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.sigDone.connect(self._on_done)
        worker.sigProgress.connect(self._on_progress)
        task = _Task(task_id, slot, name, thread, worker)
        self._tasks[task_id] = _LIVE[task_id] = task
        self._current[slot] = task_id
        if time_limit is not None:
            task.timer = QTimer(self)
            task.timer.setSingleShot(True)
            task.timer.timeout.connect(lambda: self.time_out(task_id, time_limit))
            task.timer.start(max(0, int(time_limit * 1000)))
        thread.start()
        return task_id

    def time_out(self, task_id: int, seconds: float) -> None:
        """Give up on task ``task_id`` if it is still its slot's current task: cancel it and emit
        ``sigError`` ("took longer than N s"). Called by the task's time-limit timer."""
        task = self._tasks.get(task_id)
        if task is None or self._current.get(task.slot) != task_id:
            return
        self._retire(task.slot)
        self.sigError.emit(task.slot, f"it took longer than {seconds:g} s, so it was abandoned")
        if not self._current:
            self.sigIdle.emit()

    def cancel(self, slot: str) -> None:
        """Cancel ``slot``'s task, if any: it is asked to stop and its outcome will be ignored."""
        if self._retire(slot) and not self._current:
            self.sigIdle.emit()

    def is_busy(self, slot: str | None = None) -> bool:
        """True while ``slot`` (or, without an argument, any slot) has a current task."""
        return slot in self._current if slot is not None else bool(self._current)

    def thread_count(self) -> int:
        """Threads this runner has not collected yet, superseded and cancelled ones included."""
        return len(self._tasks)

    def shutdown(self) -> None:
        """Cancel every task and wait for every thread to end (safe to call again).

        Waiting has no time limit: killing a thread is never safe, so a task function must poll
        its cancel flag (or be bounded) for a prompt shutdown.
        """
        was_busy = bool(self._current)
        self._current.clear()
        tasks = list(self._tasks.values())
        for task in tasks:  # cancel them all first, so they wind down side by side
            task.worker.control.cancel_event.set()
        for task in tasks:
            task.finish()
            self._collect(task.id)
        if was_busy:
            self.sigIdle.emit()

    # ----- outcomes, on the GUI thread -----------------------------------------------------------
    def _retire(self, slot: str) -> bool:
        """Make ``slot`` free: its task (if any) is cancelled and will be collected when it ends."""
        task_id = self._current.pop(slot, None)
        if task_id is None:
            return False
        self._tasks[task_id].worker.control.cancel_event.set()
        return True

    def _collect(self, task_id: int) -> _Task | None:
        task = self._tasks.pop(task_id, None)
        _LIVE.pop(task_id, None)
        if task is not None:
            if task.timer is not None:
                task.timer.stop()
                task.timer.deleteLater()
            task.thread.wait()  # the worker quits its thread right after its last signal
        return task

    @Slot(int, object)
    def _on_progress(self, task_id: int, value: Any) -> None:
        task = self._tasks.get(task_id)
        if task is not None and self._current.get(task.slot) == task_id:
            self.sigProgress.emit(task.slot, value)

    @Slot(int, str, object)
    def _on_done(self, task_id: int, kind: str, payload: Any) -> None:
        task = self._collect(task_id)
        if task is None or self._current.get(task.slot) != task_id:
            return  # cancelled, superseded or shut down: nobody wants this any more
        del self._current[task.slot]
        if kind == "result":
            self.sigResult.emit(task.slot, payload)
        elif kind == "error":
            self.sigError.emit(task.slot, payload)
        if not self._current:
            self.sigIdle.emit()
