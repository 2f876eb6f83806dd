"""The training studio's hyperparameter form and run buttons, remembered with ``QSettings``.

Only widgets live here; :class:`ui.training.widget.TrainingWidget` decides what the buttons do.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ui.theme import ERROR_STYLE, NOTE_STYLE
from ui.training.pace_combo import make_pace_combo, pace_of, restore_pace, save_pace
from ui.widgets.buttons import named_button
from ui.widgets.range_spin import RangeDoubleSpinBox, RangeSpinBox
from ui.widgets.settings import read_setting, write_setting
from ui.widgets.text import plain_label

OPTIMIZERS = (("Adam", "adam"), ("SGD", "sgd"), ("SGD + momentum", "momentum"))
BACKENDS = (("NumPy (from scratch)", ("numpy", "cpu")), ("PyTorch (CPU)", ("torch", "cpu")),
            ("PyTorch (CUDA)", ("torch", "cuda")))
BACKEND_TIP = ("Who computes the training. NumPy: cnnviz's own engine, every line readable. "
               "PyTorch: the same network, data, seed and batch order through torch.nn and "
               "torch.optim (faster on big data); the curves, filters and views are the same.")
DEFAULT_LR = {"adam": 0.01, "sgd": 0.1, "momentum": 0.05}
_MANTISSAS = (1.0, 2.0, 5.0)


def next_log_step(value: float, steps: int) -> float:
    """Move ``value`` ``steps`` places along the 1-2-5 sequence (…, 0.001, 0.002, 0.005, 0.01, …).

    Parameters
    ----------
    value : float, > 0
    steps : int
        Positive moves up, negative down.

    Returns
    -------
    float
        A value of the form m * 10**k with m in {1, 2, 5}; learning rates are explored on a log
        scale, so each arrow press changes the rate by a factor of 2 to 2.5.
    """
    value = max(float(value), 1e-12)
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = value / 10**exponent
    # Index of the 1-2-5 mantissa nearest below (or at) the current value.
    index = max(i for i, m in enumerate(_MANTISSAS) if m <= mantissa + 1e-9)
    position = exponent * 3 + index + steps
    exponent, index = divmod(position, 3)
    return float(f"{_MANTISSAS[index] * 10**exponent:.12g}")


class LogSpinBox(RangeDoubleSpinBox):
    """A learning-rate spin box: arrows step along 1-2-5, typing any value works."""

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt's name)
        self.setValue(next_log_step(self.value(), steps))

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        return f"{value:.6g}"


class TrainingControls(QWidget):
    """Optimizer, learning rate, batch size, epochs, weight decay, seed, run buttons, progress."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.setObjectName("optimizerCombo")
        for label, key in OPTIMIZERS:
            self.optimizer_combo.addItem(label, key)
        self.optimizer_combo.setToolTip(
            "SGD follows the gradient; momentum adds inertia so it keeps rolling through flat, "
            "noisy stretches; Adam scales each weight's step by its gradient history and is the "
            "forgiving default."
        )
        self.backend_combo = make_backend_combo()
        self.lr_spin = LogSpinBox("Learning rate")
        self.lr_spin.setObjectName("lrSpin")
        self.lr_spin.setDecimals(6)
        self.lr_spin.setRange(1e-6, 10.0)
        self.lr_spin.setValue(0.01)
        self.lr_spin.setToolTip(
            "Learning rate: how far each update moves the weights. Arrows step 1-2-5 (log scale). "
            "You can change it while training; it applies from the next batch. Too high diverges."
        )
        self.batch_spin = RangeSpinBox("Batch size")
        self.batch_spin.setObjectName("batchSizeSpin")
        self.batch_spin.setRange(1, 1024)
        self.batch_spin.setValue(32)
        self.batch_spin.setToolTip("Samples averaged per update: larger = smoother, fewer steps.")
        self.epochs_spin = RangeSpinBox("Epochs")
        self.epochs_spin.setObjectName("epochsSpin")
        self.epochs_spin.setRange(1, 500)
        self.epochs_spin.setValue(3)
        self.epochs_spin.setToolTip("Passes over the whole training set.")
        self.decay_spin = RangeDoubleSpinBox("Weight decay")
        self.decay_spin.setObjectName("weightDecaySpin")
        self.decay_spin.setDecimals(5)
        self.decay_spin.setRange(0.0, 1.0)
        self.decay_spin.setSingleStep(0.0001)
        self.decay_spin.setToolTip("Pulls every weight towards zero a little at each step.")
        self.seed_spin = RangeSpinBox("Seed")
        self.seed_spin.setObjectName("seedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Same seed and settings: the same run (weights, batches).")

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Backend", self.backend_combo)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Weight decay", self.decay_spin)
        form.addRow("Seed", self.seed_spin)
        self.pace_combo = make_pace_combo()
        form.addRow("Pace", self.pace_combo)

        self.start_button = named_button("Start", "startButton", "Train from fresh weights.")
        self.pause_button = named_button("Pause", "pauseButton", "Pause / resume between batches.")
        self.pause_button.setCheckable(True)
        self.step_button = named_button(
            "Single step", "stepButton",
            "Run exactly one batch and show its forward pass, loss, backward pass and update "
            "(pauses a running training first).",
        )
        self.stop_button = named_button("Stop", "stopButton", "Stop after the current batch.")
        self.reset_button = named_button(
            "Reset", "resetButton", "Forget the run: curves, filters, loaded weights."
        )
        buttons = QGridLayout()
        buttons.addWidget(self.start_button, 0, 0)
        buttons.addWidget(self.pause_button, 0, 1)
        buttons.addWidget(self.stop_button, 0, 2)
        buttons.addWidget(self.step_button, 1, 0, 1, 2)
        buttons.addWidget(self.reset_button, 1, 2)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("idle")
        self.message_label = plain_label()  # problems quote file names
        self.message_label.setObjectName("trainingMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # A typed value outside a range is clamped: say so, under the form it was typed in.
        self.clamp_note = plain_label()
        self.clamp_note.setObjectName("clampNote")
        self.clamp_note.setWordWrap(True)
        self.clamp_note.setStyleSheet(NOTE_STYLE)
        self.clamp_note.hide()
        for spin in (self.lr_spin, self.batch_spin, self.epochs_spin, self.decay_spin,
                     self.seed_spin):
            spin.sigClamped.connect(self._show_clamp_note)

        layout.addLayout(form)
        layout.addWidget(self.clamp_note)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        self.optimizer_combo.currentIndexChanged.connect(self._suggest_lr)

    def _show_clamp_note(self, text: str) -> None:
        self.clamp_note.setText(text)
        self.clamp_note.setVisible(bool(text))

    def _suggest_lr(self, _index: int) -> None:
        # Each optimizer has its own comfortable range; switching proposes a sensible start.
        self.lr_spin.setValue(DEFAULT_LR.get(self.optimizer(), self.lr_spin.value()))

    # ----- values --------------------------------------------------------------------------------
    def optimizer(self) -> str:
        """``"adam"``, ``"sgd"`` or ``"momentum"``."""
        return self.optimizer_combo.currentData()

    def backend(self) -> tuple[str, str]:
        """``(backend, device)``: ("numpy", "cpu"), ("torch", "cpu") or ("torch", "cuda")."""
        data = self.backend_combo.currentData()
        return tuple(data) if data else ("numpy", "cpu")

    def values(self) -> dict:
        """The hyperparameters as :func:`cnnviz.backends.make_trainer` keyword arguments."""
        backend, device = self.backend()
        return {
            "backend": backend,
            "device": device,
            "optimizer": self.optimizer(),
            "lr": float(self.lr_spin.value()),
            "batch_size": int(self.batch_spin.value()),
            "epochs": int(self.epochs_spin.value()),
            "weight_decay": float(self.decay_spin.value()),
            "seed": int(self.seed_spin.value()),
        }

    def pace(self) -> float | None:
        """Training steps per second (``paceCombo``); None for full speed."""
        return pace_of(self.pace_combo)

    def set_editing_enabled(self, enabled: bool) -> None:
        """Lock the settings a running trainer cannot change (the learning rate stays editable)."""
        for widget in (self.backend_combo, self.optimizer_combo, self.batch_spin,
                       self.epochs_spin, self.decay_spin, self.seed_spin):
            widget.setEnabled(enabled)

    def show_message(self, text: str | None) -> None:
        """Show (or hide, with None) the red in-place message under the progress bar."""
        self.message_label.setText(text or "")
        self.message_label.setVisible(bool(text))

    def reset_progress(self) -> None:
        """An empty bar reading "idle" (no run)."""
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("idle")

    def show_progress(self, snapshot, running: bool = True) -> None:
        """Epoch, step, samples/s, time left and loss of a trainer snapshot, in the bar.

        A run that is no longer ``running`` has no time left to show.
        """
        s = snapshot
        total = max(int(s.total_steps), 1)
        self.progress_bar.setValue(int(1000 * min(s.step, total) / total))
        epochs = s.epochs or self.epochs_spin.value()
        left = s.seconds_left if running else None
        left = "" if left is None or left != left or left == float("inf") else \
            f" · {left:.0f} s left"
        self.progress_bar.setFormat(
            f"epoch {s.epoch}/{epochs} · step {s.step}/{total} · "
            f"{s.samples_per_second:,.0f} samples/s{left} · loss {s.loss:.3f} · lr {s.lr:g}")

    # ----- persistence ---------------------------------------------------------------------------
    def save_settings(self) -> None:
        """Remember the form under ``training/``."""
        for key, value in self.values().items():
            if key != "device":
                write_setting(f"training/{key}", value)
        write_setting("training/backend", self.backend_combo.currentIndex())
        save_pace(self.pace_combo)

    def restore_settings(self) -> None:
        """Restore the form from ``training/``; a missing value keeps the default, a malformed or
        out-of-range one (``lr=nan``, ``batch_size=-5``) too, with a note (see
        :func:`ui.widgets.settings.read_setting`)."""
        restore_pace(self.pace_combo)
        backend = read_setting("training/backend", 0, int, minimum=0,
                               maximum=self.backend_combo.count() - 1)
        if is_enabled(self.backend_combo, backend):
            self.backend_combo.setCurrentIndex(backend)
        keys = [key for _label, key in OPTIMIZERS]
        index = self.optimizer_combo.findData(read_setting("training/optimizer", "adam", str,
                                                           choices=keys))
        self.optimizer_combo.blockSignals(True)
        self.optimizer_combo.setCurrentIndex(max(index, 0))
        self.optimizer_combo.blockSignals(False)
        for key, spin, kind in (("lr", self.lr_spin, float), ("batch_size", self.batch_spin, int),
                                ("epochs", self.epochs_spin, int),
                                ("weight_decay", self.decay_spin, float),
                                ("seed", self.seed_spin, int)):
            spin.setValue(read_setting(f"training/{key}", spin.value(), kind,
                                       minimum=spin.minimum(), maximum=spin.maximum()))


def is_enabled(combo: QComboBox, index: int) -> bool:
    """Whether item ``index`` of ``combo`` can be chosen."""
    item = combo.model().item(index)
    return item is None or item.isEnabled()


def make_backend_combo() -> QComboBox:
    """``backendCombo``: NumPy always; PyTorch (CPU) disabled, saying how to install it, when
    torch is missing; PyTorch (CUDA) only when a GPU is present."""
    from cnnviz.backends import INSTALL_HINT, gpu_present, torch_available

    combo = QComboBox()
    combo.setObjectName("backendCombo")
    has_torch = torch_available()
    for label, data in BACKENDS:
        if data[1] == "cuda" and not (has_torch and gpu_present()):
            continue
        combo.addItem(label, data)
        if data[0] == "torch" and not has_torch:
            index = combo.count() - 1
            combo.model().item(index).setEnabled(False)
            combo.setItemData(index, f"PyTorch is not installed: {INSTALL_HINT}",
                              Qt.ItemDataRole.ToolTipRole)
    combo.setToolTip(BACKEND_TIP if has_torch else
                     f"{BACKEND_TIP} PyTorch is not installed: {INSTALL_HINT}")
    return combo
