"""Page 3, Shift: centred digits learned, tested moved 0..8 px to the right."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from cnnviz.lab.experiments import MODEL_LABELS, shift
from ui.why.page import ExperimentPage
from ui.why.plots import ImageStrip, accuracy_plot, pen_for

QUESTION = (
    "The networks learn <b>centred</b> 28×28 digits, as usual. Then the same test digits are "
    "moved 0, 1, 2 … 8 pixels to the right (the picture shows one digit at 0, 2, 4, 6 and 8 px)."
)
PREDICT = "how much does a shift of one pixel cost each network? Of four pixels?"
WHY = (
    "Nothing in training was ever off-centre, so this measures what each architecture gives for "
    "free. To the MLP a digit moved by one pixel is a different list of numbers: its accuracy "
    "falls with every pixel. The CNN's convolutions move with the digit and its 2×2 max pools "
    "absorb a pixel or so, but its dense head is tied to positions, so it falls once the shift "
    "reaches a few pixels. With a global pool the features are pooled over the whole map and "
    "the CNN keeps most of its accuracy.\n\n"
    "Honest caveats: even then the invariance is only approximate. Strides and pooling windows "
    "sit on a fixed grid, so a shift that is not a multiple of the total stride (4 here) changes "
    "the pooled values slightly; and beyond about 4 px parts of the digit leave the 28×28 frame "
    "and are lost to every network."
)


class ShiftPage(ExperimentPage):
    """A digit at five shifts, live curves (centred and moved 4 px), accuracy against shift."""

    name = shift.NAME
    title = "3. Shift: move the test digits a few pixels"
    question, predict, why = QUESTION, PREDICT, WHY
    series = (shift.CENTRED, shift.SHIFTED)
    default_epochs = shift.DEFAULTS.epochs

    def build_setup(self) -> QWidget:
        self.strip = ImageStrip("One test digit moved 0, 2, 4, 6 and 8 px to the right")
        return self.strip.plot

    def show_preview(self, preview) -> None:
        self.strip.show(preview["shift"])

    def build_result_view(self) -> QWidget:
        self.shift_plot = accuracy_plot("Test accuracy against the shift", x_label="shift (px)",
                                        legend_columns=3)
        self.shift_plot.setObjectName("shiftPlot")
        return self.shift_plot

    def show_result_view(self, result) -> None:
        self.shift_plot.clear()
        for key, m in result.models.items():
            self.shift_plot.plot(np.asarray(m["shifts"], float), np.asarray(m["accuracy"]),
                                 pen=pen_for(key), symbol="o", symbolSize=6,
                                 symbolBrush=pen_for(key).color(), name=MODEL_LABELS[key])
        self.shift_plot.setXRange(0, max(result.shifts), padding=0.03)
