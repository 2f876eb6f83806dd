"""The studio's network (the architecture editor's layers) survives a restart."""

from __future__ import annotations

from cnnviz.nn import architecture as arch
from ui.training.widget import TrainingWidget
from ui.widgets.settings import take_notes, write_setting


def new_studio(qtbot):
    widget = TrainingWidget()
    qtbot.addWidget(widget)
    return widget


def test_an_edited_network_is_there_after_a_restart(qtbot, studio):
    editor = studio.editor
    editor.select_layer(0)
    editor.set_param("out_channels", 7)
    edited = editor.spec()
    studio.shutdown()
    again = new_studio(qtbot)
    assert again.editor.spec() == edited
    again.shutdown()


def test_a_malformed_remembered_network_falls_back_to_the_suggested_one_with_a_note(qtbot):
    write_setting("training/dataset", "lines")
    write_setting("training/architecture", '{"dataset": "lines", "layers": [{"type": "warp"}')
    take_notes()
    studio = new_studio(qtbot)
    ds = studio.dataset_panel.dataset()
    assert studio.editor.spec() == arch.default_architecture(ds.name, ds.input_shape,
                                                             ds.n_classes)
    assert any("network" in note for note in take_notes())
    studio.shutdown()


def test_a_remembered_network_that_no_longer_fits_the_data_falls_back_with_a_note(qtbot):
    write_setting("training/dataset", "lines")
    write_setting("training/architecture",
                  '{"dataset": "lines", "layers": [{"type": "conv", "out_channels": 4, '
                  '"kernel_size": 15}, {"type": "flatten"}, {"type": "dense", '
                  '"out_features": 2}]}')
    take_notes()
    studio = new_studio(qtbot)
    assert studio.editor.is_valid()
    assert any("network" in note for note in take_notes())
    studio.shutdown()


def _suggested(studio):
    ds = studio.dataset_panel.dataset()
    return arch.default_architecture(ds.name, ds.input_shape, ds.n_classes)


def test_reset_network_shows_the_suggested_one_and_forgets_the_edit(qtbot, studio):
    studio.editor.select_layer(0)
    studio.editor.set_param("out_channels", 7)
    assert studio.reset_network_to_suggested()
    assert studio.editor.spec() == _suggested(studio)
    studio.shutdown()  # shutting down remembers the network shown: the suggested one
    again = new_studio(qtbot)
    assert again.editor.spec() == _suggested(again)
    again.shutdown()


def test_reset_network_is_refused_while_a_run_trains_it(studio):
    studio.editor.select_layer(0)
    studio.editor.set_param("out_channels", 7)
    edited = studio.editor.spec()
    said = []
    studio.sigStatus.connect(said.append)
    assert studio.start(paused=True)
    assert not studio.reset_network_to_suggested()
    assert studio.editor.spec() == edited
    assert "Stop training first" in said[-1]
