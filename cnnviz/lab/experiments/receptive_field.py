"""Effective receptive field: which input pixels actually move one deep unit, before and after
training (Luo, Li, Urtasun and Zemel 2016, "Understanding the effective receptive field in deep
convolutional neural networks").

The *theoretical* receptive field (:mod:`cnnviz.nn.summary`) is the box of input pixels a unit
can depend on at all. The *effective* one is where its gradient with respect to the input is
large: the gradient of the centre unit of a conv layer (all its channels), in absolute value,
averaged over test images. Paths through the middle of the box are far more numerous than paths
to its corners, so the gradient piles up in the middle in a roughly Gaussian blob, and the square
holding 90 % of it is smaller than the theoretical box.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from cnnviz.data.dataset import Dataset
from cnnviz.lab.experiments.common import (
    MODEL_LABELS,
    Defaults,
    ExperimentResult,
    Progress,
    Settings,
    build,
    frozen_map,
    read_only,
)
from cnnviz.lab.experiments.images import subset
from cnnviz.lab.experiments.training import Run, train_side_by_side
from cnnviz.nn.layers import Conv2D
from cnnviz.nn.model import Sequential
from cnnviz.nn.summary import summarize

__all__ = ["NAME", "DEFAULTS", "MASS", "MODEL", "gradient_map", "centre_of", "mass_box_side",
           "LayerField", "ReceptiveFieldResult", "run"]

NAME = "receptive-field"
DEFAULTS = Defaults(epochs=4, quick_epochs=2, quick_train=1500, quick_test=200)
MASS = 0.9               # the share of the gradient the effective box must hold
MODEL = "deep_cnn"       # six conv layers: fields of 3 to 28 pixels on 28x28 digits
GRADIENT_IMAGES = 200
TEST = "test"


def gradient_map(model: Sequential, layer: int, x: np.ndarray) -> np.ndarray:
    """Mean |d(centre unit of layer ``layer``) / d(input)| over the images ``x``.

    Parameters
    ----------
    model : Sequential
    layer : int
        Index of a layer with image-shaped output (a conv layer).
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    ndarray, shape (H, W)
        Summed over input channels; the "unit" is the centre pixel of every output channel.
    """
    head = Sequential(model.layers[:layer + 1], seed=None)   # shares the layers, keeps weights
    out = head.forward(x)
    dy = np.zeros_like(out)
    dy[:, :, out.shape[2] // 2, out.shape[3] // 2] = 1.0
    dx = head.backward(dy)
    return np.abs(dx).sum(axis=1).mean(axis=0)


def centre_of(model: Sequential, layer: int, input_shape) -> tuple[float, float]:
    """Input (row, column) at the centre of the theoretical field of the unit :func:`gradient_map`
    differentiates."""
    row = summarize(model, input_shape)[layer]
    field_ = row.field
    _, ho, wo = row.output_shape
    return (field_.centre + (ho // 2) * field_.jump, field_.centre + (wo // 2) * field_.jump)


def mass_box_side(grad: np.ndarray, centre: tuple[float, float], theoretical: int,
                  mass: float = MASS) -> int:
    """Side of the smallest square around ``centre`` holding ``mass`` of the gradient.

    Sides have the parity of ``theoretical`` (so the square stays centred on the same point);
    0 when there is no gradient at all.
    """
    total = float(grad.sum())
    if not total > 0:
        return 0
    h, w = grad.shape
    for side in range(2 - theoretical % 2, theoretical + 1, 2):
        half = (side - 1) / 2
        r0, c0 = (max(0, int(round(c - half))) for c in centre)
        r1, c1 = min(h, int(round(centre[0] + half)) + 1), min(w, int(round(centre[1] + half)) + 1)
        if grad[r0:r1, c0:c1].sum() >= mass * total:
            return side
    return theoretical


@dataclass(frozen=True)
class LayerField:
    """One conv layer's fields, in input pixels, and the gradient maps behind them."""

    index: int
    name: str
    theoretical: int
    effective_trained: int
    effective_untrained: int
    centre: tuple[float, float]
    trained_map: np.ndarray
    untrained_map: np.ndarray

    def as_json(self) -> dict:
        return {"layer": self.index + 1, "name": self.name, "theoretical": self.theoretical,
                "effective_trained": self.effective_trained,
                "effective_untrained": self.effective_untrained}


@dataclass(frozen=True)
class ReceptiveFieldResult(ExperimentResult):
    """Theoretical and effective receptive fields of every conv layer of the trained model."""

    layers: tuple = ()
    test_accuracy: float = float("nan")
    trained: dict = field(default_factory=dict)
    data: Dataset | None = None

    def to_json(self) -> dict:
        return {**self.summary(), "model": MODEL, "label": MODEL_LABELS[MODEL], "mass": MASS,
                "test_accuracy": self.test_accuracy,
                "layers": [layer.as_json() for layer in self.layers]}

    def table(self):
        head = ("layer", "theoretical field (px)", "effective, trained", "effective, untrained")
        rows = [(f"{f.index + 1}. {f.name}", f.theoretical, f.effective_trained,
                 f.effective_untrained) for f in self.layers]
        return head, rows

    def conclusion(self) -> str:
        if not self.layers:
            return ""
        deep = self.layers[-1]
        return (f"The deepest conv layer could see {deep.theoretical}x{deep.theoretical} pixels; "
                f"90% of its gradient falls in {deep.effective_trained}x"
                f"{deep.effective_trained} after training ({deep.effective_untrained}x"
                f"{deep.effective_untrained} before).")


def _maps(model: Sequential, convs: list[int], x: np.ndarray) -> list[np.ndarray]:
    return [gradient_map(model, i, x) for i in convs]


def run(dataset: Dataset,
        settings: Settings | None = None) -> Iterator[Progress | ReceptiveFieldResult]:
    """Run the experiment on ``dataset``; yields progress, then the result."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    epochs, n_train, n_test = DEFAULTS.resolve(settings)
    data = subset(dataset, n_train, n_test, settings.seed)
    model = build(MODEL, data.input_shape, data.n_classes, settings.seed)
    convs = [i for i, layer in enumerate(model.layers) if isinstance(layer, Conv2D)]
    rows = np.random.default_rng(settings.seed).permutation(len(data.x_test))[:GRADIENT_IMAGES]
    probe = data.x_test[rows]
    yield Progress(NAME, 0.0, "Measuring the untrained network's gradients…")
    before = _maps(model, convs, probe)
    curves, scores = yield from train_side_by_side(
        NAME, [Run(MODEL, model, data, {TEST: (data.x_test, data.y_test)})], epochs, settings,
        f"the {MODEL_LABELS[MODEL]}", span=(0.05, 0.95))
    yield Progress(NAME, 0.95, "Measuring the trained network's gradients…", frozen_map(curves))
    after = _maps(model, convs, probe)
    rows_ = summarize(model, data.input_shape)
    layers = []
    for i, b, a in zip(convs, before, after, strict=True):
        rf = rows_[i].receptive_field
        centre = centre_of(model, i, data.input_shape)
        layers.append(LayerField(i, rows_[i].name, rf, mass_box_side(a, centre, rf),
                                 mass_box_side(b, centre, rf), centre, read_only(a),
                                 read_only(b)))
    yield ReceptiveFieldResult(NAME, dataset.name, settings, epochs, time.perf_counter() - t0,
                               frozen_map(curves), tuple(layers), scores[(MODEL, TEST)],
                               {MODEL: model}, data)
