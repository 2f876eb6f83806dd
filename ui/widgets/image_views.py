"""Compact image views and the two ways the app draws an array: grey, or signed around zero.

``imageAxisOrder='row-major'`` is set once for pyqtgraph (in :mod:`ui`), so an array of shape
(rows, cols) shows as it prints, with y pointing down.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ui.theme import DIVERGING, GREY, PLOT_BACKGROUND, colormap

__all__ = ["image_view", "show_grey", "show_image", "show_signed", "symmetric_levels"]


def symmetric_levels(a: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m the largest finite |value| (at least a tiny positive number).

    Parameters
    ----------
    a : ndarray, any shape

    Returns
    -------
    (float, float)
        Colour levels centred on zero, so zero always gets the diverging map's middle colour.
    """
    finite = np.asarray(a)[np.isfinite(a)]
    m = float(np.max(np.abs(finite))) if finite.size else 1.0
    return (-max(m, 1e-12), max(m, 1e-12))


def image_view(title: str | None = None, min_size: int = 90) -> tuple[pg.PlotWidget, pg.ImageItem]:
    """A compact, non-interactive plot showing one row-major image with y pointing down."""
    plot = pg.PlotWidget(title=title)
    plot.setBackground(PLOT_BACKGROUND)
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
    """Draw a signed map on the diverging scale centred on zero (negatives stay visible).

    Parameters
    ----------
    item : pyqtgraph.ImageItem
    image : ndarray, shape (H, W)
    """
    item.setColorMap(colormap(DIVERGING))
    item.setImage(np.asarray(image, dtype=np.float64), levels=symmetric_levels(image),
                  autoLevels=False)


def show_grey(item: pg.ImageItem, image: np.ndarray) -> None:
    """Draw a grey image.

    Parameters
    ----------
    item : pyqtgraph.ImageItem
    image : ndarray, shape (H, W), values in [0, 1]
    """
    item.setColorMap(colormap(GREY))
    item.setImage(np.asarray(image, dtype=np.float64), levels=(0.0, 1.0), autoLevels=False)


def show_image(item: pg.ImageItem, image: np.ndarray) -> None:
    """Draw an input image as it is: grey, or colour as RGB.

    Parameters
    ----------
    item : pyqtgraph.ImageItem
    image : ndarray, shape (H, W), (1, H, W) or (3, H, W), values in [0, 1]
    """
    a = np.asarray(image, dtype=np.float64)
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 2:
        show_grey(item, a)
        return
    item.setLookupTable(None)  # RGB pixels need no colour map (show_grey puts it back)
    item.setImage(np.moveaxis(a, 0, -1), levels=(0.0, 1.0), autoLevels=False)
