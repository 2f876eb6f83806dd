"""Play / pause / step the kernel window sliding over the input in scan order.

The widget only counts positions; the playground draws the partly filled feature map and the
window for the current position when ``sigFrame(filled)`` arrives.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from ui.widgets.why import WhyLabel

__all__ = ["SlideAnimation", "speed_from_slider"]

IDLE_TEXT = (
    "Play or Step slides the window in reading order and the map fills in. Tip: on the single "
    "bright pixel pattern every position is easy to follow."
)

WHY = (
    "Why: each output pixel needs only its own window, so all of them can be computed at once, "
    "which is what the fast engine does."
)


def speed_from_slider(value: int) -> float:
    """Map the slider 0..100 to 1..20,000 window positions per second (logarithmic)."""
    return 10 ** (value / 100 * math.log10(20000))


class SlideAnimation(QWidget):
    """Controls for the sliding-window animation.

    ``sigFrame(filled)``: the first ``filled`` output pixels (scan order) are computed, the window
    sits on pixel ``filled - 1``. ``sigFinished()``: back to showing the whole map.
    """

    sigFrame = Signal(int)
    sigFinished = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("slideAnimation")
        self.total = 0
        self.filled = 0
        self._carry = 0.0
        self.setMinimumWidth(220)
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("animationPlayButton")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._on_play_toggled)
        self.step_button = QPushButton("Step")
        self.step_button.setObjectName("animationStepButton")
        self.step_button.setToolTip("Move the window by one position")
        self.step_button.clicked.connect(self.step)
        self.reset_button = QPushButton("Show all")
        self.reset_button.setObjectName("animationResetButton")
        self.reset_button.setToolTip("Stop the animation and show the whole feature map")
        self.reset_button.clicked.connect(self.finish)
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setObjectName("animationSpeedSlider")
        self.speed_slider.setRange(0, 100)
        self.speed_slider.setValue(45)
        self.speed_label = QLabel()
        self.speed_slider.valueChanged.connect(self._update_speed_label)
        self.progress = QLabel(IDLE_TEXT)
        self.progress.setWordWrap(True)
        buttons = QHBoxLayout()
        for w in (self.play_button, self.step_button, self.reset_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        speed = QHBoxLayout()
        speed.addWidget(QLabel("Speed:"))
        speed.addWidget(self.speed_slider, 1)
        speed.addWidget(self.speed_label)
        why = WhyLabel(WHY, expanded=True)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(speed)
        layout.addWidget(self.progress)
        layout.addWidget(why)
        layout.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self._update_speed_label()

    def active(self) -> bool:
        """True while a partial map is shown (playing or paused mid-way)."""
        return 0 < self.filled < self.total or self._timer.isActive()

    def set_total(self, total: int) -> None:
        """A new feature map with ``total`` pixels: stop and show it whole."""
        if total != self.total or self.active():
            self.total = total
            self.finish()

    def step(self) -> None:
        """Advance the window by one position (pausing playback)."""
        self.play_button.setChecked(False)
        self._advance(1)

    def finish(self) -> None:
        """Stop and show the whole feature map."""
        self.play_button.setChecked(False)
        self._timer.stop()
        was_active = 0 < self.filled < self.total
        self.filled = 0
        self.progress.setText(IDLE_TEXT)
        if was_active:
            self.sigFinished.emit()

    def _advance(self, n: int) -> None:
        if self.total <= 0:
            return
        if self.filled >= self.total:
            self.filled = 0
        self.filled = min(self.total, self.filled + n)
        self.progress.setText(f"Position {self.filled} of {self.total}")
        self.sigFrame.emit(self.filled)
        if self.filled >= self.total:
            self.play_button.setChecked(False)

    def _on_play_toggled(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            self._carry = 0.0
            self._clock.start()
            self._timer.start()
        else:
            self._timer.stop()

    def _tick(self) -> None:
        dt = self._clock.restart() / 1000.0
        self._carry += dt * speed_from_slider(self.speed_slider.value())
        n = int(self._carry)
        if n:
            self._carry -= n
            self._advance(n)

    def _update_speed_label(self) -> None:
        self.speed_label.setText(f"{speed_from_slider(self.speed_slider.value()):,.0f} px/s")
