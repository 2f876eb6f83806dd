"""Compact image views and the two ways the app draws an array: grey, or signed around zero.

``imageAxisOrder='row-major'`` is set once for pyqtgraph (in :mod:`ui`), so an array of shape
(rows, cols) shows as it prints, with y pointing down.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ui.theme import DIVERGING, GREY, PLOT_BACKGROUND, colormap

__all__ = ["ImageView", "image_view", "show_grey", "show_image", "show_signed", "symmetric_levels"]


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


class ImageView(pg.GraphicsView):
    """A title and one view box for images: a plot without axes, five times cheaper to build.

    A ``pg.PlotWidget`` builds four axes even when they are hidden, and the app holds dozens of
    image views (about 25 ms each against 5 ms here, most of the start-up's window build). The
    methods the app uses on a plot are forwarded to the view box, and :meth:`getPlotItem`
    returns the view itself, so ``view.getPlotItem().vb`` works as on a plot.

    Parameters
    ----------
    title : str, optional
        Shown above the image; :meth:`setTitle` adds or changes it later.
    """

    def __init__(self, title: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.ci = pg.GraphicsLayout()
        self.setCentralItem(self.ci)
        self.ci.setContentsMargins(2, 2, 2, 2)
        self._title = pg.LabelItem("")
        self.ci.addItem(self._title, row=0, col=0)
        self.vb = self.ci.addViewBox(row=1, col=0, lockAspect=True, invertY=True,
                                     enableMouse=False, enableMenu=False)
        self.setTitle(title)

    def setTitle(self, title: str | None = None, **args) -> None:
        """Show ``title`` above the image (None hides the title row); ``args`` as LabelItem."""
        self._title.setVisible(title is not None)
        self._title.setMaximumHeight(0 if title is None else 16777215)
        self._title.setText("" if title is None else title, **args)

    def getPlotItem(self) -> ImageView:
        return self

    def getViewBox(self) -> pg.ViewBox:
        return self.vb

    def addItem(self, item, *args, **kwargs) -> None:
        self.vb.addItem(item, *args, **kwargs)

    def removeItem(self, item) -> None:
        self.vb.removeItem(item)

    def setRange(self, *args, **kwargs) -> None:
        self.vb.setRange(*args, **kwargs)

    def setXRange(self, *args, **kwargs) -> None:
        self.vb.setXRange(*args, **kwargs)

    def setYRange(self, *args, **kwargs) -> None:
        self.vb.setYRange(*args, **kwargs)

    def autoRange(self, *args, **kwargs) -> None:
        self.vb.autoRange(*args, **kwargs)


def image_view(title: str | None = None, min_size: int = 90) -> tuple[ImageView, pg.ImageItem]:
    """A compact, non-interactive view showing one row-major image with y pointing down."""
    view = ImageView(title)
    view.setBackground(PLOT_BACKGROUND)
    view.setMinimumSize(min_size, min_size)
    item = pg.ImageItem()
    view.addItem(item)
    return view, item


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
