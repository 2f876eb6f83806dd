"""The translation lab: shift the input a few pixels and watch the maps move, or not (idea 12).

Controls (shift spin boxes, arrow keys, zoom), the nine views of
:mod:`ui.playground.translation_views`, the numbers and a "why" note. The numbers come from
:func:`cnnviz.lab.translation.equivariance_report`; work is coalesced on a timer that waits as long
as the last update took, so holding an arrow key never queues computations and the playground keeps
at least half of the GUI thread.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.lab.conv import ConvSettings, PlaygroundResult
from cnnviz.lab.translation import TranslationReport, equivariance_report
from ui.playground.translation_views import TranslationViews
from ui.widgets.why import WhyLabel

__all__ = ["TranslationLab", "WHY_NOTE"]

WHY_NOTE = (
    "Why it matters. A convolution uses the same kernel at every position, so moving the input "
    "moves the feature map by the same amount and changes nothing else: equivariance. A network "
    "therefore does not have to learn an object once per position. Pooling keeps the strongest "
    "(or average) response of each small window, so a shift of a pixel changes the pooled map "
    "less: approximate invariance. Only approximate, because the windows sit on a fixed grid: a "
    "feature that crosses a window edge changes the pooled value, and with stride 2 a 1 px shift "
    "is half an output pixel, which the map cannot show."
)

_ZOOMS = (("Whole image", None), ("Centre 128 px", 128), ("Centre 64 px", 64), ("Centre 32 px", 32))
_MAX_SHIFT = 64


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

    Use: ``lab.set_inputs(image (H, W), kernel (k, k), settings, result=None)``; the user moves
    the input with ``shiftXSpin`` / ``shiftYSpin`` or the arrow keys (Shift + arrow: 4 px).
    Read back: ``report()`` -> :class:`~cnnviz.lab.translation.TranslationReport` or None,
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
        self._base: PlaygroundResult | None = None
        self._report: TranslationReport | None = None
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._recompute)

        controls = self._build_controls()
        self.graphics = TranslationViews()
        self.graphics.setToolTip("Arrow keys shift the input (Shift + arrow: 4 px); click to aim")
        self.graphics.installEventFilter(_KeyForwarder(self))
        self.views, self.items = self.graphics.views, self.graphics.items
        self.text_area = self._build_text_area()
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
    def _build_controls(self) -> QHBoxLayout:
        self.x_spin = self._shift_spin("shiftXSpin", "Shift right (negative: left), input pixels")
        self.y_spin = self._shift_spin("shiftYSpin", "Shift down (negative: up), in input pixels")
        reset = QPushButton("Reset")
        reset.setObjectName("shiftResetButton")
        reset.setToolTip("Back to no shift")
        reset.clicked.connect(lambda: self.set_shift(0, 0))
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
        return controls

    def _build_text_area(self) -> QScrollArea:
        self.align_check = QCheckBox("Move back")
        self.align_check.setObjectName("realignCheck")
        self.align_check.setToolTip(
            "Difference of the feature maps after moving the shifted one back by the shift: "
            "zero away from the borders is equivariance"
        )
        self.align_check.toggled.connect(self._redraw)
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
        why = WhyLabel(WHY_NOTE, expanded=True)
        why.setObjectName("translationWhy")
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
        area = QScrollArea()
        area.setObjectName("translationText")
        area.setWidget(text)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setMinimumHeight(90)
        return area

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

    # ------------------------------------------------------------------ public API
    def set_inputs(
        self,
        image: np.ndarray,
        kernel: np.ndarray,
        settings: ConvSettings | None = None,
        result: PlaygroundResult | None = None,
    ) -> None:
        """Use this image, kernel and settings (as the playground has them); recomputes soon.

        Pass the playground's ``result`` for the same inputs, if at hand, to save a convolution.
        """
        self._base = result
        image = np.asarray(image, dtype=np.float32)
        self._image = image
        self._kernel = np.asarray(kernel, dtype=np.float32)
        self._settings = settings or ConvSettings()
        self._schedule()

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
        wide = size.width() > 520 and size.width() > 1.6 * size.height()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._body.direction() != direction:
            self._body.setDirection(direction)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self._timer.start()

    # ------------------------------------------------------------------ computing and drawing
    @Slot()
    def _schedule(self, *_args) -> None:
        self._dirty = True
        if self.isVisible() and not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _recompute(self) -> None:
        self._timer.stop()
        self._dirty = False
        if self._image is None or self._kernel is None:
            return
        dy, dx = self.shift()
        started = time.perf_counter()
        self._report = equivariance_report(
            self._image, self._kernel, self._settings, dy, dx, base=self._base
        )
        self._redraw()
        # Throttle bursts to leave the GUI thread at least half its time for everything else
        # (the playground's own redraws): the next update waits as long as this one took.
        took_ms = (time.perf_counter() - started) * 1000.0
        self._timer.setInterval(int(min(200.0, took_ms)))
        self.sigReportChanged.emit(self._report)

    @Slot()
    def _redraw(self, *_args) -> None:
        r = self._report
        if r is None:
            return
        self.graphics.show_report(r, aligned=self.align_check.isChecked())
        self._show_numbers(r)

    def visible_region(self) -> QRectF:
        """The region of the input (x, y, width, height in input pixels) all nine views show."""
        return self.graphics.visible_region()

    @Slot()
    def _apply_zoom(self, *_args) -> None:
        self.graphics.set_zoom(self.zoom_combo.currentData())

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
            ("Map, same pixels", fmt(r.max_abs_change_output_unaligned),
             pct(r.relative_change_output)),
            (f"Map, moved back ({ox}, {oy})", fmt(r.max_abs_change_output_aligned), ""),
        ]
        if r.pooled is not None:
            rows.append(("Pooled, same pixels", fmt(r.max_abs_change_pooled),
                         pct(r.relative_change_pooled)))
            py, px = r.pooled_shift
            if r.pooled_shift_is_whole and (py, px) != (0, 0):
                rows.append((f"Pooled, moved back ({px}, {py})",
                             fmt(r.max_abs_change_pooled_aligned), ""))
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
