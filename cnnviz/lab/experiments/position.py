"""Position: train on digits in the left part of a wide canvas, test them on the right.

"A cat in the top left vs the bottom right", measured. Digits are pasted at small random offsets
into the left of a canvas wider than they are (28x48 for MNIST: offsets 0..4) and the three
models learn them there. Then the same test digits are shown at the left (seen positions) and at
the right (offsets 16..20, never seen in training).

- The MLP has one weight per pixel; the weights of the right-hand pixels only ever saw blank
  background, so on the right it is about as good as guessing.
- The CNN's convolutions are equivariant (its feature maps move with the digit), but its dense
  head has one weight per map position, so it fails on the right too.
- The CNN with a global pool keeps only how strongly each feature appears, not where, so it
  recognises the digits on the right as well as on the left.
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
from cnnviz.lab.experiments.images import paste, subset, with_images
from cnnviz.lab.experiments.training import Run, train_side_by_side

__all__ = ["NAME", "DEFAULTS", "SEEN", "UNSEEN", "Geometry", "geometry", "canvases", "preview",
           "PositionResult", "run"]

NAME = "position"
DEFAULTS = Defaults(epochs=4, quick_epochs=2, quick_train=1500, quick_test=500)
SEEN, UNSEEN = "left (seen)", "right (unseen)"


@dataclass(frozen=True)
class Geometry:
    """Where the digits go: the canvas and the first and last column offset, inclusive."""

    canvas: tuple[int, int]
    seen: tuple[int, int]
    unseen: tuple[int, int]


def geometry(image_shape) -> Geometry:
    """The canvas for images of ``image_shape`` (H, W): 28x28 -> 28x48, seen 0..4, unseen 16..20.

    Other sizes scale the same proportions. The unseen offsets start 16 px (a multiple of the
    CNNs' total pooling stride of 4) to the right of the seen ones.
    """
    h, w = (int(s) for s in image_shape)
    jitter = max(1, round(4 * w / 28))
    start = max(jitter + 1, round(16 * w / 28))
    return Geometry((h, w + start + jitter), (0, jitter), (start, start + jitter))


def _offsets(rng, n: int, span: tuple[int, int]) -> np.ndarray:
    return rng.integers(span[0], span[1] + 1, n)


def canvases(dataset: Dataset, g: Geometry, seed: int):
    """The training images at seen offsets and the test images at seen and at unseen offsets.

    Returns
    -------
    x_train, x_seen, x_unseen : ndarray, shapes (N, C, H, Wc), (M, C, H, Wc), (M, C, H, Wc)
    """
    rng = np.random.default_rng(seed)
    width = g.canvas[1]
    x_train = paste(dataset.x_train, width, _offsets(rng, len(dataset.x_train), g.seen))
    x_seen = paste(dataset.x_test, width, _offsets(rng, len(dataset.x_test), g.seen))
    x_unseen = paste(dataset.x_test, width, _offsets(rng, len(dataset.x_test), g.unseen))
    return x_train, x_seen, x_unseen


def preview(dataset: Dataset, seed: int = 0, count: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """A few training canvases (digits on the left) and test canvases (on the right).

    Returns
    -------
    seen, unseen : ndarray, shape (count, H, Wc) each
    """
    g = geometry(dataset.input_shape[1:])
    small = subset(dataset, count * 10, count * 10, seed)
    x_train, _, x_unseen = canvases(small, g, seed)
    rng = np.random.default_rng(seed)
    return (x_train[rng.permutation(len(x_train))[:count], 0],
            x_unseen[rng.permutation(len(x_unseen))[:count], 0])


@dataclass(frozen=True)
class PositionResult(ExperimentResult):
    """Accuracy of each model on seen and unseen positions.

    Attributes
    ----------
    geometry : Geometry
    models : Mapping of str to dict
        Per model key: ``params``, ``seen_accuracy``, ``unseen_accuracy``.
    trained : Mapping of str to Sequential
        The trained models (for the training studio; not part of the JSON).
    data : Dataset
        Their training canvases, with the unseen-position canvases as its test part.
    """

    geometry: Geometry = Geometry((28, 48), (0, 4), (16, 20))
    models: Mapping = field(default_factory=dict)
    trained: Mapping = field(default_factory=dict)
    data: Dataset | None = None

    def to_json(self) -> dict:
        g = self.geometry
        return {**self.summary(), "canvas": list(g.canvas), "seen_offsets": list(g.seen),
                "unseen_offsets": list(g.unseen),
                "train_images": 0 if self.data is None else len(self.data.x_train),
                "test_images": 0 if self.data is None else len(self.data.x_test),
                "models": {k: {"label": MODEL_LABELS[k], **v} for k, v in self.models.items()}}

    def table(self):
        head = ("model", "parameters", "seen positions (left)", "unseen positions (right)")
        rows = [(MODEL_LABELS[k], m["params"], m["seen_accuracy"], m["unseen_accuracy"])
                for k, m in self.models.items()]
        return head, rows

    def conclusion(self) -> str:
        m = self.models
        if not m or self.data is None:
            return ""
        seen = {k: v["seen_accuracy"] for k, v in m.items()}
        unseen = {k: v["unseen_accuracy"] for k, v in m.items()}
        chance = 1 / self.data.n_classes
        numbers = (f"on the right the MLP gets {unseen['mlp']:.0%}, the flatten CNN "
                   f"{unseen['cnn']:.0%} (guessing gives {chance:.0%}) and the CNN with a global "
                   f"pool {unseen['cnn_global']:.0%} ({seen['cnn_global']:.0%} on the left, "
                   "where it was trained).")
        if (unseen["cnn_global"] >= 0.9 * seen["cnn_global"]
                and max(unseen["mlp"], unseen["cnn"]) < 0.5 * min(seen["mlp"], seen["cnn"])):
            return ("Only the CNN with a global pool recognises digits where it never saw one: "
                    + numbers)
        return numbers[0].upper() + numbers[1:]


def run(dataset: Dataset, settings: Settings | None = None) -> Iterator[Progress | PositionResult]:
    """Run the experiment on ``dataset`` (grey images); yields progress, then the result."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    epochs, n_train, n_test = DEFAULTS.resolve(settings)
    yield Progress(NAME, 0.0, "Pasting the digits into wide canvases…")
    data = subset(dataset, n_train, n_test, settings.seed)
    g = geometry(data.input_shape[1:])
    x_train, x_seen, x_unseen = canvases(data, g, settings.seed)
    canvas_data = with_images(data, x_train, f"{data.name} left, tested right", x_unseen)
    shape = canvas_data.input_shape
    y = data.y_test
    runs = [Run(k, build(k, shape, data.n_classes, settings.seed), canvas_data,
                {SEEN: (x_seen, y), UNSEEN: (x_unseen, y)}) for k in MODEL_KEYS]
    curves, scores = yield from train_side_by_side(
        NAME, runs, epochs, settings, "the MLP, the CNN and the CNN + global pool")
    models = {run.model_key: {"params": run.model.num_parameters(),
                              "seen_accuracy": scores[(run.model_key, SEEN)],
                              "unseen_accuracy": scores[(run.model_key, UNSEEN)]}
              for run in runs}
    yield PositionResult(NAME, dataset.name, settings, epochs, time.perf_counter() - t0,
                         frozen_map(curves), g, frozen_map(models),
                         frozen_map({run.model_key: run.model for run in runs}), canvas_data)
