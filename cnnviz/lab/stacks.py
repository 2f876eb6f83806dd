"""Two-layer presets that make depth obvious: layer 1 finds edges or lines, layer 2 combines them.

Layer 1 is a bank of two classic kernels; layer 2 adds up, for each layer-1 map, the responses
along one arm of the shape it looks for, and its negative bias (with a ReLU) keeps only the places
where *both* arms are present: an AND of two features, which no single 3x3 kernel can compute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.lab import kernels

__all__ = ["StackPreset", "STACK_PRESETS", "stack_names", "stack_preset"]


@dataclass(frozen=True)
class StackPreset:
    """A two-layer example.

    Attributes
    ----------
    layer1 : tuple of str
        Kernel presets (:mod:`cnnviz.lab.kernels`), one filter each, 3x3, for a grey input (a
        colour input takes them luma-weighted, which answers a grey pattern the same way).
    layer2 : ndarray, shape (F, 3, 3)
        One slice per layer-1 map.
    bias2 : float
        Layer 2's bias: minus a threshold that one feature alone does not reach.
    pool : str
        Layer 1's pooling, ``"none"`` or ``"max"`` (2x2, stride 2).
    pattern : str
        The pattern (:mod:`cnnviz.lab.patterns`) on which the detector is easiest to see.
    description : str
    """

    layer1: tuple[str, ...]
    layer2: np.ndarray
    bias2: float
    pool: str
    pattern: str
    description: str

    def layer1_kernels(self, channels: int = 1) -> np.ndarray:
        """Layer 1's bank, shape (F, channels, 3, 3); luma-weighted slices for colour."""
        how = "luma" if channels == 3 else "same"
        return np.stack([kernels.fill_channels(kernels.preset(name), channels, how)
                         for name in self.layer1])


_DOWN = np.array([[0, 0, 0], [0, 1, 0], [0, 1, 0]], dtype=float)    # the centre and below
_RIGHT = np.array([[0, 0, 0], [0, 1, 1], [0, 0, 0]], dtype=float)   # the centre and its right
_COLUMN = np.array([[0, 1, 0], [0, 1, 0], [0, 1, 0]], dtype=float)
_ROW = np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0]], dtype=float)

STACK_PRESETS: dict[str, StackPreset] = {
    "Edges → top-left corners": StackPreset(
        ("Sobel x", "Sobel y"), np.stack([_DOWN, _RIGHT]), -10.0, "none", "Squares",
        "Layer 1: Sobel x finds vertical edges, Sobel y horizontal ones (ReLU keeps the dark-to-"
        "bright side). Layer 2 adds a vertical edge going down and a horizontal edge going right "
        "from the same place; the bias -10 lets through only where both meet: the top-left corner "
        "of every square. Along a plain edge only one arm is there and the sum stays below 10.",
    ),
    "Lines → crossings": StackPreset(
        ("Vertical edge", "Horizontal edge"), np.stack([_COLUMN, _ROW]), -21.0, "none", "Grid",
        "Layer 1 finds thin vertical and thin horizontal lines. Layer 2 adds a vertical run of "
        "the first map and a horizontal run of the second; only where a vertical and a "
        "horizontal line cross do both runs add up past the bias -21 (24 there, at most 18 along "
        "one line): a cross detector.",
    ),
    "Edges → corners, pooled": StackPreset(
        ("Sobel x", "Sobel y"), np.stack([_DOWN, _RIGHT]), -12.0, "max", "Squares",
        "The corner detector with a 2x2 max pool between the layers: layer 2 now reads every "
        "other layer-1 pixel, so each of its pixels sees an 8x8 patch of the input instead of "
        "5x5, and small shifts of a corner change little.",
    ),
}


def stack_names() -> list[str]:
    """Names of the two-layer presets, in menu order."""
    return list(STACK_PRESETS)


def stack_preset(name: str) -> StackPreset:
    """The preset called ``name`` (a ValueError naming the choices otherwise)."""
    if name not in STACK_PRESETS:
        raise ValueError(f"unknown two-layer preset {name!r}; choose one of: "
                         f"{', '.join(STACK_PRESETS)}")
    return STACK_PRESETS[name]
