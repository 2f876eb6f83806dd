"""Data-set files and image folders load in the background; the newest choice always wins."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from cnnviz.data import make_lines
from cnnviz.limits import Cancelled
from ui.training import dataset_panel as module
from ui.training.dataset_panel import DatasetPanel
from ui.widgets import image_io


@pytest.fixture
def panel(qtbot):
    made = DatasetPanel()
    qtbot.addWidget(made)
    assert made.load_builtin("lines")
    yield made
    made.shutdown()


@pytest.fixture
def slow_file(monkeypatch):
    """``load_dataset("slow.npz")`` blocks until released; other names load as usual."""
    release = threading.Event()
    original = module.load_dataset

    def load_dataset(source, seed=0, cancel=None):
        if str(source).endswith("slow.npz"):
            release.wait(10)
            return make_lines(n=50, seed=3)
        return original(source, seed, cancel)

    monkeypatch.setattr(module, "load_dataset", load_dataset)
    yield release
    release.set()


def test_an_image_folder_is_decoded_off_the_gui_thread(qtbot, panel, monkeypatch, tmp_path):
    threads = []

    def load_image_folder(path, size, cancel=None, colour=False):
        threads.append(threading.get_ident())
        images = np.zeros((8, *size), np.float32)
        return image_io.ImageFolder(images, np.arange(8) % 2, ["a", "b"])

    monkeypatch.setattr(image_io, "load_image_folder", load_image_folder)
    with qtbot.waitSignal(panel.sigDatasetChanged, timeout=10000) as blocker:
        panel.load_folder(str(tmp_path))
    assert blocker.args[0].class_names == ["a", "b"]
    assert threads and threads[0] != threading.get_ident()


def test_the_panel_says_it_is_loading_until_the_file_arrives(qtbot, panel, slow_file):
    panel.load_path("slow.npz")
    assert panel.is_loading() and panel.status_label.text() == "Loading…"
    with qtbot.waitSignal(panel.sigDatasetChanged, timeout=10000):
        slow_file.set()
    assert not panel.is_loading() and panel.dataset().n_classes == 2


def test_a_built_in_choice_made_while_a_file_loads_wins(qtbot, panel, slow_file):
    panel.load_path("slow.npz")
    assert panel.load_builtin("digits")
    slow_file.set()
    with qtbot.assertNotEmitted(panel.sigDatasetChanged, wait=300):
        qtbot.waitUntil(lambda: panel.tasks.thread_count() == 0, timeout=10000)
    assert panel.dataset().name == "digits" and panel.combo.currentData() == "digits"


def test_a_newer_file_supersedes_one_still_loading(qtbot, panel, slow_file, tmp_path):
    quick = tmp_path / "quick.npz"
    rng = np.random.default_rng(0)
    np.savez(quick, x_train=rng.integers(0, 255, (30, 28, 28), dtype=np.uint8),
             y_train=np.arange(30) % 3, x_test=rng.integers(0, 255, (9, 28, 28), dtype=np.uint8),
             y_test=np.arange(9) % 3)
    panel.load_path("slow.npz")
    with qtbot.waitSignal(panel.sigDatasetChanged, timeout=10000):
        panel.load_path(str(quick))
    slow_file.set()
    with qtbot.assertNotEmitted(panel.sigDatasetChanged, wait=300):
        qtbot.waitUntil(lambda: panel.tasks.thread_count() == 0, timeout=10000)
    assert panel.dataset().n_classes == 3


def test_shutting_down_during_a_load_waits_for_it_and_delivers_nothing(qtbot, panel,
                                                                      monkeypatch):
    def load_dataset(source, seed=0, cancel=None):
        threading.Event().wait(0.2)  # a read that cannot be interrupted, but ends
        return make_lines(n=50, seed=3)

    monkeypatch.setattr(module, "load_dataset", load_dataset)
    panel.load_path("some.npz")
    panel.shutdown()
    assert panel.tasks.thread_count() == 0 and not panel.is_loading()
    with qtbot.assertNotEmitted(panel.sigDatasetChanged, wait=100):
        pass
    assert panel.dataset().name == "lines"


def test_closing_during_a_load_stops_the_reader_through_its_cancel_flag(qtbot, panel,
                                                                      monkeypatch):
    import time

    seen = []

    def load_dataset(source, seed=0, cancel=None):
        while not cancel.is_set():  # what the real readers do between 4 MB chunks
            cancel.wait(0.005)
        seen.append("cancelled")
        raise Cancelled

    monkeypatch.setattr(module, "load_dataset", load_dataset)
    panel.load_path("huge.npz")
    began = time.monotonic()
    panel.shutdown()
    assert time.monotonic() - began < 1 and seen == ["cancelled"]


def test_one_class_data_is_loaded_with_a_warning_in_place_and_in_the_status_bar(
        qtbot, panel, tmp_path):
    path = tmp_path / "one.npz"
    x = np.zeros((20, 4, 4), np.uint8)
    np.savez(path, x_train=x, y_train=np.zeros(20, int), x_test=x[:4], y_test=np.zeros(4, int))
    messages = []
    panel.sigStatus.connect(messages.append)
    with qtbot.waitSignal(panel.sigDatasetChanged, timeout=10000):
        panel.load_path(str(path))
    assert "accuracy means nothing" in panel.status_label.text()
    assert any("accuracy means nothing" in m for m in messages)


def test_class_names_that_look_like_html_are_shown_literally(qtbot, panel):
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QLabel

    from cnnviz.data import from_arrays

    names = ["<!--", "<b>bold</b>"]
    ds = from_arrays(np.random.default_rng(0).random((12, 4, 4)), np.arange(12) % 2, names,
                     name="<i>set")
    panel._finish((ds, ""), None)
    document = QTextDocument()
    document.setHtml(panel.summary_label.text())
    table = document.toPlainText()
    assert "<!--" in table and "<b>bold</b>" in table and "<i>set" in table
    captions = [c for c in panel.findChildren(QLabel) if c.text() in names]
    assert captions and all(c.textFormat() == module.Qt.TextFormat.PlainText for c in captions)
