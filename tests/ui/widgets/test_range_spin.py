"""Spin boxes that clamp a typed value say so, and show their range."""

import pytest
from PySide6.QtCore import Qt

from ui.widgets.range_spin import RangeDoubleSpinBox, RangeSpinBox


@pytest.fixture
def lr(qtbot):
    spin = RangeDoubleSpinBox("Learning rate")
    spin.setDecimals(6)
    spin.setRange(1e-6, 10.0)
    spin.setValue(0.01)
    qtbot.addWidget(spin)
    return spin


def type_into(qtbot, spin, text):
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_a_value_above_the_maximum_is_clamped_and_said(qtbot, lr):
    said = []
    lr.sigClamped.connect(said.append)
    type_into(qtbot, lr, "1e6")
    assert lr.value() == 10.0
    assert said[-1] == "Learning rate 1e+06 is above the maximum 10; using 10."


def test_a_value_below_the_minimum_is_clamped_and_said(qtbot, lr):
    said = []
    lr.sigClamped.connect(said.append)
    type_into(qtbot, lr, "1e-9")
    assert lr.value() == pytest.approx(1e-6)
    assert said[-1] == "Learning rate 1e-09 is below the minimum 1e-06; using 1e-06."


def test_a_value_in_range_is_used_as_typed_with_nothing_to_say(qtbot, lr):
    said = []
    lr.sigClamped.connect(said.append)
    type_into(qtbot, lr, "0.003")
    assert lr.value() == pytest.approx(0.003)
    assert said[-1] == ""


def test_the_tooltip_shows_the_allowed_range(lr):
    lr.setToolTip("How far each update moves the weights.")
    assert lr.toolTip() == "How far each update moves the weights. Allowed: 1e-06 to 10."
    lr.setRange(1e-5, 1.0)
    assert lr.toolTip().endswith("Allowed: 1e-05 to 1.")


def test_an_integer_spin_box_says_when_it_clamps(qtbot):
    spin = RangeSpinBox("Epochs")
    spin.setRange(1, 500)
    qtbot.addWidget(spin)
    said = []
    spin.sigClamped.connect(said.append)
    type_into(qtbot, spin, "2000")
    assert spin.value() == 500
    assert said[-1] == "Epochs 2000 is above the maximum 500; using 500."
