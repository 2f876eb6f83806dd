"""A dialog around :class:`~ui.widgets.draw_canvas.DrawCanvas`: draw, pick a brush, OK or Cancel."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.draw_canvas import DrawCanvas

__all__ = ["DrawDialog"]


class DrawDialog(QDialog):
    """Modal drawing dialog. After ``exec()`` returns ``Accepted``, :meth:`image` is the drawing.

    Parameters
    ----------
    parent : QWidget or None
    shape : (int, int)
        Logical (rows, cols) of the canvas: ``(256, 256)`` for the playground, ``(28, 28)`` for a
        digit.
    image : ndarray, shape (H, W), optional
        Start from this picture instead of a black canvas (resized to ``shape``).
    title : str
    hint : str or None
        A sentence above the canvas; a default explains the mouse buttons.

    Object names: ``drawCanvas``, ``brushSizeSpin``, ``clearDrawingButton``, ``undoDrawingButton``.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        shape: tuple[int, int] = (256, 256),
        image: np.ndarray | None = None,
        title: str = "Draw an image",
        hint: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("drawDialog")
        self.canvas = DrawCanvas(shape, parent=self)
        if image is not None:
            self.canvas.set_image(image, undoable=False)

        rows, cols = self.canvas.canvas_shape()
        text = hint or (
            f"Paint with the left mouse button, erase with the right. The canvas is "
            f"{cols} x {rows} pixels: what you see is exactly what the convolution gets."
        )
        note = QLabel(text)
        note.setWordWrap(True)

        self.brush_spin = QDoubleSpinBox()
        self.brush_spin.setObjectName("brushSizeSpin")
        self.brush_spin.setRange(0.5, max(1.0, max(rows, cols) / 4))
        self.brush_spin.setDecimals(1)
        self.brush_spin.setSingleStep(0.5 if max(rows, cols) <= 64 else 2.0)
        self.brush_spin.setSuffix(" px")
        self.brush_spin.setValue(self.canvas.brush_size())
        self.brush_spin.setToolTip("Brush diameter in canvas pixels")
        self.brush_spin.valueChanged.connect(self.canvas.set_brush_size)

        clear = QPushButton("Clear")
        clear.setObjectName("clearDrawingButton")
        clear.clicked.connect(self.canvas.clear)
        undo = QPushButton("Undo")
        undo.setObjectName("undoDrawingButton")
        undo.setToolTip("Undo the last stroke (Ctrl+Z)")
        undo.clicked.connect(self.canvas.undo)

        tools = QHBoxLayout()
        tools.addWidget(QLabel("Brush"))
        tools.addWidget(self.brush_spin)
        tools.addStretch(1)
        tools.addWidget(undo)
        tools.addWidget(clear)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(tools)
        layout.addWidget(buttons)
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(420, 520)

    def image(self) -> np.ndarray:
        """The drawing, float32 (rows, cols) in [0, 1]."""
        return self.canvas.image()
