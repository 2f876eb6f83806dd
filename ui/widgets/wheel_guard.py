"""The mouse wheel scrolls a panel, never the spin box or combo box that slides under the pointer.

Qt gives a spin box or combo box the wheel whenever the pointer is over it, focused or not. In a
scrolling side panel the pointer lands on one mid-scroll and the wheel silently changes a setting
(pool size 2 -> 1, padding 1 -> 0), which undo does not cover. As in browsers and most desktop
apps, an unfocused box inside a scroll area passes the wheel to the scroll area; click (or tab
into) the box first to change it with the wheel. Boxes outside scroll areas keep Qt's behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox

__all__ = ["install_wheel_guard"]

_guard: _WheelGuard | None = None


class _WheelGuard(QObject):
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.Wheel or not isinstance(obj, (QAbstractSpinBox, QComboBox)):
            return False
        focused = QApplication.focusWidget()
        if obj.hasFocus() or (focused is not None and obj.isAncestorOf(focused)):
            return False  # the user chose this box: the wheel is theirs to turn
        area = _scroll_area_around(obj)
        if area is None:
            return False
        QCoreApplication.sendEvent(area.viewport(), event)
        return True


def _scroll_area_around(widget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, QAbstractSpinBox):
            return parent
        parent = parent.parentWidget()
    return None


def install_wheel_guard() -> None:
    """Filter the wheel events of the whole application (idempotent; needs a QApplication)."""
    global _guard
    if _guard is None:
        _guard = _WheelGuard()
        QApplication.instance().installEventFilter(_guard)
