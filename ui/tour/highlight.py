"""A coloured outline drawn for a few seconds around the control a tour stop is about.

The outline is a frame laid over the window (a child of the top-level window, transparent to
the mouse), not a style change of the control itself: nothing of the control's own look has to
be restored, and a click goes straight through to it. It follows the control while the layout
settles (a tab coming up, a splitter moving) and only covers the part of it that is on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, QRect, Qt, QTimer, Slot
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

__all__ = ["Highlighter", "HIGHLIGHT_MS", "OUTLINE_COLOUR"]

HIGHLIGHT_MS = 4000      # long enough to find it, short enough not to be in the way
OUTLINE_COLOUR = "#ff7a00"
_MARGIN = 3              # the outline sits just outside the control
_FOLLOW_MS = 100         # how often the outline re-reads where the control is
_SETTLE_TICKS = 5        # for the first half second the control is scrolled into view again,
                         # as the layout settles; after that the user's scrolling wins


class Highlighter(QObject):
    """Outline one widget at a time: :meth:`show` it, :meth:`clear` it (or let it time out).

    Attributes
    ----------
    frame : QFrame or None
        The outline (objectName ``tourHighlight``) while one is shown.
    """

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.frame: QFrame | None = None
        self._target: QWidget | None = None
        self._settle = 0
        self._follow = QTimer(self)
        self._follow.setInterval(_FOLLOW_MS)
        self._follow.timeout.connect(self._place)
        self._expire = QTimer(self)
        self._expire.setSingleShot(True)
        self._expire.timeout.connect(self.clear)

    def target(self) -> QWidget | None:
        """The widget outlined now, or None."""
        return self._target if self.frame is not None else None

    def settled(self) -> bool:
        """True once the outline has stopped scrolling its control into view."""
        return self._settle == 0

    def show(self, target: QWidget, ms: int = HIGHLIGHT_MS) -> None:
        """Outline ``target`` for ``ms`` milliseconds, scrolling it into view first."""
        self.clear()
        _scroll_into_view(target)
        self._target = target
        self._settle = _SETTLE_TICKS
        self.frame = QFrame(target.window())
        self.frame.setObjectName("tourHighlight")
        self.frame.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.frame.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frame.setStyleSheet(
            f"QFrame#tourHighlight {{ border: 3px solid {OUTLINE_COLOUR}; border-radius: 4px; "
            "background: transparent; }"
        )
        target.destroyed.connect(self.clear)
        self._place()
        self._follow.start()
        self._expire.start(ms)

    @Slot()
    def clear(self) -> None:
        """Remove the outline (nothing happens when none is shown)."""
        self._follow.stop()
        self._expire.stop()
        if self.frame is not None:
            self.frame.hide()
            self.frame.deleteLater()
        self.frame = None
        self._target = None

    @Slot()
    def _place(self) -> None:
        frame, target = self.frame, self._target
        if frame is None or target is None:
            return
        if self._settle > 0:
            self._settle -= 1
            _scroll_into_view(target)
        rect = _visible_rect(target)
        if rect.isEmpty():
            frame.hide()
            return
        rect = rect.adjusted(-_MARGIN, -_MARGIN, _MARGIN, _MARGIN)
        rect = rect.intersected(_bounds(frame.parentWidget(), target))
        if frame.geometry() != rect:
            frame.setGeometry(rect)
        frame.show()
        frame.raise_()


def _bounds(window: QWidget, target: QWidget) -> QRect:
    """Where the outline may be drawn: inside the main window's central widget when the target
    is in it, so it never spills over a docked panel (the tour's own) or the status bar."""
    central = window.centralWidget() if hasattr(window, "centralWidget") else None
    if central is not None and central.isAncestorOf(target):
        return central.geometry()
    return window.rect()


def _visible_rect(target: QWidget) -> QRect:
    """The part of ``target`` that is on screen, in its window's coordinates (empty if none).

    Clipped by every parent (a scroll area's viewport, a splitter); not by the target's own
    children, which is why this is not ``visibleRegion()``: a plot's opaque viewport covers all
    of the plot, and that would leave nothing to outline.
    """
    if not target.isVisible():
        return QRect()
    window = target.window()
    rect = QRect(target.mapTo(window, QPoint(0, 0)), target.size())
    widget = target.parentWidget()
    while widget is not None and widget is not window:
        rect = rect.intersected(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))
        widget = widget.parentWidget()
    return rect


def _scroll_into_view(target: QWidget) -> None:
    """Scroll every scroll area around ``target`` so that it shows with some room around it
    (the neighbouring controls a stop also talks about), or its top if it is taller."""
    widget = target.parentWidget()
    while widget is not None:
        inner = widget.widget() if isinstance(widget, QScrollArea) else None
        if inner is not None and inner.isAncestorOf(target):  # true for inner itself too
            view = widget.viewport().height()
            margin = min(view // 4, 120)
            if target.height() + 2 * margin <= view:
                # ensureVisible, not ensureWidgetVisible: the latter does not scroll at all
                # when the control is already (barely) on screen, so its margins are ignored
                centre = target.mapTo(inner, QPoint(target.width() // 2, target.height() // 2))
                widget.ensureVisible(
                    centre.x(), centre.y(), target.width() // 2 + 10, target.height() // 2 + margin
                )
            else:
                top = target.mapTo(inner, QPoint(0, 0)).y()
                widget.verticalScrollBar().setValue(max(top - 4, 0))
        widget = widget.parentWidget()
