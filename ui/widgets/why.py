"""The app's one "why?" widget: a short explanation, in our own words, next to what it explains.

Two presentations of the same widget:

- ``WhyLabel(text)``: a compact *why?* link. Hover shows the text as a tooltip; a click shows it in
  a balloon right under the link and emits :attr:`WhyLabel.sigClicked` (the playground pins it
  in its side note).
- ``WhyLabel(text, expanded=True)``: the text itself, as a small grey word-wrapped note under a
  panel, where there is room for it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QWhatsThis, QWidget

from ui.theme import NOTE_STYLE

__all__ = ["WhyLabel"]


class WhyLabel(QLabel):
    """A "why?" explanation: a link with a tooltip and balloon, or (``expanded``) a grey note.

    Parameters
    ----------
    text : str
        The explanation (plain text).
    expanded : bool
        Show the text itself instead of a *why?* link.
    """

    sigClicked = Signal(str)

    def __init__(self, text: str, parent: QWidget | None = None, *, expanded: bool = False):
        super().__init__(parent)
        self.setObjectName("whyText" if expanded else "whyLabel")
        self.explanation = text
        self.expanded = expanded
        self.setWhatsThis(text)
        if expanded:
            self.setText(text)
            self.setTextFormat(Qt.TextFormat.PlainText)
            self.setWordWrap(True)
            self.setStyleSheet(NOTE_STYLE)
        else:
            self.setText("<a href='#why'>why?</a>")
            self.setToolTip(text)
            self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
            self.linkActivated.connect(self._on_clicked)

    @Slot(str)
    def _on_clicked(self, _href: str) -> None:
        # Right under the link: a note pinned elsewhere may be scrolled out of view, and the
        # status bar cuts long notes. The balloon stays until the next click.
        QWhatsThis.showText(self.mapToGlobal(self.rect().bottomLeft()), self.explanation, self)
        self.sigClicked.emit(self.explanation)
