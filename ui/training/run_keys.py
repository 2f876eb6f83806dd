"""The training studio's run keys: Space starts/pauses/resumes, S steps once, Esc stops.

Each key presses the button a mouse would (so the keys and the buttons cannot disagree) and is
bound with ``Qt.WidgetWithChildrenShortcut`` on the studio: it works only while the focus is in
the studio, never in the other tabs. A focused line edit or spin box still gets its keys (they
claim printable keys through ``ShortcutOverride``), and Space on a focused check box or button
still presses that control, as Space always does.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget

from ui.shortcuts import keys_for

START_PAUSE = "start, pause or resume training"
SINGLE_STEP = "run a single training step"
STOP = "stop training"


class RunKeys(QObject):
    """Binds the run keys on ``studio`` to its controls' buttons.

    Parameters
    ----------
    studio : QWidget
        The training widget (the shortcuts' context).
    controls : ui.training.controls.TrainingControls
        Its start, pause, step and stop buttons.
    """

    def __init__(self, studio: QWidget, controls) -> None:
        super().__init__(studio)
        self._controls = controls
        self.shortcuts = {}
        for action, slot in ((START_PAUSE, self._start_or_pause), (SINGLE_STEP, self._step),
                             (STOP, self._stop)):
            shortcut = QShortcut(QKeySequence(keys_for(action)), studio)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts[action] = shortcut

    @Slot()
    def _start_or_pause(self) -> None:
        c = self._controls
        focus = QApplication.focusWidget()
        if isinstance(focus, QAbstractButton) and focus not in (c.start_button, c.pause_button):
            focus.click()  # Space on a focused check box or button keeps its usual meaning
            return
        if isinstance(focus, QComboBox):
            focus.showPopup()
            return
        if c.pause_button.isEnabled():
            c.pause_button.click()
        elif c.start_button.isEnabled():
            c.start_button.click()

    @Slot()
    def _step(self) -> None:
        if self._controls.step_button.isEnabled():
            self._controls.step_button.click()

    @Slot()
    def _stop(self) -> None:
        if self._controls.stop_button.isEnabled():
            self._controls.stop_button.click()
