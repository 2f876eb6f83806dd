"""A small paint surface: draw a digit or a shape with the mouse and get it back as a NumPy array.

The canvas holds a *logical* image of its own resolution (28 x 28 for a digit, 256 x 256 for the
playground) and shows it enlarged, pixel-exact, so the user sees exactly what the network will see.
Left button paints white, right button erases to black (as in MNIST: a bright stroke on black).
The brush is round and soft-edged, giving the grey stroke rims real digit images have.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnviz.data.images import as_grey_image, resize_area

__all__ = ["DrawCanvas"]

_UNDO_DEPTH = 20


class DrawCanvas(QWidget):
    """Paint with the mouse on a grey canvas of a chosen logical resolution.

    Parameters
    ----------
    shape : (int, int)
        Logical (rows, cols) of the image, e.g. ``(28, 28)`` or ``(256, 256)``.
    brush_size : float or None
        Brush diameter in *logical* pixels; default about 1/12 of the short side (2.5 px at 28).
    parent : QWidget or None

    Signals
    -------
    sigChanged()
        Emitted for every painted segment while drawing, and on clear / undo / set_image. Bursts
        are the consumer's to throttle (e.g. ``pg.SignalProxy``).
    sigStrokeFinished()
        Emitted once when the mouse button is released: one update per stroke.
    """

    sigChanged = Signal()
    sigStrokeFinished = Signal()

    def __init__(
        self,
        shape: tuple[int, int] = (256, 256),
        brush_size: float | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        rows, cols = (int(s) for s in shape)
        if not (2 <= rows <= 2048 and 2 <= cols <= 2048):
            raise ValueError(f"canvas size must be 2..2048 pixels a side, not {cols}x{rows}")
        self.setObjectName("drawCanvas")
        self._image = np.zeros((rows, cols), dtype=np.float32)
        self._brush = 1.0
        default = max(1.0, round(min(rows, cols) / 6.0) / 2.0)  # ~1/12 of the side, in 0.5 px steps
        self.set_brush_size(default if brush_size is None else brush_size)
        self._undo: list[np.ndarray] = []
        self._last: QPointF | None = None  # logical position of the previous stamp of this stroke
        self._erasing = False
        self._hover: QPointF | None = None
        self.setMouseTracking(True)  # to draw the brush outline under the cursor
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(140, 140)
        self.setToolTip("Left button paints, right button erases; Ctrl+Z undoes a stroke")
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo)

    # ------------------------------------------------------------------ public API
    def image(self) -> np.ndarray:
        """The drawing, float32 (rows, cols) in [0, 1] (a copy)."""
        return self._image.copy()

    def canvas_shape(self) -> tuple[int, int]:
        """Logical (rows, cols) of the drawing."""
        return self._image.shape

    def set_image(self, image: np.ndarray, undoable: bool = True) -> None:
        """Replace the drawing; an image of another size is area-resized to the canvas.

        With ``undoable=False`` the undo history is reset (a fresh starting picture).

        Raises
        ------
        ValueError
            If ``image`` is not something :func:`cnnviz.data.images.as_grey_image` accepts.
        """
        grey = as_grey_image(image)
        if grey.shape != self._image.shape:
            grey = np.clip(resize_area(grey, self._image.shape), 0.0, 1.0)
        if undoable:
            self._push_undo()
        else:
            self._undo.clear()
        self._image = grey.astype(np.float32)
        self.update()
        self.sigChanged.emit()

    def clear(self) -> None:
        """Erase everything (undoable)."""
        if not self._image.any():
            return
        self._push_undo()
        self._image[:] = 0.0
        self.update()
        self.sigChanged.emit()

    def undo(self) -> bool:
        """Go back to before the last stroke, clear or set_image; False if nothing to undo."""
        if not self._undo:
            return False
        self._image = self._undo.pop()
        self.update()
        self.sigChanged.emit()
        return True

    def brush_size(self) -> float:
        """Brush diameter in logical pixels."""
        return self._brush

    def set_brush_size(self, px: float) -> None:
        """Set the brush diameter in logical pixels (clamped to 0.5 .. half the canvas)."""
        px = float(px)
        if not np.isfinite(px):
            raise ValueError(f"brush size must be a finite number, not {px}")
        self._brush = float(np.clip(px, 0.5, max(1.0, max(self._image.shape) / 2)))
        self.update()

    # ------------------------------------------------------------------ painting maths
    def _push_undo(self) -> None:
        self._undo.append(self._image.copy())
        del self._undo[:-_UNDO_DEPTH]

    def _stamp(self, x: float, y: float) -> None:
        """Apply one round soft dab centred at logical (x, y) (pixel centres at i + 0.5)."""
        radius = self._brush / 2.0
        reach = radius + 1.0
        rows, cols = self._image.shape
        r0, r1 = max(0, int(np.floor(y - reach))), min(rows, int(np.ceil(y + reach)) + 1)
        c0, c1 = max(0, int(np.floor(x - reach))), min(cols, int(np.ceil(x + reach)) + 1)
        if r0 >= r1 or c0 >= c1:
            return
        rr = np.arange(r0, r1)[:, None] + 0.5
        cc = np.arange(c0, c1)[None, :] + 0.5
        dist = np.hypot(rr - y, cc - x)
        # full strength inside the radius, fading to zero over one pixel: a soft anti-aliased rim
        # that keeps even a 1 px brush visible
        strength = np.clip(radius + 0.5 - dist, 0.0, 1.0).astype(np.float32)
        patch = self._image[r0:r1, c0:c1]
        if self._erasing:
            np.minimum(patch, 1.0 - strength, out=patch)
        else:
            np.maximum(patch, strength, out=patch)

    def _stroke_to(self, p: QPointF) -> None:
        """Stamp from the previous point to ``p`` densely enough that fast drags leave no gaps."""
        if self._last is None:
            self._stamp(p.x(), p.y())
        else:
            dx, dy = p.x() - self._last.x(), p.y() - self._last.y()
            step = max(0.25, self._brush / 4.0)
            n = max(1, int(np.ceil(np.hypot(dx, dy) / step)))
            for t in np.linspace(1.0 / n, 1.0, n):
                self._stamp(self._last.x() + t * dx, self._last.y() + t * dy)
        self._last = p
        self.update()
        self.sigChanged.emit()

    # ------------------------------------------------------------------ geometry
    def _target_rect(self) -> QRectF:
        """Where the image is drawn: as large as fits, aspect kept, centred."""
        rows, cols = self._image.shape
        w, h = self.width(), self.height()
        scale = min(w / cols, h / rows)
        tw, th = cols * scale, rows * scale
        return QRectF((w - tw) / 2.0, (h - th) / 2.0, tw, th)

    def _to_logical(self, pos: QPointF) -> QPointF:
        rect = self._target_rect()
        rows, cols = self._image.shape
        return QPointF(
            (pos.x() - rect.left()) * cols / rect.width(),
            (pos.y() - rect.top()) * rows / rect.height(),
        )

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        rows, cols = self._image.shape
        zoom = max(1, 280 // max(rows, cols))
        return QSize(max(280, cols * zoom), max(280, rows * zoom))

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        rows, cols = self._image.shape
        return int(round(width * rows / cols))

    # ------------------------------------------------------------------ Qt events
    def mousePressEvent(self, event) -> None:  # noqa: N802
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return super().mousePressEvent(event)
        self._push_undo()
        self._erasing = button == Qt.MouseButton.RightButton
        self._last = None
        self._stroke_to(self._to_logical(event.position()))
        event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        self._hover = event.position()
        if self._last is not None and event.buttons() & (
            Qt.MouseButton.LeftButton | Qt.MouseButton.RightButton
        ):
            self._stroke_to(self._to_logical(event.position()))
        else:
            self.update()  # move the brush outline
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._last is None:
            return super().mouseReleaseEvent(event)
        self._stroke_to(self._to_logical(event.position()))
        self._last = None
        self.sigStrokeFinished.emit()
        event.accept()

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        rect = self._target_rect()
        pixels = np.ascontiguousarray(np.round(self._image * 255.0).astype(np.uint8))
        rows, cols = pixels.shape
        qimg = QImage(pixels.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
        # nearest-neighbour on purpose: each logical pixel stays a visible square
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(rect, qimg)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor(120, 120, 120), 1))
        painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        if self._hover is not None and rect.contains(self._hover):
            radius = self._brush / 2.0 * rect.width() / cols
            colour = QColor(255, 80, 80) if self._erasing and self._last else QColor(80, 160, 255)
            painter.setPen(QPen(colour, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self._hover, radius, radius)
        painter.end()
