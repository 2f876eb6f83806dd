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
    LEGEND_BACKING,
    PLOT_BACKGROUND,
    SMALL_TEXT,
    TEST_CURVE,
    TRAIN_CURVE,
    TRAIN_CURVE_LIGHT,
)

SMOOTHING = 0.9  # moving-average factor of the smoothed curves (like TensorBoard's slider)


class CurvesView(QWidget):
    """``lossPlot`` (per-step, smoothed and test loss) above ``accuracyPlot`` (train, test)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = pg.PlotWidget(title="Loss")
        self.loss_plot.setObjectName("lossPlot")
        self.accuracy_plot = pg.PlotWidget(title="Accuracy")
        self.accuracy_plot.setObjectName("accuracyPlot")
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setBackground(PLOT_BACKGROUND)
            plot.showGrid(x=False, y=True, alpha=0.2)
            plot.setLabel("bottom", "step")
            # One row of entries: the plots are short, and a stacked legend covered the curves.
            # The light backing keeps it readable where a curve passes behind it.
            plot.addLegend(offset=(-5, 1), labelTextSize=SMALL_TEXT, colCount=3,
                           brush=pg.mkBrush(LEGEND_BACKING))
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
        self.accuracy_plot.setYRange(0.0, 1.0, padding=0.02)
        self.loss_plot.setMinimumHeight(120)
        self.accuracy_plot.setMinimumHeight(120)

        self._loss_raw = self.loss_plot.plot(name="loss (each step)",
                                             pen=pg.mkPen(TRAIN_CURVE_LIGHT))
        self._loss_smooth = self.loss_plot.plot(name="smoothed",
                                                pen=pg.mkPen(TRAIN_CURVE, width=2))
        self._test_loss = self.loss_plot.plot(
            name="test loss", pen=pg.mkPen(TEST_CURVE, width=2), symbol="o", symbolSize=5,
            symbolBrush=TEST_CURVE,
        )
        self._train_acc = self.accuracy_plot.plot(
            name="train (epoch so far)", pen=pg.mkPen(TRAIN_CURVE, width=2)
        )
        self._test_acc = self.accuracy_plot.plot(
            name="test", pen=pg.mkPen(TEST_CURVE, width=2), symbol="o", symbolSize=5,
            symbolBrush=TEST_CURVE,
        )
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
        self._total_steps: int | None = None
        self._dirty_parts = {"loss": True, "accuracy": True}
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.enableAutoRange(x=True)
        self.refresh()

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

    def set_total_steps(self, total: int) -> None:
        """Fix the step axis to the whole run: the axes then stay still (no repaint of their
        labels as points arrive) and the curve shows how much of the run is left.

        Cheap to repeat with every snapshot: only a new total changes the axes.
        """
        if total == self._total_steps:
            return
        self._total_steps = total
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.enableAutoRange(x=False)
            plot.setXRange(0, max(int(total), 1), padding=0.01)

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
