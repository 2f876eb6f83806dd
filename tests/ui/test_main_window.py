"""The main window: its three tabs, the bridges between them, and a clean shutdown."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPushButton, QWidget

from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    yield w
    w.training.shutdown()
    w.why.shutdown()


def test_window_has_the_playground_and_training_tabs(window):
    assert window.findChild(QWidget, "playgroundTab") is window.playground
    assert window.findChild(QWidget, "trainingTab") is window.training


def test_show_tab_switches_between_the_halves(window):
    window.show_tab("training")
    assert window.tabs.currentWidget() is window.training
    window.show_tab("playground")
    assert window.tabs.currentWidget() is window.playground


def test_a_learned_filter_opens_in_the_playground_kernel_grid(window):
    window.show_tab("training")
    learned = np.array([[0.5, -1.0, 0.25], [0.0, 2.0, -0.5], [1.5, 0.0, -2.0]])
    window.training.sigOpenInPlayground.emit(learned)
    assert window.tabs.currentWidget() is window.playground
    np.testing.assert_allclose(window.playground.kernel_grid.kernel(), learned)
    np.testing.assert_allclose(window.playground.current_result().kernel, learned)


def test_status_messages_from_a_tab_reach_the_status_bar(window):
    window.playground.sigStatus.emit("hello from the playground")
    assert window.statusBar().currentMessage() == "hello from the playground"


def test_closing_the_window_mid_training_stops_the_worker_thread(window, qtbot):
    window.show()
    window.show_tab("training")
    start = window.findChild(QPushButton, "startButton")
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.training.is_running, timeout=5000)
    window.close()
    assert not window.training.is_running()
    # the autouse fixture in conftest.py fails this test if the QThread is still running


def test_screenshot_option_writes_a_picture_and_exits_zero(tmp_path):
    out = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(out), "--size", "1024x700",
         "--delay", "0.5"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 700)


def test_bad_size_option_is_refused_with_a_message():
    done = subprocess.run([sys.executable, "main.py", "--screenshot", "x.png", "--size", "huge"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "--size" in done.stderr


def test_closing_remembers_the_tab_for_the_next_launch(qtbot):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show_tab("training")
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.tabs.currentWidget() is second.training


def test_a_throwaway_window_leaves_the_remembered_layout_alone(qtbot):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show_tab("training")
    first.close()
    shot = MainWindow()
    qtbot.addWidget(shot)
    shot.remember_layout = False  # what --screenshot does
    shot.show_tab("playground")
    shot.close()
    third = MainWindow()
    qtbot.addWidget(third)
    assert third.tabs.currentWidget() is third.training


def test_a_corrupted_setting_starts_the_window_with_its_default_and_says_so(qtbot):
    from PySide6.QtCore import QSettings

    QSettings().setValue("mainWindow/tab", "abc")
    QSettings().setValue("mainWindow/geometry", "notbytes")
    w = MainWindow()
    qtbot.addWidget(w)
    try:
        assert w.tabs.currentIndex() == 0
        message = w.statusBar().currentMessage()
        assert "mainWindow/tab = 'abc' is not valid" in message
        assert "mainWindow/geometry" in message
    finally:
        w.training.shutdown()
def test_the_why_cnns_tab_is_the_third_tab_and_ctrl_3_shows_it(window, qtbot):
    assert window.findChild(QWidget, "whyTab") is window.why
    assert window.tabs.tabText(2) == "Why CNNs"
    from PySide6.QtGui import QAction, QKeySequence

    ctrl_3 = [a for a in window.findChildren(QAction) if a.shortcut() == QKeySequence("Ctrl+3")]
    assert [a.text() for a in ctrl_3] == ["Why CNNs"]
    ctrl_3[0].trigger()
    assert window.tabs.currentWidget() is window.why
    window.show_tab("playground")
    window.show_tab("why")
    assert window.tabs.currentWidget() is window.why


def test_an_experiments_model_opens_in_the_training_studio_with_its_data(window, qtbot):
    from cnnviz.lab.experiments import Settings

    window.show()
    window.show_tab("why")
    window.why.run_experiment("position", Settings(epochs=1, train_images=40, test_images=20))
    qtbot.waitUntil(lambda: "position" in window.why.results(), timeout=60000)
    page = window.why.page("position")
    page.studio_combo.setCurrentIndex(page.studio_combo.findData("cnn_global"))
    qtbot.mouseClick(page.studio_button, Qt.MouseButton.LeftButton)
    studio = window.training
    assert window.tabs.currentWidget() is studio
    assert studio.dataset_panel.combo.currentText().startswith("Experiment: ")
    assert studio.dataset_panel.dataset().input_shape == (1, 28, 48)
    assert "globalmaxpool" in [layer["type"] for layer in studio.editor.spec()]
    trained = page.result().trained["cnn_global"].state_dict()
    weights = studio.session.weights()
    assert all(np.array_equal(weights[k], v) for k, v in trained.items())
    assert "Opened the experiment's" in window.statusBar().currentMessage()


def test_an_experiments_models_are_offered_to_the_studios_attack_comparison(window, qtbot):
    from cnnviz.lab.experiments import Settings

    window.show()
    window.show_tab("why")
    window.why.run_experiment("position", Settings(epochs=1, train_images=40, test_images=20))
    qtbot.waitUntil(lambda: "position" in window.why.results(), timeout=60000)
    page = window.why.page("position")
    page.studio_combo.setCurrentIndex(page.studio_combo.findData("cnn_global"))
    qtbot.mouseClick(page.studio_button, Qt.MouseButton.LeftButton)  # the studio explains its data
    view = window.training.inspect_panel.set_method("adversarial")
    window.training.tabs.setCurrentWidget(window.training.inspect_panel)
    qtbot.waitUntil(lambda: view.subject() is not None, timeout=10000)
    assert {"MLP (Position)", "CNN (flatten + dense) (Position)"} <= set(view.why_models())


def test_closing_the_window_mid_experiment_stops_its_thread(window, qtbot):
    from cnnviz.lab.experiments import Settings

    window.show()
    window.show_tab("why")
    window.why.run_experiment("shift", Settings(epochs=50, train_images=2000, test_images=100))
    qtbot.waitUntil(window.why.is_running, timeout=5000)
    window.close()
    assert not window.why.is_running()
    # the autouse fixture in conftest.py fails this test if the QThread is still running
