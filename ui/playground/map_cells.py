"""One small map in a pyqtgraph layout: a view box, its image, a caption and its outlines.

The channel strip, the bank of feature maps and their outlines are made of these. Each cell is
coloured only when its array changes (``show`` skips the array it already shows), and shrinks
big maps to its on-screen size before colouring them (``autoDownsample``), so a 512 x 512 map in
a 120 px cell costs what a 120 px one does.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from ui.theme import OUTPUT_GREEN, SMALL_TEXT, WINDOW_YELLOW

__all__ = ["MapCell", "box_path", "cell_path"]


def cell_path(row: int, col: int) -> QPainterPath:
    """The unit square of pixel (row, col)."""
    path = QPainterPath()
    path.addRect(QRectF(col, row, 1.0, 1.0))
    return path


def box_path(box) -> QPainterPath:
    """The rectangle ``box`` = (top, left, bottom, right); an empty path for None."""
    path = QPainterPath()
    if box is not None:
        top, left, bottom, right = box
        path.addRect(QRectF(left, top, right - left, bottom - top))
    return path


def _outline(parent, colour: str, width: float = 2, style=Qt.PenStyle.SolidLine):
    item = QGraphicsPathItem(parent)
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)
    pen.setStyle(style)
    item.setPen(pen)
    item.setBrush(QBrush(Qt.BrushStyle.NoBrush))
    item.setZValue(10)
    return item


class MapCell:
    """A caption (layout row ``row``) over a view box (row ``row + 1``) at column ``col``.

    Attributes
    ----------
    box : pyqtgraph.ViewBox
    item : pyqtgraph.ImageItem
        ``item.image`` is the array shown.
    marker, window : QGraphicsPathItem
        A marked pixel (green) and a window (yellow, or as given), in the map's pixels.
    """

    def __init__(self, layout: pg.GraphicsLayout, row: int, col: int, caption: str = "",
                 window_colour: str = WINDOW_YELLOW):
        self.label = layout.addLabel(caption, row=row, col=col, size=SMALL_TEXT)
        self.box = layout.addViewBox(row=row + 1, col=col, lockAspect=True, invertY=True,
                                     enableMouse=False, enableMenu=False)
        self.item = pg.ImageItem()
        self.item.setAutoDownsample(True)
        self.box.addItem(self.item)
        self.marker = _outline(self.item, OUTPUT_GREEN)
        self.window = _outline(self.item, window_colour)
        self._source: np.ndarray | None = None
        self._style: tuple | None = None
        self._shape: tuple | None = None

    def set_caption(self, text: str) -> None:
        if self.label.text != text:
            self.label.setText(text, size=SMALL_TEXT)

    def show(self, array: np.ndarray | None, cmap: pg.ColorMap | None, levels) -> None:
        """Show ``array`` (H, W), or (H, W, 3) colour with ``cmap`` None; None clears."""
        if array is None:
            self.item.clear()
            self._source = self._shape = None
            return
        style = (id(cmap), tuple(levels))
        if array is self._source and style == self._style:
            return
        self._source, self._style = array, style
        if cmap is None:
            self.item.setLookupTable(None)
        else:
            self.item.setColorMap(cmap)
        self.item.setImage(array, levels=levels, autoLevels=False)
        shape = array.shape[:2]
        if shape != self._shape:
            self._shape = shape
            self.box.setRange(xRange=(0, shape[1]), yRange=(0, shape[0]), padding=0.02)

    def pixel_at(self, scene_pos) -> tuple[int, int] | None:
        """The (row, col) of the map under a scene position, or None off it."""
        if self._shape is None or not self.box.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.item.mapFromScene(scene_pos)
        row, col = int(np.floor(p.y())), int(np.floor(p.x()))
        if 0 <= row < self._shape[0] and 0 <= col < self._shape[1]:
            return row, col
        return None

    def mark(self, pixel: tuple[int, int] | None = None, window=None) -> None:
        """Outline ``pixel`` (row, col) and ``window`` (top, left, bottom, right); None clears."""
        self.marker.setPath(cell_path(*pixel) if pixel is not None else QPainterPath())
        self.window.setPath(box_path(window))
