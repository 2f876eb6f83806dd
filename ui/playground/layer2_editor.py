"""Binds the layer-2 controls (``layer2Check``, its kernel grid and settings) and the examples.

Layer 2's kernel has one slice per layer-1 map, so its grid follows the filter count: a new filter
adds a zero slice, a removed one drops its slice. A two-layer example sets both layers and the
settings between them (ReLU on, the example's pooling) and asks for the pattern it is made for.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QSignalBlocker, Signal, Slot

from cnnviz.lab import kernels
from cnnviz.lab.conv import PlaygroundResult
from cnnviz.lab.stack import Layer2, layer2_field, layer_windows
from cnnviz.lab.stacks import stack_preset
from ui.playground.bank_editor import BankEditor
from ui.playground.controls import ControlsPanel

__all__ = ["Layer2Editor", "field_text", "DEFAULT_LAYER2"]

# Layer 2's first kernel: an edge detector across layer 1's map. Over the default Sobel x map
# (vertical edges) it lights up where a vertical edge starts or stops, an edge of an edge,
# which is what stacking adds; an all-zero kernel would show a flat map and teach nothing.
DEFAULT_LAYER2 = "Sobel y"


def field_text(result: PlaygroundResult) -> str:
    """Layer 2's receptive field in numbers: ``"Receptive field on the input: 8x8 pixels
    (3x3 conv, then 2x2 max pool, then 3x3 conv)"``; empty without layer 2."""
    if result.layer2 is None or result.layer2_kernel is None:
        return ""
    names = []
    s = result.settings
    for i, (k, stride, _pad, dilation) in enumerate(layer_windows(result)):
        if i == 1 and s.pool != "none":
            names.append(f"{k}x{k} {s.pool} pool")
        else:
            names.append(f"{k}x{k} conv" + (f" dilation {dilation}" if dilation > 1 else "")
                         + (f" stride {stride}" if stride > 1 else ""))
    field = layer2_field(result)
    return (f"Receptive field on the input: <b>{field.size}x{field.size} pixels</b> "
            f"({', then '.join(names)}); layer 1 alone sees {result.kernel_size}x"
            f"{result.kernel_size}.")


class Layer2Editor(QObject):
    """Keeps layer 2's controls in step with the bank.

    Signals
    -------
    sigChanged()
        Layer 2 (on/off, kernel, bias, padding, ReLU) changed.
    sigPatternWanted(str)
        An example is best seen on this pattern.
    sigStatus(str)
        A message for the status bar.
    """

    sigChanged = Signal()
    sigPatternWanted = Signal(str)
    sigStatus = Signal(str)

    def __init__(self, controls: ControlsPanel, bank: BankEditor, parent: QObject | None = None):
        super().__init__(parent)
        self._controls = controls
        self._bank = bank
        self._group = g = controls.layer2_group
        self._grid = g.grid
        self._applying = False
        g.grid.set_kernels(kernels.preset(DEFAULT_LAYER2)[None, None])
        self._grid.set_labels(["map 1"])
        g.check.toggled.connect(self._on_toggled)
        for spin in (g.padding_spin, g.bias_spin):
            spin.valueChanged.connect(self._on_edited)
        g.relu_check.toggled.connect(self._on_edited)
        g.size_spin.valueChanged.connect(self._on_size)
        g.grid.sigKernelChanged.connect(self._on_edited)
        g.grid.sigMessage.connect(self.sigStatus)
        g.preset_combo.activated.connect(self._on_preset)
        controls.kernel_grid.sigKernelChanged.connect(self._follow_bank)
        controls.step_combo.currentIndexChanged.connect(
            lambda _i: g.grid.set_step(controls.kernel_grid.step()))

    def is_on(self) -> bool:
        return self._group.check.isChecked()

    def layer2(self) -> Layer2 | None:
        """Layer 2 as the engine computes it, or None when it is off."""
        if not self.is_on():
            return None
        g = self._group
        return Layer2(self._grid.kernels()[0], bias=float(g.bias_spin.value()),
                      padding=int(g.padding_spin.value()), relu=g.relu_check.isChecked())

    def show_result(self, result: PlaygroundResult) -> None:
        """State the receptive field and any problem under the controls."""
        g = self._group
        g.field_label.setText(field_text(result))
        problem = result.layer2_error if self.is_on() else None
        g.message.setText(problem or "")
        g.message.setVisible(bool(problem))

    def apply_preset(self, name: str) -> None:
        """Set up the two-layer example ``name`` (see :mod:`cnnviz.lab.stacks`)."""
        p = stack_preset(name)
        c, g = self._controls, self._group
        self._applying = True
        try:
            c.kernel_size_spin.setValue(3)
            for spin, value in ((c.stride_spin, 1), (c.padding_spin, 1), (c.dilation_spin, 1)):
                spin.setValue(value)
            c.relu_check.setChecked(True)
            c.pool_type_combo.setCurrentText(p.pool)
            c.pool_size_spin.setValue(2)
            c.pool_stride_spin.setValue(2)
            self._bank.apply_stack(p.layer1_kernels(c.kernel_grid.channels()))
            g.size_spin.setValue(3)
            g.padding_spin.setValue(1)
            g.bias_spin.setValue(p.bias2)
            g.relu_check.setChecked(True)
            self._grid.set_kernels(p.layer2[None])
            g.check.setChecked(True)
            with QSignalBlocker(g.preset_combo):
                g.preset_combo.setCurrentText(name)
            g.description.setText(p.description)
            g.description.show()
        finally:
            self._applying = False
        self.sigPatternWanted.emit(p.pattern)
        self.sigChanged.emit()
        self.sigStatus.emit(f"{name}: layer 1 = {' and '.join(p.layer1)}, shown on the "
                            f"{p.pattern} pattern. Hover the layer-2 map to see what it adds up.")

    # -- bindings ---------------------------------------------------------------------------------
    @Slot(int)
    def _on_preset(self, index: int) -> None:
        name = self._group.preset_combo.itemText(index)
        if name != "Custom":
            self.apply_preset(name)

    @Slot(bool)
    def _on_toggled(self, _on: bool) -> None:
        self.sigChanged.emit()

    @Slot()
    def _on_edited(self, *_args) -> None:
        if self._applying:
            return
        g = self._group
        if g.preset_combo.currentIndex() != 0:
            with QSignalBlocker(g.preset_combo):
                g.preset_combo.setCurrentIndex(0)
            g.description.clear()
            g.description.hide()
        self.sigChanged.emit()

    @Slot(int)
    def _on_size(self, size: int) -> None:
        self._grid.set_kernels(kernels.resize_kernel(self._grid.kernels(), size))

    @Slot()
    def _follow_bank(self) -> None:
        """One layer-2 slice per layer-1 filter: added as zeros, dropped with their filter."""
        f = self._controls.kernel_grid.filter_count()
        bank = self._grid.kernels()
        if bank.shape[1] == f:
            return
        k = bank.shape[-1]
        grown = np.zeros((1, f, k, k))
        n = min(f, bank.shape[1])
        grown[:, :n] = bank[:, :n]
        self._grid.set_labels([f"map {i + 1}" for i in range(f)])
        with QSignalBlocker(self._grid):
            self._grid.set_kernels(grown)
        self._grid.update()
        if not self._applying:
            self.sigChanged.emit()
