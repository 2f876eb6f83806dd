"""A bar chart of class probabilities, the true class's bar in its own colour."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ui.theme import PLOT_BACKGROUND, PROBABILITY, TRUE_CLASS

__all__ = ["ProbabilityBars"]


class ProbabilityBars:
    """Class probabilities as bars inside a PlotWidget (:attr:`plot`), one per class."""

    def __init__(self, title: str = "probabilities"):
        self.plot = pg.PlotWidget(title=title, viewBox=pg.ViewBox(enableMenu=False))
        self.plot.setBackground(PLOT_BACKGROUND)
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMinimumSize(100, 100)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=PROBABILITY)
        self.plot.addItem(self.bars)
        self._names: list[str] = []

    def set_probabilities(self, probs: np.ndarray | None, names: list[str],
                          true_index: int | None = None) -> None:
        """Show the probabilities labelled with ``names``; the true class's bar stands out.

        Parameters
        ----------
        probs : ndarray, shape (K,), or None
            None empties the chart.
        names : list of str, length K
        true_index : int, optional
        """
        if probs is None:
            self.bars.setOpts(x=[], height=[])
            return
        probs = np.asarray(probs, dtype=np.float64)
        x = np.arange(len(probs))
        brushes = [pg.mkBrush(TRUE_CLASS if i == true_index else PROBABILITY) for i in x]
        self.bars.setOpts(x=x, height=probs, brushes=brushes)
        self.plot.setXRange(-0.6, len(probs) - 0.4, padding=0)
        if names != self._names:
            self._names = list(names)
            room = 6 if len(names) <= 3 else 4  # labels must not run into each other
            short = [(i, n if len(n) <= room else n[:room - 1] + "…") for i, n in enumerate(names)]
            self.plot.getAxis("bottom").setTicks([short])
