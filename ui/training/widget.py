"""The training studio: pick data and a network, train it in a worker thread, watch it learn.

This module only composes and wires. The run's state (history, snapshots, weights, the GUI-side
model copy, idle/running/paused/stopped) lives in :class:`ui.training.session.TrainingSession`,
which owns the worker thread; :class:`ui.training.live_views.LiveViews` feeds the reports into the
curves and filters and repaints them from a 30 Hz timer; the panels follow the session's signals.
Every batch is computed in the worker; the inspection panels run single-sample inference on a
GUI-side copy of the model, never on the worker's live one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QWidget

from cnnviz.nn import architecture as arch
from ui.training.architecture_editor import ArchitectureEditor
from ui.training.controls import TrainingControls
from ui.training.dataset_panel import DatasetPanel
from ui.training.draw_digit import DrawDigitPanel
from ui.training.errors_panel import ErrorsPanel
from ui.training.files_panel import FilesPanel
from ui.training.filters_view import FiltersView
from ui.training.inference import ModelContext
from ui.training.inspect import InspectPanel
from ui.training.layout import StudioParts, build_studio_layout
from ui.training.live_views import LiveViews
from ui.training.model_actions import ModelActions
from ui.training.remembered_network import (
    clear_network,
    forget_network,
    remember_network,
    remembered_network,
)
from ui.training.run_keys import RunKeys
from ui.training.session import RunState, TrainingSession
from ui.training.step_view import StepView
from ui.widgets.curves import CurvesView
from ui.widgets.settings import read_setting, write_setting

# the data sets remembered for the next start
BUILTIN_KEYS = ("lines", "shapes", "digits", "mnist", "colour-shapes")


class TrainingWidget(QWidget):
    """The "Training studio" tab (see DESIGN.md for the objectNames it exposes).

    Attributes
    ----------
    session : TrainingSession
        The run's state, shared by the panels.

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
        self.session = TrainingSession(self)
        self.controls = TrainingControls()
        self.dataset_panel = DatasetPanel()
        self.editor = ArchitectureEditor()
        self.curves = CurvesView()
        self.filters_view = FiltersView()
        self.model_actions = ModelActions(self.session, self.dataset_panel, self.editor, self)
        self.files_panel = FilesPanel(self.session, self.filters_view, self.model_actions)
        self.inspect_panel = InspectPanel(self.session)
        self.errors_panel = ErrorsPanel(self.session)
        self.step_view = StepView(self.session)
        self.draw_panel = DrawDigitPanel(self.session)
        self.tabs = build_studio_layout(self, StudioParts(
            controls=self.controls, dataset_panel=self.dataset_panel,
            files_panel=self.files_panel, curves=self.curves, filters_view=self.filters_view,
            tab_pages=[
                (self.editor, "Network", "Layers, shapes, parameters, receptive fields (ideas "
                 "13, 14)"),
                (self.dataset_panel, "Data", "Samples, class counts, train/test split"),
                (self.inspect_panel, "Inspect a sample", "Activation maps, saliency, Grad-CAM, "
                 "occlusion, integrated gradients, feature visualisation, adversarial examples "
                 "(17, 18, 25)"),
                (self.errors_panel, "Mistakes", "Confusion matrix and misclassified images (18)"),
                (self.step_view, "Single step", "Forward, loss, backward, update of one batch "
                 "(16)"),
                (self.draw_panel, "Draw a digit", "Draw and watch the model classify it live"),
            ]))
        self.live_views = LiveViews(self.session, self.curves, self.filters_view,
                                    self.errors_panel, self.controls, self)
        self._wire()
        self.run_keys = RunKeys(self, self.controls)  # Space, S, Esc (ui/shortcuts.py)
        # A click on the studio's background gives it the focus, so its keys work.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

        self.controls.restore_settings()
        self._remembered_network = remembered_network()  # used by the first data set's network
        self.session.set_pace(self.controls.pace())
        key = read_setting("training/dataset", "lines", str, choices=BUILTIN_KEYS)
        if not self.dataset_panel.load_builtin(key):
            self.dataset_panel.load_builtin("lines")
        self._update_buttons()

    def _wire(self) -> None:
        c, s = self.controls, self.session
        c.start_button.clicked.connect(self._on_start)
        c.pause_button.toggled.connect(self._on_pause_toggled)
        c.step_button.clicked.connect(self._on_single_step)
        c.stop_button.clicked.connect(s.stop)
        c.reset_button.clicked.connect(self.reset)
        c.lr_spin.valueChanged.connect(s.set_lr)
        c.pace_combo.currentIndexChanged.connect(self._on_pace_changed)
        self.step_view.sigNextStage.connect(self._on_next_stage)
        s.sigStateChanged.connect(self._on_state_changed)
        s.sigCleared.connect(self._on_cleared)
        s.sigModelLoaded.connect(self._on_model_loaded)
        s.sigProblem.connect(self._on_problem)
        s.sigStatus.connect(self.sigStatus)
        self.model_actions.sigStatus.connect(self.sigStatus)
        self.dataset_panel.sigDatasetChanged.connect(self._on_dataset_changed)
        self.dataset_panel.sigStatus.connect(self.sigStatus)
        self.editor.sigValidityChanged.connect(self._update_buttons)
        self.editor.sigSpecChanged.connect(self._on_spec_changed)
        self.filters_view.sigOpenInPlayground.connect(self.sigOpenInPlayground)
        self.errors_panel.sigInspectSample.connect(self._on_inspect_sample)
        self.inspect_panel.sigStatus.connect(self.sigStatus)

    # ----- public API ----------------------------------------------------------------------------
    def is_running(self) -> bool:
        """True from Start until the run's last report has been handled."""
        return self.session.is_running()

    def history(self) -> list[dict]:
        """One dict per trained step: step, epoch, loss, train_accuracy, lr (+ test_loss and
        test_accuracy when the test set was evaluated after that step)."""
        return self.session.history()

    def latest_snapshot(self):
        """The newest snapshot received from the worker (None before training)."""
        return self.session.latest_snapshot()

    def model_context(self) -> ModelContext | None:
        """The GUI-side model copy used by the inspection panels."""
        return self.session.model_context()

    def file_actions(self) -> list:
        """File-menu actions: Open model..., Export model as..., Evaluate the test set."""
        return self.model_actions.actions()

    def open_model(self, path) -> None:
        """Open a model file (.npz, .onnx, .safetensors) in the background, as File > Open."""
        self.model_actions.open_path(path)

    def start(self, paused: bool = False, from_current: bool = False) -> bool:
        """Build a model and trainer from the current settings and start the worker: from fresh
        (or opened) weights, or with ``from_current`` from the last run's (see
        :meth:`TrainingSession.start`)."""
        if self.dataset_panel.dataset() is None or not self.editor.is_valid():
            self.session.report_problem(self.editor.error() or "Choose a data set first.")
            return False
        if not self.session.start(self.controls.values(), paused=paused,
                                  from_current=from_current):
            return False
        self._save_settings()
        return True

    def _start_stepping(self) -> bool:
        """A paused run for Single step / Next stage; after a finished run it goes on from the
        weights that run learned (Start is the way to fresh ones)."""
        if self.session.state() in (RunState.RUNNING, RunState.PAUSED):
            return True
        trained = self.session.latest_snapshot() is not None
        if not self.start(paused=True, from_current=True):
            return False
        if trained:
            self.sigStatus.emit("Stepping on from the weights the last run learned (Start "
                                "trains from fresh ones).")
        return True

    def open_model_and_data(self, model, dataset) -> bool:
        """Use a trained model and the data it learned from (the Why CNNs tab's bridge).

        The data set is listed in ``datasetCombo`` as "Experiment: <name>"; the network editor
        shows the model's architecture, and the inspection panels its weights (Start trains on
        from them). False, with a message, while a run is active.
        """
        if self.session.is_running():
            self.session.report_problem("Stop the current training first, then open the "
                                        "experiment's model again.")
            return False
        self.dataset_panel.show_dataset(dataset, f"Experiment: {dataset.name}")
        self.session.load_model(arch.spec_from_model(model), model.state_dict())
        self.sigStatus.emit(f"Opened the experiment's {model.num_parameters():,}-parameter "
                            f"model on {dataset.name}: inspect it, or press Start to train on.")
        return True

    def reset(self) -> None:
        """Stop any run and forget its curves, filters, weights and inspection results."""
        self.session.reset()
        self._update_buttons()

    def offer_comparison_models(self, title: str, models: dict, dataset) -> None:
        """Models a Why CNNs experiment trained on ``dataset``, for the adversarial view's
        comparison (offered whenever the studio explains images of that data set)."""
        self.inspect_panel.views["adversarial"].offer_models(title, models, dataset)

    def reset_network_to_suggested(self) -> bool:
        """Forget the remembered network and show the one suggested for the current data set;
        False (saying why) while a run trains it or before any data set is loaded."""
        ds = self.dataset_panel.dataset()
        if self.session.is_running():
            self.sigStatus.emit("Stop training first: the network cannot change while it trains.")
            return False
        if ds is None:
            self.sigStatus.emit("Load a data set first: the suggested network depends on it.")
            return False
        clear_network()
        self.editor.set_spec(arch.default_architecture(ds.name, ds.input_shape, ds.n_classes))
        self.sigStatus.emit(f"The network is back to the one suggested for {ds.name}.")
        return True

    def shutdown(self) -> None:
        """Stop training and background loads, waiting for their threads; remember settings."""
        self.session.shutdown()
        self.model_actions.shutdown()
        self.dataset_panel.shutdown()
        self.inspect_panel.shutdown()
        self._save_settings()
        self._update_buttons()

    # ----- run control ---------------------------------------------------------------------------
    @Slot()
    def _on_start(self) -> None:
        self.start(paused=False)

    @Slot(bool)
    def _on_pause_toggled(self, paused: bool) -> None:
        if paused:
            self.session.pause()
        else:
            self.session.resume()

    @Slot()
    def _on_single_step(self) -> None:
        if not self._start_stepping():
            return
        self.session.single_step()
        self.tabs.setCurrentWidget(self.step_view)

    @Slot()
    def _on_next_stage(self) -> None:
        if not self._start_stepping():
            return
        self.session.next_stage()
        self.tabs.setCurrentWidget(self.step_view)

    @Slot(int)
    def _on_pace_changed(self, _index: int) -> None:
        self.session.set_pace(self.controls.pace())

    @Slot(object)
    def _on_state_changed(self, state: RunState) -> None:
        button = self.controls.pause_button
        button.blockSignals(True)
        button.setChecked(state is RunState.PAUSED)
        button.setText("Resume" if state is RunState.PAUSED else "Pause")
        button.blockSignals(False)
        self._update_buttons()

    @Slot()
    def _on_cleared(self) -> None:
        self.controls.show_message(None)

    @Slot(str)
    def _on_problem(self, message: str) -> None:
        self.controls.show_message(message)
        self.sigStatus.emit(message)

    # ----- data and network ----------------------------------------------------------------------
    @Slot(object)
    def _on_dataset_changed(self, ds) -> None:
        self.session.set_dataset(ds)
        default = arch.default_architecture(ds.name, ds.input_shape, ds.n_classes)
        remembered, self._remembered_network = self._remembered_network, None
        if remembered is not None and remembered[0] == ds.name:
            self.editor.set_spec(remembered[1])
        else:
            self.editor.set_spec(default)
            remembered = None
        sample = ds.x_train[0, 0] if ds.input_shape[0] == 1 else ds.x_train[0]
        self.editor.set_input(ds.input_shape, ds.n_classes, sample)
        if remembered is not None and not self.editor.is_valid():
            forget_network(self.editor.error() or "it does not fit the data")
            self.editor.set_spec(default)
        self.sigStatus.emit(f"Data: {self.dataset_panel.status_label.text()} — network set to the "
                            "suggested one for it.")
        self._update_buttons()

    @Slot()
    def _on_spec_changed(self) -> None:
        self.session.set_spec(self.editor.spec())
        self._update_buttons()

    @Slot(list)
    def _on_model_loaded(self, spec: list) -> None:
        self.editor.set_spec(spec)
        context = self.session.model_context()
        model = context.model() if context is not None else None
        conv = model.first_conv() if model is not None else None
        if conv is not None:
            self.filters_view.add_frame(0, conv.weight.data, None)
        self._update_buttons()

    @Slot(int)
    def _on_inspect_sample(self, index: int) -> None:
        self.inspect_panel.show_sample(index)
        self.tabs.setCurrentWidget(self.inspect_panel)

    def _update_buttons(self, *_args) -> None:
        c = self.controls
        valid = self.editor.is_valid() and self.dataset_panel.dataset() is not None
        state = self.session.state()
        active = state in (RunState.RUNNING, RunState.PAUSED)
        c.start_button.setEnabled(valid and not active)
        c.start_button.setToolTip("Train from fresh weights." if valid else
                                  f"Fix the network first: {self.editor.error()}")
        c.pause_button.setEnabled(active)
        c.stop_button.setEnabled(active)
        c.step_button.setEnabled(valid)
        self.step_view.next_stage_button.setEnabled(valid)
        locked = self.session.is_running()
        c.set_editing_enabled(not locked)
        self.editor.set_editing_enabled(not locked)
        self.dataset_panel.combo.setEnabled(not locked)

    def _save_settings(self) -> None:
        self.controls.save_settings()
        ds = self.dataset_panel.dataset()
        if ds is not None and ds.name in BUILTIN_KEYS:
            write_setting("training/dataset", ds.name)
            remember_network(ds.name, self.editor.spec())
