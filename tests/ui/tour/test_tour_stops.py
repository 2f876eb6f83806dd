"""Every tour stop applies without error and leaves the widgets as its settings say."""

import numpy as np
import pytest
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
)

from cnnviz.lab import kernels
from cnnviz.tour import TOUR, TourStop
from ui.tour.apply import apply_stop

PLAYGROUND = [i for i, s in enumerate(TOUR) if s.tab == "playground"]
TRAINING = [i for i, s in enumerate(TOUR) if s.tab == "training"]
WHY = [i for i, s in enumerate(TOUR) if s.tab == "why"]
SPINS = {"stride": "strideSpin", "padding": "paddingSpin", "dilation": "dilationSpin",
         "pool_size": "poolSizeSpin", "pool_stride": "poolStrideSpin",
         "kernel_size": "kernelSizeSpin", "filters": "filterCountSpin"}


def _mess_up_the_playground(pg):
    """A user's state unlike any stop: every stop must set what it shows, whatever it finds."""
    pg.findChild(QSpinBox, "kernelSizeSpin").setValue(5)
    pg.set_kernel(np.ones((5, 5)))
    for name, value in (("strideSpin", 3), ("paddingSpin", 0), ("dilationSpin", 2)):
        pg.findChild(QSpinBox, name).setValue(value)
    pg.findChild(QCheckBox, "reluCheck").setChecked(True)
    pg.findChild(QComboBox, "poolTypeCombo").setCurrentText("average")


@pytest.mark.parametrize("index", PLAYGROUND, ids=lambda i: TOUR[i].title)
def test_a_playground_stop_sets_every_control_it_names(window, index):
    pg = window.playground
    _mess_up_the_playground(pg)
    window.start_tour(index)
    s = TOUR[index].settings
    assert window.tabs.currentWidget() is pg
    for key, name in SPINS.items():
        assert pg.findChild(QSpinBox, name).value() == s[key], key
    assert pg.findChild(QCheckBox, "reluCheck").isChecked() == s["relu"]
    assert pg.findChild(QComboBox, "poolTypeCombo").currentText() == s["pool"]
    assert pg.findChild(QComboBox, "paddingModeCombo").currentText() == s["padding_mode"]
    assert pg.findChild(QComboBox, "imageSourceCombo").currentText() == s["image"]
    assert pg.findChild(QComboBox, "kernelPresetCombo").currentText() == s["preset"]
    result = pg.current_result()
    assert result.error is None
    np.testing.assert_allclose(result.kernel, kernels.preset(s["preset"], 3))


def test_padding_and_stride_halves_the_map_and_the_spin_shows_2(window):
    window.start_tour(2)
    assert window.playground.findChild(QSpinBox, "strideSpin").value() == 2
    result = window.playground.current_result()
    h, w = result.image.shape
    assert result.output.shape == ((h - 1) // 2 + 1, (w - 1) // 2 + 1)  # padding 1, k 3, s 2


def test_hovering_a_pixel_pins_one_on_a_strong_edge(window):
    window.start_tour(1)
    pinned = window.playground.hover.pinned()
    output = window.playground.current_result().output
    assert pinned is not None
    assert abs(output[pinned]) > np.percentile(np.abs(output), 99)


def test_the_next_stop_unpins_the_pixel(window):
    window.start_tour(1)
    window.tour.next()
    assert window.playground.hover.pinned() is None


def test_pooling_stop_shows_a_pooled_map_half_the_feature_map(window):
    window.start_tour(5)
    result = window.playground.current_result()
    assert result.pooled is not None
    assert result.pooled.shape == (result.output.shape[0] // 2, result.output.shape[1] // 2)


def test_relu_stop_leaves_no_negative_output(window):
    window.start_tour(4)
    assert window.playground.current_result().output.min() >= 0


def test_translation_stop_shows_the_lab_shifted_by_one_pixel(window):
    window.start_tour(6)
    panels = window.playground.findChild(QTabWidget, "playgroundPanels")
    lab = window.playground.findChild(QSpinBox, "shiftXSpin").parent()
    assert panels.currentWidget().isAncestorOf(lab)
    assert window.playground.findChild(QSpinBox, "shiftXSpin").value() == 1
    assert window.playground.findChild(QSpinBox, "shiftYSpin").value() == 0


def test_parameters_stop_shows_the_counts_at_once(window):
    window.start_tour(7)
    why = window.why
    assert window.tabs.currentWidget() is why
    assert why.findChild(QTabWidget, "whyPages").currentWidget() is why.page("params")
    assert "params" in why.results()
    assert not why.is_running()


def test_why_stop_shows_the_position_page_ready_to_run_quickly(window):
    window.start_tour(WHY[-1])
    page = window.why.page("position")
    assert window.why.findChild(QTabWidget, "whyPages").currentWidget() is page
    assert page.findChild(QCheckBox, "quickCheck").isChecked()
    assert page.findChild(QPushButton, "runExperimentButton").isEnabled()
    assert not window.why.is_running()  # the user presses Run


@pytest.mark.slow
def test_training_lines_starts_a_run_on_lines(window, qtbot):
    window.start_tour(8)
    studio = window.training
    assert studio.findChild(QComboBox, "datasetCombo").currentData() == "lines"
    assert studio.is_running()
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=60000)
    assert len(studio.history()) > 0


@pytest.mark.slow
def test_filters_forming_trains_on_once_only(window, qtbot):
    window.start_tour(8)
    studio = window.training
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=60000)
    steps = len(studio.history())
    window.tour.next()  # filters forming: the weights are there, nothing is started again
    assert not studio.is_running()
    assert len(studio.history()) == steps
    tabs = studio.findChild(QTabWidget, "trainingTabs")
    assert tabs.tabText(tabs.currentIndex()) == "Network"


@pytest.mark.slow
def test_grad_cam_stop_trains_on_shapes_and_shows_the_method(window, qtbot):
    window.start_tour(10)
    studio = window.training
    assert studio.findChild(QComboBox, "datasetCombo").currentData() == "shapes"
    tabs = studio.findChild(QTabWidget, "trainingTabs")
    assert tabs.tabText(tabs.currentIndex()) == "Inspect a sample"
    assert studio.findChild(QComboBox, "inspectMethodCombo").currentData() == "gradCamLayers"
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=120000)
    assert studio.session.has_weights()
    assert "predicted" in studio.findChild(QLabel, "inspectResult").text()


@pytest.mark.slow
def test_a_run_on_other_data_is_stopped_before_the_stop_trains(window, qtbot):
    studio = window.training
    window.start_tour(8)  # lines, with enough epochs to be still running at the next step
    studio.findChild(QPushButton, "stopButton").click()
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=60000)
    studio.findChild(QSpinBox, "epochsSpin").setValue(500)
    studio.reset()
    assert studio.start()
    window.tour.next()
    window.tour.next()  # Grad-CAM wants shapes: the lines run must end first
    assert "stopped the run" in window.statusBar().currentMessage()
    qtbot.waitUntil(
        lambda: studio.findChild(QComboBox, "datasetCombo").currentData() == "shapes",
        timeout=60000)
    studio.findChild(QPushButton, "stopButton").click()  # 500 epochs of shapes: enough
    qtbot.waitUntil(lambda: not studio.is_running(), timeout=60000)


def test_a_stop_that_cannot_be_set_up_says_so_instead_of_raising(window):
    stop = TourStop("Nowhere", "One sentence.", "playground",
                    {"image": "No such photo", "preset": "No such kernel"})
    outcome = apply_stop(window, stop)
    assert any("No such photo" in n for n in outcome.notes)
    assert any("No such kernel" in n for n in outcome.notes)


def _fully_visible(widget) -> bool:
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def test_at_1024x700_the_stride_stop_shows_padding_beside_the_outlined_stride(window, qtbot):
    window.resize(1024, 700)
    window.start_tour(2)
    pg = window.playground
    qtbot.waitUntil(lambda: _fully_visible(pg.findChild(QSpinBox, "strideSpin")), timeout=3000)
    qtbot.waitUntil(lambda: _fully_visible(pg.findChild(QSpinBox, "paddingSpin")), timeout=3000)


def test_at_1024x700_the_translation_stop_keeps_the_shift_controls_in_view(window, qtbot):
    window.resize(1024, 700)
    window.start_tour(6)
    spin = window.playground.findChild(QSpinBox, "shiftXSpin")
    qtbot.waitUntil(window.tour.highlighter.settled, timeout=3000)
    assert _fully_visible(spin)


@pytest.mark.slow
def test_grad_cam_stop_gives_the_inspect_tab_all_the_height_the_curves_can_spare(window, qtbot):
    window.start_tour(10)
    splitter = window.training.findChild(QSplitter, "trainingSplitter")
    top, bottom = splitter.sizes()
    curves = splitter.widget(0)
    floor = max(curves.minimumSizeHint().height(), curves.minimumHeight())
    assert bottom > top
    assert top <= floor + 5  # the curves keep only their usable minimum (150 px a plot)
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=120000)
