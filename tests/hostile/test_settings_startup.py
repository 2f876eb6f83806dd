"""Issue 9, item 4: no settings file and no remembered image can lock the app out at start.

A corrupted value (``mainWindow/tab=abc``, ``geometry=notbytes``, ``playground/step=1e9``) once
stopped the app from starting; ``training/lr=nan`` silently became 10; a remembered image that
hung the decoder hung every later start. Now each bad value is replaced by its default with a
status-bar note, and the remembered image is reopened in the background, only if it opened
cleanly last time.
"""

import pytest
from conftest import run_cases

SETUP = """
import os, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
QCoreApplication.setOrganizationName("hostile")
QCoreApplication.setApplicationName("hostile")
app = QApplication([])
from makers import nested_use_svg, write
from ui.main_window import MainWindow
from ui.playground.widget import PlaygroundWidget
BAD = {"mainWindow/tab": "abc", "mainWindow/geometry": "notbytes", "playground/step": "1e9",
       "training/lr": "nan", "training/batch_size": "-5", "training/epochs": "1, 2",
       "playground/colourMode": "bogus", "training/dataset": "../../etc/passwd"}
def settle(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
def start(values):
    settings = QSettings()
    settings.clear()
    for key, value in values.items():
        settings.setValue(key, value)
    settings.sync()
    began = time.monotonic()
    window = MainWindow()
    shown = [window.statusBar().currentMessage()]
    window.statusBar().messageChanged.connect(shown.append)
    window.show()
    app.processEvents()
    window.shown_messages = shown
    return window, time.monotonic() - began
def close(window):
    window.remember_layout = False
    window.close()
"""

CASES = {
    # One start with every bad value and an SVG bomb as the remembered image.
    "every bad value at once": """
        bomb = write("bomb.png", nested_use_svg())
        window, seconds = start({**BAD, "playground/source": "File: bomb.png",
                                 "playground/sourceFile": bomb})
        c = window.training.controls
        settle(1.0)
        shown = " | ".join(window.shown_messages)
        result = {"tab": window.tabs.currentIndex(), "lr": c.lr_spin.value(),
                  "batch": c.batch_spin.value(), "epochs": c.epochs_spin.value(),
                  "status": shown, "seconds": seconds,
                  "left": {k: str(QSettings().value(k)) for k in QSettings().allKeys()}}
        close(window)
        return result
    """,
    "second start after the bomb": """
        from ui.widgets.settings import take_notes
        take_notes()
        again = PlaygroundWidget()
        notes = take_notes()
        shape = list(again.current_result().image.shape)
        again.close()
        return {"notes": notes, "shape": shape}
    """,
    "killed while reopening": """
        from PySide6.QtGui import QImage
        path = os.path.join(os.environ["HOSTILE_DIR"], "fine.png")
        image = QImage(50, 40, QImage.Format.Format_Grayscale8)
        image.fill(9)
        image.save(path)
        QSettings().setValue("playground/sourceFile", path)
        QSettings().setValue("playground/sourceFileState", "opening")
        widget = PlaygroundWidget()
        settle(0.5)
        shape = list(widget.current_result().image.shape)
        widget.close()
        return shape
    """,
}


BAD_VALUES = [("mainWindow/tab", "abc"), ("playground/step", "1e9"), ("training/lr", "nan")]


@pytest.fixture(scope="module")
def outcomes():
    return run_cases(SETUP, CASES, timeout=60)


def test_corrupted_settings_start_the_app_with_defaults(outcomes):
    got = outcomes["every bad value at once"]
    assert got.raised is None, got.message
    assert got.value["tab"] == 0 and got.value["batch"] == 32 and got.value["epochs"] == 3


def test_a_nan_learning_rate_becomes_the_default_not_the_maximum(outcomes):
    assert outcomes["every bad value at once"].value["lr"] == pytest.approx(0.01)


def test_the_status_bar_names_each_replaced_setting(outcomes):
    status = outcomes["every bad value at once"].value["status"]
    for key in ("mainWindow/tab", "mainWindow/geometry", "playground/step", "training/lr",
                "training/batch_size", "training/epochs", "playground/colourMode",
                "training/dataset"):
        assert key in status


def test_bad_values_are_removed_so_the_next_start_is_clean(outcomes):
    left = outcomes["every bad value at once"].value["left"]
    assert not set(BAD_VALUES) & {(k, v) for k, v in left.items()}


def test_a_remembered_svg_bomb_does_not_block_the_start_and_is_marked_failed(outcomes):
    got = outcomes["every bad value at once"].value
    assert got["seconds"] < 15 and got["left"]["playground/sourceFileState"] == "failed"


def test_a_file_that_failed_last_time_is_not_reopened_and_the_user_is_told(outcomes):
    got = outcomes["second start after the bomb"]
    assert got.raised is None, got.message
    assert any("bomb.png was not reopened" in n for n in got.value["notes"])


def test_a_file_that_was_being_opened_when_the_app_ended_is_not_reopened(outcomes):
    got = outcomes["killed while reopening"]
    assert got.raised is None, got.message
    assert got.value != [40, 50]
