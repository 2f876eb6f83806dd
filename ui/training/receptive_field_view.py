"""Highlight, on an input sample, the window of input pixels one output pixel of a layer can see.

Why (idea 13): each layer combines neighbouring outputs of the layer before, so units deeper in the
network see larger and larger patches of the image. That is how a stack of small 3x3 kernels ends
up detecting whole strokes and shapes rather than single edges.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from ui.theme import HIGHLIGHT, SMALL_TEXT_STYLE
from ui.widgets.image_views import image_view, show_image
from ui.widgets.text import plain_label
from ui.widgets.why import WhyLabel

WHY = (
    "Why: deeper layers combine several outputs of the layer before, so each of their pixels "
    "sees a bigger patch of the input. Select a table row; click the image to move the window."
)


class ReceptiveFieldView(QWidget):
    """An input sample with a rectangle showing a chosen layer's receptive field."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("receptiveFieldView")
        self._geometry: list = []
        self._rows: list = []
        self._layer = 0
        self._click = (0.0, 0.0)  # (row, col) of the input pixel the user pointed at
        self._shape = (1, 8, 8)
        self.plot, self.image = image_view()
        self.plot.setMinimumSize(100, 50)  # an 8x8 sample still reads at 50 px
        # a small input needs no more; the layer table above gets the rest of the height
        self.plot.setMaximumHeight(240)
        self.rect = QGraphicsRectItem()
        self.rect.setPen(QPen(QColor(*HIGHLIGHT), 0))
        self.rect.setBrush(QBrush(QColor(*HIGHLIGHT, 60)))
        self.plot.addItem(self.rect)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.label = plain_label()
        self.label.setObjectName("receptiveFieldLabel")
        self.label.setWordWrap(True)
        self.label.setStyleSheet(SMALL_TEXT_STYLE)
        # The explanation sits behind a "why?" link: this panel shares a short tab with the layer
        # table, and a paragraph here would push the picture out of a 700 px window.
        why = WhyLabel(WHY)
        why.setObjectName("receptiveFieldWhy")
        caption = QHBoxLayout()
        caption.addWidget(self.label, 1)
        caption.addWidget(why, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addLayout(caption)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        # The wrapped caption would make the layout ask for the height of a square picture
        # (272 px at 415 wide) and push the panel over the layer table in a 700 px window.
        return False

    def set_sample(self, sample: np.ndarray | None, input_shape) -> None:
        """Show ``sample`` (H, W), or (3, H, W) in colour, in [0, 1] (a blank image of
        ``input_shape`` if None)."""
        self._shape = tuple(input_shape)
        h, w = self._shape[1:]
        show_image(self.image, np.zeros((h, w)) if sample is None else sample)
        self.plot.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)
        self._click = (h / 2.0, w / 2.0)
        self._draw()

    def set_spec(self, spec: list[dict] | None, rows: list) -> None:
        """Use this architecture's summary rows (``spec`` None when invalid: nothing is shown).

        The geometry comes from :class:`cnnviz.nn.summary.LayerSummary`'s receptive field, the
        one place it is computed.
        """
        self._rows = list(rows) if spec else []
        self._layer = min(self._layer, max(len(self._rows) - 1, 0))
        self._draw()

    def _sees_whole_input(self, row) -> bool:
        # Flatten and Dense layers have 1-D outputs: every unit depends on every input pixel.
        return len(row.output_shape) == 1

    def set_layer(self, index: int) -> None:
        """Highlight the receptive field of layer ``index`` (0-based)."""
        self._layer = int(index)
        self._draw()

    def window(self) -> tuple[float, float, float, float] | None:
        """(top, left, height, width) of the highlighted window in input pixels, or None."""
        if self._layer >= len(self._rows):
            return None
        row = self._rows[self._layer]
        h, w = self._shape[1:]
        if self._sees_whole_input(row):
            return (0.0, 0.0, float(h), float(w))
        rf, start, jump = row.receptive_field, row.field.centre, row.jump
        centres = []
        for coord, n_out in zip(self._click, row.output_shape[1:], strict=True):
            # The output pixel whose window centre is nearest to the clicked input pixel.
            i = int(np.clip(round((coord - 0.5 - start) / jump), 0, n_out - 1))
            centres.append(start + i * jump)
        half = (rf - 1) / 2.0
        return (centres[0] - half, centres[1] - half, float(rf), float(rf))

    @Slot(object)
    def _on_click(self, event) -> None:
        pos = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        self._click = (pos.y(), pos.x())
        self._draw()

    def _draw(self) -> None:
        box = self.window()
        if box is None:
            self.rect.setVisible(False)
            self.label.setText("Receptive field: fix the network first.")
            return
        top, left, hh, ww = box
        self.rect.setRect(QRectF(left, top, ww, hh))
        self.rect.setVisible(True)
        row = self._rows[self._layer]
        name = f"layer {row.index} ({row.name})"
        h, w = self._shape[1:]
        rf = row.receptive_field
        if self._sees_whole_input(row):
            self.label.setText(f"{name}: every unit sees the whole {h}×{w} input.")
        else:
            self.label.setText(f"{name}: one output pixel sees a {rf}×{rf} window of the "
                               f"{h}×{w} input (parts outside the image are padding).")
