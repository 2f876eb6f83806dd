"""Buttons that tests and acceptance checks can find by name."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

__all__ = ["named_button"]


def named_button(text: str, name: str, tip: str | None = None) -> QPushButton:
    """A push button with an objectName (what tests and acceptance checks find it by)."""
    button = QPushButton(text)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    return button
