"""``firstVsNowView``: the first-layer filters after the first step beside the current ones.

Why: filters change a little each step, so watching them live hides how far they travelled. Side
by side on one colour scale, the noise they started as and the edge detectors they became can be
compared weight for weight (a shared scale: the same colour is the same value in both).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cnnviz.filter_grid import grid_for
from ui.theme import DIVERGING, NOTE_STYLE, colormap
from ui.training.filter_images import filter_images, montage_of, rgb_filter_images
from ui.widgets.image_views import image_view


class FirstVsNowView(QWidget):
    """Two montages of the same filters: after the first step, and now, on one scale."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("firstVsNowView")
        self.first_graphics, self.first_item = image_view("after the first step")
        self.now_graphics, self.now_item = image_view("now")
        self.first_graphics.setObjectName("firstFiltersView")
        self.now_graphics.setObjectName("nowFiltersView")
        self.caption = QLabel("No filters yet: train a step first.")
        self.caption.setStyleSheet(NOTE_STYLE)
        self.caption.setWordWrap(True)
        self._levels = (-1.0, 1.0)
        self._shown: tuple | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.first_graphics, 1)
        row.addWidget(self.now_graphics, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        layout.addWidget(self.caption)

    def levels(self) -> tuple[float, float]:
        """The one colour scale both montages use, (-bound, +bound)."""
        return self._levels

    def show_frames(self, first: tuple | None, now: tuple | None, sliced: bool = False) -> None:
        """Show two filters-view frames ``(step, filters, grads)`` (their weights); 3-channel
        filters in colour unless ``sliced`` (one map per channel)."""
        colour = first is not None and first[1].shape[1] == 3 and not sliced
        self.set_frames(None if first is None else first[:2], None if now is None else now[:2],
                        colour)

    def set_frames(self, first: tuple[int, np.ndarray] | None,
                   now: tuple[int, np.ndarray] | None, colour: bool = False) -> None:
        """Show ``(step, filters (F, C, kh, kw))`` of the first frame and the current one.

        Parameters
        ----------
        colour : bool
            Draw 3-channel filters as RGB pictures (grey = 0) instead of one map per channel.
        """
        if first is None or now is None or first[1].shape != now[1].shape:
            self.first_item.clear()
            self.now_item.clear()
            self._shown = None
            self.caption.setText("No filters yet: train a step first.")
            return
        key = (first[0], id(first[1]), now[0], id(now[1]), colour)
        if key == self._shown:
            return
        self._shown = key
        a, b = np.asarray(first[1], np.float64), np.asarray(now[1], np.float64)
        bound = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-12)
        self._levels = (-bound, bound)
        if colour:
            images = [list(np.moveaxis(rgb_filter_images(w, bound), 1, -1)) for w in (a, b)]
        else:
            images = [filter_images(w) for w in (a, b)]
        kh, kw = images[0][0].shape[:2]
        rect = self.first_graphics.getViewBox().boundingRect()
        width, height = max(rect.width(), 10), max(rect.height(), 10)
        cols = grid_for(len(images[0]), width, height, kh, kw).columns
        for graphics, item, imgs in ((self.first_graphics, self.first_item, images[0]),
                                     (self.now_graphics, self.now_item, images[1])):
            montage = montage_of(imgs, cols)
            if montage.ndim == 3:
                item.setLookupTable(None)
                item.setImage(montage, levels=(0.0, 1.0), autoLevels=False)
            else:
                item.setColorMap(colormap(DIVERGING))
                item.setImage(montage, levels=self._levels, autoLevels=False)
            graphics.setRange(xRange=(-0.6, montage.shape[1] + 0.6),
                              yRange=(-0.6, montage.shape[0] + 0.6), padding=0.0)
        self.first_graphics.setTitle(f"after step {first[0]}")
        self.now_graphics.setTitle(f"now, step {now[0]}")
        change = float(np.sqrt(np.sum((b - a) ** 2)))
        self.caption.setText(
            f"One colour scale for both, ±{bound:.3g} (blue < 0 < red). The filters moved by "
            f"‖Δw‖ = {change:.3g} since step {first[0]}.")
