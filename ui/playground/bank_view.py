"""``bankView``: every filter's feature map on one shared scale; ``layer2View``: layer 2's map.

Idea 24: a layer is a bank of filters, each finding its own feature everywhere; a second layer
combines their maps. The bank's maps share one diverging scale (the feature map's), so equal
colours mean equal responses; clicking a map chooses that filter for editing. Layer 2's map has
its own scale: it adds up many layer-1 responses and is typically far larger.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainterPath
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from cnnviz.lab.conv import PlaygroundResult
from ui.playground.image_panel import ImagePanel
from ui.playground.map_cells import MapCell, cell_path
from ui.theme import OUTPUT_GREEN, PLOT_BACKGROUND, POOL_CYAN, SELECTION

__all__ = ["BankView", "Layer2View"]


class BankView(pg.GraphicsLayoutWidget):
    """One small map per filter; the selected one is framed.

    Signals
    -------
    sigSelect(int)
        A filter's map was clicked.
    sigHover(int, int, int)
        (filter, row, col) under the mouse; (-1, -1, -1) off the maps.
    """

    sigSelect = Signal(int)
    sigHover = Signal(int, int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("bankView")
        self.setBackground(PLOT_BACKGROUND)
        self.setMinimumSize(120, 100)
        self.setToolTip("Every filter's feature map, on one colour scale. Click one to edit it.")
        self.ci.setSpacing(0)
        self.cells: list[MapCell] = []
        self._frame = QGraphicsRectItem()
        self._frame.setPen(pg.mkPen(SELECTION, width=2, cosmetic=True))
        self._frame.setZValue(20)
        self._selected = -1
        self._layout = (0, 0)
        self._result = None
        self._args: tuple = ()
        self._last = (-1, -1, -1)
        self.scene().sigMouseMoved.connect(self._on_move)
        self.scene().sigMouseClicked.connect(self._on_click)

    def _columns(self, count: int, aspect: float) -> int:
        """How many maps per row make them largest in this widget (``aspect`` = width/height of
        one map)."""
        w, h = max(self.width(), 1), max(self.height(), 1)
        best, best_size = 1, 0.0
        for cols in range(1, count + 1):
            rows = math.ceil(count / cols)
            tile_w = min(w / cols, (h / rows - 16) * aspect)  # 16 px for each caption
            if tile_w > best_size + 1e-9:
                best, best_size = cols, tile_w
        return best

    def _build(self, count: int, columns: int) -> None:
        self._unframe()  # the frame lives in a cell: take it out before the cells are deleted
        self.ci.clear()
        self._selected = -1
        self._layout = (count, columns)
        self.cells = [MapCell(self.ci, 2 * (f // columns), f % columns, f"filter {f + 1}",
                              POOL_CYAN) for f in range(count)]
        for c in range(columns):  # equal columns, whatever the captions say
            self.ci.layout.setColumnStretchFactor(c, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.__dict__.get("_args"):  # resizes arrive during __init__ too
            # a new shape may fit the maps better in another arrangement; not inside the event
            QTimer.singleShot(0, self._rearrange)

    def _rearrange(self) -> None:
        if self._args:
            self.show_result(*self._args)

    def show_result(self, result: PlaygroundResult, levels, cmap: pg.ColorMap,
                    transform=None) -> None:
        """Show every filter's map of ``result`` on the scale ``levels`` and ``cmap``."""
        self._args = (result, levels, cmap, transform)
        outputs = result.outputs
        if outputs is None:
            for cell in self.cells:
                cell.show(None, None, None)
            return
        columns = self._columns(len(outputs), outputs.shape[2] / max(outputs.shape[1], 1))
        if (len(outputs), columns) != self._layout:
            self._build(len(outputs), columns)
        for f, cell in enumerate(self.cells):
            # the selected map is the very array the feature map view shows (no copy)
            shown = result.output if f == result.selected else outputs[f]
            cell.show(shown if transform is None else transform(shown), cmap, levels)
        self._frame_selected(result.selected, outputs.shape[1:])

    def _frame_selected(self, index: int, shape: tuple[int, int]) -> None:
        if index == self._selected and self._frame.scene() is not None:
            return
        self._unframe()
        self._selected = index
        cell = self.cells[index]
        cell.box.addItem(self._frame, ignoreBounds=True)  # in the map's own pixels
        self._frame.setRect(QRectF(0, 0, shape[1], shape[0]))
        for f, other in enumerate(self.cells):
            other.set_caption(f"<b>{f + 1}: editing</b>" if f == index else f"filter {f + 1}")

    def shown(self) -> list[np.ndarray | None]:
        """Every filter's map as this view shows it (full size), in filter order."""
        return [cell.array() for cell in self.cells]

    def _unframe(self) -> None:
        box = self._frame.parentItem()
        parent_box = next((c.box for c in self.cells if c.box.childGroup is box), None)
        if parent_box is not None:
            parent_box.removeItem(self._frame)
        elif self._frame.scene() is not None:
            self._frame.scene().removeItem(self._frame)

    def mark(self, pixel: tuple[int, int] | None, window=None) -> None:
        """Outline feature-map ``pixel`` and ``window`` (top, left, bottom, right) on every map:
        all the filters look at the same place."""
        for cell in self.cells:
            cell.mark(pixel, window)

    def _cell_at(self, scene_pos) -> tuple[int, int, int] | None:
        for f, cell in enumerate(self.cells):
            pixel = cell.pixel_at(scene_pos)
            if pixel is not None:
                return f, *pixel
        return None

    def _on_move(self, scene_pos) -> None:
        found = self._cell_at(scene_pos) or (-1, -1, -1)
        if found != self._last:
            self._last = found
            self.sigHover.emit(*found)

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        for f, cell in enumerate(self.cells):
            if cell.box.sceneBoundingRect().contains(event.scenePos()):
                self.sigSelect.emit(f)
                return


class Layer2View(ImagePanel):
    """Layer 2's one map (``layer2View``) with its own signed scale; hover to explain a pixel."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("layer2View", "Layer 2", parent)
        self.setToolTip("Layer 2: one filter over all of layer 1's maps. Hover a pixel to see "
                        "which layer-1 pixels, and which input pixels, it depends on.")
        self.image_item.setAutoDownsample(True)
        self.setMinimumSize(120, 100)
        self.marker = self.overlay(OUTPUT_GREEN)
        self.message = self.message_label("layer2ErrorLabel")
        self._fitted: tuple | None = None
        self._titles: tuple[str, ...] = ("Layer 2",)  # longest first; the widest that fits

    def show_layer2(self, result: PlaygroundResult, levels, cmap: pg.ColorMap,
                    transform=None) -> None:
        """Show ``result.layer2_output`` (or why there is none) on ``levels`` and ``cmap``."""
        out = result.layer2_output
        self.message.setText(result.layer2_error or "")
        self.message.setVisible(out is None and bool(result.layer2_error))
        if out is None:
            self.show_array(None)
            return
        self.image_item.setColorMap(cmap)
        self.image_item.setLevels(levels)
        self.show_array(out if transform is None else transform(out))
        if out.shape != self._fitted:
            self._fitted = out.shape
            self.getPlotItem().getViewBox().setRange(xRange=(0, out.shape[1]),
                                                     yRange=(0, out.shape[0]), padding=0.02)
        size = f"{out.shape[0]}x{out.shape[1]}"
        scale = f"±{max(abs(levels[0]), abs(levels[1])):.3g}"
        # This view is the narrowest of the row: drop the scale, then the size, rather than clip.
        self._titles = (f"Layer 2 {size} {scale}", f"Layer 2 {size}", "Layer 2")
        self._fit_title()

    def title_text(self) -> str:
        """The title shown now."""
        return self._title

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if "_titles" in self.__dict__:  # not during PlotWidget.__init__
            self._fit_title()

    def _fit_title(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(9)  # the size ImagePanel.set_title_text draws at
        metrics, room = QFontMetrics(font), self.width() - 8
        fits = [t for t in self._titles if metrics.horizontalAdvance(t) <= room]
        self.set_title_text(fits[0] if fits else self._titles[-1])

    def mark(self, pixel: tuple[int, int] | None) -> None:
        """Outline layer-2 pixel (row, col); None clears."""
        self.marker.setPath(cell_path(*pixel) if pixel is not None else QPainterPath())

    def values(self) -> np.ndarray | None:
        """The array shown (the layer-2 map), or None."""
        return self.image_item.image
