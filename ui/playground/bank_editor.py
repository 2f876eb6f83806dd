"""Binds the channel mode, the filter count, the filter tabs and the bias to the kernel grid's bank.

The kernel grid holds the bank (F, C, k, k); :class:`BankEditor` keeps everything around it in
step, both ways: ``channelModeCombo`` converts the bank between grey and colour, ``filterCountSpin``
adds or removes filters (new ones start as classic presets, so four filters show four different
features at once), the tabs choose the filter the grid, the preset menu and ``biasSpin`` edit, and
a bank set any other way (``kernel_grid.set_kernels``) moves those controls, with their signals
blocked so nothing is applied twice.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QSignalBlocker, Signal, Slot

from cnnviz.lab import kernels
from ui.playground.controls import ControlsPanel

__all__ = ["BankEditor", "NEW_FILTERS"]

# What each added filter starts as: different features, so a bank shows at once what it is for.
NEW_FILTERS = ("Sobel x", "Sobel y", "Laplacian", "Sharpen", "Emboss", "Outline", "Gaussian blur",
               "Prewitt x")


class BankEditor(QObject):
    """Keeps the bank controls of ``controls`` and its kernel grid in step.

    Signals
    -------
    sigChannelsChanged(str)
        The input became ``"grey"`` or ``"rgb"``: the image must follow.
    sigChanged()
        A bias or the bank changed (the layer must be recomputed).
    sigStatus(str)
        A message for the status bar.
    """

    sigChannelsChanged = Signal(str)
    sigChanged = Signal()
    sigStatus = Signal(str)

    def __init__(self, controls: ControlsPanel, parent: QObject | None = None):
        super().__init__(parent)
        self._controls = controls
        self._grid = controls.kernel_grid
        self._group = controls.channels_group
        self._biases = [float(controls.bias_spin.value())]
        self._stash: dict[int, tuple[np.ndarray, float]] = {}  # filters removed, by index
        self._group.channel_combo.currentIndexChanged.connect(self._on_mode_chosen)
        self._group.filter_spin.valueChanged.connect(self.set_filter_count)
        self._group.filter_tabs.currentChanged.connect(self._grid.select)
        self._group.same_check.toggled.connect(self._on_same_toggled)
        self._grid.sigSelectionChanged.connect(self._on_selected)
        self._grid.sigKernelChanged.connect(self._follow_grid)
        controls.bias_spin.valueChanged.connect(self._on_bias)

    # -- public API -------------------------------------------------------------------------------
    def channels(self) -> str:
        """``"grey"`` or ``"rgb"``."""
        return "rgb" if self._grid.channels() == 3 else "grey"

    def biases(self) -> np.ndarray:
        """One bias per filter, shape (F,)."""
        return np.array(self._biases, dtype=float)

    def fill(self) -> str:
        """How a 2-D preset fills a colour kernel (a key of ``kernels.CHANNEL_FILLS``)."""
        return self._group.fill_combo.currentData()

    def spread(self, kernel: np.ndarray) -> np.ndarray:
        """A 2-D kernel (k, k) over the grid's channels, as the fill says: (C, k, k)."""
        return kernels.fill_channels(kernel, self._grid.channels(), self.fill())

    def set_channels(self, mode: str) -> None:
        """Make the input (and every filter) grey or colour; the combo follows."""
        combo = self._group.channel_combo
        index = combo.findData(mode)
        if index < 0:
            raise ValueError(f"channel mode must be 'grey' or 'rgb', not {mode!r}")
        if combo.currentIndex() != index:
            combo.setCurrentIndex(index)  # converts the bank in _on_mode_chosen
        else:
            self._on_mode_chosen(index)

    @Slot(int)
    def set_filter_count(self, count: int) -> None:
        """Grow or shrink the bank to ``count`` filters (1..8)."""
        bank, f = self._grid.kernels(), self._grid.filter_count()
        if count == f:
            return
        if count < f:
            for i in range(count, f):
                self._stash[i] = (bank[i], self._biases[i])
            bank, self._biases = bank[:count], self._biases[:count]
        else:
            added = [self._new_filter(i, bank.shape[1:]) for i in range(f, count)]
            bank = np.concatenate([bank, np.stack([k for k, _ in added])])
            self._biases += [b for _, b in added]
        self._grid.set_kernels(bank)

    def set_biases(self, biases) -> None:
        """One bias per filter, shape (F,); ``biasSpin`` shows the selected one."""
        values = [float(b) for b in np.ravel(biases)]
        if len(values) != self._grid.filter_count():
            raise ValueError(f"{self._grid.filter_count()} filter(s) need as many biases, "
                             f"not {len(values)}")
        self._biases = values
        self._show_bias()
        self.sigChanged.emit()

    def apply_stack(self, layer1: np.ndarray) -> None:
        """Use the bank ``layer1`` (F, C, k, k) with zero biases (a two-layer example)."""
        self._stash.clear()
        self._biases = [0.0] * len(layer1)
        self._grid.set_kernels(layer1)
        self._grid.select(0)
        self._show_bias()

    # -- bindings ---------------------------------------------------------------------------------
    def _new_filter(self, index: int, shape: tuple) -> tuple[np.ndarray, float]:
        stashed = self._stash.pop(index, None)
        if stashed is not None and stashed[0].shape == shape:
            return stashed
        name, k = NEW_FILTERS[index % len(NEW_FILTERS)], shape[-1]
        kernel = kernels.resize_kernel(kernels.preset(name, k), k)
        return self.spread(kernel).reshape(shape), 0.0

    @Slot(int)
    def _on_mode_chosen(self, _index: int) -> None:
        mode = self._group.channel_combo.currentData()
        if mode == self.channels():
            return
        bank = self._grid.kernels()
        if mode == "rgb":
            bank = np.stack([kernels.fill_channels(k[0], 3, self.fill()) for k in bank])
        else:
            bank = np.stack([kernels.to_grey_kernel(k, self.fill())[None] for k in bank])
        self._stash.clear()
        self._grid.set_kernels(bank)
        self.sigChannelsChanged.emit(mode)

    @Slot(bool)
    def _on_same_toggled(self, same: bool) -> None:
        self._grid.set_same_for_all(same)
        if same and self._grid.channels() > 1:  # start from the slice being edited
            k = self._grid.kernel()
            self._grid.set_kernel(np.repeat(k[self._grid.current_channel()][None], 3, axis=0))

    @Slot()
    def _follow_grid(self) -> None:
        """The bank changed: the filter count, tabs, biases and colour options follow it."""
        f = self._grid.filter_count()
        if len(self._biases) != f:  # set_kernels from outside: new filters get bias 0
            self._biases = (self._biases + [0.0] * f)[:f]
        spin = self._group.filter_spin
        if spin.value() != f:
            with QSignalBlocker(spin):
                spin.setValue(f)
        tabs = self._group.filter_tabs
        with QSignalBlocker(tabs):
            while tabs.count() < f:
                tabs.addTab(str(tabs.count() + 1))
            while tabs.count() > f:
                tabs.removeTab(tabs.count() - 1)
            tabs.setCurrentIndex(self._grid.selected())
        tabs.setVisible(f > 1)
        colour = self._grid.channels() == 3
        self._group.colour_options.setVisible(colour)
        combo = self._group.channel_combo
        if combo.currentData() != self.channels():
            with QSignalBlocker(combo):
                combo.setCurrentIndex(combo.findData(self.channels()))
            self.sigChannelsChanged.emit(self.channels())
        self.sigChanged.emit()

    @Slot(int)
    def _on_selected(self, index: int) -> None:
        tabs = self._group.filter_tabs
        with QSignalBlocker(tabs):
            tabs.setCurrentIndex(index)
        self._show_bias()
        self.sigChanged.emit()

    def _show_bias(self) -> None:
        spin = self._controls.bias_spin
        with QSignalBlocker(spin):
            spin.setValue(self._biases[self._grid.selected()])

    @Slot(float)
    def _on_bias(self, value: float) -> None:
        self._biases[self._grid.selected()] = float(value)
