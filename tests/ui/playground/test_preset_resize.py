"""A preset survives size changes: resized around its centre, and whole again at a size it has."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.lab import kernels
from ui.playground.widget import PlaygroundWidget


@pytest.fixture
def pg(qtbot):
    widget = PlaygroundWidget()
    qtbot.addWidget(widget)
    widget.controls.preset_combo.setCurrentText("Sobel x")
    return widget


def test_sobel_at_2x2_keeps_its_centre(pg):
    pg.controls.kernel_size_spin.setValue(2)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset("Sobel x")[1:3, 1:3])


def test_sobel_3_to_2_to_3_is_sobel_again(pg):
    pg.controls.kernel_size_spin.setValue(2)
    pg.controls.kernel_size_spin.setValue(3)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset("Sobel x"))
    assert pg.controls.preset_combo.currentText() == "Sobel x"


def test_sobel_3_to_2_to_5_is_the_whole_sobel_in_5x5(pg):
    pg.controls.kernel_size_spin.setValue(2)
    pg.controls.kernel_size_spin.setValue(5)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset_at("Sobel x", 5))


def test_sobel_3_to_5_is_the_preset_at_5(pg):
    pg.controls.kernel_size_spin.setValue(5)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset_at("Sobel x", 5))
    assert pg.controls.preset_combo.currentText() == "Sobel x"


def test_the_preset_stays_named_while_only_resizes_happen(pg):
    pg.controls.kernel_size_spin.setValue(1)
    assert pg.controls.preset_combo.currentText() == "Sobel x"
    pg.controls.kernel_size_spin.setValue(4)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset_at("Sobel x", 4))


def test_a_prewitt_shrunk_to_1x1_comes_back_as_prewitt_not_sobel(pg):
    pg.controls.preset_combo.setCurrentText("Prewitt x")
    pg.controls.kernel_size_spin.setValue(1)
    pg.controls.kernel_size_spin.setValue(3)
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset("Prewitt x"))


def test_an_edit_after_a_resize_makes_the_kernel_custom(pg):
    pg.controls.kernel_size_spin.setValue(2)
    pg.kernel_grid.set_value(0, 0, 7.0)
    pg.controls.kernel_size_spin.setValue(3)
    assert pg.controls.preset_combo.currentText() == "Custom"
    assert pg.kernel_grid.kernel()[1, 1] == 7.0  # the edited centre stays the centre


def test_the_status_of_a_crop_says_which_cells_are_kept(pg, qtbot):
    with qtbot.waitSignal(pg.kernel_editor.sigStatus) as blocker:
        pg.controls.kernel_size_spin.setValue(2)
    assert "centre" in blocker.args[0] and "back" in blocker.args[0]


def test_the_description_of_a_cropped_preset_says_it_is_cropped(pg):
    pg.controls.kernel_size_spin.setValue(2)
    assert "Cropped here to the 2x2" in pg.controls.preset_description.text()
    pg.controls.kernel_size_spin.setValue(3)
    assert "Cropped" not in pg.controls.preset_description.text()
