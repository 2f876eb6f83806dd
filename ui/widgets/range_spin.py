"""Spin boxes that say when they clamp a typed value, and show their range in the tooltip.

A plain ``QDoubleSpinBox`` turns a typed learning rate of ``1e6`` into its maximum without a
word (or refuses the keys, so "1e6" becomes "1"), and a learner concludes the app trained with
the rate they typed. These accept any number as typed (scientific notation too), use the nearest
allowed value, and emit ``sigClamped`` with a sentence saying so: "Learning rate 1e+06 is above
the maximum 10; using 10." An in-range value emits ``""`` (nothing to report any more).
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget

__all__ = ["RangeDoubleSpinBox", "RangeSpinBox", "clamp_message"]

# Text on its way to becoming a number: "", "-", "1.", "1e", "1e-" ...
_PARTIAL = re.compile(r"[+-]?(\d*\.?\d*)([eE][+-]?\d*)?")


def clamp_message(name: str, typed: float, low: float, high: float) -> str:
    """The sentence for a typed value outside ``[low, high]``, or ``""`` inside it."""
    if typed > high:
        return f"{name} {typed:g} is above the maximum {high:g}; using {high:g}."
    if typed < low:
        return f"{name} {typed:g} is below the minimum {low:g}; using {low:g}."
    return ""


class _ClampReporting:
    """What both spin boxes share: parse what was typed, clamp it, say so, show the range."""

    sigClamped = Signal(str)
    _integer = False

    def _setup(self, name: str) -> None:
        self._name = name
        self._base_tip = ""

    def range_text(self) -> str:
        """``"Allowed: 1e-06 to 10."``"""
        return f"Allowed: {self.minimum():g} to {self.maximum():g}."

    def setToolTip(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._base_tip = text
        super().setToolTip(f"{text} {self.range_text()}".strip())

    def setRange(self, low, high) -> None:  # noqa: N802 (Qt's name)
        super().setRange(low, high)
        self.setToolTip(self._base_tip)

    def _parse(self, text: str) -> float | None:
        text = text.strip()
        for affix in (self.prefix(), self.suffix()):
            if affix:
                text = text.replace(affix.strip(), "").strip()
        try:
            value = float(text) if not self._integer else float(int(text))
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    def validate(self, text: str, pos: int):
        if self._parse(text) is not None:
            return QValidator.State.Acceptable, text, pos
        bare = text.strip()
        for affix in (self.prefix(), self.suffix()):
            if affix:
                bare = bare.replace(affix.strip(), "").strip()
        partial = _PARTIAL.fullmatch(bare) and (not self._integer or
                                                 re.fullmatch(r"[+-]?\d*", bare))
        return (QValidator.State.Intermediate if partial else QValidator.State.Invalid,
                text, pos)

    def valueFromText(self, text: str):  # noqa: N802 (Qt's name)
        typed = self._parse(text)
        if typed is None:
            return self.value()
        low, high = self.minimum(), self.maximum()
        self.sigClamped.emit(clamp_message(self._name, typed, low, high))
        value = min(max(typed, low), high)
        return int(value) if self._integer else value


class RangeDoubleSpinBox(_ClampReporting, QDoubleSpinBox):
    """A ``QDoubleSpinBox`` that reports clamping (see the module docstring).

    Parameters
    ----------
    name : str
        What the value is, to start the sentence: "Learning rate".

    Signals
    -------
    sigClamped(str)
        The sentence for a typed value outside the range; ``""`` for one inside it.
    """

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._setup(name)


class RangeSpinBox(_ClampReporting, QSpinBox):
    """A ``QSpinBox`` that reports clamping: "Epochs 2000 is above the maximum 500; using 500."
    """

    _integer = True

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._setup(name)
