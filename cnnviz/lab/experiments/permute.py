"""Permuted pixels: scramble every image with one fixed pixel order, train and test on that.

To the eye the scrambled digits are noise. To the MLP they are the same problem: it treats pixels
as an unordered list of numbers (permuting its input is the same as permuting the columns of its
first weight matrix), so it learns them as well as the plain digits. A CNN assumes that
neighbouring pixels belong together (its 3x3 kernels look at neighbours); after the scramble the
neighbours are unrelated, and its accuracy drops. That assumption is its *inductive bias*: it is
what makes CNNs good on images, and it is worthless when the data breaks it.
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
from cnnviz.lab.experiments.images import (
    permute_pixels,
    pixel_permutation,
    subset,
    with_images,
)
from cnnviz.lab.experiments.training import Run, train_side_by_side

__all__ = ["NAME", "DEFAULTS", "PLAIN", "PERMUTED", "preview", "PermuteResult", "run"]

NAME = "permute"
DEFAULTS = Defaults(epochs=4, quick_epochs=2, quick_train=1500, quick_test=500)
PLAIN, PERMUTED = "plain", "permuted"


def _order(dataset: Dataset, seed: int) -> np.ndarray:
    return pixel_permutation(dataset.input_shape[1:], seed + 1)


def preview(dataset: Dataset, seed: int = 0, count: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """A few test digits, plain and scrambled by the experiment's permutation.

    Returns
    -------
    plain, permuted : ndarray, shape (count, H, W) each
    """
    rows = np.random.default_rng(seed).permutation(len(dataset.x_test))[:count]
    plain = dataset.x_test[rows]
    return plain[:, 0], permute_pixels(plain, _order(dataset, seed))[:, 0]


@dataclass(frozen=True)
class PermuteResult(ExperimentResult):
    """Accuracy of each model trained and tested on plain and on permuted pixels.

    Attributes
    ----------
    models : Mapping of str to dict
        Per model key: ``params``, ``accuracy`` (plain) and ``permuted_accuracy``.
    trained : Mapping of str to Sequential
        The models trained on permuted pixels (for the training studio).
    data : Dataset
        The permuted data they were trained on.
    """

    models: Mapping = field(default_factory=dict)
    trained: Mapping = field(default_factory=dict)
    data: Dataset | None = None

    def to_json(self) -> dict:
        return {**self.summary(),
                "models": {k: {"label": MODEL_LABELS[k], **v} for k, v in self.models.items()}}

    def table(self):
        head = ("model", "parameters", "plain pixels", "permuted pixels", "change")
        rows = [(MODEL_LABELS[k], m["params"], m["accuracy"], m["permuted_accuracy"],
                 m["permuted_accuracy"] - m["accuracy"]) for k, m in self.models.items()]
        return head, rows

    def conclusion(self) -> str:
        if not self.models:
            return ""
        m = self.models
        parts = [f"{MODEL_LABELS[k]} {v['accuracy']:.0%} → {v['permuted_accuracy']:.0%}"
                 for k, v in m.items()]
        numbers = "plain → permuted pixels: " + ", ".join(parts) + "."
        loss = {k: v["accuracy"] - v["permuted_accuracy"] for k, v in m.items()}
        if loss["mlp"] < 0.02 and min(loss["cnn"], loss["cnn_global"]) > loss["mlp"] + 0.02:
            return "Scrambling the pixels costs the MLP nothing and the CNNs a lot: " + numbers
        return numbers[0].upper() + numbers[1:]


def run(dataset: Dataset, settings: Settings | None = None) -> Iterator[Progress | PermuteResult]:
    """Run the experiment on ``dataset``; yields progress, then the result."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    epochs, n_train, n_test = DEFAULTS.resolve(settings)
    data = subset(dataset, n_train, n_test, settings.seed)
    order = _order(data, settings.seed)
    x_test_p = permute_pixels(data.x_test, order)
    scrambled = with_images(data, permute_pixels(data.x_train, order),
                            f"{data.name}, pixels permuted", x_test_p)
    y = data.y_test
    shape, k = data.input_shape, data.n_classes
    plain = [Run(m, build(m, shape, k, settings.seed), data, {PLAIN: (data.x_test, y)})
             for m in MODEL_KEYS]
    permuted = [Run(m, build(m, shape, k, settings.seed), scrambled, {PERMUTED: (x_test_p, y)})
                for m in MODEL_KEYS]
    curves, scores = yield from train_side_by_side(
        NAME, plain + permuted, epochs, settings, "each model on plain and on permuted pixels")
    models = {run.model_key: {"params": run.model.num_parameters(),
                              "accuracy": scores[(run.model_key, PLAIN)],
                              "permuted_accuracy": scores[(run.model_key, PERMUTED)]}
              for run in plain}
    yield PermuteResult(NAME, dataset.name, settings, epochs, time.perf_counter() - t0,
                        frozen_map(curves), frozen_map(models),
                        frozen_map({run.model_key: run.model for run in permuted}), scrambled)
