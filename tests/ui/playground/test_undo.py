"""Undo and redo of kernel edits, presets, size changes and Normalise (KernelHistory)."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.lab import kernels
from ui.playground.widget import PlaygroundWidget


@pytest.fixture
def pg(qtbot):
    widget = PlaygroundWidget()
    qtbot.addWidget(widget)
    return widget


def test_a_new_playground_has_nothing_to_undo(pg):
    assert not pg.undo_stack.canUndo()


def test_undo_brings_back_a_cell_value_and_redo_sets_it_again(pg):
    before = pg.kernel_grid.kernel()
    pg.kernel_grid.set_value(1, 2, 9.0)
    assert pg.undo_stack.undoText() == "Set cell (1, 2)"
    pg.undo_stack.undo()
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), before)
    pg.undo_stack.redo()
    assert pg.kernel_grid.kernel()[1, 2] == 9.0


def test_consecutive_edits_of_one_cell_are_one_undo_step(pg):
    before = pg.kernel_grid.kernel()
    for value in (3.0, 4.0, 5.0):
        pg.kernel_grid.set_value(0, 1, value)
    assert pg.undo_stack.count() == 1
    pg.undo_stack.undo()
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), before)


def test_edits_of_two_cells_are_two_steps(pg):
    pg.kernel_grid.set_value(0, 1, 3.0)
    pg.kernel_grid.set_value(2, 2, 3.0)
    assert pg.undo_stack.count() == 2


def test_undo_of_a_preset_brings_back_the_kernel_and_the_menu(pg):
    pg.controls.preset_combo.setCurrentText("Laplacian")
    assert pg.undo_stack.undoText() == "Preset Laplacian"
    pg.undo_stack.undo()
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset("Sobel x"))
    assert pg.controls.preset_combo.currentText() == "Sobel x"


def test_undo_of_a_size_change_brings_back_size_and_kernel(pg):
    pg.kernel_grid.set_value(0, 0, 7.0)
    edited = pg.kernel_grid.kernel()
    pg.controls.kernel_size_spin.setValue(5)
    pg.undo_stack.undo()
    assert pg.controls.kernel_size_spin.value() == 3
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), edited)
    assert pg.current_result().kernel.shape == (3, 3)


def test_a_size_change_is_one_step(pg):
    pg.controls.kernel_size_spin.setValue(2)
    assert pg.undo_stack.count() == 1


def test_undo_of_a_shrunk_preset_keeps_it_a_preset(pg):
    pg.controls.kernel_size_spin.setValue(2)
    pg.controls.kernel_size_spin.setValue(4)
    pg.undo_stack.undo()
    pg.undo_stack.undo()
    pg.controls.kernel_size_spin.setValue(5)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset_at("Sobel x", 5))


def test_undo_of_normalise_brings_back_the_kernel(pg):
    pg.controls.preset_combo.setCurrentText("Sharpen")
    pg.kernel_grid.set_value(1, 1, 9.0)
    edited = pg.kernel_grid.kernel()
    pg.kernel_editor.transform("Normalise")
    assert pg.undo_stack.undoText() == "Normalise"
    pg.undo_stack.undo()
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), edited)


def test_normalise_of_a_zero_sum_kernel_adds_no_step(pg):
    pg.kernel_editor.transform("Normalise")  # Sobel x sums to 0: nothing changes
    assert not pg.undo_stack.canUndo()


def test_undo_selects_the_filter_that_was_edited(pg):
    pg.bank.set_filter_count(2)
    pg.kernel_grid.select(1)
    pg.kernel_grid.set_value(0, 0, 5.0)
    pg.kernel_grid.select(0)
    pg.undo_stack.undo()
    assert pg.kernel_grid.selected() == 1


def test_undo_shows_the_restored_kernel_in_the_result(pg):
    pg.kernel_grid.set_value(1, 1, 4.0)
    pg.undo_stack.undo()
    np.testing.assert_array_equal(pg.current_result().kernel, kernels.preset("Sobel x"))


def test_undo_of_a_new_filter_count_brings_back_the_bank(pg):
    pg.bank.set_filter_count(3)
    assert pg.undo_stack.undoText() == "3 filter(s)"
    pg.undo_stack.undo()
    assert pg.kernel_grid.filter_count() == 1
    assert pg.controls.channels_group.filter_spin.value() == 1


def test_switching_to_colour_starts_a_fresh_history(pg):
    pg.kernel_grid.set_value(0, 0, 3.0)
    pg.set_channel_mode("rgb")
    assert not pg.undo_stack.canUndo()
