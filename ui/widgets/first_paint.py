"""Run something once, from the event loop, right after a widget (or any widget) first paints."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Slot

__all__ = ["FirstPaint"]


class FirstPaint(QObject):
    """Calls ``then`` once, after the first paint that ``watched`` sees.

    Parameters
    ----------
    watched : QWidget or QApplication
        A widget (its own paints) or the application (the first paint of any widget).
    then : callable
        Called with no arguments from the event loop once that paint pass has finished.
    wait_ms : int, optional
        Call ``then`` after this long even if nothing was painted (a window that stays hidden).
    """

    def __init__(self, watched, then, wait_ms: int | None = None) -> None:
        super().__init__(watched)
        self._watched, self._then = watched, then
        watched.installEventFilter(self)
        if wait_ms is not None:
            QTimer.singleShot(wait_ms, self._fire)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self._watched.removeEventFilter(self)
            QTimer.singleShot(0, self._fire)  # after this paint has reached the screen
        return False

    @Slot()
    def _fire(self) -> None:
        if self._then is not None:
            then, self._then = self._then, None
            then()

    def cancel(self) -> None:
        """Never call ``then`` (e.g. the window closed first)."""
        self._then = None
