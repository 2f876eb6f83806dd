"""Page 1, Parameters: one dense layer against one conv layer, for any sizes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Slot
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QFormLayout, QGraphicsRectItem, QHBoxLayout, QSpinBox, QWidget

from cnnviz.lab.experiments import params
from ui.theme import LEGEND_BACKING, MODEL_COLOURS, PLOT_BACKGROUND, SMALL_TEXT, WINDOW_YELLOW
from ui.why.page import ExperimentPage
from ui.widgets.image_views import image_view, show_grey

QUESTION = (
    "A <b>dense</b> layer wires every input pixel to every unit. A <b>conv</b> layer slides one "
    "small kernel per filter over the image and reuses its weights at every position (the "
    "yellow 3×3 window). How many weights does each need?"
)
PREDICT = (
    "for a 28×28 digit, how many times more parameters does a dense layer of 128 units need "
    "than 16 conv filters of 3×3? And what happens to each count as the image grows?"
)
WHY = (
    "A dense layer has one weight for every (input pixel, unit) pair plus a bias per unit, so "
    "its size grows with the image: four times the pixels, four times the weights. A conv "
    "filter has kernel height × width × channels weights plus a bias, whatever the image size, "
    "because the same weights are used at every position (weight sharing). That is what makes "
    "CNNs affordable on photos.\n\n"
    "Caveat: the two layers do not compute the same thing. The conv layer outputs a whole map "
    "per filter (16 × 28 × 28 numbers here), the dense layer only 128 numbers; a dense layer "
    "with the conv layer's output size would need far more still (the table's 'dense, same "
    "output' column)."
)
FIELDS = (("height", "image height", 1, 4096, 28), ("width", "image width", 1, 4096, 28),
          ("channels", "channels", 1, 64, 1), ("units", "dense units", 1, 100000, 128),
          ("filters", "conv filters", 1, 4096, 16), ("kernel_size", "kernel size", 1, 31, 3))


def _kernel_rect(k: int) -> QRectF:
    """A k x k window on the pixel grid of the 28x28 digit, around its middle."""
    return QRectF(14 - k // 2, 14 - k // 2, k, k)


class ParamsPage(ExperimentPage):
    """Spin boxes for the two layers, the counts, and the counts against the image side."""

    name = params.NAME
    title = "1. Parameters: what weight sharing saves"
    question, predict, why = QUESTION, PREDICT, WHY
    trains = False

    def build_setup(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.digit_plot, self.digit = image_view("One 3×3 kernel, used at all 784 positions")
        self.kernel_box = QGraphicsRectItem(_kernel_rect(3))
        self.kernel_box.setPen(QPen(QColor(WINDOW_YELLOW), 0))
        self.digit_plot.addItem(self.kernel_box)
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for key, label, low, high, value in FIELDS:
            spin = QSpinBox()
            spin.setObjectName(f"params_{key}")
            spin.setRange(low, high)
            spin.setValue(value)
            spin.valueChanged.connect(self._on_changed)
            form.addRow(label, spin)
            self.spins[key] = spin
        row.addWidget(self.digit_plot, 1)
        row.addLayout(form)
        return box

    def show_preview(self, preview) -> None:
        show_grey(self.digit, preview["digit"])
        self.digit_plot.setRange(xRange=(0, 28), yRange=(0, 28), padding=0.02)

    def build_result_view(self) -> QWidget:
        plot = pg.PlotWidget(title="Parameters against the image side (both axes logarithmic)")
        plot.setObjectName("paramsPlot")
        plot.setBackground(PLOT_BACKGROUND)
        plot.setLogMode(x=True, y=True)
        plot.showGrid(x=False, y=True, alpha=0.25)
        plot.setLabel("bottom", "image side (pixels)")
        plot.setLabel("left", "parameters")
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.addLegend(offset=(10, 5), labelTextSize=SMALL_TEXT, brush=pg.mkBrush(LEGEND_BACKING))
        self.dense_curve = plot.plot(name="dense layer", pen=pg.mkPen(MODEL_COLOURS["mlp"],
                                                                        width=2.5),
                                     symbol="o", symbolSize=6, symbolBrush=MODEL_COLOURS["mlp"])
        self.conv_curve = plot.plot(name="conv layer", pen=pg.mkPen(MODEL_COLOURS["cnn"],
                                                                      width=2.5),
                                    symbol="s", symbolSize=6, symbolBrush=MODEL_COLOURS["cnn"])
        plot.getAxis("bottom").setTicks([[(float(np.log10(s)), str(s)) for s in params.SIDES]])
        self.params_plot = plot
        return plot

    def show_result_view(self, result) -> None:
        side = np.asarray(result.by_side["side"], float)
        self.dense_curve.setData(side, np.asarray(result.by_side["dense"], float))
        self.conv_curve.setData(side, np.asarray(result.by_side["conv"], float))

    def options(self) -> dict:
        return {"layers": params.Layers(**{k: s.value() for k, s in self.spins.items()})}

    @Slot(int)
    def _on_changed(self, _value: int) -> None:
        k = self.spins["kernel_size"].value()
        self.kernel_box.setRect(_kernel_rect(k))
        if self.result() is not None:  # instant: keep the numbers in step with the boxes
            self.request_run()
