"""The tour's panel: a strip docked under the tabs with the stop's text, Back, Next and Exit.

A dock widget rather than a dialog: it is not modal and it covers nothing (the tabs give up the
strip's height), so every control the text talks about stays visible and usable while it shows.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDockWidget, QFrame, QHBoxLayout, QLabel, QWidget

from ui.shortcuts import keys_for
from ui.widgets.buttons import named_button

__all__ = ["TourPanel", "EXIT_ACTION"]

EXIT_ACTION = "leave the tour"  # the row of ui.shortcuts.SHORTCUTS for Esc
_MARGIN = 6  # above and below the text
_STYLE = (
    "QFrame#tourFrame { background: #fff8dc; border-top: 2px solid #e0c060; }"
    "QLabel#tourStopLabel { font-size: 10.5pt; }"
)


class TourPanel(QDockWidget):
    """``tourPanel``: ``tourStopLabel`` and the buttons ``tourBackButton``, ``tourNextButton``
    (``Finish`` at the last stop) and ``tourExitButton``; Esc inside it exits.

    Signals
    -------
    sigBack(), sigNext(), sigExit()
        The user asked to go back, on (or finish), or leave.
    """

    sigBack = Signal()
    sigNext = Signal()
    sigExit = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Tour", parent)
        self.setObjectName("tourPanel")
        # Fixed under the tabs: no title bar, nothing to float or close by accident.
        self.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.setTitleBarWidget(QWidget())
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea)

        frame = QFrame()
        frame.setObjectName("tourFrame")
        frame.setStyleSheet(_STYLE)
        self.label = QLabel()
        self.label.setObjectName("tourStopLabel")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.back_button = named_button("Back", "tourBackButton", "The previous stop")
        self.next_button = named_button("Next", "tourNextButton", "The next stop")
        self.exit_button = named_button("Exit tour", "tourExitButton",
                                        "Leave the tour; the app stays as it is now (Esc)")
        self.back_button.clicked.connect(self.sigBack)
        self.next_button.clicked.connect(self.sigNext)
        self.exit_button.clicked.connect(self.sigExit)

        layout = QHBoxLayout(frame)
        layout.setContentsMargins(10, _MARGIN, 10, _MARGIN)
        layout.addWidget(self.label, 1)
        for button in (self.back_button, self.next_button, self.exit_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setWidget(frame)

        self.exit_shortcut = QShortcut(QKeySequence(keys_for(EXIT_ACTION)), self)
        self.exit_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.exit_shortcut.activated.connect(self.sigExit)

    def show_stop(self, index: int, count: int, title: str, text: str) -> None:
        """Show stop ``index`` (from 0) of ``count``: "3 of 12: title", then ``text``."""
        self.label.setText(f"<b>{index + 1} of {count}: {escape(title)}</b> &mdash; {escape(text)}")
        self.back_button.setEnabled(index > 0)
        last = index == count - 1
        self.next_button.setText("Finish" if last else "Next")
        self.next_button.setToolTip("Leave the tour" if last else "The next stop")
        self._fit_height()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()

    def _fit_height(self) -> None:
        # Exactly as tall as the wrapped text needs at the current width: every pixel the panel
        # takes is taken from the tab the text talks about.
        width = self.label.width() if self.label.width() > 50 else self.width() - 320
        text = self.label.heightForWidth(max(width, 200))
        buttons = self.next_button.sizeHint().height()
        height = max(text, buttons) + 2 * _MARGIN + 2  # + the frame's top border
        if self.maximumHeight() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)
