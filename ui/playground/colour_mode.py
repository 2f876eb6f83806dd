"""``colourModeCombo``: how the feature and pooled maps are coloured, remembered between runs.

Binds one control to one attribute, both ways: choosing an entry sets :attr:`ConvViews.mode`,
and a mode set elsewhere (``views.set_mode``) moves the combo, with its signals blocked so the
two never bounce updates between each other.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QWidget

from ui.playground.colour_scale import COLOUR_MODES
from ui.playground.conv_views import ConvViews
from ui.widgets.settings import read_setting, write_setting

__all__ = ["ColourModeCombo"]

_SETTINGS_KEY = "playground/colourMode"


class ColourModeCombo(QComboBox):
    """The colour-mode menu of ``views``; the choice is saved in QSettings."""

    def __init__(self, views: ConvViews, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("colourModeCombo")
        self._views = views
        for key, label, _name in COLOUR_MODES:
            self.addItem(label, key)
        self.setToolTip("How values map to colours in the feature and pooled maps")
        self._show_mode(views.mode)
        self.currentIndexChanged.connect(self._on_chosen)
        views.sigModeChanged.connect(self._show_mode)

    def restore(self) -> None:
        """Apply the mode saved by an earlier session (``signed`` when none is saved)."""
        keys = [self.itemData(i) for i in range(self.count())]
        saved = read_setting(_SETTINGS_KEY, "signed", str, choices=keys)
        index = max(self.findData(saved), 0)
        self._show_mode(self.itemData(index))
        self._views.set_mode(self.itemData(index))

    @Slot(int)
    def _on_chosen(self, _index: int) -> None:
        mode = self.currentData()
        self._views.set_mode(mode)
        write_setting(_SETTINGS_KEY, mode)

    @Slot(str)
    def _show_mode(self, mode: str) -> None:
        self.blockSignals(True)
        self.setCurrentIndex(max(self.findData(mode), 0))
        self.blockSignals(False)
