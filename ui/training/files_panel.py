"""The studio's "Model and results" buttons: save and load a model, export history and filters.

Save and load are the File menu's *Export model as...* and *Open model...*
(:class:`~ui.training.model_actions.ModelActions`: any format, opened in the background). The
export buttons ask for a path with Qt's file dialog and run one function of
:mod:`ui.training.files`. A failure becomes a sentence in the studio (through the session), never
a traceback.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget

from ui.training import files
from ui.training.filters_view import FiltersView
from ui.training.model_actions import ModelActions
from ui.training.session import TrainingSession
from ui.widgets.buttons import named_button


class FilesPanel(QWidget):
    """``saveModelButton``, ``loadModelButton``, ``exportHistoryButton``, ``exportFiltersButton``.

    Each is enabled only when it has something to work on (weights, history rows, filters), and
    loading is locked while a run is active.
    """

    def __init__(self, session: TrainingSession, filters_view: FiltersView,
                 model_actions: ModelActions, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self._actions = model_actions
        self._filters_view = filters_view
        self.save_button = named_button("Save model…", "saveModelButton",
                                        "Save as .npz, .onnx, .safetensors or PyTorch code (.py)")
        self.load_button = named_button("Load model…", "loadModelButton",
                                        "Open a .npz, .onnx or .safetensors model")
        self.csv_button = named_button("Export history CSV…", "exportHistoryButton")
        self.png_button = named_button("Export filters PNG…", "exportFiltersButton")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button, action in ((self.save_button, self.save_model),
                               (self.load_button, self.load_model),
                               (self.csv_button, self.export_history),
                               (self.png_button, self.export_filters)):
            layout.addWidget(button)
            button.clicked.connect(action)
        for signal in (session.sigStateChanged, session.sigCleared, session.sigContextChanged,
                       session.sigRowsAdded, filters_view.sigFramesChanged):
            signal.connect(self.refresh_buttons)
        self.refresh_buttons()

    @Slot()
    def refresh_buttons(self, *_args) -> None:
        """Enable each button only when it has something to act on."""
        session = self._session
        self.load_button.setEnabled(not session.is_running())
        self.save_button.setEnabled(session.has_weights())
        self.png_button.setEnabled(self._filters_view.frame_count() > 0)
        self.csv_button.setEnabled(session.history_length() > 0)

    # ----- actions -------------------------------------------------------------------------------
    @Slot()
    def save_model(self) -> None:
        self._actions.export_model()

    @Slot()
    def load_model(self) -> None:
        self._actions.open_model()

    @Slot()
    def export_history(self) -> None:
        path = self._ask(True, "Export training history", "CSV (*.csv)", ".csv")
        if path:
            rows = self._session.history()
            self._run("export the history", files.write_history_csv, rows, path,
                      ok=f"Wrote {len(rows)} rows to {path}.")

    @Slot()
    def export_filters(self) -> None:
        frame = self._filters_view.current_frame()
        if frame is None:
            self._session.report_problem("No filters to export yet: train first.")
            return
        path = self._ask(True, "Export filters", "PNG image (*.png)", ".png")
        if path:
            self._run("export the filters", files.write_filters_png, frame[1], path,
                      ok=f"Saved the filters to {path}.")

    def _ask(self, save: bool, title: str, filt: str, suffix: str) -> str:
        fn = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = fn(self, title, "", filt)
        if path and save and not path.lower().endswith(suffix):
            path += suffix
        return path

    def _run(self, what: str, action, *args, ok: str | None = None) -> None:
        try:
            result = action(*args)
        except (ValueError, OSError) as exc:
            self._session.report_problem(f"Could not {what}: {exc}")
            return
        self._session.report_status(ok or str(result))
