"""The training studio: pick data and a network, train it in a worker thread, watch it learn.

The GUI thread only assembles settings, starts/stops the :class:`ui.training.worker.TrainingRunner`,
keeps the latest report, and redraws from a 30 Hz ``QTimer``. Every batch is computed in the worker;
the inspection panels run single-sample inference on a GUI-side copy of the model
(:class:`ui.training.inference.ModelContext`), never on the worker's live one.
"""

from __future__ import annotations

import time
from functools import partial

from PySide6.QtCore import QSettings, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from cnnviz.nn import architecture as arch
from ui.training import files as training_files
from ui.training.architecture_editor import ArchitectureEditor
from ui.training.controls import TrainingControls
from ui.training.dataset_panel import DatasetPanel
from ui.training.draw_digit import DrawDigitPanel
from ui.training.errors_panel import ErrorsPanel
from ui.training.filters_view import FiltersView
from ui.training.inference import ModelContext
from ui.training.inspect_panel import InspectPanel
from ui.training.layout import build_studio_layout
from ui.training.step_view import StepView
from ui.training.worker import Report, TrainingRunner
from ui.widgets.curves import CurvesView

REDRAW_MS = 33  # <= 30 Hz: the eye sees no difference beyond that and the GUI stays idle
MODEL_REFRESH_S = 1.0  # inspection panels re-run inference on new weights at most once a second


class TrainingWidget(QWidget):
    """The "Training studio" tab (see DESIGN.md for the objectNames it exposes).

    Signals
    -------
    sigOpenInPlayground(object)
        A learned filter, ndarray shape (kh, kw), for the playground's kernel grid.
    sigStatus(str)
        A status-bar message.
    """

    sigOpenInPlayground = Signal(object)
    sigStatus = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._history: list[dict] = []
        self._running = False
        self._latest = None          # newest Snapshot
        self._progress_dirty = False
        self._context: ModelContext | None = None
        self._loaded_state: dict | None = None
        self._last_model_push = 0.0
        self._tick = 0
        self._pending_evaluation = None
        self._last_eval_push = 0.0
        self._run_spec: list | None = None
        self.runner = TrainingRunner(self)
        self.runner.sigReport.connect(self._on_report)
        self.runner.sigFinished.connect(self._on_finished)

        self.controls = TrainingControls()
        self.dataset_panel = DatasetPanel()
        self.editor = ArchitectureEditor()
        self.curves = CurvesView()
        self.filters_view = FiltersView()
        self.inspect_panel = InspectPanel()
        self.errors_panel = ErrorsPanel()
        self.step_view = StepView()
        self.draw_panel = DrawDigitPanel()
        build_studio_layout(self)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._wire()

        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._redraw)
        self._timer.start()

        self.controls.restore_settings(QSettings())
        key = str(QSettings().value("training/dataset", "lines"))
        if not self.dataset_panel.load_builtin(key if key in ("lines", "shapes", "digits")
                                               else "lines"):
            self.dataset_panel.load_builtin("lines")
        self._update_buttons()

    def _wire(self) -> None:
        c = self.controls
        c.start_button.clicked.connect(self._on_start)
        c.pause_button.toggled.connect(self._on_pause_toggled)
        c.step_button.clicked.connect(self._on_single_step)
        c.stop_button.clicked.connect(self._on_stop)
        c.reset_button.clicked.connect(self.reset)
        c.lr_spin.valueChanged.connect(self._on_lr_changed)
        self.dataset_panel.sigDatasetChanged.connect(self._on_dataset_changed)
        self.dataset_panel.sigStatus.connect(self.sigStatus)
        self.editor.sigValidityChanged.connect(self._on_validity)
        self.editor.sigSpecChanged.connect(self._on_spec_changed)
        self.filters_view.sigOpenInPlayground.connect(self.sigOpenInPlayground)
        self.errors_panel.sigInspectSample.connect(self._on_inspect_sample)
        for button, action in ((self.save_button, training_files.save_model_dialog),
                               (self.load_button, training_files.load_model_dialog),
                               (self.csv_button, training_files.export_history_dialog),
                               (self.png_button, training_files.export_filters_dialog)):
            button.clicked.connect(partial(action, self))

    # ----- public API ----------------------------------------------------------------------------
    def is_running(self) -> bool:
        """True from Start until the run's last report has been handled."""
        return self._running

    def history(self) -> list[dict]:
        """One dict per trained step: step, epoch, loss, train_accuracy, lr (+ test_loss and
        test_accuracy when the test set was evaluated after that step)."""
        return [dict(row) for row in self._history]

    def latest_snapshot(self):
        """The newest snapshot received from the worker (None before training)."""
        return self._latest

    def model_context(self) -> ModelContext | None:
        """The GUI-side model copy used by the inspection panels."""
        return self._context

    def shutdown(self) -> None:
        """Stop training, ``quit()`` and ``wait()`` for the thread; remember settings."""
        self.runner.shutdown()
        self._running = False
        self.dataset_panel.shutdown()
        self._save_settings()
        self._update_buttons()

    def reset(self) -> None:
        """Stop any run and forget its curves, filters, weights and inspection results."""
        self.runner.shutdown()
        self._running = False
        self._history.clear()
        self._latest = None
        self._loaded_state = None
        self.curves.clear()
        self.filters_view.clear()
        self.filters_view.refresh()
        self.controls.progress_bar.setValue(0)
        self.controls.progress_bar.setFormat("idle")
        self.controls.show_message(None)
        self._new_context()
        self._update_buttons()

    def apply_loaded_model(self, spec: list[dict], state: dict) -> None:
        """Use a loaded model: its architecture in the editor, its weights for panels and Start."""
        self.reset()
        self.editor.set_spec(spec)
        self._loaded_state = state
        self._new_context()
        model = self._context.model() if self._context is not None else None
        conv = model.first_conv() if model is not None else None
        if conv is not None:
            self.filters_view.add_frame(0, conv.weight.data, None)
        self._update_buttons()

    def report_problem(self, message: str) -> None:
        """Show a problem in place (red, under the progress bar) and in the status bar."""
        self._fail(message)

    # ----- run control ---------------------------------------------------------------------------
    @Slot()
    def _on_start(self) -> None:
        self.start(paused=False)

    def start(self, paused: bool = False) -> bool:
        """Build a fresh model and trainer from the current settings and start the worker."""
        from cnnviz.train import Trainer, TrainingControl

        dataset = self.dataset_panel.dataset()
        if dataset is None or not self.editor.is_valid():
            self._fail(self.editor.error() or "Choose a data set first.")
            return False
        values = self.controls.values()
        spec = self.editor.spec()
        try:
            model = arch.build_model(spec, dataset.input_shape, dataset.n_classes,
                                     seed=values["seed"])
            if self._loaded_state is not None:
                model.load_state_dict(self._loaded_state)
            control = TrainingControl()
            control.lr = values["lr"]
            if paused:
                control.pause()
            trainer = Trainer(model, dataset, control=control, **values)
        except ValueError as exc:
            self._fail(f"Cannot start: {exc}")
            return False
        self._history.clear()
        self._latest = None
        self.curves.clear()
        self.filters_view.clear()
        self.controls.show_message(None)
        self._run_spec = spec
        self._new_context()
        self.runner.start(trainer, control)
        self._running = True
        self.controls.pause_button.blockSignals(True)
        self.controls.pause_button.setChecked(paused)
        self.controls.pause_button.setText("Resume" if paused else "Pause")
        self.controls.pause_button.blockSignals(False)
        self._save_settings()
        self._update_buttons()
        self.sigStatus.emit(f"Training on {dataset.name}…")
        return True

    @Slot(bool)
    def _on_pause_toggled(self, paused: bool) -> None:
        control = self.runner.control
        if control is None or not self._running:
            return
        if paused:
            control.pause()
        else:
            control.resume()
        self.controls.pause_button.setText("Resume" if paused else "Pause")
        self._update_buttons()
        self.sigStatus.emit("Paused: use Single step to run one batch." if paused else "Resumed.")

    @Slot()
    def _on_single_step(self) -> None:
        if not self._running:
            if not self.start(paused=True):
                return
        elif not self.controls.pause_button.isChecked():
            self.controls.pause_button.setChecked(True)  # pauses via _on_pause_toggled
        self.runner.control.request_single_step()
        self.tabs.setCurrentWidget(self.step_view)

    @Slot()
    def _on_stop(self) -> None:
        self.runner.stop()
        self.controls.stop_button.setEnabled(False)
        self.controls.start_button.setEnabled(self.editor.is_valid())
        self.sigStatus.emit("Stopping after the current batch…")

    @Slot(float)
    def _on_lr_changed(self, value: float) -> None:
        control = self.runner.control
        if control is not None and self._running:
            control.lr = float(value)  # the trainer reads it before the next batch

    # ----- reports from the worker ---------------------------------------------------------------
    @Slot(object)
    def _on_report(self, report: Report) -> None:
        self._history.extend(report.rows)
        self.curves.add_rows(report.rows)
        snap = report.snapshot
        if snap is not None:
            if self._latest is None:
                self.curves.set_total_steps(snap.total_steps)
            self._latest = snap
            self._progress_dirty = True
            self.filters_view.add_frame(snap.step, snap.filters, snap.filter_grads)
        if report.evaluation is not None:
            self._pending_evaluation = report.evaluation
        if report.trace is not None:
            self.step_view.set_trace(report.trace, self._class_names())

    @Slot(object)
    def _on_finished(self, report: Report) -> None:
        self._on_report(report)
        self._running = False
        snap = report.snapshot
        if report.error:
            self.controls.show_message(report.error)
            self.sigStatus.emit(report.error)
        elif snap is not None and getattr(snap, "diverged", False):
            message = snap.message or "Training diverged. Try a lower learning rate."
            self.controls.show_message(message)
            self.sigStatus.emit(message)
        else:
            acc = [r["test_accuracy"] for r in self._history if "test_accuracy" in r]
            done = "Finished" if snap is not None and snap.finished else "Stopped"
            self.sigStatus.emit(f"{done}: test accuracy {acc[-1]:.1%}." if acc else f"{done}.")
        self._push_model(force=True)
        self._push_evaluation(force=True)
        self._update_progress()
        self._update_buttons()

    # ----- redraw timer --------------------------------------------------------------------------
    @Slot()
    def _redraw(self) -> None:
        # Painting is what costs the GUI thread time, so each tick repaints at most one of the big
        # views. In an 8-tick cycle (264 ms): filters every other tick (15 Hz), loss and accuracy
        # about 4 times a second, the inspection panels and the mistakes at most once a second.
        self._tick = (self._tick + 1) % 8
        if self._tick % 2 == 1:
            self.filters_view.refresh()
        elif self._tick == 0:
            self.curves.refresh("loss")
        elif self._tick == 4:
            self.curves.refresh("accuracy")
        elif self._tick == 2:
            self._push_model()
        elif self._tick == 6:
            self._push_evaluation()
        if self._progress_dirty:
            self._update_progress()

    def _update_progress(self) -> None:
        self._progress_dirty = False
        if self._latest is not None:
            self.controls.show_progress(self._latest)
        if not self.csv_button.isEnabled():
            self._update_buttons()

    def _push_model(self, force: bool = False) -> None:
        # Inference on new weights is the only model work on the GUI thread: throttle it.
        now = time.monotonic()
        if self._latest is None or self._context is None:
            return
        if not force and now - self._last_model_push < MODEL_REFRESH_S:
            return
        if self._context.state is not self._latest.state:
            self._last_model_push = now
            self._context.set_state(self._latest.state)
            self._refresh_visible_panel()

    def _push_evaluation(self, force: bool = False) -> None:
        # The test set is evaluated several times a second on small data: show at most one a second.
        now = time.monotonic()
        if self._pending_evaluation is None:
            return
        if not force and now - self._last_eval_push < MODEL_REFRESH_S:
            return
        self._last_eval_push = now
        self.errors_panel.set_evaluation(self._pending_evaluation, self._context)
        self._pending_evaluation = None

    def _refresh_visible_panel(self) -> None:
        panel = self.tabs.currentWidget()
        if hasattr(panel, "set_context"):
            panel.set_context(self._context)

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        self._refresh_visible_panel()

    # ----- data and network ----------------------------------------------------------------------
    def _class_names(self) -> list[str]:
        ds = self.dataset_panel.dataset()
        return list(ds.class_names) if ds is not None else []

    def _new_context(self) -> None:
        ds = self.dataset_panel.dataset()
        spec = self._run_spec if self._running and self._run_spec else self.editor.spec()
        self._context = None if ds is None else ModelContext(ds, spec)
        if self._context is not None and self._loaded_state is not None:
            self._context.set_state(self._loaded_state)
        for panel in (self.inspect_panel, self.errors_panel, self.draw_panel):
            panel.set_context(self._context)
        self.step_view.clear()

    @Slot(object)
    def _on_dataset_changed(self, ds) -> None:
        if self._running:
            self.runner.shutdown()
            self._running = False
        self._loaded_state = None
        self.editor.set_spec(arch.default_architecture(ds.name, ds.input_shape, ds.n_classes))
        self.editor.set_input(ds.input_shape, ds.n_classes, ds.x_train[0, 0])
        self.sigStatus.emit(f"Data: {self.dataset_panel.status_label.text()} — network set to the "
                            "suggested one for it.")
        self.reset()

    @Slot(bool)
    def _on_validity(self, _valid: bool) -> None:
        self._update_buttons()

    @Slot()
    def _on_spec_changed(self) -> None:
        if not self._running:
            # Trained or loaded weights belong to the previous architecture: forget them.
            self._loaded_state = None
            self._latest = None
            self._update_buttons()
            self._new_context()

    @Slot(int)
    def _on_inspect_sample(self, index: int) -> None:
        self.inspect_panel.set_context(self._context)
        self.inspect_panel.show_sample(index)
        self.tabs.setCurrentWidget(self.inspect_panel)

    def _update_buttons(self) -> None:
        c = self.controls
        valid = self.editor.is_valid() and self.dataset_panel.dataset() is not None
        running = self._running
        c.start_button.setEnabled(valid and not running)
        c.start_button.setToolTip("Train from fresh weights." if valid else
                                  f"Fix the network first: {self.editor.error()}")
        c.pause_button.setEnabled(running)
        c.stop_button.setEnabled(running)
        c.step_button.setEnabled(valid)
        c.set_editing_enabled(not running)
        self.editor.set_editing_enabled(not running)
        self.dataset_panel.combo.setEnabled(not running)
        self.load_button.setEnabled(not running)
        has_weights = self._latest is not None or self._loaded_state is not None
        self.save_button.setEnabled(has_weights)
        self.png_button.setEnabled(self.filters_view.frame_count() > 0)
        self.csv_button.setEnabled(bool(self._history))

    def _fail(self, message: str) -> None:
        self.controls.show_message(message)
        self.sigStatus.emit(message)

    def _save_settings(self) -> None:
        settings = QSettings()
        self.controls.save_settings(settings)
        ds = self.dataset_panel.dataset()
        if ds is not None and ds.name in ("lines", "shapes", "digits"):
            settings.setValue("training/dataset", ds.name)
