"""The whole playground is remembered across restarts; a bad stored value falls back."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.lab import kernels
from ui.playground.state import GROUP
from ui.playground.widget import PlaygroundWidget
from ui.widgets.settings import read_setting, take_notes, write_setting


@pytest.fixture
def make(qtbot):
    def build() -> PlaygroundWidget:
        widget = PlaygroundWidget()
        qtbot.addWidget(widget)
        return widget
    return build


def _customise(pg: PlaygroundWidget) -> None:
    c = pg.controls
    pg.set_channel_mode("rgb")
    c.channels_group.fill_combo.setCurrentIndex(c.channels_group.fill_combo.findData("luma"))
    pg.bank.set_filter_count(2)
    c.kernel_size_spin.setValue(5)
    pg.kernel_grid.select(1)
    pg.kernel_grid.set_value(0, 4, 2.5, channel=1)
    c.bias_spin.setValue(-0.75)
    c.stride_spin.setValue(2)
    c.padding_spin.setValue(4)
    c.padding_mode_combo.setCurrentText("reflect")
    c.dilation_spin.setValue(2)
    c.relu_check.setChecked(True)
    c.pool_type_combo.setCurrentText("average")
    c.pool_size_spin.setValue(3)
    c.pool_stride_spin.setValue(1)


def test_a_new_playground_has_the_saved_state(make):
    pg = make()
    _customise(pg)
    saved = pg.state.values()
    pg.save_state()
    again = make()
    restored = again.state.values()
    for key in saved:
        np.testing.assert_array_equal(restored[key], saved[key], err_msg=key)
    np.testing.assert_array_equal(again.current_result().kernels, pg.current_result().kernels)
    assert again.current_result().settings == pg.current_result().settings


def test_a_saved_shrunk_preset_comes_back_whole_after_a_restart(make):
    pg = make()
    pg.controls.kernel_size_spin.setValue(2)
    pg.save_state()
    again = make()
    assert again.controls.preset_combo.currentText() == "Sobel x"
    again.controls.kernel_size_spin.setValue(3)
    np.testing.assert_array_equal(again.kernel_grid.kernel(), kernels.preset("Sobel x"))


def test_the_restored_state_is_not_an_undo_step(make):
    pg = make()
    _customise(pg)
    pg.save_state()
    assert not make().undo_stack.canUndo()


@pytest.mark.parametrize("bad", ["1,2,3", "nan,0,0,0,0,0,0,0,0", "a,b,c,d,e,f,g,h,i",
                                 "1e300," * 8 + "1e300"])
def test_a_bad_stored_kernel_gives_the_default_kernel_and_a_note(make, bad):
    take_notes()
    write_setting(f"{GROUP}/kernels", bad)
    pg = make()
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset("Sobel x"))
    assert any(f"{GROUP}/kernels" in n for n in take_notes())
    assert read_setting(f"{GROUP}/kernels", None, str) is None  # dropped for good


def test_a_kernel_saved_for_another_size_is_not_used(make):
    write_setting(f"{GROUP}/size", 3)
    write_setting(f"{GROUP}/kernels", ",".join(["1"] * 25))
    pg = make()
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), kernels.preset("Sobel x"))


@pytest.mark.parametrize("key, bad", [("size", 42), ("size", "three"), ("stride", 0),
                                      ("dilation", 99), ("filters", 100), ("padding", -1)])
def test_an_out_of_range_setting_falls_back_to_its_default(make, key, bad):
    default = make().state.values()[key]
    take_notes()
    write_setting(f"{GROUP}/{key}", bad)
    pg = make()
    assert pg.state.values()[key] == default
    assert any(f"{GROUP}/{key}" in n for n in take_notes())


def test_an_unknown_padding_mode_falls_back_to_the_default(make):
    write_setting(f"{GROUP}/padding_mode", "mirror-ish")
    assert make().controls.padding_mode_combo.currentText() == "zeros"


def test_reset_forgets_the_saved_state_and_shows_the_defaults(make):
    pg = make()
    defaults = pg.state.values()
    pg.controls.stride_spin.setValue(3)
    pg.kernel_grid.set_value(0, 0, 4.0)
    pg.save_state()
    pg.reset_to_defaults()
    for key, value in defaults.items():
        np.testing.assert_array_equal(pg.state.values()[key], value, err_msg=key)
    assert read_setting(f"{GROUP}/stride", None, int) is None
    assert make().controls.stride_spin.value() == 1


def test_reset_is_one_undo_step_for_the_kernel(make):
    pg = make()
    pg.controls.kernel_size_spin.setValue(5)
    pg.kernel_grid.set_value(0, 0, 4.0)
    edited = pg.kernel_grid.kernel()
    pg.reset_to_defaults()
    assert pg.undo_stack.undoText() == "Reset Playground to defaults"
    pg.undo_stack.undo()
    np.testing.assert_array_equal(pg.kernel_grid.kernel(), edited)
