"""Parameters: what one dense layer costs against one conv layer, for any image and layer size.

A dense layer has one weight per (input pixel, unit) pair, so its cost grows with the image; a
conv layer has one small kernel per filter, reused at every position (weight sharing), so its cost
does not depend on the image size at all. The textbook figures: 28x28 -> 128 units is 100,480
parameters against 160 for 16 filters of 3x3 (628x); a 224x224 colour image -> 256 units is
38.5 million against 1,792 for 64 filters of 3x3x3.

The comparison is of *costs*, not of equal layers: the conv layer outputs 16 maps of 28x28
(12,544 numbers), the dense layer 128. A dense layer with the conv layer's output size would need
far more (``dense_same_output_params``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from cnnviz.lab.experiments.common import ExperimentResult, Progress, Settings
from cnnviz.nn.summary import conv_param_count, dense_param_count

__all__ = ["NAME", "Layers", "TEXTBOOK", "compare", "ParamsResult", "run"]

NAME = "params"
SIDES = (8, 16, 28, 32, 64, 128, 224, 512)


@dataclass(frozen=True)
class Layers:
    """The two layers compared: a dense layer of ``units`` and a conv layer of ``filters``
    kernels of ``kernel_size`` x ``kernel_size``, both on a ``channels`` x ``height`` x ``width``
    input (a conv with padding keeps the image size)."""

    height: int = 28
    width: int = 28
    channels: int = 1
    units: int = 128
    filters: int = 16
    kernel_size: int = 3

    def __post_init__(self) -> None:
        for name in ("height", "width", "channels", "units", "filters", "kernel_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name.replace('_', ' ')} must be a whole number >= 1, "
                                 f"got {value!r}")

    @property
    def inputs(self) -> int:
        return self.height * self.width * self.channels


TEXTBOOK = (Layers(28, 28, 1, 128, 16, 3), Layers(224, 224, 3, 256, 64, 3))
TEXTBOOK_NAMES = ("textbook: MNIST digit", "textbook: ImageNet photo")


def compare(layers: Layers) -> dict:
    """Parameter counts of the two layers, their ratio and the dense layer of the same output.

    Returns
    -------
    dict
        ``input`` [C, H, W], ``units``, ``filters``, ``kernel_size``, ``dense_params``,
        ``conv_params``, ``ratio`` (dense / conv) and ``dense_same_output_params`` (a dense
        layer from the input to the conv layer's ``filters x H x W`` outputs).
    """
    dense = dense_param_count(layers.inputs, layers.units)
    conv = conv_param_count(layers.kernel_size, layers.channels, layers.filters)
    return {"input": [layers.channels, layers.height, layers.width], "units": layers.units,
            "filters": layers.filters, "kernel_size": layers.kernel_size, "dense_params": dense,
            "conv_params": conv, "ratio": round(dense / conv, 1),
            "dense_same_output_params": dense_param_count(
                layers.inputs, layers.filters * layers.height * layers.width)}


@dataclass(frozen=True)
class ParamsResult(ExperimentResult):
    """The chosen comparison, the textbook examples and the counts against the image side."""

    layers: Layers = Layers()
    comparison: dict | None = None
    examples: tuple = ()
    by_side: dict | None = None

    def to_json(self) -> dict:
        return {**self.summary(), **(self.comparison or {}), "examples": list(self.examples),
                "by_input_side": self.by_side}

    def table(self):
        head = ("layers", "input", "dense units", "dense params", "conv filters", "conv params",
                "dense / conv", "dense, same output")
        named = [("yours (on the left)", self.comparison)] + [
            (name, e) for name, e in zip(TEXTBOOK_NAMES, self.examples, strict=False)
            if e != self.comparison]
        rows = [(name, "x".join(map(str, c["input"])), c["units"], c["dense_params"],
                 f"{c['filters']} of {c['kernel_size']}x{c['kernel_size']}", c["conv_params"],
                 f"{c['ratio']:,.0f}x", c["dense_same_output_params"])
                for name, c in named if c]
        return head, rows

    def conclusion(self) -> str:
        c = self.comparison
        if not c:
            return ""
        return (f"{'x'.join(map(str, c['input']))} input: a dense layer of {c['units']} units "
                f"needs {c['dense_params']:,} parameters, {c['filters']} conv filters of "
                f"{c['kernel_size']}x{c['kernel_size']} need {c['conv_params']:,} "
                f"({c['ratio']:,.0f}x fewer).")


def run(dataset=None, settings: Settings | None = None,
        layers: Layers | None = None) -> Iterator[Progress | ParamsResult]:
    """Count the parameters (no training, no data: ``dataset`` is ignored); yields the result."""
    settings = settings or Settings()
    layers = layers or TEXTBOOK[0]
    t0 = time.perf_counter()
    by_side = {"side": list(SIDES),
               "dense": [compare(Layers(s, s, layers.channels, layers.units, layers.filters,
                                        layers.kernel_size))["dense_params"] for s in SIDES],
               "conv": [compare(Layers(s, s, layers.channels, layers.units, layers.filters,
                                       layers.kernel_size))["conv_params"] for s in SIDES]}
    yield ParamsResult(NAME, "none", settings, 0, time.perf_counter() - t0, {}, layers,
                       compare(layers), tuple(compare(t) for t in TEXTBOOK), by_side)
