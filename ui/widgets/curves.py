"""Loss and accuracy curves of a training run (pyqtgraph), fed with history rows.

Rows arrive in batches from the worker; this module only appends them and redraws when
:meth:`CurvesView.refresh` is called by the GUI's redraw timer, so a burst of rows costs one
``setData`` per curve, not one per step. The points are kept in :class:`cnnviz.history.Series`
arrays, thinned evenly past :data:`cnnviz.limits.MAX_HISTORY_ROWS`: a run of any length draws
from bounded memory. The smoothed loss is computed from every step before thinning, so it is
the same curve a full record would give.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from cnnviz.history import Series
from ui.theme import (
    PLOT_BACKGROUND,
    SMALL_TEXT,
    TEST_CURVE,
    TRAIN_CURVE,
    TRAIN_CURVE_LIGHT,
)

SMOOTHING = 0.9  # moving-average factor of the smoothed curves (like TensorBoard's slider)
AXIS_HEADROOM = 0.03  # auto-ranged axes leave this fraction of their span free at each end
MIN_PLOT_HEIGHT = 150  # px: below this a plot's curve is a few pixels tall
ACCURACY_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
TITLE_HEIGHT = 20  # px of the title row, which holds the legend
ACCURACY_MARGIN = 0.1  # of the accuracy axis, below 0 and above 1


def title_with_legend(title: str, entries) -> str:
    """A plot title followed by its legend, as rich text for one line.

    Parameters
    ----------
    title : str
    entries : sequence of (name, (r, g, b), glyph)
        Each curve's name, colour and the mark drawn before the name.
    """
    parts = [f"<b>{title}</b>"]
    for name, (r, g, b), glyph in entries:
        parts.append(f"<span style='color: rgb({r}, {g}, {b});'>{glyph}</span>"
                     f"<span style='color: #555;'>&nbsp;{name}</span>")
    return f"<span style='font-size: {SMALL_TEXT};'>" + "&nbsp;&nbsp;&nbsp;".join(parts) + \
        "</span>"


class CurvesView(QWidget):
    """``lossPlot`` (per-step, smoothed and test loss) above ``accuracyPlot`` (train, test)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = pg.PlotWidget()
        self.loss_plot.setObjectName("lossPlot")
        self.accuracy_plot = pg.PlotWidget()
        self.accuracy_plot.setObjectName("accuracyPlot")
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setBackground(PLOT_BACKGROUND)
            plot.showGrid(x=False, y=True, alpha=0.2)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            # The step axis grows with the data, with a little room ahead of the newest point.
            plot.getViewBox().setDefaultPadding(AXIS_HEADROOM)
            plot.setMinimumHeight(MIN_PLOT_HEIGHT)
        # The two plots share one step axis: label it once, under the lower plot.
        self.accuracy_plot.setLabel("bottom", "step")
        self._show_whole_accuracy_range()
        self.accuracy_plot.getAxis("left").setTicks([[(v, f"{v:.1f}") for v in ACCURACY_TICKS]])

        self._loss_raw = self.loss_plot.plot(pen=pg.mkPen(TRAIN_CURVE_LIGHT))
        self._loss_smooth = self.loss_plot.plot(pen=pg.mkPen(TRAIN_CURVE, width=2))
        self._test_loss = self.loss_plot.plot(
            pen=pg.mkPen(TEST_CURVE, width=2), symbol="o", symbolSize=5, symbolBrush=TEST_CURVE,
        )
        self._train_acc = self.accuracy_plot.plot(pen=pg.mkPen(TRAIN_CURVE, width=2))
        self._test_acc = self.accuracy_plot.plot(
            pen=pg.mkPen(TEST_CURVE, width=2), symbol="o", symbolSize=5, symbolBrush=TEST_CURVE,
        )
        # The legends live in the title rows: a legend inside the plot hid the curves (and, on
        # the accuracy plot, the band from 0.8 to 1.0 where a good run ends up).
        self.loss_plot.setTitle(title_with_legend("Loss", (
            ("loss (each step)", TRAIN_CURVE_LIGHT, "━"), ("smoothed", TRAIN_CURVE, "━"),
            ("test loss", TEST_CURVE, "━●"))))
        self.accuracy_plot.setTitle(title_with_legend("Accuracy", (
            ("train (epoch so far)", TRAIN_CURVE, "━"), ("test", TEST_CURVE, "━●"))))
        for plot in (self.loss_plot, self.accuracy_plot):
            # pyqtgraph reserves 30 px for a title; one line of small text needs less, and the
            # curves need the height more.
            plot.getPlotItem().titleLabel.setMaximumHeight(TITLE_HEIGHT)
            plot.getPlotItem().layout.setRowFixedHeight(0, TITLE_HEIGHT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)
        self.clear()

    def clear(self) -> None:
        """Forget every point (a new run starts)."""
        # (step, loss, train accuracy, smoothed loss) per step; (step, test accuracy, test loss)
        # per evaluation.
        self._points = Series(4)
        self._evaluations = Series(3)
        self._ema_loss = self._ema_norm = 0.0
        self._dirty_parts = {"loss": True, "accuracy": True}
        self.refresh()
        # A new run starts from a fresh axis: an empty plot does not auto-range, so the last
        # run's span (or the user's zoom) would otherwise stay.
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, 1, padding=AXIS_HEADROOM)
            plot.enableAutoRange(x=True)
        self.loss_plot.setYRange(0, 1, padding=AXIS_HEADROOM)
        self.loss_plot.enableAutoRange(y=True)
        self._show_whole_accuracy_range()

    def _show_whole_accuracy_range(self) -> None:
        # The axis drops a tick label that overhangs the view: leave room for the 0 and 1.0
        # labels, the two values a learner looks for.
        self.accuracy_plot.setYRange(-ACCURACY_MARGIN, 1.0 + ACCURACY_MARGIN, padding=0.0)

    def add_rows(self, rows: list[dict]) -> None:
        """Append history rows (``ui.training.worker.snapshot_row``), drawn at the next refresh."""
        points, evaluations = [], []
        for row in rows:
            loss = row["loss"]
            if math.isfinite(loss):  # incremental EMA: O(1) per row however long the run
                self._ema_norm = SMOOTHING * self._ema_norm + (1 - SMOOTHING)
                self._ema_loss = SMOOTHING * self._ema_loss + (1 - SMOOTHING) * loss
            norm = self._ema_norm or 1.0
            points.append((row["step"], loss, row["train_accuracy"], self._ema_loss / norm))
            if "test_accuracy" in row:
                evaluations.append((row["step"], row["test_accuracy"],
                                    row.get("test_loss", np.nan)))
        self._points.extend(points)  # one array operation per batch of rows
        self._evaluations.extend(evaluations)
        if rows:
            self._dirty_parts = {"loss": True, "accuracy": True}

    def point_counts(self) -> dict:
        """How many points each curve holds (what is drawn after a refresh)."""
        return {"loss": len(self._points), "test": len(self._evaluations)}

    def refresh(self, part: str | None = None) -> None:
        """Redraw if rows arrived since the last call (called by the GUI's redraw timer).

        Parameters
        ----------
        part : {"loss", "accuracy"} or None
            Redraw only one plot. The studio alternates them on successive timer ticks so that no
            single repaint of the GUI thread is long (painting dominates the GUI's cost).
        """
        if part in (None, "loss") and self._dirty_parts.get("loss", True):
            self._dirty_parts["loss"] = False
            steps, losses, _acc, smoothed = self._points.columns().T
            finite = np.isfinite(losses)
            self._loss_raw.setData(steps[finite], losses[finite])
            self._loss_smooth.setData(steps[finite], smoothed[finite])
            eval_steps, _acc, test_losses = self._evaluations.columns().T
            ok = np.isfinite(test_losses)
            self._test_loss.setData(eval_steps[ok], test_losses[ok])
        if part in (None, "accuracy") and self._dirty_parts.get("accuracy", True):
            self._dirty_parts["accuracy"] = False
            steps, _loss, accuracy, _smoothed = self._points.columns().T
            # The trainer already reports a running mean over the epoch: no extra smoothing.
            self._train_acc.setData(steps, accuracy)
            eval_steps, test_accs, _loss = self._evaluations.columns().T
            self._test_acc.setData(eval_steps, test_accs)
