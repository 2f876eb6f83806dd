"""Any model file in the studio: opened off the GUI thread, shown with the data its input fits,
every view working on it; exported by extension; trained by either backend."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from cnnviz import backends
from cnnviz.io import load_model, save_model
from cnnviz.nn import architecture as arch

pytest.importorskip("onnx")
pytest.importorskip("safetensors")

SMALL = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "relu"},
         {"type": "maxpool", "kernel_size": 2}, {"type": "flatten"}]


def _file(tmp_path, name, shape, classes, seed=1):
    spec = SMALL + [{"type": "dense", "out_features": classes}]
    model = arch.build_model(spec, shape, classes, seed=seed)
    return model, save_model(model, tmp_path / name)


def _open(qtbot, studio, path):
    with qtbot.waitSignal(studio.session.sigModelLoaded, timeout=20000):
        studio.open_model(path)


def test_an_onnx_model_of_28x28_images_opens_with_the_shapes_data_and_is_evaluated(
        qtbot, studio, tmp_path):
    model, path = _file(tmp_path, "shapes_net.onnx", (1, 28, 28), 5)
    _open(qtbot, studio, path)
    assert studio.dataset_panel.dataset().name == "shapes"
    qtbot.waitUntil(lambda: studio.errors_panel.confusion() is not None, timeout=20000)
    ds = studio.dataset_panel.dataset()
    assert studio.errors_panel.confusion().sum() == len(ds.y_test)
    expected = np.bincount(ds.y_test * 5 + model.predict(ds.x_test), minlength=25)
    np.testing.assert_array_equal(studio.errors_panel.confusion().ravel(), expected)


def test_every_view_works_on_an_imported_model(qtbot, studio, tmp_path):
    _, path = _file(tmp_path, "net.onnx", (1, 28, 28), 5)
    _open(qtbot, studio, path)
    assert [r.name for r in studio.editor.summary_rows()][0] == "Conv 4@3x3 p1"
    assert studio.filters_view.frame_count() == 1
    studio.tabs.setCurrentWidget(studio.inspect_panel)
    studio.inspect_panel.show_sample(3)
    assert [shape for _, shape in studio.inspect_panel.activation_summary()][0] == (4, 28, 28)
    assert studio.inspect_panel.overview.saliency_panel.layer.image is not None
    studio.tabs.setCurrentWidget(studio.draw_panel)
    studio.draw_panel.classify()
    assert studio.draw_panel.probabilities().shape == (5,)
    with qtbot.waitSignal(studio.sigOpenInPlayground, timeout=2000) as kernel:
        studio.filters_view.open_in_playground(0)
    assert kernel.args[0].shape == (3, 3)


def test_an_8x8_ten_class_model_opens_with_the_digits(qtbot, studio, tmp_path):
    _, path = _file(tmp_path, "digits.safetensors", (1, 8, 8), 10)
    _open(qtbot, studio, path)
    assert studio.dataset_panel.dataset().name == "digits"


def test_a_model_no_data_set_fits_gets_stand_in_images_and_no_accuracy(qtbot, studio, tmp_path):
    _, path = _file(tmp_path, "colour.npz", (3, 16, 16), 4)
    _open(qtbot, studio, path)
    ds = studio.dataset_panel.dataset()
    assert ds.name.startswith("stand-in") and ds.input_shape == (3, 16, 16)
    assert not studio.model_actions.evaluate_action.isEnabled()
    studio.tabs.setCurrentWidget(studio.inspect_panel)
    studio.inspect_panel.show_sample(0)
    assert studio.inspect_panel.activation_summary()


def test_a_bare_state_dict_loads_into_the_network_in_the_editor(qtbot, studio, tmp_path):
    from safetensors.numpy import save

    ds = studio.dataset_panel.dataset()
    source = arch.build_model(studio.editor.spec(), ds.input_shape, ds.n_classes, seed=42)
    path = tmp_path / "state_dict.safetensors"
    path.write_bytes(save({f"net.{k}": v for k, v in source.state_dict().items()}))
    _open(qtbot, studio, path)
    loaded = studio.model_context().model().state_dict()
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(loaded[key], value)


def test_a_fifo_is_refused_in_place_without_blocking(qtbot, studio, tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    with qtbot.waitSignal(studio.session.sigProblem, timeout=5000) as problem:
        studio.open_model(fifo)
    assert "not a regular file" in problem.args[0]
    assert studio.controls.message_label.isVisible()


def test_an_unsupported_onnx_op_is_shown_and_nothing_changes(qtbot, studio, tmp_path):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("LSTM", ["x", "W", "R"], ["y"], name="lstm_1", hidden_size=2)], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    path = tmp_path / "rnn.onnx"
    path.write_bytes(helper.make_model(graph).SerializeToString())
    before = studio.editor.spec()
    with qtbot.waitSignal(studio.session.sigProblem, timeout=20000) as problem:
        studio.open_model(path)
    assert "LSTM" in problem.args[0] and "lstm_1" in problem.args[0]
    assert studio.editor.spec() == before


def test_export_model_as_picks_the_format_from_the_chosen_filter(qtbot, studio, tmp_path,
                                                                  monkeypatch):
    _, path = _file(tmp_path, "net.npz", (1, 8, 8), 2)
    _open(qtbot, studio, path)
    target = tmp_path / "exported"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "ONNX (*.onnx)")))
    studio.model_actions.export_action.trigger()
    exported = load_model(tmp_path / "exported.onnx")
    assert exported.metadata["source_format"] == "onnx"
    assert exported.metadata["class_names"] == studio.session.class_names()


def test_the_file_menu_offers_open_and_export(qtbot):
    from ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    menu = window.menuBar().actions()[0].menu()
    names = [a.objectName() for a in menu.actions()]
    assert names[:3] == ["openModelAction", "exportModelAction", "evaluateModelAction"]
    window.training.shutdown()


def test_without_torch_the_pytorch_backend_is_disabled_saying_how_to_install(qtbot, monkeypatch):
    from PySide6.QtCore import Qt

    from ui.training.controls import TrainingControls, is_enabled

    monkeypatch.setattr(backends, "torch_available", lambda: False)
    controls = TrainingControls()
    qtbot.addWidget(controls)
    combo = controls.backend_combo
    assert combo.objectName() == "backendCombo"
    assert combo.itemText(0) == "NumPy (from scratch)" and is_enabled(combo, 0)
    assert combo.itemText(1) == "PyTorch (CPU)" and not is_enabled(combo, 1)
    assert "pip install 'cnnviz[torch]'" in combo.itemData(1, Qt.ItemDataRole.ToolTipRole)
    assert controls.values()["backend"] == "numpy"


def test_the_pytorch_backend_trains_in_the_studio_like_numpy(qtbot, studio):
    pytest.importorskip("torch")
    combo = studio.controls.backend_combo
    combo.setCurrentIndex(combo.findText("PyTorch (CPU)"))
    studio.controls.epochs_spin.setValue(1)
    assert studio.controls.values()["backend"] == "torch"
    studio.start()
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=60000)
    history = studio.history()
    assert history and "test_accuracy" in history[-1]
    assert studio.filters_view.frame_count() > 0
