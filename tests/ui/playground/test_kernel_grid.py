"""The kernel grid is edited with the mouse and keyboard, as a user would."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from ui.playground.kernel_grid import KernelGrid, format_weight


@pytest.fixture
def grid(qtbot):
    widget = KernelGrid(np.zeros((3, 3)))
    widget.resize(240, 240)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click(qtbot, grid, row, col, button=Qt.MouseButton.LeftButton):
    qtbot.mouseClick(grid, button, pos=grid.cell_rect(row, col).center())


def test_left_click_adds_one_step_to_that_cell_only(qtbot, grid):
    grid.set_step(0.5)
    with qtbot.waitSignal(grid.sigKernelChanged):
        click(qtbot, grid, 1, 2)
    expected = np.zeros((3, 3))
    expected[1, 2] = 0.5
    np.testing.assert_array_equal(grid.kernel(), expected)


def test_right_click_subtracts_one_step(qtbot, grid):
    click(qtbot, grid, 0, 0, Qt.MouseButton.RightButton)
    click(qtbot, grid, 0, 0, Qt.MouseButton.RightButton)
    assert grid.kernel()[0, 0] == -2.0


def test_wheel_nudges_by_a_tenth_of_the_step(qtbot, grid):
    centre = QPointF(grid.cell_rect(2, 2).center())
    event = QWheelEvent(
        centre,
        QPointF(grid.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(grid, event)
    assert grid.kernel()[2, 2] == pytest.approx(0.1)


def type_into_cell(qtbot, grid, row, col, text):
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(row, col).center())
    editor = grid.findChild(type(grid._editor), "kernelCellEditor")
    assert editor.isVisible()
    editor.clear()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_double_click_types_an_exact_value(qtbot, grid):
    type_into_cell(qtbot, grid, 0, 1, "-0.125")
    expected = np.zeros((3, 3))
    expected[0, 1] = -0.125
    np.testing.assert_array_equal(grid.kernel(), expected)


@pytest.mark.parametrize("text", ["abc", "nan", "inf", ""])
def test_text_that_is_not_a_finite_number_is_refused_with_a_message(qtbot, grid, text):
    grid.set_value(1, 1, 3.0)
    messages = []
    grid.sigMessage.connect(messages.append)
    type_into_cell(qtbot, grid, 1, 1, text)
    assert grid.kernel()[1, 1] == 3.0
    assert messages and "not a finite number" in messages[-1]


def test_keyboard_moves_the_selection_and_changes_the_value(qtbot, grid):
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    qtbot.keyClick(grid, Qt.Key.Key_Plus)
    assert grid.kernel()[1, 1] == 1.0


def test_set_kernel_changes_the_size_and_rejects_non_square_arrays(grid):
    grid.set_kernel(np.arange(25.0).reshape(5, 5))
    assert grid.kernel().shape == (5, 5)
    with pytest.raises(ValueError, match="square"):
        grid.set_kernel(np.zeros((2, 3)))


def test_cells_show_short_readable_numbers():
    assert format_weight(2.0) == "2"
    assert format_weight(-0.25) == "-0.25"
    assert format_weight(0.0123) == "0.012"


def test_dragging_up_from_a_click_scrubs_the_value_one_step_per_few_pixels(qtbot, grid):
    from ui.playground.kernel_grid import DRAG_PIXELS

    start = grid.cell_rect(1, 1).center()
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=start)
    assert grid.kernel()[1, 1] == 1.0
    qtbot.mouseMove(grid, start - QPoint(0, 3 * DRAG_PIXELS))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=start - QPoint(0, 3 * DRAG_PIXELS))
    assert grid.kernel()[1, 1] == 4.0


def test_a_typed_weight_too_large_for_the_engine_is_refused_with_a_message(qtbot, grid):
    grid.set_value(1, 1, 3.0)
    messages = []
    grid.sigMessage.connect(messages.append)
    type_into_cell(qtbot, grid, 1, 1, "1e308")
    assert grid.kernel()[1, 1] == 3.0
    assert messages and "too large" in messages[-1]


def test_a_huge_weight_is_written_short_enough_for_its_cell():
    from ui.playground.kernel_grid import format_weight

    assert len(format_weight(123456.0)) <= 8
    assert len(format_weight(-9.9e5)) <= 9


def test_enter_commits_the_typed_value_and_closes_the_editor(qtbot, grid):
    grid.setFocus()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(1, 2).center())
    type_into_cell(qtbot, grid, 1, 2, "0.5")
    assert grid.kernel()[1, 2] == 0.5
    assert not grid._editor.isVisible()  # Return must not reach the grid and reopen it


def test_escape_closes_the_editor_and_keeps_the_old_value(qtbot, grid):
    grid.set_value(0, 0, 2.0)
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(0, 0).center())
    grid._editor.clear()
    qtbot.keyClicks(grid._editor, "7")
    qtbot.keyClick(grid._editor, Qt.Key.Key_Escape)
    assert not grid._editor.isVisible()
    assert grid.kernel()[0, 0] == 2.0
