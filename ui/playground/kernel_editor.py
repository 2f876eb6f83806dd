"""The kernel controls around the grid: size, preset, step, the transform buttons, the messages.

:class:`KernelEditor` keeps ``kernelSizeSpin`` and ``kernelPresetCombo`` in step with the
kernel in ``kernelGrid``, both ways: a preset or a new size replaces the kernel, and a kernel
set any other way (a click, :meth:`load`, ``kernel_grid.set_kernel``) moves the spin and marks
the preset "Custom", with the controls' signals blocked so nothing is applied twice.

The editor remembers which preset is loaded for as long as only size changes happen: Sobel x
shrunk to 2x2 (its centre) and grown to 5x5 again is the whole Sobel x, not the 2x2 fragment
padded with zeros (:func:`cnnviz.lab.kernels.preset_at`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from cnnviz.lab import kernels
from cnnviz.lab.conv import MAX_WEIGHT
from cnnviz.lab.kernels import resize_kernel
from ui.playground.controls import ControlsPanel
from ui.widgets.settings import read_setting, write_setting

__all__ = ["KernelEditor", "resize_kernel"]

_STEP_KEY = "playground/step"
_ACTIONS = {
    "Normalise": kernels.normalise,
    "Random": lambda a: kernels.random_kernel(a.shape[-1], channels=a.shape[0] if a.ndim == 3
                                              else None),
    "Flip": kernels.flip,
    "Rotate": kernels.rotate,
    "Zero": np.zeros_like,
}


class KernelEditor(QObject):
    """Binds the kernel controls of ``controls`` to its kernel grid.

    Signals
    -------
    sigSizeChanged(int)
        The kernel's side k changed (the padding limit follows it).
    sigStatus(str)
        A message for the status bar.
    """

    sigSizeChanged = Signal(int)
    sigStatus = Signal(str)

    def __init__(self, controls: ControlsPanel, parent: QObject | None = None):
        super().__init__(parent)
        self._controls = controls
        self._grid = controls.kernel_grid
        self._applying_preset = False
        self._loaded: str | None = None  # the preset in the grid, kept through resizes
        # Names each change for the undo history (KernelHistory.labelled), once there is one.
        self._labelled: Callable[[str], AbstractContextManager] = lambda _text: nullcontext()
        controls.kernel_size_spin.valueChanged.connect(self._on_size_chosen)
        controls.preset_combo.currentIndexChanged.connect(self._on_preset_chosen)
        controls.step_combo.currentIndexChanged.connect(self._on_step_chosen)
        for name, button in controls.kernel_buttons.items():
            button.clicked.connect(lambda _checked=False, n=name: self.transform(n))
        self._grid.sigKernelChanged.connect(self._on_kernel_changed)
        self._grid.sigSelectionChanged.connect(self._on_kernel_changed)
        self._grid.sigMessage.connect(self.show_message)
        controls.channels_group.fill_combo.currentIndexChanged.connect(self._on_fill_chosen)

    # -- public API -------------------------------------------------------------------------------
    def restore(self) -> None:
        """Use the click step of the last session."""
        combo = self._controls.step_combo
        index = read_setting(_STEP_KEY, combo.currentIndex(), int, minimum=0,
                             maximum=combo.count() - 1)
        combo.setCurrentIndex(index)
        self._on_step_chosen(combo.currentIndex())

    def set_labeller(self, labelled: Callable[[str], AbstractContextManager]) -> None:
        """Use ``labelled(text)`` (a context manager) around each change, to name it."""
        self._labelled = labelled

    def loaded_preset(self) -> str | None:
        """The preset the selected filter holds (possibly resized), or None for a custom one."""
        return self._loaded

    def set_loaded_preset(self, name: str | None) -> None:
        """Say which preset the grid holds (restoring a state): the menu shows it, and the next
        size change rebuilds it instead of cropping the kernel."""
        self._loaded = name if name in kernels.PRESETS else None
        self._show_preset(self._loaded or "Custom")

    def spread(self, kernel: np.ndarray) -> np.ndarray:
        """A 2-D kernel (k, k) over the grid's channels, as ``channelFillCombo`` says:
        shape (C, k, k)."""
        how = self._controls.channels_group.fill_combo.currentData()
        return kernels.fill_channels(kernel, self._grid.channels(), how)

    def load(self, kernel: np.ndarray) -> bool:
        """Load a square kernel (k = 1..9), resizing ``kernelSizeSpin``; False (says why) if not.

        Parameters
        ----------
        kernel : ndarray, shape (k, k), or (C, k, k) with one slice per input channel
            A 2-D kernel fills a colour filter's slices as ``channelFillCombo`` says.
        """
        k = np.asarray(kernel, dtype=float)
        channels = self._grid.channels()
        if k.ndim not in (2, 3) or k.shape[-1] != k.shape[-2] or not 1 <= k.shape[-1] <= 9:
            self.show_message(f"A kernel must be square, 1x1 to 9x9; got shape {k.shape}.")
            return False
        if k.ndim == 3 and k.shape[0] != channels:
            self.show_message(f"This kernel has {k.shape[0]} slices but the input has "
                              f"{channels} channel(s); choose the matching channel mode.")
            return False
        if not np.all(np.isfinite(k)):
            self.show_message("A kernel must contain finite numbers only.")
            return False
        if np.abs(k).max() > MAX_WEIGHT:
            self.show_message(
                f"Kernel weights must lie between -{MAX_WEIGHT:,.0f} and {MAX_WEIGHT:,.0f}; "
                f"this one reaches {np.abs(k).max():.3g}. The kernel was not changed."
            )
            return False
        with self._labelled("Load kernel"):
            self._grid.set_kernel(self.spread(k) if k.ndim == 2 else k)  # the size spin follows
        return True

    def transform(self, name: str) -> None:
        """Apply the kernel button ``name`` (Normalise, Random, Flip, Rotate or Zero) to the
        selected filter, every channel of it."""
        k = self._grid.kernel()
        if name == "Normalise" and abs(k.sum()) < 1e-12:
            self.sigStatus.emit(
                "This kernel sums to zero (an edge detector): nothing to divide by."
            )
        if name == "Random" and k.ndim == 3 and self._grid.same_for_all():
            k = k[0]  # one random slice, the same in every channel
        new = _ACTIONS[name](k)
        with self._labelled(name):
            self._grid.set_kernel(self.spread(new) if new.ndim == 2 and k.ndim == 2
                                  and self._grid.channels() > 1 else new)

    @Slot(str)
    def show_message(self, message: str) -> None:
        """Say under the grid (and in the status bar) why a kernel or a value was refused."""
        self._controls.kernel_message.setText(message)
        self._controls.kernel_message.show()
        self.sigStatus.emit(message)

    # -- bindings ---------------------------------------------------------------------------------
    @Slot()
    def _on_kernel_changed(self) -> None:
        self._controls.kernel_message.hide()
        size = self._grid.size_k()
        spin = self._controls.kernel_size_spin
        if size != spin.value():  # someone called kernel_grid.set_kernel with another size
            spin.blockSignals(True)
            spin.setValue(size)
            spin.blockSignals(False)
            self.sigSizeChanged.emit(size)
        if not self._applying_preset:
            self._loaded = self._identify()
            self._show_preset(self._loaded or "Custom")

    def _identify(self) -> str | None:
        """The preset the selected kernel is (at this size and fill), else None.

        The preset already loaded wins: a 1x1 crop of Prewitt x is also one of Sobel x.
        """
        k, size = self._grid.kernels()[self._grid.selected()], self._grid.size_k()
        candidates = [self._loaded] if self._loaded else []
        for name in candidates + list(kernels.PRESETS):
            if self._is_preset(k, name, size):
                return name
        return None

    def _is_preset(self, k: np.ndarray, name: str, size: int) -> bool:
        # Only the loaded preset is recognised cropped; others at the sizes they are made for.
        if name != self._loaded and kernels.preset(name, size).shape[-1] != size:
            return False
        return np.array_equal(self.spread(kernels.preset_at(name, size)), k)

    def _show_preset(self, name: str) -> None:
        combo = self._controls.preset_combo
        combo.blockSignals(True)
        combo.setCurrentText(name)
        combo.blockSignals(False)
        text, size = kernels.DESCRIPTIONS.get(name, ""), self._grid.size_k()
        if name in kernels.PRESETS and kernels.preset(name, size).shape[-1] > size:
            text += f" Cropped here to the {size}x{size} around its centre."
        self._controls.set_preset_description(text)

    @Slot(int)
    def _on_preset_chosen(self, _index: int) -> None:
        name = self._controls.preset_combo.currentText()
        self._controls.set_preset_description(kernels.DESCRIPTIONS.get(name, ""))
        if name in kernels.PRESETS:
            self._apply_preset(name, self._controls.kernel_size_spin.value())
        else:
            self._loaded = None

    def _apply_preset(self, name: str, size: int) -> None:
        self._applying_preset = True
        try:
            self._loaded = name
            with self._labelled(f"Preset {name}"):
                self._grid.set_kernel(self.spread(kernels.preset_at(name, size)))
        finally:
            self._applying_preset = False
        self._show_preset(name)

    @Slot(int)
    def _on_fill_chosen(self, _index: int) -> None:
        # A preset stays itself under the new fill (Sobel x, luma-weighted ...).
        if self._loaded is not None:
            self._apply_preset(self._loaded, self._grid.size_k())

    @Slot(int)
    def _on_size_chosen(self, size: int) -> None:
        self.sigSizeChanged.emit(size)
        name = self._loaded
        # Every filter is resized around its centre; the selected one, if it is a preset, is
        # rebuilt at the new size instead, so a crop is never what a later size starts from.
        bank = resize_kernel(self._grid.kernels(), size)
        if name is not None:
            bank[self._grid.selected()] = self.spread(kernels.preset_at(name, size))
        self._applying_preset = name is not None
        old = self._grid.size_k()
        try:
            with self._labelled(f"Kernel size {old}x{old} \u2192 {size}x{size}"):
                self._grid.set_kernels(bank)  # one change: one undo step
        finally:
            self._applying_preset = False
        if name is None:
            return
        self._show_preset(name)
        natural = kernels.preset(name, size).shape[-1]
        if natural > size:
            kept = ("only its centre weight is kept" if size == 1 else
                    f"only its centre (row and column {kernels.centre_index(size)}) and the "
                    "weights right of and below it are kept")
            self.sigStatus.emit(f"{name} is {natural}x{natural}: at {size}x{size} {kept}. "
                                f"Size {natural} or more brings the whole {name} back.")

    @Slot(int)
    def _on_step_chosen(self, _index: int) -> None:
        combo = self._controls.step_combo
        self._grid.set_step(float(combo.currentData()))
        write_setting(_STEP_KEY, combo.currentIndex())
