"""Small helpers shared by the studio's panels: tiling maps into one image, image views, probability
bars and named buttons."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QPushButton

from ui.theme import DIVERGING, GREY


def tile(maps: np.ndarray, columns: int | None = None, gap: int = 1,
         fill: float = np.nan) -> np.ndarray:
    """Tile a stack of 2-D maps into one image, row-major, separated by ``gap`` pixels.

    Parameters
    ----------
    maps : ndarray, shape (N, H, W)
    columns : int, optional
        Maps per row (default: about square).
    gap : int
    fill : float
        Value of the gaps (NaN draws as transparent in pyqtgraph).

    Returns
    -------
    ndarray, shape (rows * (H + gap) - gap, columns * (W + gap) - gap)
    """
    maps = np.asarray(maps, dtype=np.float64)
    n, h, w = maps.shape
    columns = max(1, columns or int(np.ceil(np.sqrt(n))))
    rows = int(np.ceil(n / columns))
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), fill)
    for i in range(n):
        r, c = divmod(i, columns)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = maps[i]
    return out


def symmetric_levels(a: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m the largest finite |value| (at least a tiny positive number)."""
    finite = np.asarray(a)[np.isfinite(a)]
    m = float(np.max(np.abs(finite))) if finite.size else 1.0
    return (-max(m, 1e-12), max(m, 1e-12))


def image_view(title: str | None = None, min_size: int = 90) -> tuple[pg.PlotWidget, pg.ImageItem]:
    """A compact, non-interactive plot showing one row-major image with y pointing down."""
    plot = pg.PlotWidget(title=title)
    plot.setBackground("w")
    plot.setAspectLocked(True)
    plot.invertY(True)
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setMouseEnabled(False, False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMinimumSize(min_size, min_size)
    item = pg.ImageItem()
    plot.addItem(item)
    return plot, item


def show_signed(item: pg.ImageItem, image: np.ndarray) -> None:
    """Draw a signed map on the diverging scale centred on zero (negatives stay visible)."""
    item.setColorMap(pg.colormap.get(DIVERGING))
    item.setImage(np.asarray(image, dtype=np.float64), levels=symmetric_levels(image),
                  autoLevels=False)


def show_grey(item: pg.ImageItem, image: np.ndarray) -> None:
    """Draw a [0, 1] grey image."""
    item.setColorMap(pg.colormap.get(GREY))
    item.setImage(np.asarray(image, dtype=np.float64), levels=(0.0, 1.0), autoLevels=False)


def named_button(text: str, name: str, tip: str | None = None) -> QPushButton:
    """A push button with an objectName (what tests and acceptance checks find it by)."""
    button = QPushButton(text)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    return button


class ProbabilityBars:
    """A horizontal-category bar chart of class probabilities inside a PlotWidget."""

    def __init__(self, title: str = "probabilities"):
        self.plot = pg.PlotWidget(title=title)
        self.plot.setBackground("w")
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setMouseEnabled(False, False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMinimumSize(100, 100)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=(90, 120, 200))
        self.plot.addItem(self.bars)
        self._names: list[str] = []

    def set_probabilities(self, probs: np.ndarray | None, names: list[str],
                          true_index: int | None = None) -> None:
        """Show ``probs`` (K,) labelled with ``names``; the true class's bar is drawn in green."""
        if probs is None:
            self.bars.setOpts(x=[], height=[])
            return
        probs = np.asarray(probs, dtype=np.float64)
        x = np.arange(len(probs))
        brushes = [pg.mkBrush(40, 160, 60) if i == true_index else pg.mkBrush(90, 120, 200)
                   for i in x]
        self.bars.setOpts(x=x, height=probs, brushes=brushes)
        self.plot.setXRange(-0.6, len(probs) - 0.4, padding=0)
        if names != self._names:
            self._names = list(names)
            room = 6 if len(names) <= 3 else 4  # labels must not run into each other
            short = [(i, n if len(n) <= room else n[:room - 1] + "…") for i, n in enumerate(names)]
            self.plot.getAxis("bottom").setTicks([short])
