"""The main window's Edit menu: Undo / Redo of the Playground's kernel edits, and the resets.

The actions come from a ``QUndoGroup`` whose active stack is the Playground's while its tab is
current and none otherwise, so they are disabled (and say only "Undo") on the other tabs, where
Ctrl+Z belongs to whatever has the focus (the digit canvas of the training studio undoes a stroke).
The shortcuts are window-wide: a dialog, such as the drawing dialog, is its own window and keeps
its own Ctrl+Z. Each reset acts on its own tab and is enabled only there: the playground's forgets
the remembered playground, the studio's the remembered network (not while it trains).
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMenu, QTabWidget, QWidget

from ui.playground.widget import PlaygroundWidget
from ui.shortcuts import keys_for
from ui.training.widget import TrainingWidget

__all__ = ["EditMenu"]


class EditMenu(QMenu):
    """``editMenu`` with ``undoAction``, ``redoAction``, ``resetPlaygroundAction`` and
    ``resetNetworkAction``.

    Parameters
    ----------
    tabs : QTabWidget
        The main window's tabs; the actions follow which one is current.
    playground : PlaygroundWidget
        Its ``undo_stack`` is undone; its ``reset_to_defaults()`` is the reset.
    training : TrainingWidget or None
        Its ``reset_network_to_suggested()`` is the studio's reset (disabled while there is no
        studio yet: :meth:`set_training` gives it).
    """

    def __init__(self, tabs: QTabWidget, playground: PlaygroundWidget,
                 training: TrainingWidget | None, parent: QWidget | None = None):
        super().__init__("&Edit", parent)
        self.setObjectName("editMenu")
        self._tabs = tabs
        self._playground = playground
        self._training = training
        self.group = QUndoGroup(self)
        self.group.addStack(playground.undo_stack)
        # The prefix makes the text "Undo Set cell (1, 2)" ("Undo" alone when nothing to undo).
        self.undo_action = self.group.createUndoAction(self, "Undo")
        self.undo_action.setObjectName("undoAction")
        self.undo_action.setShortcut(QKeySequence(keys_for("undo the last kernel edit")))
        self.redo_action = self.group.createRedoAction(self, "Redo")
        self.redo_action.setObjectName("redoAction")
        self.redo_action.setShortcut(QKeySequence(keys_for("redo the kernel edit undone")))
        self.reset_action = QAction("&Reset Playground to Defaults", self)
        self.reset_action.setObjectName("resetPlaygroundAction")
        self.reset_action.setToolTip("Forget the remembered playground (kernel, size, stride, "
                                     "padding, pooling, channels) and start as on first launch. "
                                     "The kernel part can be undone.")
        self.reset_action.triggered.connect(self._reset)
        self.reset_network_action = QAction("Reset &Network to Suggested", self)
        self.reset_network_action.setObjectName("resetNetworkAction")
        self.reset_network_action.setToolTip("Forget the remembered network of the training "
                                             "studio and show the one suggested for its data "
                                             "set (not while it trains).")
        self.reset_network_action.triggered.connect(self._reset_network)
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)
        self.addSeparator()
        self.addAction(self.reset_action)
        self.addAction(self.reset_network_action)
        tabs.currentChanged.connect(self._follow_tab)
        self.aboutToShow.connect(self._follow_tab)  # a run may have started or ended since
        self._follow_tab(tabs.currentIndex())

    def set_training(self, training: TrainingWidget) -> None:
        """The studio whose network the reset acts on (the main window builds it after the
        first paint)."""
        self._training = training
        self._follow_tab()

    @Slot()
    @Slot(int)
    def _follow_tab(self, _index: int = -1) -> None:
        current = self._tabs.currentWidget()
        on = current is self._playground
        self.group.setActiveStack(self._playground.undo_stack if on else None)
        self.reset_action.setEnabled(on)
        self.reset_network_action.setEnabled(self._training is not None
                                             and current is self._training
                                             and not self._training.is_running())

    @Slot()
    def _reset(self) -> None:
        self._playground.reset_to_defaults()

    @Slot()
    def _reset_network(self) -> None:
        self._training.reset_network_to_suggested()
