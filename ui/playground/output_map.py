"""``outputColourMapCombo``: diverging or grey for the feature and pooled maps, Auto by default.

A blur or box kernel on an image in [0, 1] can only give values >= 0
(:func:`cnnviz.lab.output_sign.output_sign`); a diverging blue-white-red map would spend its
blue half on nothing and show the blurred photo as pale pink. *Auto* draws such maps on the
sequential grey map (black = 0) and says so in a note; signed outputs keep the diverging map.
*Diverging* and *Grey* force one. The choice applies to the signed colour modes (the |x| and
min-max modes have their own maps) and is remembered between runs.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from cnnviz.lab.output_sign import NON_NEGATIVE, output_sign
from ui.playground.colour_scale import COLOUR_MAP_NAMES
from ui.theme import DIVERGING, GREY, NOTE_STYLE
from ui.widgets.settings import read_setting, write_setting

__all__ = ["MAP_CHOICES", "OutputColourMap", "levels_for", "map_name_for", "sign_of"]

# (key, menu label)
MAP_CHOICES = {"auto": "Auto", "diverging": "Diverging", "grey": "Grey"}
SIGNED_MODES = ("signed", "signed_full")
_SETTINGS_KEY = "playground/outputColourMap"
NOTE = "outputs ≥ 0: grey"
NOTE_TIP = (
    "Every weight of this kernel is ≥ 0 and the image is in [0, 1], so no output can be "
    "negative: the maps are drawn black (0) to white (strongest) instead of on the blue-red "
    "map, whose blue half would stay unused. Choose Diverging to compare with signed kernels."
)


def sign_of(result) -> str:
    """Whether ``result``'s layer-1 maps (every filter) can be negative: ``"signed"`` or
    ``"non-negative"``, from the kernels, the biases and the image range [0, 1]."""
    kernels = result.kernel if result.kernels is None else result.kernels
    return output_sign(kernels, result.bias, (0.0, 1.0))


def map_name_for(mode: str, choice: str, sign: str) -> str:
    """The colour map (a :mod:`ui.theme` name) for colour mode ``mode``, a choice of
    :data:`MAP_CHOICES` and the maps' sign."""
    if mode not in SIGNED_MODES:
        return COLOUR_MAP_NAMES[mode]
    if choice == "grey" or (choice == "auto" and sign == NON_NEGATIVE):
        return GREY
    return DIVERGING


def levels_for(levels: tuple[float, float], mode: str, map_name: str,
               sign: str) -> tuple[float, float]:
    """A signed mode's symmetric ``levels`` (-m, m) as (0, m) when non-negative maps are drawn
    grey: black is then 0 instead of a value that never occurs."""
    if mode in SIGNED_MODES and map_name == GREY and sign == NON_NEGATIVE:
        return (0.0, levels[1])
    return levels


class OutputColourMap(QWidget):
    """The combo (``outputColourMapCombo``) and the note (``outputColourNote``) for ``views``
    (a :class:`~ui.playground.conv_views.ConvViews`)."""

    def __init__(self, views, parent: QWidget | None = None):
        super().__init__(parent)
        self._views = views
        self.combo = QComboBox()
        self.combo.setObjectName("outputColourMapCombo")
        for key, label in MAP_CHOICES.items():
            self.combo.addItem(label, key)
        self.combo.setToolTip(
            "Colour map of the feature and pooled maps: Auto is grey when no output can be "
            "negative (a blur), blue-white-red when outputs are signed (an edge detector)"
        )
        self.note = QLabel(NOTE)
        self.note.setObjectName("outputColourNote")
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setToolTip(NOTE_TIP)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Unnamed, "Auto" beside the colour-mode menu read as a second copy of it.
        layout.addWidget(QLabel("Map:"))
        layout.addWidget(self.combo)
        layout.addWidget(self.note)
        self.combo.currentIndexChanged.connect(self._on_chosen)
        views.sigMapChanged.connect(self._show_note)
        views.sigModeChanged.connect(self._show_note)
        self._show_note()

    def restore(self) -> None:
        """Apply the choice saved by an earlier session (Auto when none is saved)."""
        saved = read_setting(_SETTINGS_KEY, "auto", str, choices=list(MAP_CHOICES))
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(self.combo.findData(saved), 0))
        self.combo.blockSignals(False)
        self._views.set_map_choice(self.combo.currentData())
        self._show_note()

    def set_choice(self, choice: str) -> None:
        """Choose ``"auto"``, ``"diverging"`` or ``"grey"``, as the combo does."""
        self.combo.setCurrentIndex(self.combo.findData(choice))

    @Slot(int)
    def _on_chosen(self, _index: int) -> None:
        choice = self.combo.currentData()
        self._views.set_map_choice(choice)
        write_setting(_SETTINGS_KEY, choice)
        self._show_note()

    @Slot()
    def _show_note(self, *_args) -> None:
        views = self._views
        signed_mode = views.mode in SIGNED_MODES
        self.combo.setEnabled(signed_mode)  # the |x| and min-max modes have their own maps
        self.note.setVisible(signed_mode and views.map_choice == "auto"
                             and views.output_sign == NON_NEGATIVE)


