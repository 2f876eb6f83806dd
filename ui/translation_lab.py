"""The translation lab: shift the input a few pixels and watch the maps move, or not (idea 12).

Nine small views in three columns (input, feature map, pooled map) and three rows (original,
shifted, difference). All views share the *input's* coordinates: each feature-map pixel is drawn
over the centre of the window that produced it, ``stride`` input pixels wide, so a shifted feature
is seen to move by exactly as much as the input did. All nine show the same region at one scale:
the zoom combo sets its size, a click in any view centres it there (kept in step by hand: nine
linked views would bounce range updates between each other).

The numbers come from :func:`cnnviz.translation.equivariance_report`; work is coalesced on a
zero-delay timer, so holding an arrow key never queues up computations.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFrame,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.playground import ConvSettings
from cnnviz.translation import TranslationReport, equivariance_report
from ui import refcount_guard

# PySide6 6.12 on Python < 3.12 loses a reference to True per emit (see ui/refcount_guard.py).
refcount_guard.install()

__all__ = ["TranslationLab", "WHY_NOTE"]

WHY_NOTE = (
    "<b>Why it matters.</b> A convolution uses the same kernel at every position, so moving the "
    "input moves the feature map by the same amount and changes nothing else: "
    "<i>equivariance</i>. A network therefore does not have to learn an object once per position. "
    "Pooling keeps the strongest (or average) response of each small window, so a shift of a pixel "
    "changes the pooled map less: <i>approximate invariance</i>. Only approximate, because the "
    "windows sit on a fixed grid: a feature that crosses a window edge changes the pooled value, "
    "and with stride 2 a 1 px shift is half an output pixel, which the map cannot show."
)

_ZOOMS = (("Whole image", None), ("Centre 128 px", 128), ("Centre 64 px", 64), ("Centre 32 px", 32))
_COLUMNS = ("input", "feature map", "pooled map")
_ROWS = ("original", "shifted", "difference")
_MAX_SHIFT = 64


def _symmetric(a: np.ndarray | None) -> tuple[float, float]:
    m = float(np.abs(a).max()) if a is not None and a.size else 0.0
    m = m or 1.0
    return (-m, m)


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


class _KeyForwarder(QObject):
    """Sends arrow keys pressed over the views to the lab instead of the graphics view."""

    def __init__(self, lab: TranslationLab):
        super().__init__(lab)
        self._lab = lab

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.KeyPress and self._lab.handle_key(event):
            return True
        return False


class TranslationLab(QWidget):
    """Shift the playground's input by (dx, dy) and compare maps before and after.

    Use: ``lab.set_inputs(image (H, W), kernel (k, k), settings: ConvSettings)``; the user moves
    the input with ``shiftXSpin`` / ``shiftYSpin`` or the arrow keys (Shift + arrow: 4 px).
    Read back: ``report()`` -> :class:`~cnnviz.translation.TranslationReport` or None,
    ``shift()`` -> (dy, dx), ``set_shift(dy, dx)``.

    Signals
    -------
    sigReportChanged(object)
        The new TranslationReport, after every recomputation.
    """

    sigReportChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("translationLab")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._image: np.ndarray | None = None
        self._kernel: np.ndarray | None = None
        self._settings = ConvSettings()
        self._report: TranslationReport | None = None
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._recompute)

        self.x_spin = self._shift_spin("shiftXSpin", "Shift right (negative: left), input pixels")
        self.y_spin = self._shift_spin("shiftYSpin", "Shift down (negative: up), in input pixels")
        reset = QPushButton("Reset")
        reset.setObjectName("shiftResetButton")
        reset.setToolTip("Back to no shift")
        reset.clicked.connect(lambda: self.set_shift(0, 0))
        self.align_check = QCheckBox("Move back")
        self.align_check.setObjectName("realignCheck")
        self.align_check.setToolTip(
            "Difference of the feature maps after moving the shifted one back by the shift: "
            "zero away from the borders is equivariance"
        )
        self.align_check.toggled.connect(self._redraw)
        self.zoom_combo = QComboBox()
        self.zoom_combo.setObjectName("translationZoomCombo")
        for label, size in _ZOOMS:
            self.zoom_combo.addItem(label, size)
        self.zoom_combo.setCurrentIndex(2)
        self.zoom_combo.setToolTip("A 1 px shift is easiest to see zoomed in; click a view to aim")
        self.zoom_combo.currentIndexChanged.connect(self._apply_zoom)

        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel("dx"))
        controls.addWidget(self.x_spin)
        controls.addWidget(QLabel("dy"))
        controls.addWidget(self.y_spin)
        controls.addWidget(reset)
        controls.addStretch(1)
        controls.addWidget(self.zoom_combo)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("translationViews")
        self.graphics.setMinimumSize(240, 180)
        self.graphics.setToolTip("Arrow keys shift the input (Shift + arrow: 4 px); click to aim")
        self.graphics.installEventFilter(_KeyForwarder(self))
        self._build_views()

        self.numbers = QLabel()
        self.numbers.setObjectName("translationNumbers")
        self.numbers.setWordWrap(True)
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.numbers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.numbers.setToolTip(
            "max |change|: the largest difference at any pixel away from the borders.\n"
            "RMS change: typical difference as a share of the map's typical value "
            "(0% = unchanged, about 140% = unrelated maps)."
        )
        why = QLabel(WHY_NOTE)
        why.setObjectName("translationWhy")
        why.setWordWrap(True)
        font = why.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        why.setFont(font)

        why_button = QToolButton()
        why_button.setObjectName("translationWhyButton")
        why_button.setText("Why?")
        why_button.setCheckable(True)
        why_button.setChecked(True)
        why_button.setToolTip("Show or hide the explanation")
        why_button.toggled.connect(why.setVisible)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.align_check)
        bottom.addStretch(1)
        bottom.addWidget(why_button)

        # The text scrolls rather than ever overlapping the views when the panel is short.
        text = QWidget()
        text_layout = QVBoxLayout(text)
        text_layout.setContentsMargins(0, 0, 4, 0)
        text_layout.addLayout(bottom)
        text_layout.addWidget(self.numbers)
        text_layout.addWidget(why)
        text_layout.addStretch(1)
        self.text_area = QScrollArea()
        self.text_area.setObjectName("translationText")
        self.text_area.setWidget(text)
        self.text_area.setWidgetResizable(True)
        self.text_area.setFrameShape(QFrame.Shape.NoFrame)
        self.text_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text_area.setMinimumHeight(90)

        # Views above the text in a tall panel, beside it in a wide one (see resizeEvent).
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.addWidget(self.graphics, 3)
        self._body.addWidget(self.text_area, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addLayout(self._body, 1)
        self._show_message("Choose an image and a kernel in the playground to start.")

    # ------------------------------------------------------------------ construction
    def _shift_spin(self, name: str, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(-_MAX_SHIFT, _MAX_SHIFT)
        spin.setSuffix(" px")
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        spin.setValue(1 if name == "shiftXSpin" else 0)  # open on a 1 px shift: something to see
        spin.valueChanged.connect(self._schedule)
        return spin

    def _build_views(self) -> None:
        g = self.graphics
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
                vb = g.addViewBox(row=row + 1, col=col + 1, invertY=True)
                vb.setMenuEnabled(False)
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
            pen = QPen(QColor(40, 40, 40), 1, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            rect.setPen(pen)
            rect.setZValue(10)
            self.views[2][col].addItem(rect)
            self._outlines.append(rect)
        g.scene().sigMouseClicked.connect(self._on_click)
        self._grey = pg.colormap.get("CET-L1")
        self._diverging = pg.colormap.get("CET-D1")

    # ------------------------------------------------------------------ public API
    def set_inputs(
        self, image: np.ndarray, kernel: np.ndarray, settings: ConvSettings | None = None
    ) -> None:
        """Use this image, kernel and settings (as the playground has them); recomputes soon."""
        image = np.asarray(image, dtype=np.float32)
        new_size = self._image is None or self._image.shape != image.shape
        self._image = image
        self._kernel = np.asarray(kernel, dtype=np.float32)
        self._settings = settings or ConvSettings()
        self._schedule()
        if new_size:
            self._zoom_pending = True
            self._centre = None

    def shift(self) -> tuple[int, int]:
        """The current shift as (dy, dx) in input pixels."""
        return self.y_spin.value(), self.x_spin.value()

    def set_shift(self, dy: int, dx: int) -> None:
        """Set the shift (clamped to +-64 px) and recompute."""
        for spin, value in ((self.y_spin, dy), (self.x_spin, dx)):
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)
        self._schedule()

    def report(self) -> TranslationReport | None:
        """The report for the current inputs and shift (computed now if an update is pending)."""
        if self._dirty:
            self._recompute()
        return self._report

    def handle_key(self, event) -> bool:
        """Arrow keys shift the input by 1 px (4 px with Shift); True when the key was used."""
        steps = {
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
        }
        step = steps.get(event.key())
        if step is None:
            return False
        n = 4 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
        dy, dx = self.shift()
        self.set_shift(dy + n * step[0], dx + n * step[1])
        return True

    # ------------------------------------------------------------------ Qt events
    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        size = event.size()
        wide = size.width() > 700 and size.width() > 1.6 * size.height()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._body.direction() != direction:
            self._body.setDirection(direction)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self._timer.start()

    # ------------------------------------------------------------------ computing and drawing
    _zoom_pending = True

    @Slot()
    def _schedule(self, *_args) -> None:
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    @Slot()
    def _recompute(self) -> None:
        self._timer.stop()
        self._dirty = False
        if self._image is None or self._kernel is None:
            return
        dy, dx = self.shift()
        self._report = equivariance_report(self._image, self._kernel, self._settings, dy, dx)
        self._redraw()
        if self._zoom_pending:
            self._zoom_pending = False
            self._apply_zoom()
        self.sigReportChanged.emit(self._report)

    def _geometry(self, r: TranslationReport) -> tuple[QRectF | None, QRectF | None]:
        """Where the feature map and the pooled map sit, in input pixel coordinates."""
        if r.output is None:
            return None, None
        s = r.settings
        k = r.kernel.shape[0]
        span = s.dilation * (k - 1) + 1
        offset = -s.padding + (span - 1) / 2 + 0.5 - s.stride / 2
        ho, wo = r.output.shape
        out_rect = QRectF(offset, offset, wo * s.stride, ho * s.stride)
        if r.pooled is None:
            return out_rect, None
        hp, wp = r.pooled.shape
        step = s.stride * s.pool_stride
        p_off = offset + (s.pool_size - s.pool_stride) / 2 * s.stride
        return out_rect, QRectF(p_off, p_off, wp * step, hp * step)

    def _show(self, row: int, col: int, array, rect: QRectF | None, cmap, levels) -> None:
        item = self.items[row][col]
        if array is None or rect is None:
            item.clear()
            return
        item.setImage(np.asarray(array, dtype=np.float32), levels=levels, autoLevels=False)
        item.setColorMap(cmap)
        item.setRect(rect)

    @Slot()
    def _redraw(self, *_args) -> None:
        r = self._report
        if r is None:
            return
        h, w = r.image.shape
        in_rect = QRectF(0, 0, w, h)
        self._show(0, 0, r.image, in_rect, self._grey, (0.0, 1.0))
        self._show(1, 0, r.shifted_image, in_rect, self._grey, (0.0, 1.0))
        self._show(2, 0, r.shifted_image - r.image, in_rect, self._diverging, (-1.0, 1.0))
        out_rect, pool_rect = self._geometry(r)
        levels = _symmetric(r.output)
        self._show(0, 1, r.output, out_rect, self._diverging, levels)
        self._show(1, 1, r.shifted_output, out_rect, self._diverging, levels)
        aligned = self.align_check.isChecked()
        diff = r.difference_aligned if aligned else r.difference_unaligned
        self._show(2, 1, diff, out_rect, self._diverging, levels)
        p_levels = _symmetric(r.pooled)
        self._show(0, 2, r.pooled, pool_rect, self._diverging, p_levels)
        self._show(1, 2, r.shifted_pooled, pool_rect, self._diverging, p_levels)
        self._show(2, 2, r.difference_pooled, pool_rect, self._diverging, p_levels)
        self._titles[2].setText("pooled map" if r.pooled is not None else "pooled map (off)")
        self._outline(0, r.interior, out_rect)
        self._outline(1, r.pooled_interior, pool_rect)
        self._show_numbers(r)

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

    def visible_region(self) -> QRectF:
        """The region of the input (x, y, width, height in input pixels) all nine views show."""
        if self._image is None:
            return QRectF(0, 0, 1, 1)
        h, w = self._image.shape
        size = self.zoom_combo.currentData()
        if size is None or size >= max(h, w):
            return QRectF(0, 0, w, h)
        cy, cx = self._centre if self._centre is not None else (h / 2, w / 2)
        x = min(max(cx - size / 2, 0), max(w - size, 0))
        y = min(max(cy - size / 2, 0), max(h - size, 0))
        return QRectF(x, y, min(size, w), min(size, h))

    _centre: tuple[float, float] | None = None

    @Slot()
    def _apply_zoom(self, *_args) -> None:
        """Centre every view on the region, at one common scale that fits it in the smallest view.

        One scale for all nine keeps a feature the same size in every column, so its movement can
        be compared by eye.
        """
        views = [vb for row in self.views for vb in row]
        if self._image is None or len(views) < 9:  # not built yet, or nothing to show
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
        if self._image is None:
            return
        for row in self.views:
            for vb in row:
                if vb.sceneBoundingRect().contains(event.scenePos()):
                    p = vb.mapSceneToView(event.scenePos())
                    self._centre = (p.y(), p.x())
                    self._apply_zoom()
                    return

    # ------------------------------------------------------------------ text
    def _show_message(self, text: str) -> None:
        self.numbers.setText(f"<p>{text}</p>")

    def _show_numbers(self, r: TranslationReport) -> None:
        if r.output is None or r.max_abs_change_output_unaligned is None:
            self._show_message(" ".join(r.summary()))
            return

        def fmt(x):
            return "&ndash;" if x is None else f"{x:.3g}"

        def pct(x):
            return "&ndash;" if x is None else f"{100 * x:.0f}%"

        oy, ox = r.output_shift
        rows = [
            ("Feature map, same pixels", fmt(r.max_abs_change_output_unaligned),
             pct(r.relative_change_output)),
            (f"Feature map, moved back ({ox}, {oy})", fmt(r.max_abs_change_output_aligned), ""),
        ]
        if r.pooled is not None:
            rows.append(("Pooled map, same pixels", fmt(r.max_abs_change_pooled),
                         pct(r.relative_change_pooled)))
        cells = "".join(
            f"<tr><td>{a}</td><td align='right'>&nbsp;{b}</td><td align='right'>&nbsp;{c}</td></tr>"
            for a, b, c in rows
        )
        head = (
            "<tr><th align='left'>compared</th><th>&nbsp;max |change|</th>"
            "<th>&nbsp;RMS change</th></tr>"
        )
        verdicts = [line for line in r.summary()[1:] if not line.startswith("Pooled map")]
        dy, dx = r.dy, r.dx
        self.numbers.setText(
            f"<p style='margin:0'>Input shifted by dx = {dx}, dy = {dy} px.</p>"
            f"<table cellspacing='0' cellpadding='1'>{head}{cells}</table>"
            f"<p style='margin-top:4px'>{' '.join(verdicts)}</p>"
        )
