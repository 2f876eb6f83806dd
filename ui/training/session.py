"""The training studio's run, as one object the panels share: data, network, history, weights.

:class:`TrainingSession` is the studio's model (in the model/view sense). It owns the
:class:`~ui.training.worker.TrainingRunner` and everything a run produces: the history rows, the
newest snapshot and evaluation, weights loaded from a file, and the GUI-side
:class:`~ui.training.inference.ModelContext` the inspection panels run inference on. Panels read it
through accessors and follow its signals; only the studio widget (and the files panel, to load
weights) changes it. It never touches a widget.
"""

from __future__ import annotations

import copy
from enum import Enum

from PySide6.QtCore import QObject, Signal, Slot

from cnnviz.history import History
from cnnviz.nn import architecture as arch
from ui.training.inference import ModelContext
from ui.training.worker import Report, TrainingRunner


class RunState(Enum):
    """Where the session's run is.

    IDLE: nothing trained since the data, the network or Reset changed (loaded weights may wait).
    RUNNING, PAUSED: a run is in progress. STOPPING: Stop was pressed; the batch in flight ends.
    STOPPED: the run ended (finished, stopped, diverged or failed); its results stay.
    """

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"
    STOPPED = "stopped"


ACTIVE = (RunState.RUNNING, RunState.PAUSED, RunState.STOPPING)


class TrainingSession(QObject):
    """State of the studio's training run, with signals for the views that show it.

    Signals
    -------
    sigStateChanged(object)
        The new :class:`RunState`.
    sigCleared()
        History, snapshot and weights were forgotten (a new run, new data, Reset).
    sigRowsAdded(list)
        History rows (dicts, see :meth:`history`) just appended.
    sigSnapshot(object)
        The newest :class:`cnnviz.snapshots.Snapshot`.
    sigEvaluation(object)
        The newest snapshot carrying a test evaluation (confusion matrix, mistakes).
    sigTrace(object)
        A single step's :class:`cnnviz.snapshots.StepTrace`.
    sigStage(object)
        A :class:`cnnviz.staged_step.StageReport`: one stage of a staged single step just ran.
    sigFinished(object)
        The run's last :class:`~ui.training.worker.Report`; the state is already STOPPED.
    sigContextChanged(object)
        A new :class:`ModelContext` (new data, network or run), or None without data.
    sigWeightsChanged(object)
        The current context holds newer weights (the context is the argument).
    sigModelLoaded(list)
        Weights were loaded from a file; the argument is their architecture spec.
    sigProblem(str)
        Something to show in place (and in the status bar): bad input, a failed run.
    sigStatus(str)
        A status-bar message.
    """

    sigStateChanged = Signal(object)
    sigCleared = Signal()
    sigRowsAdded = Signal(list)
    sigSnapshot = Signal(object)
    sigEvaluation = Signal(object)
    sigTrace = Signal(object)
    sigStage = Signal(object)
    sigFinished = Signal(object)
    sigContextChanged = Signal(object)
    sigWeightsChanged = Signal(object)
    sigModelLoaded = Signal(list)
    sigProblem = Signal(str)
    sigStatus = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = TrainingRunner(self)
        self.runner.sigReport.connect(self._on_report)
        self.runner.sigFinished.connect(self._on_finished)
        self._state = RunState.IDLE
        self._dataset = None
        self._spec: list | None = None
        # Thinned evenly past cnnviz.limits.MAX_HISTORY_ROWS: bounded memory for any run length.
        self._history = History(is_key=lambda row: "test_accuracy" in row)
        self._latest = None
        self._evaluation = None
        self._loaded_state: dict | None = None
        self._context: ModelContext | None = None
        self._pace: float | None = None

    # ----- reading -------------------------------------------------------------------------------
    def state(self) -> RunState:
        return self._state

    def is_running(self) -> bool:
        """True from Start until the run's last report has been handled."""
        return self._state in ACTIVE

    def history(self) -> list[dict]:
        """One dict per trained step: step, epoch, epoch_progress, loss, train_accuracy, lr (+
        test_loss and test_accuracy when the test set was evaluated after that step). Copies.

        Past :data:`cnnviz.limits.MAX_HISTORY_ROWS` steps the rows are an even sample of the
        steps (every 2nd, 4th, ... row, each naming its step), always with the newest row and,
        while they fit in half the cap, every evaluated one (see :class:`cnnviz.history.History`).
        """
        return [dict(row) for row in self._history]

    def history_length(self) -> int:
        return len(self._history)

    def latest_snapshot(self):
        """The newest snapshot of the current (or last) run, or None."""
        return self._latest

    def latest_evaluation(self):
        """The newest snapshot of this run that carries a test evaluation, or None."""
        return self._evaluation

    def model_context(self) -> ModelContext | None:
        """The GUI-side model copy (data, architecture, newest weights) the panels share."""
        return self._context

    def dataset(self):
        """The :class:`cnnviz.data.Dataset` trained on, or None before one is loaded."""
        return self._dataset

    def spec(self) -> list | None:
        """The architecture spec (a copy) that the next run builds."""
        return copy.deepcopy(self._spec)

    def class_names(self) -> list[str]:
        return [] if self._dataset is None else list(self._dataset.class_names)

    def weights(self) -> dict | None:
        """The newest weights (a ``state_dict``): the run's latest, else the loaded ones."""
        if self._latest is not None:
            return self._latest.state
        return self._loaded_state

    def has_weights(self) -> bool:
        return self.weights() is not None

    # ----- data and network ----------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        """Train on new data: any run stops and everything it produced is forgotten."""
        self._dataset = dataset
        self.reset()

    def set_spec(self, spec: list[dict]) -> None:
        """Use a new architecture for the next run; weights of another one are forgotten.

        Ignored while a run is active (the studio locks the editor then).
        """
        if self.is_running() or spec == self._spec:
            return
        self._spec = copy.deepcopy(spec)
        self._loaded_state = None
        self._latest = None
        self._new_context()

    def load_model(self, spec: list[dict], state: dict) -> None:
        """Use loaded weights: for the panels now, and as the next run's starting point."""
        self.reset()
        self._spec = copy.deepcopy(spec)
        self._loaded_state = state
        self._new_context()
        self.sigModelLoaded.emit(copy.deepcopy(spec))

    # ----- run control ---------------------------------------------------------------------------
    def start(self, settings: dict, paused: bool = False, from_current: bool = False) -> bool:
        """Build a model and trainer and start training in the worker thread.

        The model starts from loaded weights if a model was opened, else from fresh ones; with
        ``from_current`` it starts from the newest weights (a finished run's), so a single step
        after a run goes on from what it learned instead of throwing it away.

        Parameters
        ----------
        settings : dict
            ``TrainingControls.values()``: optimizer, lr, batch_size, epochs, weight_decay, seed,
            and optionally backend ("numpy" or "torch") and device ("cpu" or "cuda").
        paused : bool
            Start paused (for a single step).
        from_current : bool
            Start from :meth:`weights` (the last run's, else the loaded ones) when there are any.

        Returns
        -------
        bool
            False, with :attr:`sigProblem` saying why, if the settings cannot be trained.
        """
        from cnnviz.backends import make_trainer
        from cnnviz.train import TrainingControl

        dataset = self._dataset
        if dataset is None or self._spec is None:
            self.report_problem("Choose a data set first.")
            return False
        try:
            model = arch.build_model(self._spec, dataset.input_shape, dataset.n_classes,
                                     seed=settings["seed"])
            start_from = self.weights() if from_current else self._loaded_state
            if start_from is not None:
                model.load_state_dict(start_from)
            control = TrainingControl(lr=settings["lr"])
            control.steps_per_second = self._pace
            if paused:
                control.pause()
            trainer = make_trainer(model, dataset, control=control, **settings)
        except ValueError as exc:
            self.report_problem(f"Cannot start: {exc}")
            return False
        self._forget_run()
        self._new_context()
        self.runner.start(trainer, control)
        self._set_state(RunState.PAUSED if paused else RunState.RUNNING)
        self.sigStatus.emit(f"Training on {dataset.name}…")
        return True

    def pause(self) -> None:
        """Hold the run before its next batch."""
        if self._state is RunState.RUNNING:
            self.runner.control.pause()
            self._set_state(RunState.PAUSED)
            self.sigStatus.emit("Paused: use Single step to run one batch.")

    def resume(self) -> None:
        if self._state is RunState.PAUSED:
            self.runner.control.resume()
            self._set_state(RunState.RUNNING)
            self.sigStatus.emit("Resumed.")

    def single_step(self) -> None:
        """Pause (if running) and run exactly one more batch, with a trace of its stages."""
        if self._state not in (RunState.RUNNING, RunState.PAUSED):
            return
        self.pause()
        self.runner.control.request_single_step()

    def next_stage(self) -> None:
        """Pause (if running) and run the next stage (forward, loss, backward, update) of a
        staged single step; :attr:`sigStage` reports it."""
        if self._state not in (RunState.RUNNING, RunState.PAUSED):
            return
        self.pause()
        self.runner.control.request_stage()

    def pace(self) -> float | None:
        """Training steps per second (None: full speed)."""
        return self._pace

    def set_pace(self, steps_per_second: float | None) -> None:
        """Keep this pace from the next step on (and for later runs)."""
        self._pace = steps_per_second
        if self.runner.control is not None:
            self.runner.control.steps_per_second = steps_per_second

    @Slot()
    def stop(self) -> None:
        """End the run after the current batch (returns at once; :attr:`sigFinished` follows)."""
        if self._state in (RunState.RUNNING, RunState.PAUSED):
            self.runner.stop()
            self._set_state(RunState.STOPPING)
            self.sigStatus.emit("Stopping after the current batch…")

    @Slot(float)
    def set_lr(self, lr: float) -> None:
        """Change the learning rate of the active run from its next batch on."""
        if self.is_running() and self.runner.control is not None:
            self.runner.control.lr = float(lr)

    def shutdown(self) -> None:
        """Stop the run and wait for its thread (``quit()`` + ``wait()``); keeps the results."""
        self.runner.shutdown()
        if self.is_running():
            self._set_state(RunState.STOPPED)

    def reset(self) -> None:
        """Stop any run and forget its history, snapshot, loaded weights and inspection results."""
        self.runner.shutdown()
        self._loaded_state = None
        self._forget_run()
        self._set_state(RunState.IDLE)
        self._new_context()

    def push_latest_weights(self) -> bool:
        """Give the context the run's newest weights; True if they were new.

        The studio calls this from its redraw timer at most once a second: inference on new
        weights is the only model work on the GUI thread.
        """
        if self._latest is None or self._context is None:
            return False
        if self._context.state is self._latest.state:
            return False
        self._context.set_state(self._latest.state)
        self.sigWeightsChanged.emit(self._context)
        return True

    def show_evaluation(self, evaluation) -> None:
        """Show a test-set evaluation of the current weights made outside a run (e.g. of a
        loaded model): anything with ``confusion``, ``misclassified`` and ``state``."""
        self._evaluation = evaluation
        self.sigEvaluation.emit(evaluation)

    def report_problem(self, message: str) -> None:
        """Show a problem in place (red, under the progress bar) and in the status bar."""
        self.sigProblem.emit(message)

    def report_status(self, message: str) -> None:
        """Show a message in the status bar."""
        self.sigStatus.emit(message)

    # ----- internals -----------------------------------------------------------------------------
    def _set_state(self, state: RunState) -> None:
        if state is not self._state:
            self._state = state
            self.sigStateChanged.emit(state)

    def _forget_run(self) -> None:
        self._history.clear()
        self._latest = None
        self._evaluation = None
        self.sigCleared.emit()

    def _new_context(self) -> None:
        ds = self._dataset
        self._context = None if ds is None or self._spec is None else ModelContext(ds, self._spec)
        if self._context is not None and self._loaded_state is not None:
            self._context.set_state(self._loaded_state)
        self.sigContextChanged.emit(self._context)

    @Slot(object)
    def _on_report(self, report: Report) -> None:
        self._history.extend(report.rows)
        if report.snapshot is not None:
            self._latest = report.snapshot
        if report.evaluation is not None:
            self._evaluation = report.evaluation
        if report.rows:
            self.sigRowsAdded.emit(list(report.rows))
        if report.snapshot is not None:
            self.sigSnapshot.emit(report.snapshot)
        if report.evaluation is not None:
            self.sigEvaluation.emit(report.evaluation)
        if report.stage is not None:
            self.sigStage.emit(report.stage)
        if report.trace is not None:
            self.sigTrace.emit(report.trace)

    @Slot(object)
    def _on_finished(self, report: Report) -> None:
        self._on_report(report)
        self._set_state(RunState.STOPPED)
        message, problem = self._closing_message(report)
        (self.sigProblem if problem else self.sigStatus).emit(message)
        self.sigFinished.emit(report)

    def _closing_message(self, report: Report) -> tuple[str, bool]:
        """The sentence that ends a run, and whether it reports a problem."""
        snap = report.snapshot
        if report.error:
            return report.error, True
        if snap is not None and snap.diverged:
            return snap.message or "Training diverged. Try a lower learning rate.", True
        acc = [r["test_accuracy"] for r in self._history if "test_accuracy" in r]
        # The trainer's closing snapshot is marked finished after a Stop too: count the steps.
        done = "Finished" if snap is not None and snap.step >= snap.total_steps else "Stopped"
        return (f"{done}: test accuracy {acc[-1]:.1%}." if acc else f"{done}."), False
