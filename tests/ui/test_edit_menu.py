"""The Edit menu: Undo / Redo of the Playground's kernel, only while it is the current tab, and
never in the way of the drawing canvas's own Ctrl+Z."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QTabWidget

from cnnviz.lab import kernels
from cnnviz.nn import architecture as arch
from ui.main_window import MainWindow
from ui.widgets.draw_dialog import DrawDialog


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show_tab("playground")
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.training.shutdown()
    w.why.shutdown()


def _action(window, name) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


def _ctrl_z(qtbot, widget, shift=False):
    modifiers = Qt.KeyboardModifier.ControlModifier
    if shift:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(widget, Qt.Key.Key_Z, modifiers)


def _bring_forward(widget) -> None:
    """Make every tab page that holds ``widget`` the current one."""
    ancestor = widget.parentWidget()
    while ancestor is not None:
        if isinstance(ancestor, QTabWidget):
            for i in range(ancestor.count()):
                page = ancestor.widget(i)
                if page is widget or page.isAncestorOf(widget):
                    ancestor.setCurrentIndex(i)
        ancestor = ancestor.parentWidget()


def test_the_edit_menu_has_undo_redo_and_reset(window):
    menu = window.findChild(QMenu, "editMenu")
    assert menu is not None and menu.title() == "&Edit"
    names = [a.objectName() for a in menu.actions() if not a.isSeparator()]
    assert names == ["undoAction", "redoAction", "resetPlaygroundAction", "resetNetworkAction"]


def test_undo_names_the_command(window):
    window.playground.kernel_grid.set_value(1, 2, 5.0)
    undo = _action(window, "undoAction")
    assert undo.isEnabled() and undo.text() == "Undo Set cell (1, 2)"
    undo.trigger()
    assert _action(window, "redoAction").text() == "Redo Set cell (1, 2)"


def test_undo_and_redo_are_disabled_on_the_other_tabs(window):
    window.playground.kernel_grid.set_value(1, 2, 5.0)
    window.show_tab("training")
    assert not _action(window, "undoAction").isEnabled()
    assert not _action(window, "resetPlaygroundAction").isEnabled()
    window.show_tab("playground")
    assert _action(window, "undoAction").isEnabled()


def test_the_shortcuts_are_the_listed_ones(window):
    assert _action(window, "undoAction").shortcut().toString() == "Ctrl+Z"
    assert _action(window, "redoAction").shortcut().toString() == "Ctrl+Shift+Z"


def test_ctrl_z_in_the_kernel_grid_undoes_and_ctrl_shift_z_redoes(qtbot, window):
    grid = window.playground.kernel_grid
    grid.setFocus()
    grid.set_value(0, 0, 6.0)
    _ctrl_z(qtbot, grid)
    assert grid.kernel()[0, 0] == kernels.preset("Sobel x")[0, 0]
    _ctrl_z(qtbot, grid, shift=True)
    assert grid.kernel()[0, 0] == 6.0


def test_ctrl_z_in_the_draw_dialog_undoes_a_stroke_not_the_kernel(qtbot, window):
    grid = window.playground.kernel_grid
    grid.set_value(0, 0, 6.0)
    edited = grid.kernel()
    dialog = DrawDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    canvas = dialog.canvas
    canvas.setFocus()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    assert canvas.image().any()
    _ctrl_z(qtbot, canvas)
    assert not canvas.image().any()
    np.testing.assert_array_equal(grid.kernel(), edited)
    assert window.playground.undo_stack.canUndo()


def test_ctrl_z_in_the_training_drawing_undoes_a_stroke(qtbot, window):
    window.playground.kernel_grid.set_value(0, 0, 6.0)
    edited = window.playground.kernel_grid.kernel()
    window.show_tab("training")
    canvas = window.training.draw_panel.canvas
    _bring_forward(canvas)
    assert canvas.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    canvas.setFocus()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    assert canvas.image().any()
    _ctrl_z(qtbot, canvas)
    assert not canvas.image().any()
    np.testing.assert_array_equal(window.playground.kernel_grid.kernel(), edited)


def test_reset_from_the_menu_restores_the_default_kernel(window):
    window.playground.controls.kernel_size_spin.setValue(7)
    _action(window, "resetPlaygroundAction").trigger()
    np.testing.assert_array_equal(window.playground.kernel_grid.kernel(),
                                  kernels.preset("Sobel x"))
    assert window.playground.controls.kernel_size_spin.value() == 3


def test_each_reset_is_enabled_on_its_own_tab_only(window):
    menu = window.findChild(QMenu, "editMenu")
    menu.aboutToShow.emit()
    assert _action(window, "resetPlaygroundAction").isEnabled()
    assert not _action(window, "resetNetworkAction").isEnabled()
    window.show_tab("training")
    menu.aboutToShow.emit()
    assert not _action(window, "resetPlaygroundAction").isEnabled()
    assert _action(window, "resetNetworkAction").isEnabled()


def test_the_network_reset_is_disabled_while_the_studio_trains(window):
    window.show_tab("training")
    assert window.training.start(paused=True)
    window.findChild(QMenu, "editMenu").aboutToShow.emit()
    assert not _action(window, "resetNetworkAction").isEnabled()


def test_reset_network_from_the_menu_restores_the_suggested_network(window):
    window.show_tab("training")
    studio = window.training
    studio.editor.select_layer(0)
    studio.editor.set_param("out_channels", 7)
    _action(window, "resetNetworkAction").trigger()
    ds = studio.dataset_panel.dataset()
    assert studio.editor.spec() == arch.default_architecture(ds.name, ds.input_shape,
                                                             ds.n_classes)


def test_closing_the_window_remembers_the_playground(qtbot, window):
    window.playground.controls.stride_spin.setValue(3)
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.playground.controls.stride_spin.value() == 3
    again.training.shutdown()
    again.why.shutdown()


