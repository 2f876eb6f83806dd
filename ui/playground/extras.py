"""Playground features around the main views: colour mode, export, and the translation lab tab.

A mixin for :class:`ui.playground.widget.PlaygroundWidget`, kept apart so each file stays small. It
uses
``self.views``, ``self.tabs``, ``self._result``, ``self.sigStatus`` and ``self.current_result()``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSettings, Slot
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QScrollArea, QToolButton, QWidget

from ui.playground.conv_views import COLOUR_MODES

COLOUR_MAP_NAMES = {key: name for key, _label, name in COLOUR_MODES}

__all__ = ["ExtrasMixin"]

_EXPORTS = (
    ("Export feature map (PNG or .npy)...", "output"),
    ("Export pooled map (PNG or .npy)...", "pooled"),
)


class ExtrasMixin:
    translation_lab: QWidget | None = None
    translation_page: QWidget | None = None

    # -- colour mode ------------------------------------------------------------------------------
    def _build_colour_combo(self) -> QComboBox:
        self.colour_combo = QComboBox()
        self.colour_combo.setObjectName("colourModeCombo")
        for key, label, _name in COLOUR_MODES:
            self.colour_combo.addItem(label, key)
        self.colour_combo.setToolTip("How values map to colours in the feature and pooled maps")
        self.colour_combo.currentIndexChanged.connect(self._on_colour_mode)
        return self.colour_combo

    @Slot(int)
    def _on_colour_mode(self, _index: int) -> None:
        mode = self.colour_combo.currentData()
        self.views.set_mode(mode)
        self._update_secondary()  # the histogram marks where the new scale ends
        QSettings().setValue("playground/colourMode", mode)

    def _restore_colour_mode(self, store: QSettings) -> None:
        index = self.colour_combo.findData(str(store.value("playground/colourMode", "signed")))
        self.colour_combo.setCurrentIndex(max(index, 0))
        self.views.set_mode(self.colour_combo.currentData())

    # -- export -----------------------------------------------------------------------------------
    def _build_export_button(self) -> QToolButton:
        button = QToolButton()
        button.setObjectName("exportButton")
        button.setText("Export")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        for label, which in _EXPORTS:
            action = menu.addAction(label)
            action.triggered.connect(lambda _c=False, w=which: self.export_map(w))
        button.setMenu(menu)
        button.setToolTip(
            "Save the feature map or pooled map as a picture (PNG, coloured as shown) "
            "or as raw numbers (.npy)"
        )
        return button

    def export_map(self, which: str, path: str | None = None) -> str | None:
        """Save the ``"output"`` or ``"pooled"`` map; a ``.npy`` path keeps the exact numbers,
        any other path gets a PNG coloured as on screen. None asks for a path.

        Returns the path written, or None (cancelled, or failed with a message).
        """
        from ui.widgets import export

        result = self.current_result()
        array = result.output if which == "output" else result.pooled
        name = "feature map" if which == "output" else "pooled map"
        if array is None:
            self.sigStatus.emit(f"There is no {name} to save: " + (result.error or "none shown."))
            return None
        mode = self.views.mode
        shown = np.abs(array) if mode == "abs" else array
        colormap = COLOUR_MAP_NAMES[mode]
        levels = self.views.levels()  # the scale on screen: current_result() has just drawn
        if path is None:
            written = export.export_dialog(self, shown, name, colormap, levels)
        else:
            try:
                if str(path).lower().endswith(".npy"):
                    written = str(export.save_array_npy(array, path))
                else:
                    written = str(export.save_array_png(shown, path, colormap, levels))
            except (OSError, ValueError) as exc:
                self.sigStatus.emit(f"Could not save {path}: {exc}")
                return None
        if written:
            self.sigStatus.emit(f"Saved the {name} to {written}")
        return written

    # -- translation lab --------------------------------------------------------------------------
    def _add_translation_tab(self) -> None:
        try:
            from ui.playground.translation_lab import TranslationLab
        except ImportError:
            self.translation_lab = self.translation_page = None
            note = QLabel("The translation lab is not available in this build.")
            self.tabs.addTab(note, "Translation lab")
            return
        self.translation_lab = TranslationLab()
        # In a scroll area: the lab needs ~310 px of height, more than a 700 px window can spare.
        self.translation_page = QScrollArea()
        self.translation_page.setWidget(self.translation_lab)
        self.translation_page.setWidgetResizable(True)
        self.tabs.addTab(self.translation_page, "Translation lab")

    def _update_translation_lab(self) -> None:
        result = self._result
        if self.translation_lab is None or result is None:
            return
        try:
            self.translation_lab.set_inputs(result.image, result.kernel, result.settings, result)
        except ValueError as exc:  # the lab reports impossible settings itself; never crash here
            self.sigStatus.emit(str(exc))
