"""The playground's parts on their own terms: each owns its state and says what changed."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QComboBox, QLabel

from cnnviz.lab import kernels
from ui.playground.controls import ControlsPanel
from ui.playground.conv_views import ConvViews
from ui.playground.kernel_editor import KernelEditor, resize_kernel
from ui.playground.sources import SourceMenu
from ui.playground.widget import PlaygroundWidget


@pytest.fixture
def pg(qtbot):
    widget = PlaygroundWidget()
    widget.resize(1200, 800)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def menu(qtbot):
    combo, info, message = QComboBox(), QLabel(), QLabel()
    for widget in (combo, info, message):
        qtbot.addWidget(widget)
    return SourceMenu(combo, info, message), combo, message


def test_source_menu_announces_an_array_clipped_to_0_1_and_names_it(qtbot, menu):
    sources, combo, _message = menu
    array = np.linspace(-1.0, 2.0, 12).reshape(3, 4)
    with qtbot.waitSignal(sources.sigImageChosen) as blocker:
        assert sources.use_array(array, "ramp")
    image, name = blocker.args
    np.testing.assert_array_equal(image, np.clip(array, 0, 1).astype(np.float32))
    assert name == "ramp" and combo.currentText() == "Array: ramp"


def test_source_menu_refuses_a_non_finite_array_without_announcing_it(qtbot, menu):
    sources, _combo, message = menu
    with qtbot.assertNotEmitted(sources.sigImageChosen):
        assert not sources.use_array(np.full((4, 4), np.nan), "broken")
    assert not message.isHidden() and "finite numbers" in message.text()


def test_kernel_editor_works_without_the_playground(qtbot):
    controls = ControlsPanel()
    qtbot.addWidget(controls)
    editor = KernelEditor(controls)
    controls.preset_combo.setCurrentText("Laplacian")
    np.testing.assert_array_equal(controls.kernel_grid.kernel(), kernels.preset("Laplacian", 3))
    with qtbot.waitSignal(editor.sigSizeChanged) as blocker:
        controls.kernel_grid.set_kernel(np.ones((5, 5)))
    assert blocker.args == [5] and controls.kernel_size_spin.value() == 5
    assert controls.preset_combo.currentText() == "Custom"


def test_resizing_a_kernel_keeps_its_centre():
    grown = resize_kernel(np.arange(9.0).reshape(3, 3), 5)
    np.testing.assert_array_equal(grown[1:4, 1:4], np.arange(9.0).reshape(3, 3))
    assert grown.sum() == np.arange(9.0).sum()
    np.testing.assert_array_equal(resize_kernel(grown, 1), [[4.0]])


def test_the_colour_menu_follows_a_mode_set_on_the_views(pg):
    pg.views.set_mode("abs")
    assert pg.colour_combo.currentData() == "abs"
    assert pg.views.colour_bar.levels()[0] == 0  # and the views did not bounce back to signed


def test_an_unknown_colour_mode_is_refused_with_the_known_ones(qtbot):
    views = ConvViews()
    qtbot.addWidget(views)
    with pytest.raises(ValueError, match="signed"):
        views.set_mode("rainbow")


def test_clicking_the_pinned_pixel_again_unpins_it(qtbot, pg):
    pg.current_result()
    with qtbot.waitSignal(pg.sigStatus) as blocker:
        pg.views.output_view.sigClicked.emit(3, 4)
    assert pg.hover.pinned() == (3, 4) and "Pinned" in blocker.args[0]
    pg.views.output_view.sigClicked.emit(3, 4)
    assert pg.hover.pinned() is None


def test_a_new_image_forgets_the_pinned_pixel(pg):
    pg.current_result()
    pg.views.output_view.sigClicked.emit(3, 4)
    pg.set_image(np.zeros((20, 20)), "blank")
    assert pg.hover.pinned() is None


def test_exporting_an_unknown_map_is_refused(pg, tmp_path):
    with pytest.raises(ValueError, match="'output' or 'pooled'"):
        pg.export_map("input", str(tmp_path / "x.npy"))
