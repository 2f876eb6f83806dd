"""A word-wrapped note in a frameless vertical scroll area: the one way a note under pictures
gives up height in a small window (1024x700) instead of being squeezed over them."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy

__all__ = ["NoteScroll"]


class NoteScroll(QScrollArea):
    """``note`` in a frameless scroll area that asks for the note's height at its actual width,
    so with room it reads as the note itself, and in a short window it shrinks to two lines and
    a scroll bar.

    Parameters
    ----------
    note : QLabel
        A word-wrapped label.
    max_lines : int, optional
        Never taller than this many lines (the rest scrolls).
    """

    def __init__(self, note: QLabel, max_lines: int | None = None):
        super().__init__()
        self.setWidget(note)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        line = note.fontMetrics().lineSpacing()
        self.setMinimumHeight(2 * line + 4)
        if max_lines is not None:
            self.setMaximumHeight(max_lines * line + 4)
        self.viewport().setAutoFillBackground(False)  # the page shows through: no grey band
        note.setAutoFillBackground(False)
        self._width = -1

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        width = self.viewport().width()
        if width > 0:
            hint.setHeight(self.widget().heightForWidth(width) + 2)
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if event.size().width() != self._width:  # the note rewraps: ask the layout again
            self._width = event.size().width()
            self.updateGeometry()
