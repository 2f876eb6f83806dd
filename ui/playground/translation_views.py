"""The translation lab's nine views: input, feature map and pooled map; original, shifted, change.

All views share the *input's* coordinates: each feature-map pixel is drawn over the centre of the
window that produced it, ``stride`` input pixels wide, so a shifted feature is seen to move by
exactly as much as the input did. All nine show the same region at one scale: :meth:`set_zoom`
sets its size and a click in any view centres it there. (They are kept in step by hand: nine
linked pyqtgraph views would bounce range updates between each other.)
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from cnnviz.lab.translation import TranslationReport
from ui.playground.colour_scale import display_levels
from ui.playground.map_geometry import output_rect, pooled_rect
from ui.theme import DIVERGING, GREY, REGION_OUTLINE, colormap

__all__ = ["TranslationViews"]

_COLUMNS = ("input", "feature map", "pooled map")
_ROWS = ("original", "shifted", "change")  # short: rows can be 50 px tall in a small window


def _symmetric(a: np.ndarray | None) -> tuple[float, float]:
    # The playground's default scale (a robust percentile of |x|, centred on zero), so the lab's
    # maps look like the main views and ordinary edges are not washed out by a few extremes.
    return display_levels(a, "signed")


class _Caption(pg.LabelItem):
    """A grid caption whose text never widens its column (or, rotated, heightens its row).

    pyqtgraph sizes a label to its text, which made "feature map" a wider column than "input" and
    so drew the same pixel at different sizes in different columns.
    """

    def __init__(self, text: str, vertical: bool = False, **opts):
        self._vertical = vertical
        super().__init__(text, angle=-90 if vertical else 0, **opts)

    def updateMin(self) -> None:  # noqa: N802 (pyqtgraph API)
        super().updateMin()
        for hint in (Qt.SizeHint.MinimumSize, Qt.SizeHint.PreferredSize):
            w, h = self._sizeHint[hint]
            self._sizeHint[hint] = (w, 0) if self._vertical else (0, h)
        if self._vertical:
            self.setMinimumHeight(0)
        else:
            self.setMinimumWidth(0)
        self.updateGeometry()


class TranslationViews(pg.GraphicsLayoutWidget):
    """A 3 x 3 grid of pixel-exact views of a :class:`~cnnviz.lab.translation.TranslationReport`.

    Attributes
    ----------
    views : list of list of pg.ViewBox
        ``views[row][col]``: rows original / shifted / change, columns input / feature / pooled.
    items : list of list of pg.ImageItem
        The image in each view; ``items[r][c].image`` is exactly the array shown.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("translationViews")
        self.setMinimumSize(240, 180)
        self._image_shape: tuple[int, int] | None = None
        self._zoom: int | None = 64
        self._centre: tuple[float, float] | None = None
        self._build()

    def _build(self) -> None:
        g = self
        g.ci.setSpacing(2)
        g.ci.setContentsMargins(0, 0, 0, 0)
        self._titles = []
        for col, title in enumerate(_COLUMNS):
            label = _Caption(title, size="9pt")
            g.addItem(label, row=0, col=col + 1)
            self._titles.append(label)
        self.views: list[list[pg.ViewBox]] = []
        self.items: list[list[pg.ImageItem]] = []
        self._outlines: list[QGraphicsRectItem] = []
        for row, name in enumerate(_ROWS):
            g.addItem(_Caption(name, vertical=True, size="9pt"), row=row + 1, col=0)
            views, items = [], []
            for col in range(3):
                # no lockAspect: _apply_zoom gives every view the same scale and square pixels
                vb = g.addViewBox(row=row + 1, col=col + 1, invertY=True, enableMenu=False)
                vb.setMouseEnabled(False, False)
                vb.sigResized.connect(self._apply_zoom)
                item = pg.ImageItem()
                vb.addItem(item)
                views.append(vb)
                items.append(item)
            self.views.append(views)
            self.items.append(items)
        for i in range(1, 4):  # equal cells, so the three columns compare at the same scale
            g.ci.layout.setColumnStretchFactor(i, 1)
            g.ci.layout.setRowStretchFactor(i, 1)
        for col in (1, 2):  # the comparable region, outlined in the difference views
            rect = QGraphicsRectItem()
            pen = QPen(QColor(REGION_OUTLINE), 1, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            rect.setPen(pen)
            rect.setZValue(10)
            self.views[2][col].addItem(rect)
            self._outlines.append(rect)
        self.scene().sigMouseClicked.connect(self._on_click)
        self._grey = colormap(GREY)
        self._diverging = colormap(DIVERGING)

    # ------------------------------------------------------------------ public API
    def show_report(self, r: TranslationReport, aligned: bool = False) -> None:
        """Draw a report; ``aligned`` shows the feature-map change after moving the map back."""
        shape = r.image.shape[-2:]
        shape_changed = self._image_shape != shape
        self._image_shape = shape
        if shape_changed:
            self._centre = None
        h, w = shape
        in_rect = QRectF(0, 0, w, h)
        self._show(0, 0, r.image, in_rect, self._grey, (0.0, 1.0))
        self._show(1, 0, r.shifted_image, in_rect, self._grey, (0.0, 1.0))
        change = r.shifted_image - r.image
        if change.ndim == 3:  # a colour image: the change averaged over its channels
            change = change.mean(axis=0)
        self._show(2, 0, change, in_rect, self._diverging, (-1.0, 1.0))
        out_rect, pool_rect = self._geometry(r)
        levels = _symmetric(r.output)
        self._show(0, 1, r.output, out_rect, self._diverging, levels)
        self._show(1, 1, r.shifted_output, out_rect, self._diverging, levels)
        diff = r.difference_aligned if aligned else r.difference_unaligned
        self._show(2, 1, diff, out_rect, self._diverging, levels)
        p_levels = _symmetric(r.pooled)
        self._show(0, 2, r.pooled, pool_rect, self._diverging, p_levels)
        self._show(1, 2, r.shifted_pooled, pool_rect, self._diverging, p_levels)
        self._show(2, 2, r.difference_pooled, pool_rect, self._diverging, p_levels)
        self._titles[2].setText("pooled map" if r.pooled is not None else "pooled map (off)")
        self._outline(0, r.interior, out_rect)
        self._outline(1, r.pooled_interior, pool_rect)
        if shape_changed:
            self._apply_zoom()

    def set_zoom(self, size: int | None) -> None:
        """Show a ``size`` x ``size`` px region of the input (None: the whole image)."""
        self._zoom = size
        self._apply_zoom()

    def visible_region(self) -> QRectF:
        """The region of the input (x, y, width, height in input pixels) all nine views show."""
        if self._image_shape is None:
            return QRectF(0, 0, 1, 1)
        h, w = self._image_shape
        size = self._zoom
        if size is None or size >= max(h, w):
            return QRectF(0, 0, w, h)
        cy, cx = self._centre if self._centre is not None else (h / 2, w / 2)
        x = min(max(cx - size / 2, 0), max(w - size, 0))
        y = min(max(cy - size / 2, 0), max(h - size, 0))
        return QRectF(x, y, min(size, w), min(size, h))

    # ------------------------------------------------------------------ drawing
    def _geometry(self, r: TranslationReport) -> tuple[QRectF | None, QRectF | None]:
        """Where the feature map and the pooled map sit, in input pixel coordinates."""
        if r.output is None:
            return None, None
        return output_rect(r), None if r.pooled is None else pooled_rect(r)

    def _show(self, row: int, col: int, array, rect: QRectF | None, cmap, levels) -> None:
        item = self.items[row][col]
        if array is None or rect is None:
            item.clear()
            return
        array = np.asarray(array, dtype=np.float32)
        if array.ndim == 3:  # colour (3, H, W): shown as RGB, no colour map
            item.setLookupTable(None)
            item.setImage(np.moveaxis(array, 0, -1), levels=levels, autoLevels=False)
        else:
            item.setImage(array, levels=levels, autoLevels=False)
            item.setColorMap(cmap)
        item.setRect(rect)

    def _outline(self, index: int, mask, rect: QRectF | None) -> None:
        """Dashed box around the interior: where a comparison means something."""
        item = self._outlines[index]
        if mask is None or rect is None or not mask.any():
            item.setVisible(False)
            return
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        sy, sx = rect.height() / mask.shape[0], rect.width() / mask.shape[1]
        item.setRect(QRectF(rect.left() + cols[0] * sx, rect.top() + rows[0] * sy,
                            (cols[-1] - cols[0] + 1) * sx, (rows[-1] - rows[0] + 1) * sy))
        item.setVisible(True)

    def _apply_zoom(self, *_args) -> None:
        """Centre every view on the region, at one common scale that fits it in the smallest view.

        One scale for all nine keeps a feature the same size in every column, so its movement can
        be compared by eye.
        """
        views = [vb for row in self.views for vb in row]
        if self._image_shape is None or len(views) < 9:  # not built yet, or nothing to show
            return
        region = self.visible_region()
        sizes = [vb.size() for vb in views]
        scale = min(
            min(s.width() / region.width(), s.height() / region.height()) for s in sizes
        )
        if scale <= 0:
            return
        centre = region.center()
        for vb, s in zip(views, sizes, strict=True):
            w, h = s.width() / scale, s.height() / scale
            vb.setRange(QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h), padding=0)

    def _on_click(self, event) -> None:
        """A click in any view looks there: that point becomes the centre of the zoomed region."""
        if self._image_shape is None:
            return
        for row in self.views:
            for vb in row:
                if vb.sceneBoundingRect().contains(event.scenePos()):
                    p = vb.mapSceneToView(event.scenePos())
                    self._centre = (p.y(), p.x())
                    self._apply_zoom()
                    return

