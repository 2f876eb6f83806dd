"""``exportButton``: save the feature map or the pooled map as a PNG (as shown) or as ``.npy``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from cnnviz.lab.conv import PlaygroundResult
from ui.playground.conv_views import ConvViews
from ui.widgets import export

__all__ = ["ExportMenu"]

_EXPORTS = (
    ("Export feature map (PNG or .npy)...", "output"),
    ("Export pooled map (PNG or .npy)...", "pooled"),
)
_NAMES = {"output": "feature map", "pooled": "pooled map"}


class ExportMenu(QToolButton):
    """A button with one menu entry per map; ``sigStatus(str)`` says what was saved, or why not.

    Parameters
    ----------
    views : ConvViews
        Where the colour mode and the colour scale on screen are read.
    current_result : callable () -> PlaygroundResult
        What is displayed now (any pending recomputation done first).
    """

    sigStatus = Signal(str)

    def __init__(
        self,
        views: ConvViews,
        current_result: Callable[[], PlaygroundResult],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._views = views
        self._current_result = current_result
        self.setObjectName("exportButton")
        self.setText("Export")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        for label, which in _EXPORTS:
            action = menu.addAction(label)
            action.triggered.connect(lambda _c=False, w=which: self.export_map(w))
        self.setMenu(menu)
        self.setToolTip(
            "Save the feature map or pooled map as a picture (PNG, coloured as shown) "
            "or as raw numbers (.npy)"
        )

    def export_map(self, which: str, path: str | None = None) -> str | None:
        """Save the ``"output"`` or ``"pooled"`` map; a ``.npy`` path keeps the exact numbers,
        any other path gets a PNG coloured as on screen. None asks for a path.

        Returns the path written, or None (cancelled, or failed with a message).
        """
        if which not in _NAMES:
            raise ValueError(f"which must be 'output' or 'pooled', not {which!r}")
        result = self._current_result()
        array = result.output if which == "output" else result.pooled
        name = _NAMES[which]
        if array is None:
            self.sigStatus.emit(f"There is no {name} to save: " + (result.error or "none shown."))
            return None
        mode = self._views.mode
        shown = np.abs(array) if mode == "abs" else array
        colormap = self._views.map_name()  # as on screen (grey for a blur, by default)
        levels = self._views.levels()  # the scale on screen: current_result() has just drawn
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
