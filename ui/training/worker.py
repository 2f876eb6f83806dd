"""Run a :class:`cnnviz.train.Trainer` in a ``QThread`` without ever blocking or touching the GUI.

Threading rules (DESIGN.md), and why each one exists:

* The worker is a plain ``QObject`` moved to a ``QThread``; its :meth:`TrainingWorker.run` loops
  over ``Trainer.steps()``. While that loop runs the thread's event loop is blocked, so a queued
  "stop" slot would never be delivered: stopping therefore sets the ``threading.Event`` inside
  ``TrainingControl`` directly, from the GUI thread.
* The worker never touches a widget. It emits :class:`Report` objects whose contents are copies
  (the trainer's ``Snapshot`` is frozen and holds copied arrays; the scalar rows are new dicts).
* It emits at most ``max_rate_hz`` reports a second. Every step still produces one scalar row; rows
  are batched into the next report, so the loss curve has every step without flooding the GUI.
* :meth:`TrainingRunner.shutdown` requests a stop, then ``quit()`` and ``wait()``: the ``QThread``
  object is never destroyed while its thread still runs.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from cnnviz.pace import Pacer, paced_seconds_left
from cnnviz.staged_step import StageReport


def snapshot_row(snapshot: Any) -> dict:
    """One history row (plain floats and ints) from a trainer snapshot.

    Parameters
    ----------
    snapshot : cnnviz.train.Snapshot

    Returns
    -------
    dict
        ``step``, ``epoch``, ``epoch_progress``, ``loss``, ``train_accuracy``, ``lr`` and, only when
        the snapshot carries an evaluation, ``test_loss`` and ``test_accuracy``.
    """
    row = {
        "step": int(snapshot.step),
        "epoch": int(snapshot.epoch),
        "epoch_progress": float(snapshot.epoch_progress),
        "loss": float(snapshot.loss),
        "train_accuracy": float(snapshot.train_accuracy),
        "lr": float(snapshot.lr),
    }
    if snapshot.test_accuracy is not None:
        row["test_accuracy"] = float(snapshot.test_accuracy)
    if snapshot.test_loss is not None:
        row["test_loss"] = float(snapshot.test_loss)
    return row


@dataclass
class Report:
    """What the worker sends to the GUI thread at most ``max_rate_hz`` times a second.

    Attributes
    ----------
    run_id : int
        Which run produced it, so a late report from a stopped run is recognised and ignored.
    rows : list of dict
        One :func:`snapshot_row` per step since the previous report (none are dropped).
    snapshot : Snapshot or None
        The latest snapshot (filters, state, progress figures).
    evaluation : Snapshot or None
        The latest snapshot carrying a test evaluation (confusion matrix, misclassified indices),
        kept even when throttling skipped the step that produced it.
    trace : StepTrace or None
        The latest single-step trace, likewise kept.
    stage : cnnviz.staged_step.StageReport or None
        The stage a staged single step just ran (forward, loss, backward or update).
    finished : bool
        True on the last report of a run.
    error : str or None
        A sentence for the user if the trainer raised.
    """

    run_id: int
    rows: list = field(default_factory=list)
    snapshot: Any = None
    evaluation: Any = None
    trace: Any = None
    stage: Any = None
    finished: bool = False
    error: str | None = None


class TrainingWorker(QObject):
    """Iterates ``trainer.steps()`` in its own thread and reports throttled copies.

    Parameters
    ----------
    trainer : object with ``steps()`` yielding ``Snapshot``
    control : cnnviz.train.TrainingControl
        Its ``stop_event`` is checked after every step so a stop ends the loop within one batch.
    run_id : int
    max_rate_hz : float
        Upper bound on reports per second. At a pace of at most this many steps per second
        (``control.steps_per_second``) every step is reported, so a learner sees each one.
    clock : callable returning seconds, optional
        Measures how long each step took (``time.monotonic``; tests pass a fake clock).
    wait : callable(seconds) -> bool, optional
        Waits between paced steps and returns True if interrupted by a stop. By default
        ``control.stop_event.wait``: Stop, Pause and closing the window end a wait at once.
    """

    sigReport = Signal(object)
    sigFinished = Signal(object)

    def __init__(self, trainer: Any, control: Any, run_id: int = 0, max_rate_hz: float = 20.0,
                 clock: Callable[[], float] = time.monotonic,
                 wait: Callable[[float], bool] | None = None):
        super().__init__()
        self._trainer = trainer
        self._control = control
        self._run_id = run_id
        self._max_rate_hz = max_rate_hz
        self._min_interval = 1.0 / max_rate_hz
        self._clock = clock
        self._wait = wait if wait is not None else control.stop_event.wait
        self._pacer = Pacer()

    def _pace(self) -> float | None:
        """The steps per second asked for now (None: full speed); read before every step."""
        rate = getattr(self._control, "steps_per_second", None)
        try:
            self._pacer.steps_per_second = rate
        except ValueError:
            self._pacer.steps_per_second = None
        return self._pacer.steps_per_second

    @Slot()
    def run(self) -> None:
        """Train until the trainer finishes or a stop is requested; always emits ``sigFinished``."""
        pending = Report(self._run_id)
        last_emit = 0.0
        last_step = 0
        started = self._clock()
        try:
            for snapshot in self._trainer.steps():
                took = self._clock() - started
                if isinstance(snapshot, StageReport):
                    # A stage of a staged single step: the run is paused, show it at once.
                    pending.stage = snapshot
                    self.sigReport.emit(pending)
                    pending = Report(self._run_id)
                    started = self._clock()
                    continue
                rate = self._pace()
                if rate is not None:
                    snapshot = _paced(snapshot, rate)
                # A closing snapshot after a stop repeats the last step: one row per step only.
                if snapshot.step > last_step:
                    pending.rows.append(snapshot_row(snapshot))
                    last_step = snapshot.step
                pending.snapshot = snapshot
                if snapshot.test_accuracy is not None:
                    pending.evaluation = snapshot
                if snapshot.trace is not None:
                    pending.trace = snapshot.trace
                if snapshot.finished or self._control.stop_event.is_set():
                    break
                now = time.monotonic()
                # When paused the trainer blocks before the next batch: flush what we hold now.
                # At a watchable pace every step is a report (the throttle would skip some).
                every_step = rate is not None and rate <= self._max_rate_hz
                if (every_step or now - last_emit >= self._min_interval
                        or self._control.pause_event.is_set()):
                    self.sigReport.emit(pending)
                    pending = Report(self._run_id)
                    last_emit = now
                delay = self._pacer.wait_after(took)
                # Waiting on the stop event (not sleeping) keeps Stop and closing instant.
                if delay > 0 and self._wait(delay):
                    break
                started = self._clock()
        except Exception as exc:  # noqa: BLE001 - any trainer failure must reach the user as a sentence
            pending.error = f"Training stopped because of an error: {exc}"
        pending.finished = True
        self.sigFinished.emit(pending)


def _paced(snapshot: Any, steps_per_second: float) -> Any:
    """The snapshot with its time left counted at the pace (when that is the longer)."""
    if (not dataclasses.is_dataclass(snapshot) or snapshot.finished
            or snapshot.seconds_left is None):
        return snapshot
    left = paced_seconds_left(snapshot.seconds_left, snapshot.total_steps - snapshot.step,
                              steps_per_second)
    return dataclasses.replace(snapshot, seconds_left=left)


class TrainingRunner(QObject):
    """Owns the worker thread of one training run at a time; lives on the GUI thread.

    Signals carry :class:`Report` objects and are delivered (queued) to this object's slots on the
    GUI thread, which re-emit them only if they belong to the current run.
    """

    sigReport = Signal(object)
    sigFinished = Signal(object)

    def __init__(self, parent: QObject | None = None, max_rate_hz: float = 20.0):
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._control: Any = None
        self._run_id = 0
        self._max_rate_hz = max_rate_hz

    @property
    def control(self) -> Any:
        """The ``TrainingControl`` of the current (or last) run, or None."""
        return self._control

    def is_running(self) -> bool:
        """True while a worker thread is alive."""
        return self._thread is not None and self._thread.isRunning()

    def start(self, trainer: Any, control: Any) -> int:
        """Start a run in a fresh thread (shutting down any previous one first); returns its id."""
        self.shutdown()
        self._run_id += 1
        self._control = control
        thread = QThread()
        thread.setObjectName(f"cnnviz-training-{self._run_id}")
        worker = TrainingWorker(trainer, control, self._run_id, self._max_rate_hz)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.sigReport.connect(self._on_report)
        worker.sigFinished.connect(self._on_finished)
        worker.sigFinished.connect(thread.quit)
        self._thread, self._worker = thread, worker
        thread.start()
        return self._run_id

    def stop(self) -> None:
        """Ask the current run to stop after its current batch (returns at once)."""
        if self._control is not None:
            self._control.stop()

    def shutdown(self) -> None:
        """Request a stop, then ``quit()`` and ``wait()`` for the thread; safe to repeat.

        The trainer checks the stop event after every batch (and while paused), so this returns
        within one batch. The thread is never terminated: killing it mid-NumPy could leave a lock
        held or the model half-updated.
        """
        thread = self._thread
        if thread is None:
            return
        self.stop()
        thread.quit()
        thread.wait()
        self._thread = None
        self._worker = None
        # Reports already queued to this thread would land after a reset: retire the run's id.
        self._run_id += 1

    @Slot(object)
    def _on_report(self, report: Report) -> None:
        if report.run_id == self._run_id:
            self.sigReport.emit(report)

    @Slot(object)
    def _on_finished(self, report: Report) -> None:
        if report.run_id != self._run_id:
            return
        if self._thread is not None:
            # The thread quits right after this signal; wait() here is short and frees it promptly.
            self._thread.quit()
            self._thread.wait()
            self._thread = None
            self._worker = None
        self.sigFinished.emit(report)
