"""Every pooling control explains itself, like the others, with a "why?" beside it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout

from ui.playground.controls import ControlsPanel
from ui.widgets.why import WhyLabel


@pytest.fixture
def controls(qtbot):
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    return panel


def why_beside(panel, spin):
    """The WhyLabel in the same form row as ``spin``, or None."""
    for form in panel.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            layout = item.layout() if item is not None else None
            if layout is None:
                continue
            widgets = [layout.itemAt(i).widget() for i in range(layout.count())]
            if spin in widgets:
                return next((w for w in widgets if isinstance(w, WhyLabel)), None)
    return None


@pytest.mark.parametrize("name, word", [("poolSizeSpin", "window"), ("poolStrideSpin", "moves")])
def test_pool_size_and_stride_have_a_why_note(controls, name, word):
    from PySide6.QtWidgets import QSpinBox

    label = why_beside(controls, controls.findChild(QSpinBox, name))
    assert label is not None and word in label.explanation


def test_clicking_the_pool_stride_why_pins_its_note(controls):
    from PySide6.QtWidgets import QSpinBox

    label = why_beside(controls, controls.findChild(QSpinBox, "poolStrideSpin"))
    label.linkActivated.emit("#why")
    assert controls.why_note.text() == label.explanation
