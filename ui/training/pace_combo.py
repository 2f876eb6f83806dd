"""``paceCombo``: how fast the run goes, from full speed down to 5 steps a second.

Why: on the small data sets a run ends in under a second; at 5 or 20 steps a second the learner
sees every step's filters and loss. The choice can change mid-run and is remembered.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from cnnviz.pace import Pace
from ui.widgets.settings import read_setting, write_setting

SETTING = "training/pace"
TIP = ("Pace: how many training steps a second. Full speed for results; 20 or 5 steps/s to "
       "watch the filters and the loss change step by step. Applies at once, also mid-run; "
       "Stop and Pause stay instant.")


def make_pace_combo() -> QComboBox:
    """The combo, one item per :class:`cnnviz.pace.Pace` (item data: steps/s or None)."""
    combo = QComboBox()
    combo.setObjectName("paceCombo")
    for pace in Pace:
        combo.addItem(pace.label, pace.key)
    combo.setToolTip(TIP)
    return combo


def pace_of(combo: QComboBox) -> float | None:
    """The steps per second chosen (None: full speed)."""
    return Pace.from_key(combo.currentData() or Pace.FULL.key).steps_per_second


def save_pace(combo: QComboBox) -> None:
    write_setting(SETTING, combo.currentData())


def restore_pace(combo: QComboBox) -> None:
    """Restore the remembered pace; an unknown stored value falls back to full speed."""
    key = read_setting(SETTING, Pace.FULL.key, str, choices=[p.key for p in Pace])
    combo.setCurrentIndex(max(combo.findData(key), 0))
