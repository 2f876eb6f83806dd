"""Loss and accuracy curves of a training run (pyqtgraph), fed with history rows.

Rows arrive in batches from the worker; this module only appends them to growing arrays and
redraws when :meth:`CurvesView.refresh` is called by the GUI's redraw timer, so a burst of rows
costs one ``setData`` per curve, not one per step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

SMOOTHING = 0.9  # exponential moving average factor of the smoothed loss (like TensorBoard's slider)


class CurvesView(QWidget):
    """``lossPlot`` (per-step loss, smoothed loss, test loss) above ``accuracyPlot`` (train, test)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = pg.PlotWidget(title="Loss")
        self.loss_plot.setObjectName("lossPlot")
        self.accuracy_plot = pg.PlotWidget(title="Accuracy")
        self.accuracy_plot.setObjectName("accuracyPlot")
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setBackground("w")
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("bottom", "step")
            plot.addLegend(offset=(-5, 5), labelTextSize="8pt")
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
        self.accuracy_plot.setYRange(0.0, 1.0, padding=0.02)
        self.loss_plot.setMinimumHeight(120)
        self.accuracy_plot.setMinimumHeight(120)

        self._loss_raw = self.loss_plot.plot(name="loss (each step)", pen=pg.mkPen((150, 170, 220)))
        self._loss_smooth = self.loss_plot.plot(name="smoothed", pen=pg.mkPen((30, 60, 200), width=2))
        self._test_loss = self.loss_plot.plot(
            name="test loss", pen=pg.mkPen((220, 100, 0), width=2), symbol="o", symbolSize=5,
            symbolBrush=(220, 100, 0),
        )
        self._train_acc = self.accuracy_plot.plot(
            name="train (smoothed)", pen=pg.mkPen((30, 60, 200), width=2)
        )
        self._test_acc = self.accuracy_plot.plot(
            name="test", pen=pg.mkPen((220, 100, 0), width=2), symbol="o", symbolSize=5,
            symbolBrush=(220, 100, 0),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)
        self.clear()

    def clear(self) -> None:
        """Forget every point (a new run starts)."""
        self._steps: list[int] = []
        self._losses: list[float] = []
        self._train_accs: list[float] = []
        self._eval_steps: list[int] = []
        self._test_losses: list[float] = []
        self._test_accs: list[float] = []
        self._ema_loss = self._ema_acc = self._ema_norm = 0.0
        self._smoothed_loss: list[float] = []
        self._smoothed_acc: list[float] = []
        self._dirty = True
        self.refresh()

    def add_rows(self, rows: list[dict]) -> None:
        """Append history rows (see :func:`ui.worker.snapshot_row`); drawn at the next refresh."""
        for row in rows:
            loss = row["loss"]
            self._steps.append(row["step"])
            self._losses.append(loss)
            self._train_accs.append(row["train_accuracy"])
            if np.isfinite(loss):  # incremental EMA: O(1) per row however long the run
                self._ema_norm = SMOOTHING * self._ema_norm + (1 - SMOOTHING)
                self._ema_loss = SMOOTHING * self._ema_loss + (1 - SMOOTHING) * loss
                self._ema_acc = SMOOTHING * self._ema_acc + (1 - SMOOTHING) * row["train_accuracy"]
            norm = self._ema_norm or 1.0
            self._smoothed_loss.append(self._ema_loss / norm)
            self._smoothed_acc.append(self._ema_acc / norm)
            if "test_accuracy" in row:
                self._eval_steps.append(row["step"])
                self._test_accs.append(row["test_accuracy"])
                self._test_losses.append(row.get("test_loss", np.nan))
        self._dirty = self._dirty or bool(rows)

    def point_counts(self) -> dict:
        """How many points each curve holds (what is drawn after a refresh)."""
        return {"loss": len(self._losses), "test": len(self._test_accs)}

    def refresh(self) -> None:
        """Redraw if rows arrived since the last call (called by the GUI's redraw timer)."""
        if not self._dirty:
            return
        self._dirty = False
        steps = np.asarray(self._steps, dtype=np.float64)
        losses = np.asarray(self._losses, dtype=np.float64)
        finite = np.isfinite(losses)
        self._loss_raw.setData(steps[finite], losses[finite])
        self._loss_smooth.setData(steps[finite], np.asarray(self._smoothed_loss)[finite])
        self._train_acc.setData(steps, np.asarray(self._smoothed_acc, dtype=np.float64))
        eval_steps = np.asarray(self._eval_steps, dtype=np.float64)
        test_losses = np.asarray(self._test_losses, dtype=np.float64)
        ok = np.isfinite(test_losses)
        self._test_loss.setData(eval_steps[ok], test_losses[ok])
        self._test_acc.setData(eval_steps, np.asarray(self._test_accs, dtype=np.float64))
