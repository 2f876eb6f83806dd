"""A shown main window for the tour tests, shut down cleanly afterwards."""

import pytest

from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    w.remember_layout = False
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.training.shutdown()
    w.why.shutdown()
    w.playground.shutdown()
