"""Fixtures for the pytest-qt tests: isolated settings and a guard against leaked threads."""

from __future__ import annotations

import gc
import struct
import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread
from PySide6.QtGui import QColor, QImage

_started_threads: weakref.WeakSet[QThread] = weakref.WeakSet()
_original_start = QThread.start


def _recording_start(self, *args, **kwargs):
    _started_threads.add(self)
    return _original_start(self, *args, **kwargs)


QThread.start = _recording_start


@pytest.fixture(autouse=True)
def garbage_collected_between_events(qapp):
    """Collect cyclic garbage as the app does: from the event loop, and after each test.

    Automatic collection can fire inside a Qt call that holds a signal-slot mutex; a QObject in
    that garbage then deadlocks the thread on itself (see ``ui/garbage.py``).
    """
    from ui.garbage import collect_garbage_between_events

    collect_garbage_between_events()
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):
    """Each test reads and writes QSettings in its own temporary folder."""
    QCoreApplication.setOrganizationName("cnnviz-tests")
    QCoreApplication.setApplicationName("cnnviz-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    yield


@pytest.fixture(autouse=True)
def never_ask_before_closing(monkeypatch):
    """Closing a window mid-training answers "Stop and quit" instead of opening a modal box that
    would wait forever (a test of the question replaces this answer with its own)."""
    from ui.training import close_guard

    monkeypatch.setattr(close_guard, "ask_close_while_training", lambda _parent: "stop")


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp):
    """Fail any test that leaves a background task or a QThread running (as napari does).

    Checked after every test, once the test's own fixtures are torn down. A leaked thread crashes
    Qt at exit ("QThread: Destroyed while thread is still running"); a leaked task would deliver
    its result into a later test.
    """
    from ui.widgets.tasks import live_tasks, shut_down_live_tasks

    yield
    tasks = live_tasks()
    shut_down_live_tasks()  # clean up so one leak does not cascade into every later test
    running = [t for t in list(_started_threads) if t.isRunning()]
    for thread in running:
        thread.requestInterruption()
        thread.quit()
        thread.wait(5000)
    if tasks:
        pytest.fail(f"background task(s) left running after the test: {'; '.join(tasks)}; "
                    "wait for them or shut their TaskRunner down")
    if running:
        names = ", ".join(t.objectName() or "unnamed" for t in running)
        pytest.fail(f"{len(running)} QThread(s) still running after the test ({names}); shut "
                    "them down before returning")


@pytest.fixture
def studio(qtbot):
    """A shown training studio (1400x900) that is shut down after the test."""
    from ui.training.widget import TrainingWidget

    widget = TrainingWidget()
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    yield widget
    widget.shutdown()


# -- awkward image files, made on the fly (never committed) ---------------------------------------
def _save(image, path, quality: int = -1):
    assert image.save(str(path), quality=quality), path
    return path


def _rgba_png(path, alpha: int = 100):
    image = QImage(8, 6, QImage.Format.Format_ARGB32)
    image.fill(QColor(200, 30, 40, alpha))
    return _save(image, path)


def _deep_png(path):
    image = QImage(8, 6, QImage.Format.Format_RGBA64)
    image.fill(QColor.fromRgba64(40000, 1000, 65535, 65535))
    return _save(image, path)


def _cmyk_jpeg(path):
    rgb = QImage(8, 6, QImage.Format.Format_RGB32)
    rgb.fill(QColor(200, 30, 40))
    return _save(rgb.convertToFormat(QImage.Format.Format_CMYK8888), path, quality=100)


def _palette_gif(path, width=20, height=15):
    """A 256-colour GIF written by hand (Qt cannot write GIFs): colour i is (i, 255 - i, 7i)."""
    palette = [(i, 255 - i, (7 * i) % 256) for i in range(256)]
    pixels = [(x + y) % 256 for y in range(height) for x in range(width)]
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0))
    for colour in palette:
        out += bytes(colour)
    out += b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x08"
    codes = []
    for i, p in enumerate(pixels):
        if i % 250 == 0:
            codes.append(256)  # clear: keeps every code 9 bits wide, no compression needed
        codes.append(p)
    codes.append(257)
    bits = nbits = 0
    data = bytearray()
    for code in codes:
        bits |= code << nbits
        nbits += 9
        while nbits >= 8:
            data.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        data.append(bits & 0xFF)
    for i in range(0, len(data), 255):
        out += bytes([len(data[i:i + 255])]) + data[i:i + 255]
    path.write_bytes(bytes(out + b"\x00\x3b"))
    return path, palette, pixels


@pytest.fixture
def awkward_image():
    """``awkward_image(kind, folder)`` writes a small image file that needs a conversion and
    returns its path: ``"alpha"`` (a PNG with transparency), ``"deep"`` (16-bit PNG), ``"gif"``
    (256-colour palette GIF, written by hand: Qt cannot write GIFs; colour i is (i, 255 - i, 7i))
    or ``"cmyk"`` (a CMYK JPEG)."""
    def make(kind: str, folder):
        if kind == "gif":
            return _palette_gif(folder / "palette.gif")[0]
        maker, name = {"alpha": (_rgba_png, "alpha.png"), "deep": (_deep_png, "deep.png"),
                       "cmyk": (_cmyk_jpeg, "print.jpg")}[kind]
        return maker(folder / name)
    return make
