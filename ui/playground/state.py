"""The whole playground remembered across restarts, and put back to its first-launch defaults.

:class:`PlaygroundState` reads the playground's controls into a plain dict (:meth:`values`),
saves that dict under ``playground/state/`` and restores it, each value checked by
:func:`~ui.widgets.settings.read_setting` against what its control accepts: a kernel of the
wrong length, a NaN, an out-of-range size is dropped, the default stays, and a note says so.

What is remembered: the channel mode, the filter count, the preset fill and "same for all",
the kernel size, every filter's weights and bias, the filter shown, the preset loaded, and the
stride, padding, padding mode, dilation, ReLU and pooling. The image has its own memory
(:class:`~ui.playground.sources.SourceMenu`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnnviz.lab import kernels
from cnnviz.lab.conv import MAX_WEIGHT
from ui.playground.bank_editor import BankEditor
from ui.playground.controls import ControlsPanel
from ui.playground.kernel_editor import KernelEditor
from ui.widgets.settings import read_setting, remove_setting, write_setting

__all__ = ["PlaygroundState", "GROUP", "parse_numbers"]

GROUP = "playground/state"


def parse_numbers(text: str, count: int, limit: float) -> np.ndarray | None:
    """``count`` finite numbers within +-``limit`` from comma-separated ``text``, else None."""
    try:
        values = np.array([float(v) for v in text.split(",")], dtype=float)
    except ValueError:
        return None
    if values.shape != (count,) or not np.all(np.isfinite(values)):
        return None
    return values if np.all(np.abs(values) <= limit) else None


def _numbers(array: np.ndarray) -> str:
    return ",".join(repr(float(v)) for v in np.ravel(array))


class PlaygroundState:
    """Save, restore and reset the playground's controls and kernel bank.

    Parameters
    ----------
    controls : ControlsPanel
    editor : KernelEditor
    bank : BankEditor
    """

    def __init__(self, controls: ControlsPanel, editor: KernelEditor, bank: BankEditor):
        self._c = controls
        self._editor = editor
        self._bank = bank
        self._spins = {
            "stride": controls.stride_spin, "dilation": controls.dilation_spin,
            "pool_size": controls.pool_size_spin, "pool_stride": controls.pool_stride_spin,
        }
        self._combos = {"padding_mode": controls.padding_mode_combo,
                        "pool": controls.pool_type_combo}
        self.defaults = self.values()  # what the controls hold on a first launch

    # -- the values -------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The state now, as plain values (the kernel bank as an array (F, C, k, k))."""
        c, grid = self._c, self._c.kernel_grid
        values = {
            "channels": self._bank.channels(), "filters": grid.filter_count(),
            "fill": c.channels_group.fill_combo.currentData(),
            "same": c.channels_group.same_check.isChecked(), "size": grid.size_k(),
            "kernels": grid.kernels(), "biases": self._bank.biases(),
            "selected": grid.selected(), "preset": self._editor.loaded_preset() or "",
            "padding": c.padding_spin.value(), "relu": c.relu_check.isChecked(),
        }
        values.update({key: spin.value() for key, spin in self._spins.items()})
        values.update({key: combo.currentText() for key, combo in self._combos.items()})
        return values

    def apply(self, v: dict[str, Any]) -> None:
        """Set every control and the bank from ``v`` (as :meth:`values` returns it), in the
        order they depend on each other: channels, filters, size, weights, then the rest."""
        c, grid = self._c, self._c.kernel_grid
        self._bank.set_channels(v["channels"])
        fill = c.channels_group.fill_combo
        fill.setCurrentIndex(max(fill.findData(v["fill"]), 0))
        c.channels_group.same_check.setChecked(v["same"])
        self._bank.set_filter_count(v["filters"])
        c.kernel_size_spin.setValue(v["size"])
        if v["kernels"] is not None:
            grid.set_kernels(v["kernels"])
        if v["biases"] is not None:
            self._bank.set_biases(v["biases"])
        grid.select(v["selected"])
        name = v["preset"]
        if name in kernels.PRESETS and np.array_equal(
                self._editor.spread(kernels.preset_at(name, grid.size_k())),
                grid.kernels()[grid.selected()]):
            self._editor.set_loaded_preset(name)  # the next size change rebuilds it
        for key, spin in self._spins.items():
            spin.setValue(v[key])
        for key, combo in self._combos.items():
            combo.setCurrentText(v[key])
        c.padding_spin.setValue(v["padding"])  # its maximum follows the kernel size
        c.relu_check.setChecked(v["relu"])

    # -- settings ---------------------------------------------------------------------------------
    def save(self) -> None:
        """Remember the state now."""
        for key, value in self.values().items():
            if isinstance(value, np.ndarray):
                value = _numbers(value)
            write_setting(f"{GROUP}/{key}", value)

    def restore(self) -> None:
        """Put back the remembered state; each bad or missing value keeps its default."""
        d, c = self.defaults, self._c
        fills = [c.channels_group.fill_combo.itemData(i)
                 for i in range(c.channels_group.fill_combo.count())]
        v: dict[str, Any] = {
            "channels": self._read("channels", d["channels"], str, choices=("grey", "rgb")),
            "fill": self._read("fill", d["fill"], str, choices=fills),
            "same": self._read("same", d["same"], bool),
            "filters": self._spin("filters", d["filters"], c.channels_group.filter_spin),
            "size": self._spin("size", d["size"], c.kernel_size_spin),
            "relu": self._read("relu", d["relu"], bool),
        }
        for key, spin in self._spins.items():
            v[key] = self._spin(key, d[key], spin)
        for key, combo in self._combos.items():
            items = [combo.itemText(i) for i in range(combo.count())]
            v[key] = self._read(key, d[key], str, choices=items)
        channels = 3 if v["channels"] == "rgb" else 1
        shape = (v["filters"], channels, v["size"], v["size"])
        v["kernels"] = self._array("kernels", shape, MAX_WEIGHT)
        biases = self._array("biases", (v["filters"],), c.bias_spin.maximum())
        v["biases"] = biases if v["kernels"] is not None else None
        v["selected"] = self._read("selected", 0, int, minimum=0, maximum=v["filters"] - 1)
        v["preset"] = self._read("preset", "", str, choices=[""] + kernels.names())
        # the padding spin allows up to the kernel size (KernelEditor.sigSizeChanged)
        v["padding"] = self._read("padding", d["padding"], int, minimum=0, maximum=v["size"])
        if v["kernels"] is None:  # no weights to go with the size: the preset, rebuilt at it
            v["preset"] = d["preset"]
        self.apply(v)

    def reset(self) -> None:
        """Forget the remembered state and go back to the first-launch defaults."""
        remove_setting(GROUP)
        self.apply(self.defaults)
        self._editor.set_loaded_preset(self.defaults["preset"] or None)
        self._c.layer2_check.setChecked(False)

    # -- reading ----------------------------------------------------------------------------------
    @staticmethod
    def _read(key: str, default: Any, kind: type, **limits) -> Any:
        return read_setting(f"{GROUP}/{key}", default, kind, **limits)

    def _spin(self, key: str, default: int, spin) -> int:
        return self._read(key, default, int, minimum=spin.minimum(), maximum=spin.maximum())

    def _array(self, key: str, shape: tuple, limit: float) -> np.ndarray | None:
        count = int(np.prod(shape))
        text = self._read(key, None, str,
                          check=lambda t: parse_numbers(t, count, limit) is not None)
        return None if text is None else parse_numbers(text, count, limit).reshape(shape)
