"""Run one experiment at a time off the GUI thread, and hand its snapshots to the page.

The experiment is a generator from :mod:`cnnviz.lab.experiments`; :func:`run_experiment_task`
iterates it in a :class:`~ui.widgets.tasks.TaskRunner` thread (DESIGN.md's rules: a QObject
worker in a QThread, stop through a ``threading.Event``, no widget touched from the worker). Its
snapshots are immutable (tuples and read-only arrays), so they cross threads as they are; the
task control sends at most ~20 a second. The runner keeps only the newest and the page redraws it
from a timer at most 30 times a second.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from cnnviz.lab import experiments
from ui.widgets.tasks import TaskRunner

__all__ = ["run_experiment_task", "ExperimentRunner", "REDRAW_MS"]

REDRAW_MS = 100  # at most 10 redraws a second: the curves gain a point a few times an epoch
SLOT = "experiment"


def run_experiment_task(task, name: str, settings, options: dict):
    """Iterate experiment ``name`` until its result, reporting every snapshot (throttled).

    Returns the result; a cancelled task stops at the next snapshot.
    """
    for item in experiments.run(name, None, settings, **options):
        task.check()
        if item.finished:
            return item
        task.progress(item)
    raise ValueError(f"the {name} experiment ended without a result")


class ExperimentRunner(QObject):
    """The one running experiment of the tab.

    Signals
    -------
    sigProgress(str, object)
        Experiment name and its newest :class:`~cnnviz.lab.experiments.Progress`, at most every
        :data:`REDRAW_MS` milliseconds.
    sigResult(str, object)
        Experiment name and its result.
    sigError(str, str)
        Experiment name and a sentence.
    sigStopped(str)
        The experiment was stopped (by Stop, by starting another one, or by shutdown).
    """

    sigProgress = Signal(str, object)
    sigResult = Signal(str, object)
    sigError = Signal(str, str)
    sigStopped = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.tasks = TaskRunner(self)
        self.tasks.sigProgress.connect(self._on_progress)
        self.tasks.sigResult.connect(self._on_result)
        self.tasks.sigError.connect(self._on_error)
        self._name: str | None = None
        self._latest = None
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._flush)

    def running(self) -> str | None:
        """The name of the experiment running now, or None."""
        return self._name if self.tasks.is_busy(SLOT) else None

    def start(self, name: str, settings, options: dict | None = None) -> None:
        """Run ``name`` with ``settings``; a running experiment is stopped first."""
        self.stop()
        self._name, self._latest = name, None
        self.tasks.start(SLOT, run_experiment_task, name, settings, dict(options or {}))
        self._timer.start()

    def stop(self) -> None:
        """Stop the running experiment (its thread ends at its next snapshot)."""
        name = self.running()
        self.tasks.cancel(SLOT)
        self._finish()
        if name is not None:
            self.sigStopped.emit(name)

    def shutdown(self) -> None:
        """Stop and wait for the thread (for closeEvent)."""
        self.stop()
        self.tasks.shutdown()

    def _finish(self) -> None:
        self._timer.stop()
        self._latest = None

    @Slot(str, object)
    def _on_progress(self, _slot: str, progress) -> None:
        self._latest = progress

    @Slot()
    def _flush(self) -> None:
        if self._latest is not None and self._name is not None:
            latest, self._latest = self._latest, None
            self.sigProgress.emit(self._name, latest)

    @Slot(str, object)
    def _on_result(self, _slot: str, result) -> None:
        self._finish()
        self.sigResult.emit(self._name, result)

    @Slot(str, str)
    def _on_error(self, _slot: str, message: str) -> None:
        self._finish()
        self.sigError.emit(self._name, message)
