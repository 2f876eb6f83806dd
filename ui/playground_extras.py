"""Playground features around the main views: colour mode, export, and the translation lab tab.

A mixin for :class:`ui.playground.PlaygroundWidget`, kept apart so each file stays small. It uses
``self.views``, ``self.tabs``, ``self._result``, ``self.sigStatus`` and ``self.current_result()``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QMenu, QToolButton, QWidget

from ui.conv_views import COLOUR_MODES

__all__ = ["ExtrasMixin"]

_EXPORTS = (
    ("Feature map as PNG...", "output", "png"),
    ("Feature map as .npy...", "output", "npy"),
    ("Pooled map as PNG...", "pooled", "png"),
    ("Pooled map as .npy...", "pooled", "npy"),
)


class ExtrasMixin:
    translation_lab: QWidget | None = None

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
        for label, which, kind in _EXPORTS:
            action = menu.addAction(label)
            action.triggered.connect(lambda _c=False, w=which, k=kind: self.export_map(w, k))
        button.setMenu(menu)
        button.setToolTip(
            "Save the feature map or pooled map as a picture (PNG) or raw numbers (.npy)"
        )
        return button

    def export_map(self, which: str, kind: str, path: str | None = None) -> bool:
        """Save the ``"output"``/``"pooled"`` map as ``"png"``/``"npy"``; None asks for a path."""
        result = self.current_result()
        array = result.output if which == "output" else result.pooled
        if array is None:
            self.sigStatus.emit(
                f"There is no {'feature' if which == 'output' else 'pooled'} map to save."
            )
            return False
        try:
            from ui import export
        except ImportError:
            self.sigStatus.emit("Export is not available in this build.")
            return False
        if path is None:
            store = QSettings()
            start = (
                Path(str(store.value("playground/exportDir", str(Path.home())))) / f"{which}.{kind}"
            )
            filt = "PNG image (*.png)" if kind == "png" else "NumPy array (*.npy)"
            path, _ = QFileDialog.getSaveFileName(self, "Export", str(start), filt)
            if not path:
                return False
            store.setValue("playground/exportDir", str(Path(path).parent))
        try:
            if kind == "png":
                from ui.conv_views import _MAPS, display_levels

                mode = self.views.mode
                shown = abs(array) if mode == "abs" else array
                levels = display_levels(result.output, mode)
                export.save_array_png(shown, path, _MAPS[mode].name, levels)
            else:
                export.save_array_npy(array, path)
        except (OSError, ValueError) as exc:
            self.sigStatus.emit(f"Could not save {path}: {exc}")
            return False
        self.sigStatus.emit(f"Saved {path}")
        return True

    # -- translation lab --------------------------------------------------------------------------
    def _add_translation_tab(self) -> None:
        try:
            from ui.translation_lab import TranslationLab
        except ImportError:
            self.translation_lab = None
            note = QLabel("The translation lab is not available in this build.")
            self.tabs.addTab(note, "Translation lab")
            return
        self.translation_lab = TranslationLab()
        self.tabs.addTab(self.translation_lab, "Translation lab")

    def _update_translation_lab(self) -> None:
        result = self._result
        if self.translation_lab is None or result is None:
            return
        try:
            self.translation_lab.set_inputs(result.image, result.kernel, result.settings)
        except ValueError as exc:  # the lab reports impossible settings itself; never crash here
            self.sigStatus.emit(str(exc))
