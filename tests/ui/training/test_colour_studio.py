"""The training studio with colour data: coloured shapes, colour folders, RGB filters, and
inspecting a colour network."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QCheckBox

from cnnviz.nn import architecture as arch
from ui.training.dataset_panel import DatasetPanel, grey_pixmap


@pytest.fixture
def panel(qtbot):
    made = DatasetPanel()
    qtbot.addWidget(made)
    yield made
    made.shutdown()


def train_colour_shapes(qtbot, studio, epochs=3):
    assert studio.dataset_panel.load_builtin("colour-shapes")
    studio.controls.epochs_spin.setValue(epochs)
    studio.controls.batch_spin.setValue(16)
    studio.controls.lr_spin.setValue(0.005)
    assert studio.start()
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=60000)


def colour_folder(root):
    for name, colour in (("reds", QColor(220, 20, 20)), ("greens", QColor(20, 200, 20))):
        (root / name).mkdir()
        for i in range(4):
            image = QImage(16, 16, QImage.Format.Format_RGB32)
            image.fill(colour.darker(100 + 10 * i))
            assert image.save(str(root / name / f"{i}.png"))
    return root


def test_the_colour_check_sits_in_the_studios_data_box(studio):
    check = studio.findChild(QCheckBox, "colourCheck")
    assert check is studio.dataset_panel.colour_check and check.isVisible()


def test_the_coloured_shapes_are_offered(panel):
    assert panel.combo.findData("colour-shapes") >= 0
    assert panel.load_builtin("colour-shapes")
    assert panel.dataset().input_shape == (3, 20, 20) and panel.dataset().n_classes == 6
    assert "3 channel(s)" in panel.summary_label.text()


def test_previews_of_colour_images_are_in_colour():
    red = np.zeros((3, 4, 4))
    red[0] = 1.0
    pixel = grey_pixmap(red, side=8).toImage().pixelColor(1, 1)
    assert (pixel.red(), pixel.green(), pixel.blue()) == (255, 0, 0)


def test_a_folder_keeps_its_colour_with_the_colour_check_and_turns_grey_without(qtbot, panel,
                                                                                 tmp_path):
    folder = colour_folder(tmp_path)
    panel.folder_size_spin.setValue(8)
    panel.colour_check.setChecked(True)
    with qtbot.waitSignal(panel.sigDatasetChanged, timeout=10000) as loaded:
        panel.load_folder(str(folder))
    assert loaded.args[0].input_shape == (3, 8, 8)
    assert "colour" in panel.status_label.text()
    with qtbot.waitSignal(panel.sigDatasetChanged, timeout=10000) as reloaded:
        panel.colour_check.setChecked(False)  # the folder in use is read again, grey
    assert reloaded.args[0].input_shape == (1, 8, 8)


def test_the_cnn_explainer_tinyvgg_is_a_preset_of_the_editor(studio):
    combo = studio.editor.preset_combo
    assert combo.findText("TinyVGG (CNN Explainer)") >= 0
    assert arch.infer_shapes(arch.preset("tinyvgg-explainer"), (3, 64, 64))[-1] == (10,)


def test_training_on_coloured_shapes_shows_colour_filters_and_inspects_in_colour(qtbot, studio):
    train_colour_shapes(qtbot, studio)
    assert studio.history()[-1]["test_accuracy"] > 0.5
    view = studio.filters_view
    view.refresh()
    images = view.displayed_images()
    assert view.in_colour() and len(images) == 8 and images[0].shape == (3, 3, 3)
    assert view.image_item.image.ndim == 3  # one RGB montage
    # grey is zero: the pictures are the weights on one symmetric scale
    w = view.current_frame()[1]
    bound = np.abs(w).max()
    np.testing.assert_allclose(images[0], np.moveaxis(0.5 + w[0] / (2 * bound), 0, -1))
    with qtbot.waitSignal(view.sigOpenInPlayground) as opened:
        view.open_in_playground(2)
    np.testing.assert_array_equal(opened.args[0], w[2])
    view.channels_check.setChecked(True)
    assert not view.in_colour() and len(view.displayed_images()) == 24

    inspect = studio.inspect_panel
    studio.tabs.setCurrentWidget(inspect)
    inspect.show_sample(3)
    overview = inspect.overview
    assert overview.input_panel.base.image.shape == (20, 20, 3)
    assert overview.saliency_panel.layer.image.shape == (20, 20)
    assert overview.cam_panel.layer.image.shape == (20, 20)

    draw = studio.draw_panel
    studio.tabs.setCurrentWidget(draw)
    draw.classify()  # a grey drawing for a colour network: no crash, probabilities shown
    assert draw.probabilities().shape == (6,)
