"""A k x k kernel editor: every weight visible as a number on a diverging colour.

Left click adds one step, right click subtracts one, dragging up or down from a click scrubs the
value, the wheel nudges, double click types an exact value in place. Keyboard: arrows move the
selected cell, +/- change it, Enter edits it. Values are coloured on the same diverging map as the
output views, so a negative weight reads as "blue" both in the kernel and in what it produces.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QToolTip, QWidget

from cnnviz.lab.conv import MAX_WEIGHT
from ui.theme import CELL_BORDER, DIVERGING, FOCUS_ORANGE, colormap, text_colour_on

__all__ = ["KernelGrid", "format_weight"]

DRAG_PIXELS = 8  # vertical mouse travel per step while dragging on a cell
_CMAP = colormap(DIVERGING)
_LUT = _CMAP.getLookupTable(nPts=256)


def format_weight(value: float) -> str:
    """Short text for a cell: integers as such, otherwise 2 decimals (3 below 0.1)."""
    if abs(value) >= 1e4:  # keep huge values short enough for a cell
        return f"{value:.3g}"
    if value == round(value):
        return str(int(round(value)))
    digits = 2 if abs(value) >= 0.1 else 3
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class KernelGrid(QWidget):
    """Edit a square kernel by clicking; emits ``sigKernelChanged`` after each edit.

    ``sigMessage(str)`` carries feedback for the user (e.g. a refused value).
    """

    sigKernelChanged = Signal()
    sigMessage = Signal(str)

    def __init__(self, kernel: np.ndarray | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("kernelGrid")
        self._kernel = np.zeros((3, 3)) if kernel is None else np.array(kernel, dtype=float)
        self._step = 1.0
        self._selected: tuple[int, int] = (0, 0)
        self._last_press: tuple[tuple[int, int], float] | None = None
        self._drag: tuple[tuple[int, int], float, float] | None = None
        self._editor = QLineEdit(self)
        self._editor.setObjectName("kernelCellEditor")
        self._editor.hide()
        self._editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._editor.editingFinished.connect(self._commit_editor)
        # QLineEdit passes Return on to its parent, which would reopen the editor at once.
        self._editor.installEventFilter(self)
        self._editing: tuple[int, int] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(120, 120)
        self.setMaximumSize(300, 230)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip(
            "Left click: +step, right click: -step, drag up/down: scrub, wheel: nudge,\n"
            "double click: type a value.\n"
            "Keyboard: arrows select, + / - change, Enter types a value."
        )

    # -- public API ---------------------------------------------------------------------------
    def kernel(self) -> np.ndarray:
        """A copy of the kernel, shape (k, k), float64."""
        return self._kernel.copy()

    def set_kernel(self, kernel: np.ndarray) -> None:
        """Replace the kernel (any square size); emits ``sigKernelChanged``."""
        k = np.array(kernel, dtype=float)
        if k.ndim != 2 or k.shape[0] != k.shape[1] or k.size == 0:
            raise ValueError(f"a kernel must be a non-empty square 2-D array, not shape {k.shape}")
        if not np.all(np.isfinite(k)):
            raise ValueError("a kernel must contain finite numbers only")
        self._cancel_editor()
        self._kernel = k
        size = k.shape[0]
        self._selected = (min(self._selected[0], size - 1), min(self._selected[1], size - 1))
        self.update()
        self.sigKernelChanged.emit()

    def size_k(self) -> int:
        return int(self._kernel.shape[0])

    def step(self) -> float:
        return self._step

    def set_step(self, step: float) -> None:
        """The amount a click adds or subtracts (the wheel nudges by a tenth of it)."""
        self._step = float(step)

    def set_value(self, row: int, col: int, value: float) -> None:
        """Set one weight; emits ``sigKernelChanged``."""
        self._kernel[row, col] = float(value)
        self.update()
        self.sigKernelChanged.emit()

    def cell_rect(self, row: int, col: int) -> QRect:
        """Where cell (row, col) is drawn, in widget coordinates (tests click its centre)."""
        side, x0, y0 = self._geometry()
        return QRect(int(x0 + col * side), int(y0 + row * side), int(side), int(side))

    def sizeHint(self) -> QSize:
        return QSize(240, 240)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    # -- geometry and painting ----------------------------------------------------------------
    def _geometry(self) -> tuple[float, float, float]:
        k = self.size_k()
        side = max(4.0, min(self.width(), self.height()) / k)
        x0 = (self.width() - side * k) / 2
        y0 = (self.height() - side * k) / 2
        return side, x0, y0

    def _cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        side, x0, y0 = self._geometry()
        col = math.floor((pos.x() - x0) / side)
        row = math.floor((pos.y() - y0) / side)
        k = self.size_k()
        if 0 <= row < k and 0 <= col < k:
            return row, col
        return None

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        side, x0, y0 = self._geometry()
        scale = max(float(np.max(np.abs(self._kernel))), 1e-12)
        font = QFont(self.font())
        font.setPixelSize(max(7, int(side * 0.32)))
        painter.setFont(font)
        k = self.size_k()
        border = QPen(QColor(CELL_BORDER), 1)
        for row in range(k):
            for col in range(k):
                value = self._kernel[row, col]
                idx = int(round((value / scale * 0.5 + 0.5) * 255))
                r, g, b = (int(c) for c in _LUT[min(max(idx, 0), 255)][:3])
                rect = QRect(int(x0 + col * side), int(y0 + row * side), int(side), int(side))
                painter.fillRect(rect, QColor(r, g, b))
                painter.setPen(border)
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
                painter.setPen(QColor(text_colour_on(r, g, b)))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, format_weight(value))
        if self.hasFocus():
            painter.setPen(QPen(QColor(FOCUS_ORANGE), 2))
            painter.drawRect(self.cell_rect(*self._selected).adjusted(1, 1, -1, -1))
        painter.end()

    def event(self, event) -> bool:  # noqa: D401 (Qt API)
        if event.type() == QEvent.Type.ToolTip:
            cell = self._cell_at(event.pos())
            if cell is not None:
                value = float(self._kernel[cell])
                QToolTip.showText(
                    event.globalPos(),
                    f"weight [{cell[0]}, {cell[1]}] = {value!r}\n" + self.toolTip(),
                    self,
                )
                return True
        return super().event(event)

    # -- mouse and keyboard ---------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cell = self._cell_at(event.position().toPoint())
        if cell is None:
            return
        self._selected = cell
        if event.button() == Qt.MouseButton.LeftButton:
            delta = self._step
        elif event.button() == Qt.MouseButton.RightButton:
            delta = -self._step
        else:
            return
        self._last_press = (cell, float(self._kernel[cell]))
        self.set_value(*cell, self._kernel[cell] + delta)
        # Keep the button down and drag up/down to scrub the value, one step per DRAG_PIXELS.
        self._drag = (cell, event.position().y(), float(self._kernel[cell]))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag is None or not event.buttons():
            return super().mouseMoveEvent(event)
        cell, y0, base = self._drag
        steps = round((y0 - event.position().y()) / DRAG_PIXELS)
        value = base + steps * self._step
        if value != self._kernel[cell]:
            self.set_value(*cell, value)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._drag = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cell = self._cell_at(event.position().toPoint())
        if cell is None:
            return
        # The first click of the double click already added a step: undo it before typing.
        if self._last_press is not None and self._last_press[0] == cell:
            if self._kernel[cell] != self._last_press[1]:
                self.set_value(*cell, self._last_press[1])
        self._last_press = None
        self.edit_cell(*cell)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        cell = self._cell_at(event.position().toPoint())
        notches = event.angleDelta().y() / 120.0
        if cell is None or notches == 0:
            return
        self._selected = cell
        self.set_value(*cell, self._kernel[cell] + notches * self._step / 10.0)
        event.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        row, col = self._selected
        k = self.size_k()
        key = event.key()
        moves = {
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
        }
        if key in moves:
            dr, dc = moves[key]
            self._selected = (min(max(row + dr, 0), k - 1), min(max(col + dc, 0), k - 1))
            self.update()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.set_value(row, col, self._kernel[row, col] + self._step)
        elif key == Qt.Key.Key_Minus:
            self.set_value(row, col, self._kernel[row, col] - self._step)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.edit_cell(row, col)
        else:
            super().keyPressEvent(event)

    # -- in-place editor ----------------------------------------------------------------------
    def edit_cell(self, row: int, col: int) -> None:
        """Open the in-place editor on a cell, pre-filled with its exact value."""
        self._editing = (row, col)
        self._editor.setGeometry(self.cell_rect(row, col).adjusted(-8, 4, 8, -4))
        self._editor.setText(repr(float(self._kernel[row, col])).removesuffix(".0"))
        self._editor.show()
        self._editor.setFocus()
        self._editor.selectAll()

    def _commit_editor(self) -> None:
        if self._editing is None:
            return
        cell, self._editing = self._editing, None
        text = self._editor.text().strip()
        self._editor.hide()
        self.setFocus()
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = math.nan
        old = format_weight(self._kernel[cell])
        if not math.isfinite(value):
            self.sigMessage.emit(f"'{text}' is not a finite number; the weight stays {old}.")
            return
        if abs(value) > MAX_WEIGHT:
            self.sigMessage.emit(
                f"'{text}' is too large: weights must lie between -{MAX_WEIGHT:,.0f} and "
                f"{MAX_WEIGHT:,.0f}; the weight stays {old}."
            )
            return
        self.set_value(*cell, value)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if watched is self._editor and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._commit_editor()
                return True
            if event.key() == Qt.Key.Key_Escape:
                self._cancel_editor()
                self.setFocus()
                return True
        return super().eventFilter(watched, event)

    def _cancel_editor(self) -> None:
        self._editing = None
        self._editor.hide()
