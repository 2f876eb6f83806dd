"""Secondary playground panels: speed comparison, value histogram, shapes and parameter text."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from cnnviz.lab.conv import PlaygroundResult, output_size_formula, pool_size_formula
from cnnviz.lab.speed import time_vectorised_vs_loops
from cnnviz.lab.stack import layer2_field
from cnnviz.nn.summary import conv_param_count, dense_param_count
from ui.theme import HISTOGRAM_FILL, SCALE_END_GREY, ZERO_LINE_RED
from ui.widgets.why import WhyLabel

__all__ = ["SpeedPanel", "ValueHistogram", "shapes_text", "params_text"]

SPEED_WHY = (
    "Why frameworks exist: the textbook version runs one Python multiply at a time. The vectorised "
    "engine hands the same arithmetic to NumPy/BLAS as a few big array operations. Same numbers, "
    "orders of magnitude faster; GPUs and libraries such as PyTorch push the same idea further."
)


def _fmt_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def shapes_text(result: PlaygroundResult) -> str:
    """Rich text: the shape at each stage and the output-size formula with the current numbers.

    Channels and filters are counted when there is more than one (``input 3x512x512``,
    ``4 feature maps 510x510``); layer 2 adds its map and its receptive field.
    """
    h, w = result.spatial_shape
    k = result.kernel_size
    s = result.settings
    c, f = result.n_channels, result.n_filters
    rows = output_size_formula(h, k, s)
    formula = rows if h == w else f"rows: {rows}<br>cols: {output_size_formula(w, k, s)}"
    stages = [f"input {c}x{h}x{w}" if c > 1 else f"input {h}x{w}"]
    if result.output is not None:
        ho, wo = result.output.shape
        stages.append(f"{f} feature maps {ho}x{wo}" if f > 1 else f"feature map {ho}x{wo}")
        if result.pooled is not None:
            hp, wp = result.pooled.shape
            stages.append(f"{s.pool} pooled {f}x{hp}x{wp}" if f > 1 else
                          f"{s.pool} pooled {hp}x{wp}")
            formula += "<br>" + pool_size_formula(ho, s)
    if result.layer2_output is not None:
        h2, w2 = result.layer2_output.shape
        size = layer2_field(result).size
        stages.append(f"layer 2: 1 map {h2}x{w2} (sees {size}x{size} input pixels)")
    return (
        f"<b>{' &rarr; '.join(stages)}</b><br><span style='font-family:monospace'>{formula}</span>"
    )


def params_text(result: PlaygroundResult) -> str:
    """Rich text: this conv's parameters next to a dense layer's for the same sizes.

    ``F x (C x k x k + 1)`` for a bank of F filters over C channels (``k x k weights + 1 bias``
    for the grey one-filter layer), plus layer 2's when it is on.
    """
    k, c, f = result.kernel_size, result.n_channels, result.n_filters
    conv = conv_param_count(k, c, f)
    if c == 1 and f == 1:
        how = f"{k}x{k} weights + 1 bias"
    else:
        one = f"{c} x {k} x {k} + 1" if c > 1 else f"{k} x {k} + 1"
        how = f"{f} x ({one})" if f > 1 else one
    text = f"<b>Parameters</b>: this conv {conv:,} ({how})"
    if result.output is not None:
        n_in = result.image.size
        n_out = result.output.size * f
        dense = dense_param_count(n_in, n_out)
        ratio = dense / conv
        if ratio >= 1.5:
            more = f"{ratio:,.0f} times more"
        elif ratio <= 1 / 1.5:
            more = (f"{1 / ratio:,.0f} times fewer: on a map this small the conv's weights cost "
                    "more than a dense layer's")
        else:
            more = "about as many"
        text += f" vs a dense layer {n_in:,} &rarr; {n_out:,} units: <b>{dense:,}</b> ({more})"
    if result.layer2_kernel is not None:
        k2 = result.layer2_kernel.shape[-1]
        text += (f"; layer 2: {conv_param_count(k2, f, 1):,} (1 x ({f} x {k2} x {k2} + 1))")
    return text


class SpeedPanel(QWidget):
    """Times the current convolution vectorised and as textbook loops, on request."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("speedPanel")
        self.button = QPushButton("Time this convolution")
        self.button.setObjectName("speedButton")
        self.label = QLabel(
            "Compare the vectorised engine with the textbook loops on the current "
            "image, kernel and settings."
        )
        self.label.setObjectName("speedLabel")
        self.label.setWordWrap(True)
        why = WhyLabel(SPEED_WHY, expanded=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.button)
        layout.addWidget(self.label)
        layout.addWidget(why)
        layout.addStretch(1)
        self.last = None

    def run(self, result: PlaygroundResult) -> None:
        """Time ``result``'s convolution (at most about a second of loops) and show the ratio."""
        if result.output is None:
            self.label.setText("Nothing to time: " + (result.error or "no output."))
            return
        # At most about a second of loops, on the GUI thread: show that it is busy meanwhile.
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            bank = result.kernels if result.n_filters > 1 else result.kernel
            c = time_vectorised_vs_loops(result.image, bank, result.settings)
        finally:
            QApplication.restoreOverrideCursor()
        self.last = c
        loops = _fmt_seconds(c.loops_seconds)
        if c.estimated:
            loops = (
                f"about {loops} (estimated from a {c.crop_shape[0]}x{c.crop_shape[1]} crop; "
                "running it all would take too long)"
            )
        self.label.setText(
            f"Vectorised (cnnviz.nn.functional): <b>{_fmt_seconds(c.vectorised_seconds)}</b><br>"
            f"Textbook loops (cnnviz.nn.reference): <b>{loops}</b><br>"
            f"The vectorised version is <b>{c.ratio:,.0f} times faster</b>."
        )


class ValueHistogram(pg.PlotWidget):
    """How often each output value occurs: shows at a glance how much of the map is negative."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, viewBox=pg.ViewBox(enableMenu=False))
        self.setObjectName("valueHistogram")
        self.setMinimumHeight(100)
        item = self.getPlotItem()
        item.setLabel("bottom", "output value")
        item.setLabel("left", "pixels")
        self.curve = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=HISTOGRAM_FILL)
        self.addItem(self.curve)
        self.zero_line = pg.InfiniteLine(0, angle=90, pen=pg.mkPen(ZERO_LINE_RED, width=1))
        self.addItem(self.zero_line)
        # Where the colour scale ends: values beyond these lines share the end colours.
        dashed = pg.mkPen(SCALE_END_GREY, width=1, style=Qt.PenStyle.DashLine)
        self.level_lines = [pg.InfiniteLine(0, angle=90, pen=dashed) for _ in range(2)]
        for line in self.level_lines:
            line.hide()
            self.addItem(line)

    def set_values(
        self,
        values: np.ndarray | None,
        bins: int = 64,
        levels: tuple[float, float] | None = None,
    ) -> None:
        """Histogram of ``values`` (any shape); ``levels`` (low, high) of the colour scale are
        drawn as dashed lines."""
        for line, level in zip(self.level_lines, levels or (None, None), strict=True):
            line.setVisible(level is not None)
            if level is not None:
                line.setValue(level)
        if values is None or values.size == 0:
            self.curve.setData([], [])
            return
        lo, hi = float(values.min()), float(values.max())
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
        self.curve.setData(edges, counts)
