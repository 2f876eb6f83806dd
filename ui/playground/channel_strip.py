"""``channelViews``: a colour filter channel by channel, and the sum that makes its map.

One column per input channel (R, G, B): the channel, the filter's slice for it, and the partial
map the slice makes from it. The last column adds the partial maps and the bias: the filter's map
before the ReLU. Idea 23: a colour image is three maps, a filter has one slice per channel, and
its output is the sum of the per-channel results plus a bias.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from cnnviz.lab.conv import PlaygroundResult
from ui.playground.map_cells import MapCell
from ui.theme import DIVERGING, PLOT_BACKGROUND, SMALL_TEXT, channel_colormap, colormap
from ui.widgets.image_views import symmetric_levels

__all__ = ["ChannelStrip"]

_NAMES = ("R", "G", "B")


class ChannelStrip(pg.GraphicsLayoutWidget):
    """Input channel, kernel slice and partial map per channel, then their sum plus the bias.

    Signals
    -------
    sigHover(int, int)
        The feature-map pixel (row, col) under the mouse in a partial map; (-1, -1) off them.
    """

    sigHover = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("channelViews")
        self.setBackground(PLOT_BACKGROUND)
        self.setMinimumSize(200, 110)
        self.setToolTip("Each channel x its kernel slice = a partial map; the partial maps plus "
                        "the bias make the filter's map (right).")
        layout = self.ci
        layout.setSpacing(0)
        layout.setContentsMargins(0, 0, 0, 0)
        # Column heads once, row names at the left: the maps get the height.
        for c, head in enumerate((*_NAMES, "Σ + bias")):
            layout.addLabel(f"<b>{head}</b>", row=0, col=c + 1, size=SMALL_TEXT)
        for row, name in enumerate(("channel", "× slice", "= part"), start=1):
            layout.addLabel(name, row=row, col=0, size=SMALL_TEXT)
        self.inputs = [MapCell(layout, 1, c + 1, None) for c in range(3)]
        self.slices = [MapCell(layout, 2, c + 1, None) for c in range(3)]
        self.partials = [MapCell(layout, 3, c + 1, None) for c in range(3)]
        self.total = MapCell(layout, 3, 4, None)
        self.bias_label = layout.addLabel("", row=2, col=4, size=SMALL_TEXT)
        for row, stretch in ((1, 3), (2, 2), (3, 3)):
            layout.layout.setRowStretchFactor(row, stretch)
        self._diverging = colormap(DIVERGING)
        self._tints = [channel_colormap(c) for c in range(3)]
        self._last = (-1, -1)
        self.scene().sigMouseMoved.connect(self._on_move)

    def show_result(self, result: PlaygroundResult, levels, cmap: pg.ColorMap | None = None,
                    transform=None) -> None:
        """Show the selected filter of ``result`` (a colour one) channel by channel.

        ``levels`` and ``cmap`` are the feature map's colour scale, so partial maps, their sum and
        the map compare; ``transform`` (e.g. ``np.abs``) is applied as the main views do.
        """
        if result.image.ndim != 3 or result.channel_outputs is None:
            for cell in (*self.inputs, *self.slices, *self.partials, self.total):
                cell.show(None, None, None)
            return
        cmap = cmap or self._diverging
        kernel_levels = symmetric_levels(result.kernel)
        for c in range(3):
            self.inputs[c].show(result.image[c], self._tints[c], (0.0, 1.0))
            self.slices[c].show(result.kernel[c], self._diverging, kernel_levels)
            partial = result.channel_outputs[c]
            self.partials[c].show(partial if transform is None else transform(partial), cmap,
                                  levels)
        total = result.pre_relu if transform is None else transform(result.pre_relu)
        self.total.show(total, cmap, levels)
        text = f"bias {float(result.settings.bias):.3g}"
        if self.bias_label.text != text:
            self.bias_label.setText(text, size=SMALL_TEXT)

    def mark(self, pixel: tuple[int, int] | None, taps_box=None) -> None:
        """Outline feature-map ``pixel`` on the partial maps and its window ``taps_box`` (top,
        left, bottom, right, in input pixels) on the channels; None clears."""
        for cell in (*self.partials, self.total):
            cell.mark(pixel)
        for cell in self.inputs:
            cell.mark(None, taps_box)

    def _on_move(self, scene_pos) -> None:
        pixel = None
        for cell in (*self.partials, self.total):
            pixel = cell.pixel_at(scene_pos)
            if pixel is not None:
                break
        pixel = pixel or (-1, -1)
        if pixel != self._last:
            self._last = pixel
            self.sigHover.emit(*pixel)

    def shown(self) -> list[np.ndarray | None]:
        """The maps in the partial-map cells (R, G, B) and the sum cell, in that order."""
        return [cell.array() for cell in (*self.partials, self.total)]
