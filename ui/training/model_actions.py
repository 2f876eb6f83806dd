"""File > Open model..., Export model as..., Evaluate the test set: the studio's model-file actions.

Opening runs :func:`ui.training.model_files.read_model` in the background (a
:class:`~ui.widgets.tasks.TaskRunner`, slot ``"model"``), so a large or hostile file never
freezes the window; a newer Open supersedes an older one. The loaded model then chooses its data
(the current set, a built-in one of its input size, or a stand-in) and goes into the session like
weights saved by the studio itself. Where real data fits, the test set is evaluated at once (slot
``"evaluate"``) and its confusion matrix appears under Mistakes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QWidget

from ui.training import files
from ui.training.model_files import (
    EXPORT_FILTERS,
    OPEN_FILTER,
    LoadedModel,
    evaluate,
    matching_builtin,
    output_count,
    read_model,
    stand_in_dataset,
)
from ui.widgets.tasks import TaskRunner

__all__ = ["ModelActions", "open_and_place"]


def open_and_place(task, path: str, spec, shape, current: tuple | None):
    """Read the model, then decide its data: ``(loaded, dataset key or None, stand-in or None)``.

    ``current`` is the current data set's (input shape, class count). The key names a built-in
    set; None with no stand-in means "keep the current data".
    """
    loaded = read_model(task, path, spec, shape)
    if loaded.input_shape is None:  # an old file without its input size: assume the current one
        if current is None:
            raise ValueError(f"{loaded.name} does not record its input size; choose its data "
                             f"set first")
        loaded.input_shape = tuple(current[0])
    k = output_count(loaded.model, loaded.input_shape)
    if current is not None and (tuple(current[0]), current[1]) == (loaded.input_shape, k):
        return loaded, None, None
    key = matching_builtin(loaded.input_shape, k)
    return loaded, key, None if key else stand_in_dataset(loaded)


class ModelActions(QObject):
    """The actions (for the File menu and the studio's buttons) and what they do.

    Parameters
    ----------
    session : TrainingSession
    dataset_panel : DatasetPanel
    editor : ArchitectureEditor
    dialog_parent : QWidget
    """

    sigStatus = Signal(str)

    def __init__(self, session, dataset_panel, editor, dialog_parent: QWidget):
        super().__init__(dialog_parent)
        self._session, self._data, self._editor = session, dataset_panel, editor
        self._parent = dialog_parent
        self.tasks = TaskRunner(self)
        self.tasks.sigResult.connect(self._on_result)
        self.tasks.sigError.connect(self._on_error)
        self.open_action = self._action("&Open model…", "openModelAction",
                                        QKeySequence.StandardKey.Open,
                                        "Open a .npz, .onnx or .safetensors model (a bare "
                                        "state_dict loads into the network in the editor)",
                                        self.open_model)
        self.export_action = self._action("&Export model as…", "exportModelAction",
                                          QKeySequence("Ctrl+Shift+S"),
                                          "Save the model as .npz, .onnx, .safetensors or "
                                          "PyTorch code (.py)", self.export_model)
        self.evaluate_action = self._action("E&valuate the test set", "evaluateModelAction", None,
                                            "Evaluate the current weights on the test set and "
                                            "show the confusion matrix", self.evaluate_now)
        for signal in (session.sigStateChanged, session.sigCleared, session.sigContextChanged,
                       session.sigRowsAdded):
            signal.connect(self.refresh)
        self.refresh()

    def _action(self, text, name, shortcut, tip, slot) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def actions(self) -> list[QAction]:
        """Open, export and evaluate, in menu order."""
        return [self.open_action, self.export_action, self.evaluate_action]

    def is_busy(self) -> bool:
        return self.tasks.is_busy()

    @Slot()
    def refresh(self, *_args) -> None:
        running = self._session.is_running()
        self.open_action.setEnabled(not running)
        self.export_action.setEnabled(self._session.has_weights())
        ds = self._session.dataset()
        real = ds is not None and not ds.name.startswith("stand-in")
        self.evaluate_action.setEnabled(self._session.has_weights() and not running and real)

    # ----- open ----------------------------------------------------------------------------------
    @Slot()
    def open_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._parent, "Open model", "", OPEN_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path) -> None:
        """Read ``path`` in the background; the studio shows it when it arrives."""
        if self._session.is_running():
            self._session.report_problem("Stop the training run before opening a model.")
            return
        ds = self._session.dataset()
        current = None if ds is None else (tuple(ds.input_shape), ds.n_classes)
        shape = None if ds is None else tuple(ds.input_shape)
        self.sigStatus.emit(f"Opening {Path(path).name}…")
        self.tasks.start("model", open_and_place, str(path), self._editor.spec(), shape, current)

    def _place(self, loaded: LoadedModel, key, stand_in) -> str:
        """Switch to the data the model fits and load its weights; returns how it went."""
        if key is not None:
            if not self._data.load_builtin(key):
                raise ValueError(f"could not load the {key} data set for {loaded.name}")
        elif stand_in is not None:
            self._data.show_dataset(stand_in, note="images resized to the model's input, "
                                                   "labelled with its own predictions")
        self._session.load_model(loaded.spec, loaded.model.state_dict())
        ds = self._session.dataset()
        c, h, w = loaded.input_shape
        what = "matched to the network in the editor" if loaded.matched else \
            loaded.model.metadata.get("source_format", "cnnviz")
        if stand_in is not None:
            return (f"Opened {loaded.name} ({what}, {c}x{h}x{w} input). No data set has that "
                    f"size: the views use stand-in images labelled with its own predictions.")
        self.evaluate_now()
        return (f"Opened {loaded.name} ({what}, {c}x{h}x{w} input) with the {ds.name} data; "
                f"evaluating the test set. Start continues training from these weights.")

    # ----- export and evaluate -------------------------------------------------------------------
    @Slot()
    def export_model(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self._parent, "Export model as", "",
                                                   ";;".join(EXPORT_FILTERS))
        if not path:
            return
        if Path(path).suffix.lower() not in EXPORT_FILTERS.values():
            path += EXPORT_FILTERS.get(chosen, ".npz")
        self.export_to(path)

    def export_to(self, path) -> bool:
        """Save the studio's model as ``path`` (format by extension); False, with why, if not."""
        try:
            written = files.save_current_model(self._session, path)
        except (ValueError, OSError) as exc:
            self._session.report_problem(f"Could not export the model: {exc}")
            return False
        extra = " and its weights beside it" if written.suffix == ".py" else ""
        self._session.report_status(f"Exported the model to {written}{extra}.")
        return True

    @Slot()
    def evaluate_now(self) -> None:
        """Evaluate the current weights on the test set in the background."""
        ctx, state = self._session.model_context(), self._session.weights()
        if ctx is None or state is None or self._session.is_running():
            return
        self.tasks.start("evaluate", evaluate, ctx.spec, state, ctx.dataset)

    # ----- outcomes ------------------------------------------------------------------------------
    @Slot(str, object)
    def _on_result(self, slot: str, result) -> None:
        if slot == "evaluate":
            self._session.show_evaluation(result)
            self.sigStatus.emit(f"Test accuracy {result.test_accuracy:.1%} on "
                                f"{int(result.confusion.sum())} images (see Mistakes).")
            return
        try:
            message = self._place(*result)
        except ValueError as exc:
            self._on_error(slot, str(exc))
            return
        self._session.report_status(message)

    @Slot(str, str)
    def _on_error(self, slot: str, message: str) -> None:
        what = "evaluate the test set" if slot == "evaluate" else "open the model"
        self._session.report_problem(f"Could not {what}: {message}")

    def shutdown(self) -> None:
        """Cancel background loads and evaluations and wait for their threads."""
        self.tasks.shutdown()
