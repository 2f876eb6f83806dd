"""The playground's user files: decoded off the GUI thread within a time limit; the remembered
file reopens in the background, and never after it failed or was cut short."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QImage

from ui.playground import sources
from ui.playground.widget import PlaygroundWidget
from ui.widgets.settings import take_notes


def write_png(path, size=(40, 30), grey=200):
    image = QImage(size[0], size[1], QImage.Format.Format_Grayscale8)
    image.fill(grey)
    assert image.save(str(path))
    return str(path)


@pytest.fixture
def make(qtbot):
    def made():
        widget = PlaygroundWidget()
        qtbot.addWidget(widget)
        return widget
    return made


@pytest.fixture
def stuck_decoder(monkeypatch):
    """Decoding any file blocks until released (a decoder that does not come back)."""
    release = threading.Event()
    real = sources.decode_image_file

    def decode(task, path, *args):
        release.wait(10)
        return real(task, path, *args)

    monkeypatch.setattr(sources, "decode_image_file", decode)
    monkeypatch.setattr(sources, "IMAGE_DECODE_SECONDS", 0.3)
    yield release
    release.set()


def remember(path, state=None):
    settings = QSettings()
    settings.setValue("playground/source", f"File: {path.rsplit('/', 1)[-1]}")
    settings.setValue("playground/sourceFile", path)
    if state is not None:
        settings.setValue("playground/sourceFileState", state)


def test_an_svg_named_png_is_refused_and_the_image_stays(make, tmp_path):
    widget = make()
    before = widget.current_result().image.copy()
    path = tmp_path / "drawing.png"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>')
    assert not widget.load_image(path)
    np.testing.assert_array_equal(widget.current_result().image, before)
    assert "SVG drawing" in widget.controls.image_message.text()


def test_a_decode_past_the_time_limit_is_given_up_and_the_window_keeps_running(
        qtbot, make, tmp_path, stuck_decoder):
    widget = make()
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    assert not widget.load_image(write_png(tmp_path / "slow.png"))
    timer.stop()
    assert "took longer than 0.3 s" in widget.controls.image_message.text()
    assert len(ticks) >= 5  # the event loop ran while the decode was awaited
    before = widget.current_result().image.copy()
    stuck_decoder.set()
    qtbot.waitUntil(lambda: widget.sources.tasks.thread_count() == 0, timeout=5000)
    np.testing.assert_array_equal(widget.current_result().image, before)  # the late result


def test_the_remembered_file_reopens_in_the_background(qtbot, make, tmp_path):
    remember(write_png(tmp_path / "kept.png", (33, 21)), "ok")
    widget = make()
    assert widget.current_result().image.shape != (21, 33)  # the default shows meanwhile
    assert QSettings().value("playground/sourceFileState") == "opening"
    qtbot.waitUntil(lambda: widget.current_result().image.shape == (21, 33), timeout=10000)
    assert QSettings().value("playground/sourceFileState") == "ok"


@pytest.mark.parametrize("state", ["failed", "opening"])
def test_a_remembered_file_that_failed_or_was_cut_short_is_not_reopened(make, tmp_path, state):
    remember(write_png(tmp_path / "risky.png", (33, 21)), state)
    take_notes()
    widget = make()
    assert not widget.sources.tasks.is_busy()
    assert widget.current_result().image.shape != (21, 33)
    assert any("risky.png was not reopened" in note for note in take_notes())


def test_a_remembered_file_that_times_out_is_marked_failed(qtbot, make, tmp_path, stuck_decoder):
    remember(write_png(tmp_path / "slow.png"), "ok")
    widget = make()
    qtbot.waitUntil(lambda: QSettings().value("playground/sourceFileState") == "failed",
                    timeout=5000)
    assert "took longer" in widget.controls.image_message.text()


def test_a_newer_file_supersedes_one_still_decoding(qtbot, make, tmp_path, stuck_decoder,
                                                    monkeypatch):
    widget = make()
    widget.load_image(write_png(tmp_path / "first.png", (10, 10)), wait=False)
    monkeypatch.setattr(sources, "decode_image_file",
                        lambda _t, path, *_args: (np.zeros((7, 9)), None))
    assert widget.load_image(tmp_path / "second.png")
    stuck_decoder.set()
    qtbot.waitUntil(lambda: widget.sources.tasks.thread_count() == 0, timeout=5000)
    assert widget.current_result().image.shape == (7, 9)


def test_shutdown_during_a_decode_waits_for_its_thread(make, tmp_path, stuck_decoder):
    widget = make()
    widget.load_image(write_png(tmp_path / "x.png"), wait=False)
    threading.Timer(0.2, stuck_decoder.set).start()
    widget.shutdown()
    assert widget.sources.tasks.thread_count() == 0
