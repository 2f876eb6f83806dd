"""The lines above the views: shapes and the output-size formula, parameter counts, the tools row.

The tools row holds the colour-mode menu, the value under the mouse (``hoverLabel``) and the
export button; the header only lays them out, its own labels show :func:`shapes_text` and
:func:`params_text` of each result.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cnnviz.lab.conv import PlaygroundResult
from ui.playground.controls import WHY
from ui.playground.panels import params_text, shapes_text
from ui.widgets.why import WhyLabel

__all__ = ["ResultHeader"]


class ResultHeader(QWidget):
    """``shapesLabel``, ``paramsLabel`` and a row with ``colour_combo``, ``hoverLabel`` and
    ``export_button``; ``sigWhy(str)`` carries the explanation of a clicked *why?*."""

    sigWhy = Signal(str)

    def __init__(
        self, colour_combo: QWidget, export_button: QWidget, parent: QWidget | None = None,
        output_map: QWidget | None = None,
    ):
        super().__init__(parent)
        self.shapes_label = QLabel()
        self.shapes_label.setObjectName("shapesLabel")
        self.shapes_label.setWordWrap(True)
        self.shapes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.params_label = QLabel()
        self.params_label.setObjectName("paramsLabel")
        self.params_label.setWordWrap(True)
        self.hover_label = QLabel()
        self.hover_label.setObjectName("hoverLabel")
        grid = QVBoxLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setSpacing(2)
        grid.addWidget(self.shapes_label)
        params_row = QHBoxLayout()
        params_row.addWidget(self.params_label, 1)
        params_row.addWidget(self._why("params"))
        grid.addLayout(params_row)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Colours:"))
        tools.addWidget(colour_combo)
        tools.addWidget(self._why("colour"))
        if output_map is not None:
            tools.addWidget(output_map)
        tools.addStretch(1)
        tools.addWidget(self.hover_label)
        tools.addWidget(export_button)
        grid.addLayout(tools)

    def _why(self, key: str) -> WhyLabel:
        label = WhyLabel(WHY[key])
        label.sigClicked.connect(self.sigWhy)
        return label

    def show_result(self, result: PlaygroundResult) -> None:
        """Describe ``result``: its shapes with the formula, and its parameter counts."""
        self.shapes_label.setText(shapes_text(result))
        self.params_label.setText(params_text(result))
