"""The outlines drawn over the three views: which input pixels one output (or pooled) pixel used.

Yellow taps inside the image and magenta taps in the padding, the explained output pixel in
green, a pool window and the input region it depends on in cyan, the pool's maximum in magenta;
a ring of fixed screen size marks each, since a 3x3 window on a 512 px photo is tiny.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath

from ui.playground.image_panel import ImagePanel
from ui.theme import (
    FIELD_ORANGE,
    IMAGE_OUTLINE,
    OUTPUT_GREEN,
    PADDING_MAGENTA,
    POOL_CYAN,
    WINDOW_YELLOW,
)

__all__ = ["ViewOverlays"]


def _cells_path(cells) -> QPainterPath:
    """One unit square per (row, col) cell."""
    path = QPainterPath()
    for r, c in cells:
        path.addRect(QRectF(c, r, 1.0, 1.0))
    return path


def _box_path(box) -> QPainterPath:
    """The rectangle ``box`` = (top, left, bottom, right); an empty path for None."""
    path = QPainterPath()
    if box is not None:
        top, left, bottom, right = box
        path.addRect(QRectF(left, top, right - left, bottom - top))
    return path


def _ring(colour: str) -> pg.ScatterPlotItem:
    ring = pg.ScatterPlotItem(
        size=26, symbol="o", pen=pg.mkPen(colour, width=2), brush=None, pxMode=True
    )
    ring.setZValue(20)
    return ring


class ViewOverlays:
    """The overlay items of ``inputView``, ``outputView`` and ``pooledView``, and how to set them.

    Attributes (each a ``QGraphicsPathItem`` in its view's array coordinates, or a ring)
    ----------
    taps, pad_taps : the receptive window's taps inside the image and in the padding (input)
    padding_outline, image_outline : the padded border (dashed) and the image's own border
    output_marker : the explained feature-map pixel
    pool_field : the input region a pooled pixel depends on (dashed)
    pool_window, pool_max : a pooled pixel's window on the feature map and its maximum
    pooled_marker : the explained pooled pixel
    input_locator, output_locator : rings around the window on the input and the feature map
    layer2_field, layer2_window, layer2_pooled : what a layer-2 pixel depends on, on the input
        (dashed orange), the feature map and the pooled map (cyan)
    """

    def __init__(self, input_view: ImagePanel, output_view: ImagePanel, pooled_view: ImagePanel):
        self._output_view = output_view
        self.taps = input_view.overlay(WINDOW_YELLOW)
        self.pad_taps = input_view.overlay(PADDING_MAGENTA)
        self.padding_outline = input_view.overlay(PADDING_MAGENTA, 1, Qt.PenStyle.DashLine)
        # The image's own border: a dark image (an impulse, a drawing) would vanish into the
        # black background without it.
        self.image_outline = input_view.overlay(IMAGE_OUTLINE, 1)
        self.output_marker = output_view.overlay(OUTPUT_GREEN)
        self.pool_field = input_view.overlay(POOL_CYAN, 2, Qt.PenStyle.DashLine)
        self.input_locator = _ring(WINDOW_YELLOW)
        input_view.addItem(self.input_locator)
        self.output_locator = _ring(OUTPUT_GREEN)
        output_view.addItem(self.output_locator)
        self.pool_window = output_view.overlay(POOL_CYAN)
        self.pool_max = output_view.overlay(PADDING_MAGENTA, 3)
        self.pooled_marker = pooled_view.overlay(POOL_CYAN)
        self.layer2_field = input_view.overlay(FIELD_ORANGE, 2, Qt.PenStyle.DashLine)
        self.layer2_window = output_view.overlay(POOL_CYAN)
        self.layer2_pooled = pooled_view.overlay(POOL_CYAN)

    def show_borders(self, image_shape: tuple[int, int], padding: int) -> None:
        """Outline the image (shape (H, W)) and, dashed, its padded border."""
        h, w = image_shape
        if self.image_outline.path().boundingRect() != QRectF(0, 0, w, h):
            self.image_outline.setPath(_box_path((0, 0, h, w)))
        p = padding
        self.padding_outline.setPath(_box_path((-p, -p, h + p, w + p) if p > 0 else None))

    def show_window(self, taps, image_shape, out_pixel: tuple[int, int] | None) -> None:
        """Outline each tap (yellow in the image, magenta in the padding) and the output pixel."""
        h, w = image_shape
        inside = [(r, c) for r, c in taps if 0 <= r < h and 0 <= c < w]
        outside = [(r, c) for r, c in taps if not (0 <= r < h and 0 <= c < w)]
        self.taps.setPath(_cells_path(inside))
        self.pad_taps.setPath(_cells_path(outside))
        self.output_marker.setPath(_cells_path([out_pixel] if out_pixel else []))
        if taps:
            rows = [r for r, _ in taps]
            cols = [c for _, c in taps]
            self.input_locator.setData(
                [(min(cols) + max(cols) + 1) / 2], [(min(rows) + max(rows) + 1) / 2]
            )
        else:
            self.input_locator.setData([], [])
        if out_pixel:
            self._ring_output_at(out_pixel[1] + 0.5, out_pixel[0] + 0.5)
        else:
            self.output_locator.setData([], [])

    def show_pool_window(self, window, argmax, pooled_pixel, input_field=None) -> None:
        """Outline a pooled pixel's window on the feature map, mark its maximum (max pooling) and
        outline the input region it depends on (``input_field``: top, left, bottom, right)."""
        self.pool_window.setPath(_box_path(window))
        self.pool_field.setPath(_box_path(input_field))
        if input_field is not None:
            top, left, bottom, right = input_field
            self.input_locator.setData([(left + right) / 2], [(top + bottom) / 2])
        else:
            self.input_locator.setData([], [])
        self.pool_max.setPath(_cells_path([argmax] if argmax else []))
        self.pooled_marker.setPath(_cells_path([pooled_pixel] if pooled_pixel else []))
        if window is not None:
            # Ring the (tiny) pool window on the feature map too, as the taps are on the input.
            top, left, bottom, right = window
            self._ring_output_at((left + right) / 2, (top + bottom) / 2)
        else:
            self.output_locator.setData([], [])

    def show_layer2(self, input_field, feature_window, pooled_window=None) -> None:
        """Outline what one layer-2 pixel depends on: its receptive field on the input, the
        feature-map pixels and (with pooling) the pooled pixels it reads; each is (top, left,
        bottom, right) in that view's pixels."""
        self.clear()
        self.layer2_field.setPath(_box_path(input_field))
        self.layer2_window.setPath(_box_path(feature_window))
        self.layer2_pooled.setPath(_box_path(pooled_window))
        top, left, bottom, right = input_field
        self.input_locator.setData([(left + right) / 2], [(top + bottom) / 2])
        top, left, bottom, right = feature_window
        self._ring_output_at((left + right) / 2, (top + bottom) / 2)

    def items(self) -> list:
        """Every window and marker path (the borders excepted), for checks that none is stale."""
        return [self.taps, self.pad_taps, self.output_marker, self.pool_window, self.pool_field,
                self.pool_max, self.pooled_marker, self.layer2_field, self.layer2_window,
                self.layer2_pooled]

    def clear(self) -> None:
        """Remove every window, marker and ring (the borders stay)."""
        self.input_locator.setData([], [])
        self.output_locator.setData([], [])
        for item in self.items():
            item.setPath(QPainterPath())

    def _ring_output_at(self, x: float, y: float) -> None:
        # (x, y) in the feature map's array coordinates; the ring lives in the view's.
        centre = self._output_view.image_item.mapToParent(QPointF(x, y))
        self.output_locator.setData([centre.x()], [centre.y()])
