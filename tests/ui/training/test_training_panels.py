"""The studio's secondary panels: data loading, inspection, mistakes, drawing, files."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget


@pytest.fixture
def trained(qtbot, studio):
    qtbot.mouseClick(studio.controls.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=60000)
    return studio


def click(qtbot, parent, name):
    qtbot.mouseClick(parent.findChild(QWidget, name), Qt.MouseButton.LeftButton)


def answer_file_dialogs(monkeypatch, path):
    """Make the next open/save dialogs answer ``path``, as if the user had chosen it."""
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(lambda *a, **k: (str(path), "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(path)))


def pick(qtbot, studio, key):
    combo = studio.dataset_panel.combo
    index = combo.findData(key)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


# ----- data ------------------------------------------------------------------------------------
def test_choosing_digits_loads_them_and_proposes_a_fitting_network(qtbot, studio):
    pick(qtbot, studio, "digits")
    qtbot.waitUntil(lambda: studio.dataset_panel.dataset().name == "digits", timeout=20000)
    assert studio.editor.is_valid() and studio.editor.spec()[-1]["out_features"] == 10
    assert "10 classes" in studio.dataset_panel.status_label.text()
    assert studio.dataset_panel.grid.count() > 10  # the preview grid of labelled samples


def test_the_bundled_mnist_digits_are_a_builtin_choice_with_a_fitting_network(qtbot, studio):
    combo = studio.dataset_panel.combo
    assert combo.itemText(combo.findData("mnist")) == "MNIST digits (28x28, real, 5,000)"
    pick(qtbot, studio, "mnist")
    ds = studio.dataset_panel.dataset()
    assert ds.name == "mnist" and (len(ds.x_train), len(ds.x_test)) == (4000, 1000)
    assert ds.input_shape == (1, 28, 28) and studio.editor.is_valid()


def test_a_malformed_mnist_file_is_explained_and_the_data_stay(qtbot, studio, monkeypatch,
                                                                tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"this is not a zip archive")
    answer_file_dialogs(monkeypatch, bad)
    pick(qtbot, studio, "open-mnist")
    qtbot.waitUntil(lambda: not studio.dataset_panel.is_loading(), timeout=10000)
    assert studio.dataset_panel.status_label.text().startswith("Could not load the data")
    assert studio.dataset_panel.dataset().name == "lines"
    assert studio.dataset_panel.combo.currentData() == "lines"


def test_an_mnist_npz_file_loads_in_the_background_and_can_be_trained(qtbot, studio,
                                                                       monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=rng.integers(0, 255, (60, 28, 28), dtype=np.uint8),
             y_train=np.arange(60) % 10, x_test=rng.integers(0, 255, (20, 28, 28), dtype=np.uint8),
             y_test=np.arange(20) % 10)
    answer_file_dialogs(monkeypatch, path)
    pick(qtbot, studio, "open-mnist")
    qtbot.waitUntil(lambda: studio.dataset_panel.dataset().input_shape == (1, 28, 28),
                    timeout=20000)
    assert studio.dataset_panel.combo.currentText() == "File: mnist"
    assert studio.controls.start_button.isEnabled()


def test_an_image_folder_becomes_a_data_set_with_one_class_per_sub_folder(qtbot, studio,
                                                                         monkeypatch, tmp_path):
    from PySide6.QtGui import QColor, QImage

    for name, shade in (("dark", 30), ("light", 220)):
        (tmp_path / name).mkdir()
        for i in range(6):
            image = QImage(12, 12, QImage.Format.Format_RGB32)
            image.fill(QColor(shade, shade, shade + i))
            image.save(str(tmp_path / name / f"{i}.png"))
    (tmp_path / "light" / "broken.png").write_bytes(b"not a png")
    studio.dataset_panel.folder_size_spin.setValue(8)
    answer_file_dialogs(monkeypatch, tmp_path)
    pick(qtbot, studio, "open-folder")
    qtbot.waitUntil(lambda: studio.dataset_panel.dataset().class_names == ["dark", "light"],
                    timeout=20000)
    assert studio.dataset_panel.dataset().input_shape == (1, 8, 8)
    assert "skipped 1" in studio.dataset_panel.status_label.text()


# ----- inspection ------------------------------------------------------------------------------
def test_inspecting_a_sample_shows_every_layer_and_probabilities(qtbot, trained):
    trained.tabs.setCurrentWidget(trained.inspect_panel)
    panel = trained.inspect_panel
    panel.show_sample(3)
    layers = panel.activation_summary()
    assert len(layers) == len(trained.editor.spec())
    assert layers[0][1][0] == trained.editor.spec()[0]["out_channels"]
    assert "true:" in panel.result_label.text() and "predicted:" in panel.result_label.text()


def test_the_inspection_model_is_a_copy_built_from_the_snapshot(qtbot, trained):
    ctx = trained.model_context()
    model = ctx.model()
    state = trained.latest_snapshot().state
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
        assert not np.shares_memory(value, state[key])


def test_clicking_a_confusion_cell_lists_exactly_those_samples(qtbot, trained):
    trained.tabs.setCurrentWidget(trained.errors_panel)
    panel = trained.errors_panel
    matrix = panel.confusion()
    assert matrix.sum() == len(trained.dataset_panel.dataset().y_test)
    panel.show_cell(0, 0)
    y = trained.dataset_panel.dataset().y_test
    shown = panel.gallery_indices()
    assert len(shown) == min(int(matrix[0, 0]), 40) and all(y[i] == 0 for i in shown)


def test_clicking_a_thumbnail_inspects_that_sample(qtbot, trained):
    trained.tabs.setCurrentWidget(trained.errors_panel)
    panel = trained.errors_panel
    panel.show_cell(1, 1)
    item = panel.gallery.item(0)
    panel.gallery.itemClicked.emit(item)
    assert trained.tabs.currentWidget() is trained.inspect_panel
    assert trained.inspect_panel.sample_spin.value() == item.data(Qt.ItemDataRole.UserRole)


def test_a_drawing_is_classified_by_the_current_model(qtbot, trained):
    trained.tabs.setCurrentWidget(trained.draw_panel)
    canvas = trained.draw_panel.canvas
    image = np.zeros(canvas.canvas_shape(), np.float32)
    image[4:24, 12:16] = 1.0  # a vertical stroke
    canvas.set_image(image)
    qtbot.waitUntil(lambda: trained.draw_panel.probabilities() is not None, timeout=3000)
    probs = trained.draw_panel.probabilities()
    assert probs.shape == (2,) and probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert int(np.argmax(probs)) == trained.dataset_panel.dataset().class_names.index("vertical")


# ----- files -----------------------------------------------------------------------------------
def test_history_exports_as_csv_with_one_row_per_step(qtbot, trained, monkeypatch, tmp_path):
    path = tmp_path / "history.csv"
    answer_file_dialogs(monkeypatch, path)
    click(qtbot, trained, "exportHistoryButton")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == len(trained.history())
    assert float(rows[-1]["loss"]) == pytest.approx(trained.history()[-1]["loss"])


def test_filters_export_as_a_png(qtbot, trained, monkeypatch, tmp_path):
    from PySide6.QtGui import QImage

    path = tmp_path / "filters.png"
    answer_file_dialogs(monkeypatch, path)
    click(qtbot, trained, "exportFiltersButton")
    assert not QImage(str(path)).isNull()


def test_a_saved_model_loads_back_with_the_same_weights(qtbot, trained, monkeypatch, tmp_path):
    path = tmp_path / "model.npz"
    answer_file_dialogs(monkeypatch, path)
    click(qtbot, trained, "saveModelButton")
    weights = {k: v.copy() for k, v in trained.latest_snapshot().state.items()}
    click(qtbot, trained, "resetButton")
    assert trained.model_context().model() is None
    with qtbot.waitSignal(trained.session.sigModelLoaded, timeout=10000):
        click(qtbot, trained, "loadModelButton")  # read off the GUI thread
    loaded = trained.model_context().model().state_dict()
    for key, value in weights.items():
        np.testing.assert_array_equal(loaded[key], value)


def test_a_corrupt_model_file_is_explained_and_nothing_changes(qtbot, trained, monkeypatch,
                                                               tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"PK\x03\x04 truncated")
    answer_file_dialogs(monkeypatch, path)
    before = trained.editor.spec()
    with qtbot.waitSignal(trained.session.sigProblem, timeout=10000):
        click(qtbot, trained, "loadModelButton")
    assert trained.controls.message_label.isVisible()
    assert "model.npz" in trained.controls.message_label.text()
    assert trained.editor.spec() == before


def test_editing_the_network_after_training_forgets_the_old_weights(qtbot, trained):
    trained.tabs.setCurrentWidget(trained.inspect_panel)
    trained.editor.select_layer(0)
    trained.editor.set_param("out_channels", 6)
    for _ in range(3):  # a few redraw ticks
        with qtbot.waitSignal(trained.live_views.timer.timeout, timeout=1000):
            pass
    assert trained.model_context().model() is None
    assert "No weights yet" in trained.inspect_panel.result_label.text()
    assert not trained.files_panel.save_button.isEnabled()


def test_a_small_drawing_in_a_corner_is_centred_and_scaled_like_the_training_digits():
    from ui.training.draw_digit import fit_to_input

    drawing = np.zeros((28, 28), np.float32)
    drawing[1:7, 1:3] = 1.0  # a tiny "1" in the top-left corner
    x = fit_to_input(drawing, (8, 8))
    rows, cols = np.nonzero(x > 0.1)
    assert x.shape == (8, 8)
    assert rows.min() <= 1 and rows.max() >= 6  # it now spans the height
    assert 2 <= cols.mean() <= 5  # and sits in the middle


def test_switching_to_the_inspect_tab_after_training_shows_the_trained_model(qtbot, trained):
    assert trained.inspect_panel.activation_summary() == []  # not visible, not computed
    trained.tabs.setCurrentWidget(trained.inspect_panel)
    assert len(trained.inspect_panel.activation_summary()) == len(trained.editor.spec())
    assert "predicted:" in trained.inspect_panel.result_label.text()


def test_gzipped_idx_files_load_when_the_images_file_is_chosen(qtbot, studio, monkeypatch,
                                                               tmp_path):
    import gzip
    import struct

    rng = np.random.default_rng(1)
    images = rng.integers(0, 255, (50, 28, 28), dtype=np.uint8)
    labels = (np.arange(50) % 10).astype(np.uint8)
    with gzip.open(tmp_path / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 2051, 50, 28, 28) + images.tobytes())
    with gzip.open(tmp_path / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 2049, 50) + labels.tobytes())
    answer_file_dialogs(monkeypatch, tmp_path / "train-images-idx3-ubyte.gz")
    pick(qtbot, studio, "open-mnist")
    qtbot.waitUntil(lambda: studio.dataset_panel.dataset().input_shape == (1, 28, 28),
                    timeout=20000)
    ds = studio.dataset_panel.dataset()
    assert len(ds.y_train) + len(ds.y_test) == 50 and ds.n_classes == 10


def test_a_model_and_data_from_elsewhere_open_in_the_studio(qtbot, studio):
    from cnnviz.data import load_dataset
    from cnnviz.nn import architecture as arch

    data = load_dataset("digits")
    model = arch.build_model(arch.preset("CNN + global pooling", 10), data.input_shape, 10,
                             seed=4)
    assert studio.open_model_and_data(model, data)
    assert studio.dataset_panel.combo.currentText() == "Experiment: digits"
    assert studio.editor.spec() == arch.spec_from_model(model) and studio.editor.is_valid()
    assert all(np.array_equal(studio.session.weights()[k], v)
               for k, v in model.state_dict().items())


def test_opening_a_model_while_training_is_refused_with_a_reason(qtbot, studio):
    from cnnviz.data import load_dataset
    from cnnviz.nn import architecture as arch

    studio.start()
    qtbot.waitUntil(studio.is_running, timeout=5000)
    data = load_dataset("digits")
    model = arch.build_model(arch.preset("mlp", 10), data.input_shape, 10)
    assert not studio.open_model_and_data(model, data)
    assert "Stop the current training first" in studio.controls.message_label.text()
    assert studio.dataset_panel.dataset().name == "lines"
