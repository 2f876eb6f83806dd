"""The frame every explanation method sits in: its controls, a Compute button, progress and Stop,
an export button, a line of numbers, and its "why" note.

A method view only says how to compute (a plain function of :mod:`cnnviz.explain`, run by the
shared :class:`~ui.widgets.tasks.TaskRunner` in a thread of its own, on a copy of the model)
and how to draw the result. Views marked ``auto`` recompute by themselves when the sample, the
class or the weights change (a newer request supersedes a running one); the slow ones wait for
Compute and say when their result is out of date.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ui.training.inspect.subject import Subject
from ui.widgets.buttons import named_button
from ui.widgets.export import export_dialog
from ui.widgets.note_scroll import NoteScroll
from ui.widgets.tasks import TaskRunner
from ui.widgets.why import WhyLabel

__all__ = ["MethodView", "Export"]

DEBOUNCE_MS = 120  # a slider drag asks for one computation when it pauses, not one per tick


class Export:
    """What the export button saves: a 2-D picture (PNG) and the raw result (.npy)."""

    def __init__(self, picture, raw, kind: str, colormap: str | None = None, levels=None,
                 scale: int = 1):
        self.picture, self.raw, self.kind = picture, raw, kind
        self.colormap, self.levels, self.scale = colormap, levels, scale


class MethodView(QWidget):
    """Base class of the Inspect area's method pages.

    Subclasses set ``title`` (the selector's text), ``key`` (objectName prefix), ``why`` and
    ``auto``; fill :attr:`controls` and :attr:`body`; implement :meth:`task` (the function to run
    and its arguments), :meth:`show_result` and :meth:`export_data`.

    Signals
    -------
    sigStatus(str)
        A sentence for the status bar (an error, an export).
    sigComputed()
        A result was drawn.
    """

    title = ""
    key = "method"
    why = ""
    auto = True

    sigStatus = Signal(str)
    sigComputed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"{self.key}View")
        self.tasks = TaskRunner(self)
        self.tasks.sigResult.connect(self._on_result)
        self.tasks.sigError.connect(self._on_error)
        self.tasks.sigProgress.connect(self._on_progress)
        self.tasks.sigIdle.connect(self._on_idle)
        self._subject: Subject | None = None
        self._result = None
        self._result_key = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.compute)

        self.compute_button = named_button("Compute", f"{self.key}ComputeButton",
                                           "Run this method on the current sample and weights.")
        self.compute_button.clicked.connect(self.compute)
        self.stop_button = named_button("Stop", f"{self.key}StopButton", "Stop the computation.")
        self.stop_button.clicked.connect(self.stop)
        self.export_button = named_button("Export…", f"{self.key}ExportButton",
                                          "Save the result as a PNG picture or a .npy array.")
        self.export_button.clicked.connect(self.export)
        self.progress = QProgressBar()
        self.progress.setObjectName(f"{self.key}Progress")
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(160)
        self.message = QLabel("")
        self.message.setObjectName(f"{self.key}Message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.controls = QHBoxLayout()
        self.body = QHBoxLayout()
        self.why_label = WhyLabel(self.why, expanded=True)

        bar = QHBoxLayout()
        bar.addLayout(self.controls)
        bar.addStretch(1)
        for w in (self.progress, self.stop_button, self.compute_button, self.export_button):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        self.body_box = QWidget()  # hidden while there is nothing (no weights) to explain
        self.body_box.setLayout(self.body)
        self.body.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.body_box, 1)
        layout.addWidget(self.message)
        why_scroll = NoteScroll(self.why_label)
        why_scroll.setObjectName("whyScroll")
        layout.addWidget(why_scroll)
        self._set_busy(False)
        self.export_button.setEnabled(False)

    # ----- what subclasses provide ---------------------------------------------------------------
    def task(self, subject: Subject):
        """``(function, args)``: the function runs as ``function(task_control, *args)``."""
        raise NotImplementedError

    def show_result(self, result) -> None:
        raise NotImplementedError

    def export_data(self) -> Export | None:
        return None

    def result_key(self, subject: Subject) -> tuple:
        """What the result depends on; a new subject with the same key needs no recomputation."""
        return (*subject.key(), *self.settings_key())

    def settings_key(self) -> tuple:
        """The view's own settings that the result depends on."""
        return ()

    # ----- public API ----------------------------------------------------------------------------
    def set_subject(self, subject: Subject | None, visible: bool) -> None:
        """Explain ``subject`` from now on (computing at once if ``auto`` and ``visible``)."""
        self._subject = subject
        self.compute_button.setEnabled(subject is not None)
        if subject is None:
            self.tasks.cancel("compute")
            self._forget_result()
            return
        if self._result_key != self.result_key(subject):
            if self.auto and visible:
                self.compute()
            elif self._result is not None:
                self.message.setText("The sample or the weights changed: press Compute to "
                                     "bring this up to date.")

    def subject(self) -> Subject | None:
        return self._subject

    def result(self):
        """The last result drawn (the engine's object), or None."""
        return self._result

    def is_busy(self) -> bool:
        return self.tasks.is_busy()

    @Slot()
    def compute(self) -> None:
        """Start the computation for the current subject and settings (superseding any other)."""
        subject = self._subject
        if subject is None:
            return
        try:
            fn, args = self.task(subject)
        except ValueError as exc:
            self._on_error("compute", str(exc))
            return
        self._pending_key = self.result_key(subject)
        self.tasks.start("compute", fn, *args)
        self._set_busy(True)

    def compute_soon(self) -> None:
        """Compute once the user's edits pause (for sliders and spin boxes)."""
        if self._subject is not None:
            self._debounce.start()

    @Slot()
    def stop(self) -> None:
        self._debounce.stop()
        self.tasks.cancel("compute")
        self.message.setText("Stopped.")

    @Slot()
    def export(self) -> None:
        data = self.export_data()
        if data is None:
            return
        path = export_dialog(self, data.picture, data.kind, data.colormap, data.levels,
                             data.scale, raw=data.raw)
        if path:
            self.sigStatus.emit(f"Saved {data.kind} to {path}.")

    def shutdown(self) -> None:
        """Stop any computation and wait for its thread."""
        self._debounce.stop()
        self.tasks.shutdown()

    # ----- outcomes ------------------------------------------------------------------------------
    def _forget_result(self) -> None:
        """No model to explain (new data, Reset, a run without weights yet): an old result
        would explain another model or other images, so it goes."""
        if self._result is None:
            return
        self._result = self._result_key = None
        self.body_box.hide()
        self.export_button.setEnabled(False)
        self.message.setText("Nothing to explain yet: train a model or open one.")

    @Slot(str, object)
    def _on_result(self, _slot: str, result) -> None:
        self.body_box.show()
        self._result = result
        self._result_key = self._pending_key
        self.message.setText("")
        self.show_result(result)
        self.export_button.setEnabled(self.export_data() is not None)
        self.sigComputed.emit()

    @Slot(str, str)
    def _on_error(self, _slot: str, message: str) -> None:
        self.message.setText(message)
        self.sigStatus.emit(f"{self.title}: {message}")

    @Slot(str, object)
    def _on_progress(self, _slot: str, value) -> None:
        if isinstance(value, (int, float)):
            self.progress.setValue(int(1000 * min(max(value, 0.0), 1.0)))

    @Slot()
    def _on_idle(self) -> None:
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.stop_button.setVisible(busy)
        self.progress.setValue(0)
