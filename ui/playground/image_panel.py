"""One pixel-exact image view that reports the (row, col) under the mouse and can carry overlays."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QLabel, QWidget

from ui.theme import VIEW_MESSAGE_STYLE

__all__ = ["ImagePanel"]


def _path_item(colour: str, width: float = 2, style=Qt.PenStyle.SolidLine) -> QGraphicsPathItem:
    """An outline-only path item, drawn at a constant on-screen width over the image."""
    item = QGraphicsPathItem()
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)  # constant on-screen width at any zoom
    pen.setStyle(style)
    item.setPen(pen)
    item.setBrush(QBrush(Qt.BrushStyle.NoBrush))
    item.setZValue(10)
    return item


class ImagePanel(pg.PlotWidget):
    """One image with hover/click reporting in pixel (row, col) of the shown array."""

    sigHover = Signal(int, int)  # row, col of the array; (-1, -1) when leaving it
    sigClicked = Signal(int, int)
    sigDoubleClicked = Signal()

    def __init__(self, name: str, title: str, parent: QWidget | None = None):
        super().__init__(parent, viewBox=pg.ViewBox(enableMenu=False))
        self.setObjectName(name)
        self.setMinimumSize(140, 140)
        self.setToolTip("Wheel: zoom (all three views follow), drag: pan, double click: show all.")
        item = self.getPlotItem()
        item.setTitle(title, size="9pt")
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.hideButtons()
        item.invertY(True)
        item.setAspectLocked(True)
        item.disableAutoRange()
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image_item)
        self._shape: tuple[int, int] | None = None
        self._shown: np.ndarray | None = None
        self._rect: QRectF | None = None
        self._title = title
        self._messages: list[QLabel] = []
        self._last: tuple[int, int] = (-1, -1)
        self.scene().sigMouseMoved.connect(self._on_move)
        self.scene().sigMouseClicked.connect(self._on_click)

    def message_label(self, name: str) -> QLabel:
        """A red explanation shown over this view, in place of its image."""
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet(VIEW_MESSAGE_STYLE)
        label.hide()
        self._messages.append(label)
        return label

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        for label in self.__dict__.get("_messages", ()):  # resizes arrive during __init__ too
            label.setGeometry(self.rect().adjusted(8, 30, -8, -8))

    def overlay(
        self, colour: str, width: float = 2, style=Qt.PenStyle.SolidLine
    ) -> QGraphicsPathItem:
        """A path drawn in the image's pixel coordinates (child of the image item)."""
        item = _path_item(colour, width, style)
        item.setParentItem(self.image_item)
        return item

    def show_array(self, array: np.ndarray | None, rect: QRectF | None = None) -> None:
        """Show ``array`` (shape (H, W), or (3, H, W) in colour; None clears) over ``rect`` of the
        view's coordinates."""
        if array is None:
            self.image_item.clear()
            self._shape = self._shown = None
            return
        if array is self._shown:  # e.g. the unchanged input: skip re-colouring 512x512 pixels
            return
        self._shown = array
        colour = array.ndim == 3
        if colour:  # RGB pixels need no colour map; the grey input's one comes back after
            self.image_item.setLookupTable(None)
        self.image_item.setImage(np.moveaxis(array, 0, -1) if colour else array, autoLevels=False)
        self._shape = array.shape[-2:]
        if rect is not None and rect != self._rect:
            self._rect = rect
            self.image_item.setRect(rect)

    def set_title_text(self, text: str) -> None:
        """Set the title only when it changes (a new title re-lays out the plot)."""
        if text != self._title:
            self._title = text
            self.setTitle(text, size="9pt")

    def pixel_at(self, scene_pos) -> tuple[int, int] | None:
        """The (row, col) of the shown array under a scene position, or None off the image."""
        if self._shape is None or not self.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.image_item.mapFromScene(scene_pos)
        row, col = int(np.floor(p.y())), int(np.floor(p.x()))
        if 0 <= row < self._shape[0] and 0 <= col < self._shape[1]:
            return row, col
        return None

    def forget_pointer(self) -> None:
        """Report the pixel under the mouse at its next move, even if its index is unchanged
        (the map under it is a new one)."""
        self._last = (-1, -1)

    def _on_move(self, scene_pos) -> None:
        pixel = self.pixel_at(scene_pos) or (-1, -1)
        if pixel != self._last:
            self._last = pixel
            self.sigHover.emit(*pixel)

    def _on_click(self, event) -> None:
        if event.double():
            self.sigDoubleClicked.emit()
            return
        pixel = self.pixel_at(event.scenePos())
        if pixel is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sigClicked.emit(*pixel)
