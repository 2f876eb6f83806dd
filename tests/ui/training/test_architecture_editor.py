"""The architecture editor: edit layers, see shapes, params and receptive fields live; invalid
stacks are explained in place."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.training.architecture_editor import ArchitectureEditor


@pytest.fixture
def editor(qtbot):
    widget = ArchitectureEditor()
    qtbot.addWidget(widget)
    widget.set_input((1, 28, 28), 10, np.zeros((28, 28)))
    widget.set_spec([{"type": "conv", "out_channels": 16, "kernel_size": 3, "padding": 1},
                     {"type": "relu"}, {"type": "maxpool", "kernel_size": 2},
                     {"type": "flatten"}, {"type": "dense", "out_features": 10}])
    widget.show()
    return widget


def click(qtbot, parent, name):
    qtbot.mouseClick(parent.findChild(QWidget, name), Qt.MouseButton.LeftButton)


def table_column(editor, header):
    col = [editor.table.horizontalHeaderItem(c).text()
           for c in range(editor.table.columnCount())].index(header)
    return [editor.table.item(r, col).text() for r in range(editor.table.rowCount())]


def test_the_table_lists_every_layer_with_shape_params_and_receptive_field(editor):
    assert table_column(editor, "output")[:5] == ["16×28×28", "16×28×28", "16×14×14",
                                                       "3136", "10"]
    assert table_column(editor, "params")[0] == "160"
    assert table_column(editor, "RF")[:3] == ["3×3", "3×3", "4×4"]


def test_the_conv_row_shows_what_a_dense_layer_would_cost_for_the_same_sizes(editor):
    dense_equivalent = table_column(editor, "dense eq.")[0]
    assert dense_equivalent == f"{784 * 12544 + 12544:,}"


def test_changing_a_parameter_updates_the_table_at_once(qtbot, editor):
    editor.select_layer(0)
    editor.findChild(QWidget, "param_stride").setValue(2)
    assert table_column(editor, "output")[0] == "16×14×14"
    assert editor.layer_list.item(0).text().endswith("s2 p1")


def test_adding_a_layer_inserts_it_after_the_selection(qtbot, editor):
    editor.select_layer(2)
    editor.type_combo.setCurrentIndex(editor.type_combo.findData("conv"))
    click(qtbot, editor, "addLayerButton")
    assert [layer["type"] for layer in editor.spec()] == ["conv", "relu", "maxpool", "conv",
                                                           "flatten", "dense"]
    assert editor.is_valid()


def test_moving_a_dense_layer_before_flatten_is_explained_in_place(qtbot, editor):
    with qtbot.waitSignal(editor.sigValidityChanged) as blocker:
        editor.select_layer(4)
        click(qtbot, editor, "moveLayerUpButton")
    assert blocker.args == [False]
    assert not editor.is_valid()
    assert "Flatten" in editor.error_label.text() and editor.error_label.isVisible()


def test_a_pool_larger_than_its_input_names_the_layer(qtbot, editor):
    editor.select_layer(2)
    editor.findChild(QWidget, "param_kernel_size").setValue(15)
    editor.findChild(QWidget, "param_stride").setValue(2)
    editor.select_layer(0)
    editor.findChild(QWidget, "param_stride").setValue(8)
    assert not editor.is_valid()
    assert editor.error_label.text().startswith("Layer 3")


def test_removing_the_last_dense_layer_says_one_output_per_class_is_needed(qtbot, editor):
    editor.select_layer(4)
    click(qtbot, editor, "removeLayerButton")
    assert not editor.is_valid()
    assert "Dense 10" in editor.error()


def test_a_preset_replaces_the_network_sized_to_the_classes(qtbot, editor):
    editor.preset_combo.setCurrentIndex(editor.preset_combo.findText("LeNet-like"))
    editor.preset_combo.activated.emit(editor.preset_combo.findText("LeNet-like"))
    assert editor.spec()[-1] == {"type": "dense", "out_features": 10}
    assert len(editor.spec()) == 12 and editor.is_valid()


def test_receptive_fields_grow_with_depth(editor):
    editor.set_spec([{"type": "conv", "kernel_size": 3, "out_channels": 4}, {"type": "relu"},
                     {"type": "maxpool", "kernel_size": 2},
                     {"type": "conv", "kernel_size": 3, "out_channels": 4},
                     {"type": "flatten"}, {"type": "dense", "out_features": 2}])
    sides = []
    for row in range(6):
        editor.table.selectRow(row)
        sides.append(editor.rf_view.window()[2])
    assert sides[:4] == [3.0, 3.0, 4.0, 8.0]
    assert sides[4:] == [28.0, 28.0]  # after Flatten every unit sees the whole 28x28 input


def test_selecting_a_row_highlights_that_layers_window_on_the_sample(qtbot, editor):
    editor.table.selectRow(0)
    assert editor.rf_view.window()[2:] == (3.0, 3.0)
    editor.table.selectRow(2)
    assert editor.rf_view.window()[2:] == (4.0, 4.0)
    assert "4×4" in editor.rf_view.label.text()


def test_dilation_spreads_the_window_without_adding_weights(qtbot, editor):
    editor.select_layer(0)
    params = table_column(editor, "params")[0]
    editor.findChild(QWidget, "param_dilation").setValue(2)
    editor.findChild(QWidget, "param_padding").setValue(2)
    assert table_column(editor, "RF")[0] == "5×5"
    assert table_column(editor, "params")[0] == params


def test_clicking_the_sample_moves_the_highlighted_window_there(qtbot, editor):
    from PySide6.QtCore import QPointF

    editor.resize(900, 500)
    editor.table.selectRow(0)  # 3x3 window
    view = editor.rf_view.plot
    qtbot.waitUntil(lambda: view.isVisible())
    scene_point = view.getPlotItem().vb.mapViewToScene(QPointF(20.5, 5.5))  # (x=col, y=row)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.mapFromScene(scene_point))
    top, left, height, width = editor.rf_view.window()
    assert (height, width) == (3.0, 3.0)
    assert top <= 5.5 <= top + height and left <= 20.5 <= left + width


def test_a_global_pool_can_be_added_and_replaces_flatten_before_the_dense_layer(qtbot, editor):
    editor.select_layer(3)
    click(qtbot, editor, "removeLayerButton")          # Flatten
    editor.select_layer(2)
    editor.type_combo.setCurrentIndex(editor.type_combo.findData("globalavgpool"))
    click(qtbot, editor, "addLayerButton")
    assert editor.layer_list.item(3).text() == "4. GlobalAvgPool"
    assert editor.is_valid()
    assert table_column(editor, "output")[3] == "16"


def test_the_global_pooling_preset_is_valid_and_has_no_flatten(qtbot, editor):
    index = editor.preset_combo.findText("CNN + global pooling")
    editor.preset_combo.setCurrentIndex(index)
    editor.preset_combo.activated.emit(index)
    assert editor.is_valid()
    assert "flatten" not in [layer["type"] for layer in editor.spec()]
