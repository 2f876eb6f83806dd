"""The tour's panel and navigation: Back, Next/Finish, Exit and Esc leave the app usable."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QPushButton, QSpinBox

from cnnviz.tour import TOUR
from ui.app import parse_args
from ui.shortcuts import SHORTCUTS, keys_for
from ui.tour.panel import EXIT_ACTION


def _panel(window):
    return window.findChild(QDockWidget, "tourPanel")


def _button(window, name):
    return window.findChild(QPushButton, name)


def test_help_tour_opens_the_panel_at_the_first_stop(window):
    action = window.findChild(QAction, "tourAction")
    assert action in window.menuBar().actions()[-1].menu().actions()
    action.trigger()
    assert _panel(window).isVisible()
    assert "1 of 12: " + TOUR[0].title in window.findChild(QLabel, "tourStopLabel").text()


def test_the_label_says_where_the_tour_is_and_what_to_look_at(window):
    window.start_tour(2)
    text = window.findChild(QLabel, "tourStopLabel").text()
    assert "3 of 12: Padding and stride" in text
    assert "stride 2" in text


def test_back_is_disabled_at_the_first_stop_only(window):
    window.start_tour(0)
    assert not _button(window, "tourBackButton").isEnabled()
    _button(window, "tourNextButton").click()
    assert window.tour.index() == 1
    assert _button(window, "tourBackButton").isEnabled()
    _button(window, "tourBackButton").click()
    assert window.tour.index() == 0


def test_next_becomes_finish_at_the_last_stop_and_finish_leaves(window):
    window.start_tour(len(TOUR) - 2)
    assert _button(window, "tourNextButton").text() == "Next"
    _button(window, "tourNextButton").click()
    assert _button(window, "tourNextButton").text() == "Finish"
    _button(window, "tourNextButton").click()
    assert not _panel(window).isVisible()


def test_exit_hides_the_panel_and_keeps_the_stop_settings(window):
    window.start_tour(2)  # padding and stride
    _button(window, "tourExitButton").click()
    assert not _panel(window).isVisible()
    assert window.tour.highlighter.target() is None
    assert window.playground.findChild(QSpinBox, "strideSpin").value() == 2  # nothing restored


def test_after_exit_the_kernel_can_still_be_changed(window):
    window.start_tour(0)
    _button(window, "tourExitButton").click()
    kernel = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    assert window.playground.set_kernel(kernel)
    np.testing.assert_allclose(window.playground.current_result().kernel, kernel)


def test_the_app_stays_usable_while_the_panel_shows(window):
    window.start_tour(2)
    assert QApplication.activeModalWidget() is None
    window.playground.findChild(QSpinBox, "strideSpin").setValue(3)
    assert window.playground.current_result().settings.stride == 3
    assert _panel(window).isVisible()


def test_escape_in_the_panel_exits_the_tour(window, qtbot):
    window.activateWindow()
    window.start_tour(1)
    qtbot.waitUntil(lambda: _button(window, "tourNextButton").hasFocus(), timeout=2000)
    qtbot.keyClick(_button(window, "tourNextButton"), Qt.Key.Key_Escape)
    assert not _panel(window).isVisible()


def test_escape_outside_the_panel_leaves_the_tour_open(window, qtbot):
    window.activateWindow()
    window.start_tour(1)
    spin = window.playground.findChild(QSpinBox, "strideSpin")
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    qtbot.keyClick(spin, Qt.Key.Key_Escape)
    assert _panel(window).isVisible()


def test_escape_is_listed_with_the_shortcuts():
    assert keys_for(EXIT_ACTION) == "Esc"
    assert any(row.action == EXIT_ACTION for row in SHORTCUTS)


def test_the_tour_can_be_taken_again_after_exit(window):
    window.start_tour(4)
    window.tour.exit()
    window.findChild(QAction, "tourAction").trigger()
    assert _panel(window).isVisible() and window.tour.index() == 0


def test_the_panel_never_covers_the_control_it_points_at(window, qtbot):
    for index in range(7):  # the playground stops
        window.start_tour(index)
        panel, highlighter = _panel(window), window.tour.highlighter
        qtbot.waitUntil(highlighter.settled, timeout=3000)
        target = highlighter.target()
        shown = target.visibleRegion().boundingRect()
        assert not shown.isEmpty(), TOUR[index].title
        on_window = shown.translated(target.mapTo(window, shown.topLeft()) - shown.topLeft())
        assert not on_window.intersects(panel.geometry()), TOUR[index].title


def test_the_outline_lets_clicks_through_and_follows_the_stop(window):
    window.start_tour(2)
    highlighter = window.tour.highlighter
    assert highlighter.target().objectName() == "strideSpin"
    assert highlighter.frame.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    window.tour.next()
    assert highlighter.target().objectName() == "dilationSpin"


def test_the_outline_goes_when_it_has_shown_long_enough(window, qtbot):
    window.start_tour(0)
    highlighter = window.tour.highlighter
    highlighter.show(highlighter.target(), ms=10)
    qtbot.waitUntil(lambda: highlighter.target() is None, timeout=2000)


def test_a_start_outside_the_tour_is_refused_with_a_sentence(window):
    with pytest.raises(ValueError, match="stops 1 to 12"):
        window.start_tour(12)


def test_tour_stop_option_is_hidden_from_help(capsys):
    assert parse_args(["--tour-stop", "3"]).tour_stop == 3
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    assert "--tour-stop" not in capsys.readouterr().out


@pytest.mark.parametrize("value", ["0", "13", "three"])
def test_tour_stop_out_of_range_is_refused_with_a_sentence(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--tour-stop", value])
    assert exit_info.value.code == 2
    assert "--tour-stop" in capsys.readouterr().err


@pytest.mark.parametrize("index", range(len(TOUR)), ids=lambda i: TOUR[i].title)
def test_every_stop_outlines_its_control(window, qtbot, index):
    window.start_tour(index)
    highlighter = window.tour.highlighter
    qtbot.waitUntil(highlighter.settled, timeout=3000)
    assert highlighter.target().objectName() == TOUR[index].highlight.split("/")[-1]
    assert highlighter.frame.isVisible()
    assert highlighter.frame.height() > 10 and highlighter.frame.width() > 10
    qtbot.waitUntil(lambda: not window.training.is_running(), timeout=120000)
