"""Undo and redo for the playground's kernel: cell edits, presets, size changes, the transform
buttons (Normalise, Random, Flip, Rotate, Zero) and kernels loaded from elsewhere.

:class:`KernelHistory` watches the kernel grid. Each change of the bank becomes one command on
its ``QUndoStack`` holding the state before and after it (a :class:`KernelState`: the bank, the
filter shown, the preset loaded), so undoing a size change brings back the exact kernel, and the
preset the editor remembered, not a crop padded with zeros. Whoever makes a change may name it
first with :meth:`KernelHistory.labelled` ("Preset Sobel x"); a change nobody named is either one
cell ("Set cell (1, 2)", and consecutive edits of that cell merge into one command, so a drag is
one undo step) or "Edit kernel".

A change of the channel mode converts the image too, which is not the kernel's to undo: it
starts a fresh history.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack

from ui.playground.kernel_editor import KernelEditor
from ui.playground.kernel_grid import KernelGrid

__all__ = ["KernelState", "KernelCommand", "SetCellCommand", "KernelHistory"]

_SET_CELL_ID = 1001  # QUndoCommand.id(): commands with the same id may merge


class KernelState(NamedTuple):
    """What one undo step restores.

    Attributes
    ----------
    bank : ndarray, shape (F, C, k, k)
    selected : int
        The filter shown.
    preset : str or None
        The preset the kernel editor remembered (it rebuilds it on the next size change).
    """

    bank: np.ndarray
    selected: int
    preset: str | None

    def same_as(self, other: KernelState) -> bool:
        return (self.bank.shape == other.bank.shape and np.array_equal(self.bank, other.bank)
                and self.preset == other.preset)


class KernelCommand(QUndoCommand):
    """One change of the kernel: ``undo`` restores ``before``, ``redo`` restores ``after``.

    It is pushed after the change was made, so the first ``redo`` (QUndoStack.push calls it)
    does nothing.
    """

    def __init__(self, history: KernelHistory, before: KernelState, after: KernelState,
                 text: str):
        super().__init__(text)
        self._history = history
        self.before, self.after = before, after
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._history.restore(self.after)

    def undo(self) -> None:
        self._history.restore(self.before)


class SetCellCommand(KernelCommand):
    """A change of one weight (in one channel, or in all with "same for all channels").

    Consecutive changes of the same cell of the same filter merge: a drag or a run of clicks is
    one undo step, back to the value before the first.
    """

    def __init__(self, history: KernelHistory, before: KernelState, after: KernelState,
                 cell: tuple[int, int, int]):
        super().__init__(history, before, after, f"Set cell ({cell[1]}, {cell[2]})")
        self.cell = cell  # filter, row, col

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return _SET_CELL_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, SetCellCommand) or other.cell != self.cell:
            return False
        self.after = other.after
        # Back where it started (a click then a right click): nothing left to undo.
        self.setObsolete(self.before.same_as(self.after))
        return True


def _one_cell(before: KernelState, after: KernelState) -> tuple[int, int, int] | None:
    """(filter, row, col) if the two banks differ in one weight position only, else None."""
    if before.bank.shape != after.bank.shape:
        return None
    where = np.argwhere(before.bank != after.bank)  # rows of (filter, channel, row, col)
    if len(where) == 0:
        return None
    cells = {(int(f), int(r), int(c)) for f, _ch, r, c in where}
    return cells.pop() if len(cells) == 1 else None


class KernelHistory(QObject):
    """The playground's undo stack for the kernel (attribute ``stack``, a ``QUndoStack``)."""

    def __init__(self, grid: KernelGrid, editor: KernelEditor, parent: QObject | None = None):
        super().__init__(parent)
        self._grid = grid
        self._editor = editor
        self.stack = QUndoStack(self)
        self.stack.setObjectName("playgroundUndoStack")
        self._label: str | None = None
        self._before: KernelState | None = None  # the state when the outer labelled() began
        self._restoring = False
        self._last = self.state()
        grid.sigKernelChanged.connect(self._on_changed)
        grid.sigSelectionChanged.connect(self._on_selected)

    def state(self) -> KernelState:
        """The kernel as it is now."""
        return KernelState(self._grid.kernels(), self._grid.selected(),
                           self._editor.loaded_preset())

    @contextmanager
    def labelled(self, text: str) -> Iterator[None]:
        """Make everything changed inside the ``with`` block one undo step named ``text``.

        Nested blocks belong to the outermost one (a reset that loads a preset is one step).
        """
        if self._label is not None:
            yield
            return
        self._label, self._before = text, self._last
        try:
            yield
        finally:
            before, self._label, self._before = self._before, None, None
            self._record(before, text)

    def restore(self, state: KernelState) -> None:
        """Put ``state`` back in the grid and the editor, recording nothing."""
        self._restoring = True
        try:
            self._grid.set_kernels(state.bank)
            self._grid.select(state.selected)
            self._editor.set_loaded_preset(state.preset)
        finally:
            self._restoring = False
        self._last = self.state()

    def forget(self) -> None:
        """Start a fresh history from the kernel as it is now (a restored session)."""
        self.stack.clear()
        self._last = self.state()

    @Slot()
    def _on_changed(self) -> None:
        if self._restoring or self._label is not None:
            return  # a labelled change is recorded once, when its block ends
        self._record(self._last, None)

    def _record(self, before: KernelState, text: str | None) -> None:
        now = self._last = self.state()
        if now.same_as(before):
            return
        if now.bank.shape[1] != before.bank.shape[1]:
            self.stack.clear()  # grey <-> colour converted the image as well
            return
        if text is None and now.bank.shape[0] != before.bank.shape[0]:
            text = f"{now.bank.shape[0]} filter(s)"
        cell = None if text else _one_cell(before, now)
        if cell is not None:
            self.stack.push(SetCellCommand(self, before, now, cell))
        else:
            self.stack.push(KernelCommand(self, before, now, text or "Edit kernel"))

    @Slot(int)
    def _on_selected(self, _index: int) -> None:
        if not self._restoring:
            self._last = self.state()
