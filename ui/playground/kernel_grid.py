"""A kernel editor: every weight visible as a number on a diverging colour, one grid per channel.

The grid holds a whole bank of filters, shape (F, C, k, k), and shows the selected filter: one
k x k grid per input channel side by side (labelled R, G, B for a colour input). Left click adds
one step, right click subtracts one, dragging up or down from a click scrubs the value, the wheel
nudges, double click types an exact value in place. Keyboard: arrows move the selected cell, +/-
change it, Enter edits it. With "same for all channels" on, an edit changes that weight in every
channel. Values are coloured on the same diverging map as the output views, so a negative weight
reads as "blue" both in the kernel and in what it produces.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QToolTip, QWidget

from cnnviz.lab.conv import MAX_WEIGHT
from cnnviz.lab.kernels import resize_kernel
from ui.playground.grid_painting import (
    GAP,
    LABEL_HEIGHT,
    format_weight,
    grid_geometry,
    layout_counts,
    paint_kernels,
)
from ui.theme import FOCUS_ORANGE

__all__ = ["KernelGrid", "format_weight", "CHANNEL_LABELS"]

DRAG_PIXELS = 8  # vertical mouse travel per step while dragging on a cell
CHANNEL_LABELS = ("R", "G", "B")


class KernelGrid(QWidget):
    """Edit a bank of square kernels by clicking; emits ``sigKernelChanged`` after each edit.

    Signals
    -------
    sigKernelChanged()
        A weight, the kernel size or the bank changed.
    sigSelectionChanged(int)
        Another filter of the bank is shown.
    sigMessage(str)
        Feedback for the user (e.g. a refused value).
    """

    sigKernelChanged = Signal()
    sigSelectionChanged = Signal(int)
    sigMessage = Signal(str)

    def __init__(self, kernel: np.ndarray | None = None, parent: QWidget | None = None,
                 per_row: int = 3):
        super().__init__(parent)
        self.setObjectName("kernelGrid")
        k = np.zeros((3, 3)) if kernel is None else np.array(kernel, dtype=float)
        self._bank = k.reshape((1,) * (4 - k.ndim) + k.shape)  # (F, C, k, k)
        self._filter = 0
        self._labels: list[str] = []
        self._per_row = per_row
        self._same = False
        self._step = 1.0
        self._selected: tuple[int, int, int] = (0, 0, 0)  # channel, row, col
        self._last_press: tuple[tuple[int, int, int], float] | None = None
        self._drag: tuple[tuple[int, int, int], float, float] | None = None
        self._editor = QLineEdit(self)
        self._editor.setObjectName("kernelCellEditor")
        self._editor.hide()
        self._editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._editor.editingFinished.connect(self._commit_editor)
        # QLineEdit passes Return on to its parent, which would reopen the editor at once.
        self._editor.installEventFilter(self)
        self._editing: tuple[int, int, int] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(120, 120)
        self.setMaximumSize(300, 230)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._update_labels()
        self.setToolTip(
            "Left click: +step, right click: -step, drag up/down: scrub, wheel: nudge,\n"
            "double click: type a value.\n"
            "Keyboard: arrows select, + / - change, Enter types a value."
        )

    # -- public API ---------------------------------------------------------------------------
    def kernel(self) -> np.ndarray:
        """A copy of the selected filter's kernel: shape (k, k) for one channel, else (C, k, k)."""
        k = self._bank[self._filter]
        return (k[0] if k.shape[0] == 1 else k).copy()

    def set_kernel(self, kernel: np.ndarray) -> None:
        """Replace the selected filter's kernel; emits ``sigKernelChanged``.

        ``kernel`` is (k, k) (copied into every channel) or (C, k, k). Any square size: the
        bank's other filters are cropped or zero-padded around their centre to match.
        """
        k = np.array(kernel, dtype=float)
        if k.ndim not in (2, 3) or k.shape[-1] != k.shape[-2] or k.size == 0:
            raise ValueError(f"a kernel must be a non-empty square 2-D array (or one per "
                             f"channel), not shape {k.shape}")
        if k.ndim == 3 and k.shape[0] != self.channels():
            raise ValueError(f"this grid edits {self.channels()} channel(s), not {k.shape[0]}")
        if not np.all(np.isfinite(k)):
            raise ValueError("a kernel must contain finite numbers only")
        bank = self._bank if k.shape[-1] == self.size_k() else resize_kernel(self._bank,
                                                                              k.shape[-1])
        bank = bank.copy()
        bank[self._filter] = k if k.ndim == 3 else k[None]
        self._replace(bank)

    def kernels(self) -> np.ndarray:
        """A copy of the whole bank, shape (F, C, k, k), float64."""
        return self._bank.copy()

    def set_kernels(self, bank: np.ndarray) -> None:
        """Replace the whole bank (F, C, k, k): filters, channels and size may all change."""
        b = np.array(bank, dtype=float)
        if b.ndim != 4 or b.shape[-1] != b.shape[-2] or b.size == 0:
            raise ValueError(f"a bank of kernels must have shape (F, C, k, k), not {b.shape}")
        if not np.all(np.isfinite(b)):
            raise ValueError("a kernel must contain finite numbers only")
        self._replace(b)

    def selected(self) -> int:
        """Index of the filter shown and edited."""
        return self._filter

    def select(self, index: int) -> None:
        """Show and edit filter ``index``; emits ``sigSelectionChanged``."""
        index = min(max(int(index), 0), self.filter_count() - 1)
        if index != self._filter:
            self._cancel_editor()
            self._filter = index
            self.update()
            self.sigSelectionChanged.emit(index)

    def filter_count(self) -> int:
        return int(self._bank.shape[0])

    def channels(self) -> int:
        return int(self._bank.shape[1])

    def size_k(self) -> int:
        return int(self._bank.shape[-1])

    def set_labels(self, labels) -> None:
        """Captions over the channel grids (default: R, G, B for three channels, none for one)."""
        self._labels = list(labels)
        self.updateGeometry()
        self.update()

    def set_same_for_all(self, same: bool) -> None:
        """Whether an edit changes the weight in every channel at once."""
        self._same = bool(same)

    def same_for_all(self) -> bool:
        return self._same

    def current_channel(self) -> int:
        """The channel of the cell last clicked or moved to."""
        return self._selected[0]

    def step(self) -> float:
        return self._step

    def set_step(self, step: float) -> None:
        """The amount a click adds or subtracts (the wheel nudges by a tenth of it)."""
        self._step = float(step)

    def set_value(self, row: int, col: int, value: float, channel: int = 0) -> None:
        """Set one weight of the selected filter (in every channel when "same for all" is on);
        emits ``sigKernelChanged``."""
        targets = range(self.channels()) if self._same else (channel,)
        for c in targets:
            self._bank[self._filter, c, row, col] = float(value)
        self.update()
        self.sigKernelChanged.emit()

    def value(self, row: int, col: int, channel: int = 0) -> float:
        return float(self._bank[self._filter, channel, row, col])

    def cell_rect(self, row: int, col: int, channel: int = 0) -> QRect:
        """Where cell (row, col) of ``channel`` is drawn, in widget coordinates."""
        side, origins = self._geometry()
        x0, y0 = origins[channel]
        return QRect(int(x0 + col * side), int(y0 + row * side), int(side), int(side))

    def sizeHint(self) -> QSize:
        return QSize(240, self.heightForWidth(240))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        cols, rows = self._layout_counts()
        side = (width - (cols - 1) * GAP) / cols
        return int(rows * (side + self._label_height()) + (rows - 1) * GAP)

    # -- internals ----------------------------------------------------------------------------
    def _replace(self, bank: np.ndarray) -> None:
        self._cancel_editor()
        shape_changed = bank.shape[:2] != self._bank.shape[:2]
        self._bank = bank
        f, c, k = bank.shape[0], bank.shape[1], bank.shape[-1]
        ch, row, col = self._selected
        self._selected = (min(ch, c - 1), min(row, k - 1), min(col, k - 1))
        if shape_changed:
            self._update_labels()
        if self._filter >= f:
            self._filter = f - 1
            self.sigSelectionChanged.emit(self._filter)
        self.update()
        self.sigKernelChanged.emit()

    def _update_labels(self) -> None:
        c = self.channels()
        if len(self._labels) != c:
            self._labels = list(CHANNEL_LABELS) if c == 3 else (
                [] if c == 1 else [str(i + 1) for i in range(c)])
        self.updateGeometry()

    def _label_height(self) -> int:
        return LABEL_HEIGHT if self._labels else 0

    def _layout_counts(self) -> tuple[int, int]:
        return layout_counts(self.channels(), self._per_row)

    def _geometry(self) -> tuple[float, list[tuple[float, float]]]:
        """Cell side and the top-left corner of each channel's grid."""
        return grid_geometry(self.width(), self.height(), self.size_k(), self.channels(),
                             self._per_row, self._label_height())

    def _cell_at(self, pos: QPoint) -> tuple[int, int, int] | None:
        side, origins = self._geometry()
        k = self.size_k()
        for channel, (x0, y0) in enumerate(origins):
            col = math.floor((pos.x() - x0) / side)
            row = math.floor((pos.y() - y0) / side)
            if 0 <= row < k and 0 <= col < k:
                return channel, row, col
        return None

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        side, origins = self._geometry()
        paint_kernels(painter, self._bank[self._filter], side, origins, self._labels, self.font())
        if self.hasFocus():
            channel, row, col = self._selected
            painter.setPen(QPen(QColor(FOCUS_ORANGE), 2))
            painter.drawRect(self.cell_rect(row, col, channel).adjusted(1, 1, -1, -1))
        painter.end()

    def event(self, event) -> bool:  # noqa: D401 (Qt API)
        if event.type() == QEvent.Type.ToolTip:
            cell = self._cell_at(event.pos())
            if cell is not None:
                channel, row, col = cell
                where = f"{self._labels[channel]} " if self._labels else ""
                QToolTip.showText(
                    event.globalPos(),
                    f"{where}weight [{row}, {col}] = {self.value(row, col, channel)!r}\n"
                    + self.toolTip(),
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
        channel, row, col = cell
        before = self.value(row, col, channel)
        self._last_press = (cell, before)
        self.set_value(row, col, before + delta, channel)
        # Keep the button down and drag up/down to scrub the value, one step per DRAG_PIXELS.
        self._drag = (cell, event.position().y(), before + delta)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag is None or not event.buttons():
            return super().mouseMoveEvent(event)
        (channel, row, col), y0, base = self._drag
        steps = round((y0 - event.position().y()) / DRAG_PIXELS)
        value = base + steps * self._step
        if value != self.value(row, col, channel):
            self.set_value(row, col, value, channel)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._drag = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cell = self._cell_at(event.position().toPoint())
        if cell is None:
            return
        # The first click of the double click already added a step: undo it before typing.
        if self._last_press is not None and self._last_press[0] == cell:
            channel, row, col = cell
            if self.value(row, col, channel) != self._last_press[1]:
                self.set_value(row, col, self._last_press[1], channel)
        self._last_press = None
        self.edit_cell(cell[1], cell[2], cell[0])

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        cell = self._cell_at(event.position().toPoint())
        notches = event.angleDelta().y() / 120.0
        if cell is None or notches == 0:
            return
        self._selected = cell
        channel, row, col = cell
        self.set_value(row, col, self.value(row, col, channel) + notches * self._step / 10.0,
                       channel)
        event.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        channel, row, col = self._selected
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
            self._selected = (channel, min(max(row + dr, 0), k - 1), min(max(col + dc, 0), k - 1))
            self.update()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.set_value(row, col, self.value(row, col, channel) + self._step, channel)
        elif key == Qt.Key.Key_Minus:
            self.set_value(row, col, self.value(row, col, channel) - self._step, channel)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.edit_cell(row, col, channel)
        else:
            super().keyPressEvent(event)

    # -- in-place editor ----------------------------------------------------------------------
    def edit_cell(self, row: int, col: int, channel: int = 0) -> None:
        """Open the in-place editor on a cell, pre-filled with its exact value."""
        self._editing = (channel, row, col)
        self._editor.setGeometry(self.cell_rect(row, col, channel).adjusted(-8, 4, 8, -4))
        self._editor.setText(repr(self.value(row, col, channel)).removesuffix(".0"))
        self._editor.show()
        self._editor.setFocus()
        self._editor.selectAll()

    def _commit_editor(self) -> None:
        if self._editing is None:
            return
        (channel, row, col), self._editing = self._editing, None
        text = self._editor.text().strip()
        self._editor.hide()
        self.setFocus()
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = math.nan
        old = format_weight(self.value(row, col, channel))
        if not math.isfinite(value):
            self.sigMessage.emit(f"'{text}' is not a finite number; the weight stays {old}.")
            return
        if abs(value) > MAX_WEIGHT:
            self.sigMessage.emit(
                f"'{text}' is too large: weights must lie between -{MAX_WEIGHT:,.0f} and "
                f"{MAX_WEIGHT:,.0f}; the weight stays {old}."
            )
            return
        self.set_value(row, col, value, channel)

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
