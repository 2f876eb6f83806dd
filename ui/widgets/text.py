"""User text (file, folder, class and data-set names, and messages quoting them) shown literally.

Qt guesses whether a label's or tooltip's text is HTML (``Qt::mightBeRichText``), so a class
folder named ``<!--`` once hid the whole class table. Labels that show such text are made plain
(:func:`plain_label`); rich text quotes it through :func:`html.escape`; tooltips and message
boxes, which have no format setting, go through :func:`literal_markup`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel

__all__ = ["plain_label", "literal_markup", "make_plain"]


def make_plain(label: QLabel) -> QLabel:
    """Show ``label``'s text as typed, never as HTML; returns the label."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_label(text: str = "") -> QLabel:
    """A QLabel that shows ``text`` (and any later text) literally."""
    return make_plain(QLabel(text))


def literal_markup(text: str) -> str:
    """Markup (for a tooltip or a message box) that shows ``text`` literally, angle brackets and
    ampersands included."""
    return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
