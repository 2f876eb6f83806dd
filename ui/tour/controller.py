"""The tour's controller: which stop is shown, and what Back, Next and Exit do.

Each stop is applied to the live window (:func:`ui.tour.apply.apply_stop`) and its control
outlined; nothing is saved or restored, so Exit leaves the app exactly where the user is.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from cnnviz.tour import TOUR, TourStop
from ui.tour.apply import apply_stop, find_named
from ui.tour.highlight import Highlighter
from ui.tour.panel import TourPanel

__all__ = ["TourController"]

_RETRY_MS = 200  # while a training run on other data winds down before a stop can train


class TourController(QObject):
    """Runs the tour over ``window`` (a :class:`ui.main_window.MainWindow`).

    Attributes
    ----------
    panel : TourPanel
        The docked panel (``tourPanel``), hidden until :meth:`start`.
    highlighter : Highlighter
        The outline around the current stop's control.

    Signals
    -------
    sigStopShown(int)
        Stop ``index`` (from 0) was applied and shown.
    """

    sigStopShown = Signal(int)

    def __init__(self, window, stops: tuple[TourStop, ...] = TOUR):
        super().__init__(window)
        self._window = window
        self._stops = stops
        self._index = 0
        self.panel = TourPanel(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.panel)
        self.panel.hide()
        self.highlighter = Highlighter(self)
        self._retry = QTimer(self)
        self._retry.setInterval(_RETRY_MS)
        self._retry.timeout.connect(self._retry_stop)
        self.panel.sigBack.connect(self.back)
        self.panel.sigNext.connect(self.next)
        self.panel.sigExit.connect(self.exit)

    # -- state ------------------------------------------------------------------------------------
    def index(self) -> int:
        """The stop shown (from 0), or the last one shown after Exit."""
        return self._index

    def is_active(self) -> bool:
        return self.panel.isVisible()

    def count(self) -> int:
        return len(self._stops)

    # -- navigation -------------------------------------------------------------------------------
    def start(self, index: int = 0) -> None:
        """Show the panel at stop ``index`` (from 0)."""
        if not 0 <= index < len(self._stops):
            raise ValueError(f"the tour has stops 1 to {len(self._stops)}, not {index + 1}")
        self.panel.show()
        self._go(index)
        self.panel.next_button.setFocus()  # Enter moves on, Esc leaves, from the first moment

    @Slot()
    def next(self) -> None:
        """The next stop; at the last one, Finish leaves the tour."""
        if self._index >= len(self._stops) - 1:
            self.exit()
        else:
            self._go(self._index + 1)

    @Slot()
    def back(self) -> None:
        if self._index > 0:
            self._go(self._index - 1)

    @Slot()
    def exit(self) -> None:
        """Hide the panel and the outline; the app stays as the last stop left it."""
        self._retry.stop()
        self.highlighter.clear()
        self.panel.hide()
        self._window.show_status("Tour closed. Help > Tour takes it again from the start.")

    # -- applying ---------------------------------------------------------------------------------
    def _go(self, index: int) -> None:
        self._index = index
        stop = self._stops[index]
        self.panel.show_stop(index, len(self._stops), stop.title, stop.text)
        self._apply(stop)

    def _apply(self, stop: TourStop) -> None:
        self._retry.stop()
        self.highlighter.clear()
        try:
            outcome = apply_stop(self._window, stop)
        except (ValueError, RuntimeError) as exc:  # a stop that cannot be set up says so
            self._window.show_status(f"The tour could not set this stop up: {exc}")
            return
        if outcome.waiting:
            self._retry.start()
        if outcome.notes:
            self._window.show_status(" ".join(outcome.notes))
        target = find_named(self._window, stop.highlight) if stop.highlight else None
        if target is not None:
            self.highlighter.show(target)
        self.sigStopShown.emit(self._index)

    @Slot()
    def _retry_stop(self) -> None:
        # A run on other data was asked to stop; set the stop up once it has ended.
        if not self._window.training.is_running():
            self._retry.stop()
            if self.is_active():
                self._apply(self._stops[self._index])
