"""The mouse wheel scrolls a panel, never the spin box or combo box that slides under the pointer.

Qt gives a spin box or combo box the wheel whenever the pointer is over it, focused or not. In a
scrolling side panel the pointer lands on one mid-scroll and the wheel silently changes a setting
(pool size 2 -> 1, padding 1 -> 0), which undo does not cover. As in browsers and most desktop
apps, an unfocused box inside a scroll area passes the wheel to the scroll area; click (or tab
into) the box first to change it with the wheel. Boxes outside scroll areas keep Qt's behaviour.

Qt also *focuses* a box whose focus policy includes the wheel (spin and combo boxes do) before any
event filter sees a wheel event from the window system, so in an active window every box would
look chosen. The guard therefore gives the boxes inside scroll areas click-or-Tab focus
(``StrongFocus``): the boxes that exist when it is installed, and every later one when Qt
polishes it.
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox

__all__ = ["install_wheel_guard", "wheel_guard_paused"]

_guard: _WheelGuard | None = None


_BOXES = (QAbstractSpinBox, QComboBox)
_WHEEL, _POLISH = QEvent.Type.Wheel, QEvent.Type.Polish


class _WheelGuard(QObject):
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == _POLISH:
            if isinstance(obj, _BOXES):
                _no_wheel_focus(obj)
            return False
        if kind != _WHEEL or not isinstance(obj, _BOXES):
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


def _no_wheel_focus(box) -> None:
    """A box inside a scroll area takes the focus from a click or Tab, not from the wheel."""
    if box.focusPolicy() == Qt.FocusPolicy.WheelFocus and _scroll_area_around(box) is not None:
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def install_wheel_guard() -> None:
    """Filter the wheel events of the whole application and keep the wheel from focusing the
    boxes in scroll areas (idempotent; needs a QApplication)."""
    global _guard
    if _guard is None:
        _guard = _WheelGuard()
        QApplication.instance().installEventFilter(_guard)
    for widget in QApplication.allWidgets():  # those polished before the guard was there
        if isinstance(widget, _BOXES):
            _no_wheel_focus(widget)


@contextmanager
def wheel_guard_paused():
    """Build many widgets without the guard in the way: an application-wide filter sees every
    event, and building a tab sends tens of thousands (0.3-0.5 s through the filter, measured).
    The boxes built meanwhile are guarded when it ends."""
    was_installed = _guard is not None
    if was_installed:
        QApplication.instance().removeEventFilter(_guard)
    try:
        yield
    finally:
        if was_installed:
            QApplication.instance().installEventFilter(_guard)
            install_wheel_guard()
