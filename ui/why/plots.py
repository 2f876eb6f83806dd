"""The pictures the experiment pages share: live accuracy curves, grouped bars, image strips.

Every model has one colour (:data:`ui.theme.MODEL_COLOURS`) on every page; the test set a curve
measures is its line style (the first series solid, the second dashed).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from cnnviz.lab.experiments import MODEL_LABELS
from ui.theme import LEGEND_BACKING, MODEL_COLOURS, PLOT_BACKGROUND, SMALL_TEXT
from ui.widgets.image_views import image_view, show_grey
from ui.widgets.tiling import tile

__all__ = ["accuracy_plot", "LiveCurves", "GroupedBars", "ImageStrip", "pen_for"]

STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)


def pen_for(model: str, series_index: int = 0, width: float = 2.5):
    """The pen of ``model``'s curve for its ``series_index``-th test set."""
    return pg.mkPen(MODEL_COLOURS.get(model, (90, 90, 90)), width=width,
                    style=STYLES[series_index % len(STYLES)])


TOP = 1.2   # the y axis runs past 100 % so the legend has a strip of its own above the data


def accuracy_plot(title: str, x_label: str = "epochs trained", legend: bool = True,
                  legend_columns: int = 4) -> pg.PlotWidget:
    """A white plot with accuracy 0..100 % on the y axis and a legend in a strip above 100 %."""
    # a view box without a context menu: pyqtgraph builds the menu eagerly otherwise (2 ms each)
    plot = pg.PlotWidget(title=title, viewBox=pg.ViewBox(enableMenu=False))
    plot.setBackground(PLOT_BACKGROUND)
    plot.showGrid(x=False, y=True, alpha=0.25)
    plot.setLabel("left", "test accuracy")
    plot.setLabel("bottom", x_label)
    plot.setYRange(0.0, TOP, padding=0)
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    axis = plot.getAxis("left")
    axis.setTicks([[(v / 10, f"{v * 10}%") for v in range(0, 11, 2)]])
    if legend:
        plot.addLegend(offset=(4, 1), labelTextSize=SMALL_TEXT, colCount=legend_columns,
                       brush=pg.mkBrush(LEGEND_BACKING), verSpacing=-6)
    plot.setMinimumHeight(170)
    return plot


class LiveCurves:
    """Accuracy curves of every model on every series, drawn into ``plot``.

    Parameters
    ----------
    plot : pyqtgraph.PlotWidget
    series : tuple of str
        The test sets in style order (first solid, second dashed).
    """

    def __init__(self, plot: pg.PlotWidget, series: tuple[str, ...]):
        self.plot = plot
        self.series = tuple(series)
        self._items: dict[str, pg.PlotDataItem] = {}
        self._drawn: dict[str, int] = {}   # points drawn per curve: unchanged curves are skipped
        self._legend = plot.getPlotItem().legend

    def clear(self) -> None:
        for item in self._items.values():
            self.plot.removeItem(item)
        self._items.clear()
        self._drawn.clear()
        if self._legend is not None:
            self._legend.clear()
        self.plot.setXRange(0, 1, padding=0.02)

    def _add(self, curve) -> pg.PlotDataItem:
        """A new curve; the legend names the model once and each series' line style once."""
        index = self.series.index(curve.series) if curve.series in self.series else 0
        item = self.plot.plot(pen=pen_for(curve.model, index))
        if self._legend is not None:
            models = {c.split(":")[0] for c in self._items}
            if curve.model not in models:
                self._legend.addItem(pg.PlotDataItem(pen=pen_for(curve.model)),
                                     MODEL_LABELS.get(curve.model, curve.model))
        return item

    def show(self, curves: Mapping) -> None:
        """Draw ``curves`` (key -> :class:`~cnnviz.lab.experiments.Curve`), adding new ones."""
        end = 0.0
        for key, curve in curves.items():
            end = max(end, curve.epochs[-1] if curve.epochs else 0.0)
            if self._drawn.get(key) == len(curve.epochs):
                continue
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = self._add(curve)
            item.setData(np.asarray(curve.epochs, float), np.asarray(curve.accuracy, float))
            self._drawn[key] = len(curve.epochs)
        self.plot.setXRange(0, max(end, 1.0), padding=0.02)

    def keys(self) -> list[str]:
        return list(self._items)


class GroupedBars:
    """Bars of accuracy per model, one bar per series side by side (solid, then lighter)."""

    def __init__(self, plot: pg.PlotWidget, series: tuple[str, ...]):
        self.plot = plot
        self.series = tuple(series)
        self._items: list = []

    def clear(self) -> None:
        for item in self._items:
            self.plot.removeItem(item)
        self._items = []

    def show(self, values: dict[str, tuple[float, ...]]) -> None:
        """``values``: model key -> one accuracy per series."""
        self.clear()
        width = 0.8 / max(len(self.series), 1)
        ticks = []
        for i, (model, scores) in enumerate(values.items()):
            colour = MODEL_COLOURS.get(model, (90, 90, 90))
            for j, score in enumerate(scores):
                fill = colour if j == 0 else (*colour, 90)
                bar = pg.BarGraphItem(x=[i + (j - (len(scores) - 1) / 2) * width],
                                      height=[score], width=width * 0.9, brush=fill,
                                      pen=pg.mkPen(colour, width=1.5,
                                                   style=STYLES[j % len(STYLES)]))
                label = pg.TextItem(f"{score:.0%}", color=(40, 40, 40), anchor=(0.5, 1.0))
                label.setPos(i + (j - (len(scores) - 1) / 2) * width, score)
                self.plot.addItem(bar)
                self.plot.addItem(label)
                self._items += [bar, label]
            ticks.append((i, MODEL_LABELS.get(model, model)))
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.setXRange(-0.6, len(values) - 0.4, padding=0)


class ImageStrip:
    """A row of grey images tiled into one view, with a caption as its title."""

    def __init__(self, title: str, min_height: int = 90):
        self.plot, self.item = image_view(title, min_size=min_height)
        self.plot.setMinimumWidth(120)

    def show(self, images, columns: int | None = None, gap: int = 2) -> None:
        """``images``: arrays of shape (H, W) in [0, 1], all the same size."""
        stack = np.asarray([np.asarray(im, float) for im in images])
        if stack.size == 0:
            return
        mosaic = tile(stack, columns=columns or len(stack), gap=gap, fill=0.55)
        show_grey(self.item, mosaic)
        self.plot.setRange(xRange=(0, mosaic.shape[1]), yRange=(0, mosaic.shape[0]), padding=0.02)
