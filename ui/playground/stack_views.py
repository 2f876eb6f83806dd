"""The row under the main views for colour input, a bank of filters and layer 2.

Each part is shown only when it has something to say: the channel strip for a colour input, the
bank for more than one filter, layer 2's map when it is on. In the grey, one-filter playground the
row is hidden and costs nothing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from cnnviz.lab.conv import PlaygroundResult
from ui.playground.bank_view import BankView, Layer2View
from ui.playground.channel_strip import ChannelStrip
from ui.playground.colour_scale import COLOUR_MAP_NAMES, display_levels
from ui.theme import colormap

__all__ = ["StackViews"]


class StackViews(QSplitter):
    """``channelViews``, ``bankView`` and ``layer2View`` side by side (attributes ``strip``,
    ``bank`` and ``layer2``)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("stackViews")
        self.strip = ChannelStrip()
        self.bank = BankView()
        self.layer2 = Layer2View()
        for part, stretch in ((self.strip, 5), (self.bank, 4), (self.layer2, 3)):
            self.addWidget(part)
            self.setStretchFactor(self.indexOf(part), stretch)
        self.setChildrenCollapsible(False)
        self._layer2_levels: tuple[float, float] | None = None
        self._colormaps: dict = {}  # one object per mode: the views skip re-colouring the same
        self.hide()

    @staticmethod
    def wanted(result: PlaygroundResult) -> bool:
        """Whether ``result`` has channels, filters or a layer 2 to show."""
        return result.image.ndim == 3 or result.n_filters > 1 or result.layer2 is not None

    def show_result(self, result: PlaygroundResult, levels: tuple[float, float],
                    mode: str, map_name: str | None = None) -> None:
        """Show the parts ``result`` needs, in colour mode ``mode`` on the maps' ``levels``, the
        layer-1 maps in colour map ``map_name`` (default: the mode's)."""
        own = COLOUR_MAP_NAMES[mode]
        cmap = self._colormaps.setdefault(map_name or own, colormap(map_name or own))
        layer2_cmap = self._colormaps.setdefault(own, colormap(own))  # its own sign, own scale
        transform = np.abs if mode == "abs" else None
        parts = ((self.strip, result.image.ndim == 3), (self.bank, result.n_filters > 1),
                 (self.layer2, result.layer2 is not None))
        for part, needed in parts:
            part.setVisible(needed)
        self.setVisible(self.wanted(result))
        if result.image.ndim == 3:
            self.strip.show_result(result, levels, cmap, transform)
        if result.n_filters > 1:
            self.bank.show_result(result, levels, cmap, transform)
        if result.layer2 is not None:
            self._layer2_levels = display_levels(result.layer2_output, mode)
            self.layer2.show_layer2(result, self._layer2_levels, layer2_cmap, transform)

    def layer2_levels(self) -> tuple[float, float] | None:
        """The colour scale of layer 2's map (its own)."""
        return self._layer2_levels

    def clear_marks(self) -> None:
        """Remove every outline from the strip, the bank and layer 2."""
        self.strip.mark(None)
        self.bank.mark(None)
        self.layer2.mark(None)
