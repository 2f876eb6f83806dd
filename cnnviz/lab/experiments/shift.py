"""Shift: train on centred digits, then test them moved 0, 1, ... 8 pixels to the right.

Nothing in the training data was ever off-centre, so this measures what each architecture gives
for free. The MLP has no notion of "the same stroke, a pixel further on": its accuracy falls
with every pixel. The CNN's convolutions move with the digit and its pooling absorbs a pixel or
two, after which its dense head, tied to positions, loses track. The CNN with global pooling
keeps most of its accuracy, until the shift pushes part of the digit out of the 28x28 frame.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from cnnviz.data.dataset import Dataset
from cnnviz.lab.experiments.common import (
    MODEL_KEYS,
    MODEL_LABELS,
    Defaults,
    ExperimentResult,
    Progress,
    Settings,
    build,
    frozen_map,
)
from cnnviz.lab.experiments.images import accuracy, shift_batch, subset
from cnnviz.lab.experiments.training import Run, train_side_by_side

__all__ = ["NAME", "DEFAULTS", "SHIFTS", "CENTRED", "SHIFTED", "preview", "ShiftResult", "run"]

NAME = "shift"
DEFAULTS = Defaults(epochs=4, quick_epochs=2, quick_train=1500, quick_test=500)
SHIFTS = tuple(range(9))
LIVE_SHIFT = 4
CENTRED, SHIFTED = "centred", f"moved {LIVE_SHIFT} px"


def preview(dataset: Dataset, seed: int = 0, shifts=(0, 2, 4, 6, 8)):
    """One test digit at each shift: a list of arrays of shape (H, W)."""
    row = np.random.default_rng(seed).integers(len(dataset.x_test))
    image = dataset.x_test[row:row + 1]
    return [shift_batch(image, s)[0, 0] for s in shifts]


@dataclass(frozen=True)
class ShiftResult(ExperimentResult):
    """Test accuracy of each model at every shift.

    Attributes
    ----------
    shifts : tuple of int
    models : Mapping of str to dict
        Per model key: ``params``, ``shifts`` and ``accuracy`` (lists of equal length).
    trained : Mapping of str to Sequential
    data : Dataset
        The centred training data (for the training studio).
    """

    shifts: tuple = SHIFTS
    models: Mapping = field(default_factory=dict)
    trained: Mapping = field(default_factory=dict)
    data: Dataset | None = None

    def to_json(self) -> dict:
        return {**self.summary(), "direction": "right",
                "models": {k: {"label": MODEL_LABELS[k], **v} for k, v in self.models.items()}}

    def table(self):
        head = ("model", "parameters", *(f"{s} px" for s in self.shifts))
        rows = [(MODEL_LABELS[k], m["params"], *m["accuracy"]) for k, m in self.models.items()]
        return head, rows

    def conclusion(self) -> str:
        if not self.models:
            return ""
        at = self.shifts.index(LIVE_SHIFT) if LIVE_SHIFT in self.shifts else -1
        acc = {k: m["accuracy"] for k, m in self.models.items()}
        parts = [f"{MODEL_LABELS[k]} {a[0]:.0%} → {a[at]:.0%}" for k, a in acc.items()]
        numbers = f"centred → moved {self.shifts[at]} px: " + ", ".join(parts) + "."
        kept = {k: a[at] / a[0] if a[0] > 0 else 0.0 for k, a in acc.items()}
        if kept["cnn_global"] >= 0.9 and max(kept["mlp"], kept["cnn"]) < 0.7:
            return "Only the CNN with a global pool shrugs off the shift: " + numbers
        return numbers[0].upper() + numbers[1:]


def run(dataset: Dataset, settings: Settings | None = None) -> Iterator[Progress | ShiftResult]:
    """Run the experiment on ``dataset``; yields progress, then the result."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    epochs, n_train, n_test = DEFAULTS.resolve(settings)
    data = subset(dataset, n_train, n_test, settings.seed)
    x, y = data.x_test, data.y_test
    runs = [Run(k, build(k, data.input_shape, data.n_classes, settings.seed), data,
                {CENTRED: (x, y), SHIFTED: (shift_batch(x, LIVE_SHIFT), y)})
            for k in MODEL_KEYS]
    curves, _ = yield from train_side_by_side(
        NAME, runs, epochs, settings, "the three models on centred digits", span=(0.0, 0.9))
    models = {}
    for i, run in enumerate(runs):
        yield Progress(NAME, 0.9 + 0.1 * i / len(runs),
                       f"Testing the {MODEL_LABELS[run.model_key]} on shifted digits…",
                       frozen_map(curves))
        models[run.model_key] = {
            "params": run.model.num_parameters(), "shifts": list(SHIFTS),
            "accuracy": [accuracy(run.model, shift_batch(x, s), y) for s in SHIFTS]}
    yield ShiftResult(NAME, dataset.name, settings, epochs, time.perf_counter() - t0,
                      frozen_map(curves), SHIFTS, frozen_map(models),
                      frozen_map({run.model_key: run.model for run in runs}), data)
