"""Feed a run's reports into the live views, and repaint them from one timer (<= 30 Hz).

Reports arrive up to 20 times a second; views only record them. Painting is what costs the GUI
thread time, so each tick of the timer repaints at most one of the big views. In an 8-tick cycle
(264 ms): the filters every other tick (15 Hz), loss and accuracy about 4 times a second, the
inspection panels (inference on new weights) and the mistakes at most once a second.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Slot

from ui.training.controls import TrainingControls
from ui.training.errors_panel import ErrorsPanel
from ui.training.filters_view import FiltersView
from ui.training.session import TrainingSession
from ui.widgets.curves import CurvesView

REDRAW_MS = 33  # <= 30 Hz: the eye sees no difference beyond that and the GUI stays idle
# At this pace or slower (steps/s) every step is drawn as it arrives: a learner is watching.
WATCH_PACE = 20.0
MODEL_REFRESH_S = 1.0  # inspection panels re-run inference on new weights at most once a second


class LiveViews(QObject):
    """Keeps the curves, filters, progress bar and mistakes in step with a session's run."""

    def __init__(self, session: TrainingSession, curves: CurvesView, filters_view: FiltersView,
                 errors_panel: ErrorsPanel, controls: TrainingControls,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._session = session
        self._curves = curves
        self._filters = filters_view
        self._errors = errors_panel
        self._controls = controls
        self._tick = 0
        self._progress_dirty = False
        self._pending_evaluation = None
        self._last_model_push = 0.0
        self._last_eval_push = 0.0
        session.sigCleared.connect(self._on_cleared)
        session.sigRowsAdded.connect(curves.add_rows)
        session.sigSnapshot.connect(self._on_snapshot)
        session.sigEvaluation.connect(self._on_evaluation)
        session.sigFinished.connect(self._on_finished)
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._redraw)
        self.timer.start()

    # ----- reports -------------------------------------------------------------------------------
    @Slot()
    def _on_cleared(self) -> None:
        self._curves.clear()
        self._filters.clear()
        self._filters.refresh()
        self._controls.reset_progress()
        self._pending_evaluation = None

    @Slot(object)
    def _on_snapshot(self, snap) -> None:
        self._filters.add_frame(snap.step, snap.filters, snap.filter_grads)
        self._progress_dirty = True

    @Slot(object)
    def _on_evaluation(self, snap) -> None:
        self._pending_evaluation = snap

    @Slot(object)
    def _on_finished(self, _report) -> None:
        self._push_model(force=True)
        self._push_evaluation(force=True)
        self._update_progress()

    # ----- the timer -----------------------------------------------------------------------------
    @Slot()
    def _redraw(self) -> None:
        self._tick = (self._tick + 1) % 8
        pace = self._session.pace()
        if pace is not None and pace <= WATCH_PACE:
            # Few steps a second: redraw what changed at once (each view skips if nothing did).
            self._curves.refresh()
            self._filters.refresh()
        if self._tick % 2 == 1:
            self._filters.refresh()
        elif self._tick == 0:
            self._curves.refresh("loss")
        elif self._tick == 4:
            self._curves.refresh("accuracy")
        elif self._tick == 2:
            self._push_model()
        elif self._tick == 6:
            self._push_evaluation()
        if self._progress_dirty:
            self._update_progress()

    def _update_progress(self) -> None:
        self._progress_dirty = False
        snap = self._session.latest_snapshot()
        if snap is not None:
            self._controls.show_progress(snap, running=self._session.is_running())

    def _push_model(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_model_push < MODEL_REFRESH_S:
            return
        if self._session.push_latest_weights():
            self._last_model_push = now

    def _push_evaluation(self, force: bool = False) -> None:
        # The test set is evaluated several times a second on small data: show at most one a second.
        now = time.monotonic()
        if self._pending_evaluation is None:
            return
        if not force and now - self._last_eval_push < MODEL_REFRESH_S:
            return
        self._last_eval_push = now
        self._errors.show_evaluation(self._pending_evaluation)
        self._pending_evaluation = None
