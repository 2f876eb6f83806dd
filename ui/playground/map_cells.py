"""One small map in a pyqtgraph layout: a view box, its image, a caption and its outlines.

The channel strip, the bank of feature maps and their outlines are made of these. A cell shrinks
a big map to about its on-screen size once, by block averages, when the map changes; a new colour
scale then re-colours only the small copy, so a 512 x 512 map in a 120 px cell costs what a 120 px
one does. The view box keeps the map's own pixel coordinates, for outlines and the mouse.
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


def _block_mean(array: np.ndarray, factor: int) -> np.ndarray:
    """``array`` (H, W) or (H, W, 3) shrunk ``factor`` times by averaging factor x factor blocks
    (the last rows and columns that do not fill a block are left out)."""
    if factor == 1:
        return array
    h, w = array.shape[0] // factor, array.shape[1] // factor
    blocks = array[:h * factor, :w * factor].reshape(h, factor, w, factor, *array.shape[2:])
    return blocks.mean(axis=(1, 3), dtype=np.float32)


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
    """A caption (layout row ``row``) over a view box (row ``row + 1``) at column ``col``; with
    ``caption=None`` no caption, and the view box takes row ``row``.

    Attributes
    ----------
    box : pyqtgraph.ViewBox
    item : pyqtgraph.ImageItem
        ``item.image`` is the array shown.
    marker, window : QGraphicsPathItem
        A marked pixel (green) and a window (yellow, or as given), in the map's pixels.
    """

    def __init__(self, layout: pg.GraphicsLayout, row: int, col: int, caption: str | None = "",
                 window_colour: str = WINDOW_YELLOW):
        self.label = None
        if caption is not None:
            self.label = layout.addLabel(caption, row=row, col=col, size=SMALL_TEXT)
            row += 1
        self.box = layout.addViewBox(row=row, col=col, lockAspect=True, invertY=True,
                                     enableMouse=False, enableMenu=False)
        self.item = pg.ImageItem()
        self.box.addItem(self.item)
        self.marker = _outline(None, OUTPUT_GREEN)
        self.window = _outline(None, window_colour)
        self.box.addItem(self.marker, ignoreBounds=True)
        self.box.addItem(self.window, ignoreBounds=True)
        self._source: np.ndarray | None = None
        self._style: tuple | None = None
        self._shape: tuple | None = None
        self._factor = 1

    def set_caption(self, text: str) -> None:
        if self.label is not None and self.label.text != text:
            self.label.setText(text, size=SMALL_TEXT)

    def show(self, array: np.ndarray | None, cmap: pg.ColorMap | None, levels) -> None:
        """Show ``array`` (H, W), or (H, W, 3) colour with ``cmap`` None; None clears."""
        if array is None:
            self.item.clear()
            self._source = self._shape = None
            return
        style = (None if cmap is None else (cmap.name or id(cmap)), tuple(levels))
        factor = self._fitting_factor(array.shape[:2])
        if self._unchanged(array) and factor == self._factor:
            if style != self._style:  # only the colour scale moved: re-colour the small copy
                self._style = style
                self._colour(cmap)
                self.item.setLevels(levels)
            return
        self._source, self._style, self._factor = array, style, factor
        self._colour(cmap)
        small = _block_mean(array, factor)
        self.item.setImage(small, levels=levels, autoLevels=False)
        h, w = small.shape[:2]
        self.item.setRect(QRectF(0, 0, w * factor, h * factor))
        shape = array.shape[:2]
        if shape != self._shape:
            self._shape = shape
            self.box.setRange(xRange=(0, shape[1]), yRange=(0, shape[0]), padding=0.02)

    def array(self) -> np.ndarray | None:
        """The map this cell shows (at full size; the screen gets a block-averaged copy)."""
        return self._source

    def _colour(self, cmap) -> None:
        if cmap is None:
            self.item.setLookupTable(None)
        else:
            self.item.setColorMap(cmap)

    def _fitting_factor(self, shape: tuple[int, int]) -> int:
        """Map pixels per screen pixel of the box, rounded down (1 before it is laid out)."""
        size = self.box.sceneBoundingRect()
        if size.width() < 4 or size.height() < 4:
            return 1
        return max(1, int(min(shape[0] / size.height(), shape[1] / size.width())))

    def _unchanged(self, array: np.ndarray) -> bool:
        # Slices of a result (result.outputs[f]) are new objects each time even when the map is
        # the same: comparing 250k values costs a tenth of colouring them again.
        old = self._source
        if old is None or old.shape != array.shape:
            return False
        return array is old or np.array_equal(array, old)

    def pixel_at(self, scene_pos) -> tuple[int, int] | None:
        """The (row, col) of the map under a scene position, or None off it."""
        if self._shape is None or not self.box.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.box.mapSceneToView(scene_pos)
        row, col = int(np.floor(p.y())), int(np.floor(p.x()))
        if 0 <= row < self._shape[0] and 0 <= col < self._shape[1]:
            return row, col
        return None

    def mark(self, pixel: tuple[int, int] | None = None, window=None) -> None:
        """Outline ``pixel`` (row, col) and ``window`` (top, left, bottom, right); None clears."""
        self.marker.setPath(cell_path(*pixel) if pixel is not None else QPainterPath())
        self.window.setPath(box_path(window))
