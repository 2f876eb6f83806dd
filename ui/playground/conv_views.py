"""The three pixel-exact views (input, feature map, pooled map), their overlays and colour bar.

The feature map and pooled map are drawn in *input* coordinates: each output pixel sits over the
centre of the window that produced it and is ``stride`` input pixels wide. So the three views can
share zoom and pan, and a shift of the input visibly shifts the map by the same amount.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QLabel,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cnnviz.lab.conv import PlaygroundResult
from cnnviz.nn.functional import window_span
from ui.theme import DIVERGING, GREY, MAGNITUDE

__all__ = [
    "COLOUR_MODES",
    "ImagePanel",
    "ConvViews",
    "display_levels",
    "output_rect",
    "pooled_rect",
    "range_text",
    "robust_abs_max",
]

# (key, menu label, colour map): signed values need a diverging map centred on zero.
COLOUR_MODES = (
    ("signed", "Signed (blue < 0 < red)", DIVERGING),
    ("signed_full", "Signed, full range", DIVERGING),
    ("abs", "Magnitude |x|", MAGNITUDE),
    ("minmax", "Min-max stretch (grey)", GREY),
)
_MAPS = {key: pg.colormap.get(name) for key, _, name in COLOUR_MODES}

# The signed and |x| scales span this percentile of |x|, not its maximum: a few extreme pixels
# (the corners of a photo, one bright dot) would otherwise wash every ordinary edge out to white.
ROBUST_PERCENTILE = 99.0
# The percentile is taken on an evenly spread sample of at most this many values, so the scale
# costs well under a millisecond even for a 512x512 map (it is recomputed on every edit).
_SAMPLE = 40_000


def robust_abs_max(values: np.ndarray) -> float:
    """The ``ROBUST_PERCENTILE``-th percentile of ``|values|`` (finite values only).

    Zeros are left out, so a sparse response (an impulse, a single edge) keeps its full contrast;
    0.0 for an all-zero, empty or non-finite map.

    Parameters
    ----------
    values : ndarray, shape (H, W)
    """
    flat = values.ravel()
    width = values.shape[-1] if values.ndim else 1
    step = max(1, flat.size // _SAMPLE)
    # A step sharing a factor with the row width would sample the same columns in every row
    # and could miss a thin vertical line entirely.
    while step > 1 and np.gcd(step, width) != 1:
        step += 1
    sample = np.abs(flat[::step])
    sample = sample[np.isfinite(sample)]
    if sample.size == 0:
        return 0.0
    top = float(sample.max())
    # Zeros (flat regions, ReLU's cut-off half) say nothing about how strong a response is: an
    # impulse's map is 99% zeros yet must show the whole kernel unsaturated.
    sample = sample[sample > top * 1e-6]
    m = float(np.percentile(sample, ROBUST_PERCENTILE)) if sample.size else 0.0
    return m if m > 0 else top


def display_levels(values: np.ndarray | None, mode: str) -> tuple[float, float]:
    """Colour-map levels for ``values`` (shape (H, W)) in a colour mode.

    ``signed`` is symmetric, ``(-m, m)`` with ``m`` the ``ROBUST_PERCENTILE``-th percentile of |x|
    rounded up to two significant digits: zero is always the neutral middle colour and ordinary
    edges are strongly coloured; the rare larger values saturate. ``signed_full`` uses the maximum
    |x| (nothing saturates), ``abs`` is ``(0, m)`` and ``minmax`` the exact minimum and maximum.
    Never divides by zero: a constant map gets a unit-wide range around its value.
    """
    if values is None or values.size == 0:
        return (-1.0, 1.0) if mode.startswith("signed") else (0.0, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        finite = values if np.all(np.isfinite(values)) else values[np.isfinite(values)]
    if finite.size == 0:
        return (-1.0, 1.0) if mode.startswith("signed") else (0.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    if mode == "minmax":
        return (lo, hi) if hi > lo and np.isfinite(hi - lo) else (lo - 0.5, lo + 0.5)
    if mode == "signed_full":
        m = _nice_ceiling(max(abs(lo), abs(hi)))
    else:
        m = _nice_ceiling(robust_abs_max(values))
    return (0.0, m) if mode == "abs" else (-m, m)


def _extremes(name: str, values: np.ndarray | None) -> str:
    if values is None or values.size == 0:
        return ""
    with np.errstate(invalid="ignore"):
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    return f"{name} {lo:.4g} … {hi:.4g}"


def range_text(result: PlaygroundResult, mode: str, levels: tuple[float, float]) -> str:
    """One line: what the colour scale spans and the exact min … max of both maps."""
    lo, hi = levels
    if mode == "signed":
        scale = f"colours ±{hi:.3g} ({ROBUST_PERCENTILE:g}% of |x|; stronger saturate)"
    elif mode == "abs":
        scale = f"colours 0 … {hi:.3g} ({ROBUST_PERCENTILE:g}% of |x|; stronger saturate)"
    elif mode == "signed_full":
        scale = f"colours ±{hi:.3g} (largest |x|)"
    else:
        scale = f"colours {lo:.4g} … {hi:.4g} (min … max)"
    parts = [scale, _extremes("feature map", result.output)]
    if result.settings.pool != "none":
        parts.append(_extremes("pooled", result.pooled))
    return "  ·  ".join(p for p in parts if p)


def _nice_ceiling(m: float) -> float:
    """Round ``m`` up to two significant digits: a small edit rarely changes the colour scale."""
    if m <= 0 or not np.isfinite(m):
        return 1.0
    step = 10.0 ** (np.floor(np.log10(m)) - 1)
    return float(np.ceil(m / step - 1e-9) * step)


def _path_item(colour: str, width: float = 2, style=Qt.PenStyle.SolidLine) -> QGraphicsPathItem:
    item = QGraphicsPathItem()
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)  # constant on-screen width at any zoom
    pen.setStyle(style)
    item.setPen(pen)
    item.setBrush(QBrush(Qt.BrushStyle.NoBrush))
    item.setZValue(10)
    return item


def _rects_path(cells, size: float = 1.0) -> QPainterPath:
    path = QPainterPath()
    for r, c in cells:
        path.addRect(QRectF(c, r, size, size))
    return path


def _box(h: int, w: int) -> QPainterPath:
    path = QPainterPath()
    path.addRect(QRectF(0, 0, w, h))
    return path


# -- geometry: where output / pooled pixels sit in input coordinates -----------------------------
def output_rect(result) -> QRectF:
    """Where ``result.output`` (shape (Ho, Wo)) is drawn, in input pixel coordinates.

    ``result`` is a :class:`~cnnviz.lab.conv.PlaygroundResult` or anything with the same
    ``settings``, ``kernel`` and ``output`` (the translation lab's report).
    """
    s = result.settings
    k = result.kernel.shape[0]
    ho, wo = result.output.shape
    offset = -s.padding + (window_span(k, s.dilation) - 1) / 2 + 0.5 - s.stride / 2
    return QRectF(offset, offset, wo * s.stride, ho * s.stride)


def pooled_rect(result) -> QRectF:
    """Where ``result.pooled`` (shape (Hp, Wp)) is drawn, in input pixel coordinates."""
    s = result.settings
    base = output_rect(result)
    hp, wp = result.pooled.shape
    offset = s.stride * ((s.pool_size - 1) / 2 + 0.5 - s.pool_stride / 2)
    step = s.stride * s.pool_stride
    return QRectF(base.x() + offset, base.y() + offset, wp * step, hp * step)


class ImagePanel(pg.PlotWidget):
    """One image with hover/click reporting in pixel (row, col) of the shown array."""

    sigHover = Signal(int, int)  # row, col of the array; (-1, -1) when leaving it
    sigClicked = Signal(int, int)
    sigDoubleClicked = Signal()

    def __init__(self, name: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setMinimumSize(140, 140)
        self.setToolTip("Wheel: zoom (all three views follow), drag: pan, double click: show all.")
        item = self.getPlotItem()
        item.setTitle(title, size="9pt")
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.setMenuEnabled(False)
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
        label.setStyleSheet(
            "color: #ffb0b0; background: rgba(40, 0, 0, 220); font-weight: bold; padding: 12px;"
        )
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
        if array is None:
            self.image_item.clear()
            self._shape = self._shown = None
            return
        if array is self._shown:  # e.g. the unchanged input: skip re-colouring 512x512 pixels
            return
        self._shown = array
        self.image_item.setImage(array, autoLevels=False)
        self._shape = array.shape
        if rect is not None and rect != self._rect:
            self._rect = rect
            self.image_item.setRect(rect)

    def set_title_text(self, text: str) -> None:
        """Set the title only when it changes (a new title re-lays out the plot)."""
        if text != self._title:
            self._title = text
            self.setTitle(text, size="9pt")

    def pixel_at(self, scene_pos) -> tuple[int, int] | None:
        if self._shape is None or not self.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.image_item.mapFromScene(scene_pos)
        row, col = int(np.floor(p.y())), int(np.floor(p.x()))
        if 0 <= row < self._shape[0] and 0 <= col < self._shape[1]:
            return row, col
        return None

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


class ConvViews(QWidget):
    """``inputView``, ``outputView`` and ``pooledView`` side by side; linked zoom, a colour bar."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.input_view = ImagePanel("inputView", "Input (grey, 0..1)")
        self.output_view = ImagePanel("outputView", "Feature map (conv + bias, ReLU)")
        self.pooled_view = ImagePanel("pooledView", "Pooled map")
        self.input_view.image_item.setColorMap(pg.colormap.get(GREY))
        self.input_view.image_item.setLevels((0.0, 1.0))
        self.colour_bar = pg.ColorBarItem(
            values=(-1, 1), colorMap=_MAPS["signed"], interactive=False, width=12
        )
        self.colour_bar.setImageItem(
            [self.output_view.image_item, self.pooled_view.image_item],
            insert_in=self.output_view.getPlotItem(),
        )
        self.mode = "signed"
        self._levels: tuple[float, float] | None = None
        self._scaled_for: tuple[PlaygroundResult | None, str] = (None, "")  # what _levels is for
        # Overlays: the receptive window on the input, the selected pixel, the pool window and max.
        self.taps_overlay = self.input_view.overlay("#ffd200")
        self.pad_taps_overlay = self.input_view.overlay("#ff3cff")
        self.padding_outline = self.input_view.overlay("#ff3cff", 1, Qt.PenStyle.DashLine)
        # The image's own border: a dark image (an impulse, a drawing) would vanish into the
        # black background without it.
        self.image_outline = self.input_view.overlay("#707070", 1)
        self.output_marker = self.output_view.overlay("#00e000")
        self.pool_field_overlay = self.input_view.overlay("#00e0ff", 2, Qt.PenStyle.DashLine)
        # A ring of fixed screen size around the window: a 3x3 window on a 512 px photo is tiny.
        self.locator = pg.ScatterPlotItem(
            size=26, symbol="o", pen=pg.mkPen("#ffd200", width=2), brush=None, pxMode=True
        )
        self.locator.setZValue(20)
        self.input_view.addItem(self.locator)
        self.output_locator = pg.ScatterPlotItem(
            size=26, symbol="o", brush=None, pxMode=True, pen=pg.mkPen("#00e000", width=2)
        )
        self.output_locator.setZValue(20)
        self.output_view.addItem(self.output_locator)
        self.pool_window_overlay = self.output_view.overlay("#00e0ff")
        self.pool_max_overlay = self.output_view.overlay("#ff3cff", 3)
        self.pooled_marker = self.pooled_view.overlay("#00e0ff")

        splitter = QSplitter(Qt.Orientation.Horizontal)
        for view in (self.input_view, self.output_view, self.pooled_view):
            splitter.addWidget(view)
        splitter.setChildrenCollapsible(False)
        # Impossible settings: the explanation appears in place of the map it prevents.
        self.message = self.output_view.message_label("convErrorLabel")
        self.pooled_message = self.pooled_view.message_label("poolErrorLabel")
        # The colour bar shows the scale; this line says what the scale is and the exact extremes,
        # since the default scale lets the rare strongest values saturate.
        self.range_label = QLabel()
        self.range_label.setObjectName("rangeLabel")
        self.range_label.setStyleSheet("color: #444;")
        self.range_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Never widen the window for it: in a narrow window the end of the line is cut instead.
        self.range_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.range_label.setToolTip(
            "What the colour bar spans, and the exact smallest and largest values of the maps"
        )
        # A new label text re-lays out the views below it (~3 ms): done once edits pause.
        self._range_timer = QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(60)
        self._range_timer.timeout.connect(self._update_range_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.range_label)
        self._result: PlaygroundResult | None = None
        self._fitted_shape: tuple[int, int] | None = None
        # Keep the whole image in view on resizes until the user zooms or pans themselves; then
        # the other views follow that zoom. (Qt's axis links would crop views of another aspect.)
        self._auto_fit = True
        for view in (self.input_view, self.output_view, self.pooled_view):
            box = view.getPlotItem().getViewBox()
            box.sigRangeChangedManually.connect(lambda _mask, v=view: self._follow(v))
            view.sigDoubleClicked.connect(self.show_all)

    def _follow(self, leader: ImagePanel) -> None:
        self._auto_fit = False
        rect = leader.getPlotItem().getViewBox().viewRect()
        for view in (self.input_view, self.output_view, self.pooled_view):
            if view is not leader:
                view.getPlotItem().getViewBox().setRange(rect, padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self._auto_fit:
            QTimer.singleShot(0, self.fit)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._auto_fit:
            QTimer.singleShot(0, self.fit)

    # -- display ------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.colour_bar.setColorMap(_MAPS[mode])
        if self._result is not None:
            self.show_result(self._result)

    def show_result(
        self,
        result: PlaygroundResult,
        output_override: np.ndarray | None = None,
        pooled_override: np.ndarray | None = None,
    ) -> None:
        """Display ``result``; the overrides (partly filled maps) replace what is drawn."""
        self._result = result
        self.input_view.show_array(result.image)
        key = (result.image.shape, result.settings.padding)
        if key != self._fitted_shape:
            if key[0] != (self._fitted_shape or (None,))[0]:
                self._auto_fit = True  # a new image: show all of it
            self._fitted_shape = key
            if self._auto_fit:
                self.fit()
        p = result.settings.padding
        h, w = result.image.shape
        if self.image_outline.path().boundingRect() != QRectF(0, 0, w, h):
            self.image_outline.setPath(_box(h, w))
        path = QPainterPath()
        if p > 0:
            path.addRect(QRectF(-p, -p, w + 2 * p, h + 2 * p))
        self.padding_outline.setPath(path)
        output = result.output if output_override is None else output_override
        shown = None if output is None else (np.abs(output) if self.mode == "abs" else output)
        self.output_view.show_array(shown, None if output is None else output_rect(result))
        pooled = result.pooled if pooled_override is None else pooled_override
        if pooled is not None and self.mode == "abs":
            pooled = np.abs(pooled)
        self.pooled_view.show_array(pooled, None if pooled is None else pooled_rect(result))
        # One scale for feature map and pooled map, so equal colours mean equal values. Animation
        # frames re-show the same result: its scale is computed once per result and mode.
        scaled_result, scaled_mode = self._scaled_for
        if scaled_result is not result or scaled_mode != self.mode:  # `is`: results hold arrays
            self._scaled_for = (result, self.mode)
            levels = display_levels(result.output, self.mode)
            if levels != self._levels:  # new levels re-draw the colour bar's axis: only if needed
                self._levels = levels
                self.colour_bar.setLevels(levels)
        self._range_timer.start()  # the text waits for a burst of edits to end: never slows one
        self.pooled_view.setVisible(result.settings.pool != "none")
        self.set_titles(result)
        conv_failed = result.output is None
        self.message.setText(result.error or "" if conv_failed else "")
        self.message.setVisible(conv_failed)
        pool_failed = not conv_failed and result.error is not None
        self.pooled_message.setText(result.error or "" if pool_failed else "")
        self.pooled_message.setVisible(pool_failed)

    def levels(self) -> tuple[float, float] | None:
        """The colour scale's (low, high) for the feature and pooled maps, in displayed units."""
        return self._levels

    def _update_range_label(self) -> None:
        if self._result is not None and self._levels is not None:
            self.range_label.setText(range_text(self._result, self.mode, self._levels))

    def show_all(self) -> None:
        """Zoom out to the whole image and keep it whole on resizes again."""
        self._auto_fit = True
        self.fit()

    def fit(self) -> None:
        """Zoom so the whole input (and its padding) is visible; the other views follow."""
        if self._result is None:
            return
        h, w = self._result.image.shape
        p = self._result.settings.padding
        for view in (self.input_view, self.output_view, self.pooled_view):
            view.getPlotItem().getViewBox().setRange(
                xRange=(-p, w + p), yRange=(-p, h + p), padding=0.02
            )

    def set_titles(self, result: PlaygroundResult) -> None:
        s = result.settings
        self.input_view.set_title_text(f"Input {result.image.shape[0]}x{result.image.shape[1]}")
        out = "Feature map"
        if result.output is not None:
            out += f" {result.output.shape[0]}x{result.output.shape[1]}"
        self.output_view.set_title_text(out + (" (ReLU)" if s.relu else ""))
        pooled = f"{s.pool.capitalize()} pool {s.pool_size}x{s.pool_size}"
        if result.pooled is not None:
            pooled += f" → {result.pooled.shape[0]}x{result.pooled.shape[1]}"
        self.pooled_view.set_title_text(pooled)

    # -- overlays -----------------------------------------------------------------------------
    def show_window(self, taps, image_shape, out_pixel: tuple[int, int] | None) -> None:
        """Outline each tap (yellow in the image, magenta in the padding) and the output pixel."""
        h, w = image_shape
        inside = [(r, c) for r, c in taps if 0 <= r < h and 0 <= c < w]
        outside = [(r, c) for r, c in taps if not (0 <= r < h and 0 <= c < w)]
        self.taps_overlay.setPath(_rects_path(inside))
        self.pad_taps_overlay.setPath(_rects_path(outside))
        self.output_marker.setPath(_rects_path([out_pixel] if out_pixel else []))
        if taps:
            rows = [r for r, _ in taps]
            cols = [c for _, c in taps]
            self.locator.setData(
                [(min(cols) + max(cols) + 1) / 2], [(min(rows) + max(rows) + 1) / 2]
            )
        else:
            self.locator.setData([], [])
        if out_pixel:
            centre = self.output_view.image_item.mapToParent(
                QPointF(out_pixel[1] + 0.5, out_pixel[0] + 0.5)
            )
            self.output_locator.setData([centre.x()], [centre.y()])
        else:
            self.output_locator.setData([], [])

    def show_pool_window(self, window, argmax, pooled_pixel, input_field=None) -> None:
        """Outline a pooled pixel's window on the feature map, mark its maximum (max pooling) and
        outline the input region it depends on (``input_field``: top, left, bottom, right)."""
        path = QPainterPath()
        if window is not None:
            top, left, bottom, right = window
            path.addRect(QRectF(left, top, right - left, bottom - top))
        self.pool_window_overlay.setPath(path)
        field = QPainterPath()
        if input_field is not None:
            top, left, bottom, right = input_field
            field.addRect(QRectF(left, top, right - left, bottom - top))
            self.locator.setData([(left + right) / 2], [(top + bottom) / 2])
        else:
            self.locator.setData([], [])
        self.pool_field_overlay.setPath(field)
        self.pool_max_overlay.setPath(_rects_path([argmax] if argmax else []))
        self.pooled_marker.setPath(_rects_path([pooled_pixel] if pooled_pixel else []))
        if window is not None:
            # Ring the (tiny) pool window on the feature map too, as the taps are on the input.
            top, left, bottom, right = window
            centre = self.output_view.image_item.mapToParent(
                QPointF((left + right) / 2, (top + bottom) / 2)
            )
            self.output_locator.setData([centre.x()], [centre.y()])
        else:
            self.output_locator.setData([], [])

    def clear_overlays(self) -> None:
        self.locator.setData([], [])
        self.output_locator.setData([], [])
        for item in (
            self.taps_overlay,
            self.pad_taps_overlay,
            self.output_marker,
            self.pool_window_overlay,
            self.pool_field_overlay,
            self.pool_max_overlay,
            self.pooled_marker,
        ):
            item.setPath(QPainterPath())
