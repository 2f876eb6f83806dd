"""Train several models side by side, batch for batch, and measure them as they learn.

Every run gets its own :class:`cnnviz.train.Trainer` with the same seed, batch size and epochs, so
runs on the same images see exactly the same batches in the same order; the trainers take turns
one batch at a time, so their live curves grow together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from cnnviz.data.dataset import Dataset
from cnnviz.lab.experiments.common import Curve, Progress, Settings, frozen_map
from cnnviz.lab.experiments.images import accuracy
from cnnviz.nn.model import Sequential
from cnnviz.train import Trainer

__all__ = ["Run", "train_side_by_side", "LIVE_IMAGES"]

LIVE_IMAGES = 300   # test images per live-curve point (the final point uses all of them)


@dataclass
class Run:
    """One model to train and the test sets to measure it on.

    Attributes
    ----------
    model_key : str
        Which of the three models it is (its colour in the app).
    model : Sequential
    data : Dataset
        Training images and labels (its test part is not used).
    tests : dict of str to (ndarray (N, C, H, W), ndarray (N,))
        Test images per series name ("seen positions", ...).
    """

    model_key: str
    model: Sequential
    data: Dataset
    tests: dict

    def trainer(self, epochs: int, settings: Settings) -> Trainer:
        x, y = self.data.x_train, self.data.y_train
        # no test part: the trainer's own evaluation would only repeat ours
        train_only = Dataset(self.data.name, x, y, x[:0], y[:0], self.data.class_names)
        return Trainer(self.model, train_only, optimizer="adam", lr=settings.lr,
                       batch_size=settings.batch_size, epochs=epochs, seed=settings.seed,
                       evals_per_epoch=0)


def _live_rows(n: int, seed: int) -> np.ndarray:
    """A fixed random sample of test rows (test sets are sorted by class)."""
    return np.sort(np.random.default_rng(seed).permutation(n)[:LIVE_IMAGES])


def _measure(runs: list[Run], curves: dict, epoch: float, rows: dict | None) -> dict:
    """Accuracy of every run on every series (on ``rows`` only, if given); appended to curves."""
    scores = {}
    for run in runs:
        for series, (x, y) in run.tests.items():
            pick = rows[(len(y), series)] if rows is not None else slice(None)
            score = accuracy(run.model, x[pick], y[pick])
            key = f"{run.model_key}:{series}"
            curves[key] = curves.get(key, Curve(run.model_key, series)).plus(epoch, score)
            scores[(run.model_key, series)] = score
    return scores


def train_side_by_side(experiment: str, runs: list[Run], epochs: int, settings: Settings,
                       label: str, span: tuple[float, float] = (0.0, 1.0),
                       curves: dict | None = None) -> Iterator[Progress]:
    """Train ``runs`` in turns; yield :class:`Progress` after every round of batches.

    Parameters
    ----------
    experiment : str
    runs : list of Run
        All with the same number of training images.
    epochs : int
    settings : Settings
    label : str
        What is being trained, for the progress message ("the three models").
    span : (float, float)
        The part of the experiment's progress this training covers: from, to.
    curves : dict, optional
        Curves to extend (a second training within one experiment).

    Returns
    -------
    (dict, dict)
        Through ``yield from``: the curves, and the final accuracy per ``(model_key, series)``
        on the whole test sets.

    Raises
    ------
    ValueError
        If a run diverges (its message suggests a smaller learning rate).
    """
    curves = {} if curves is None else curves
    trainers = [run.trainer(epochs, settings) for run in runs]
    steps = [t.steps() for t in trainers]
    per_epoch, total = trainers[0].steps_per_epoch, trainers[0].total_steps
    every = max(1, per_epoch // settings.evals_per_epoch)
    rows = {(len(y), series): _live_rows(len(y), settings.seed)
            for run in runs for series, (_, y) in run.tests.items()}
    start, width = span[0], span[1] - span[0]
    if not curves:  # the untrained models: the curves start at chance
        _measure(runs, curves, 0.0, rows)
    scores: dict = {}
    for step in range(1, total + 1):
        for run, snapshots in zip(runs, steps, strict=True):
            snap = next(snapshots)
            if snap.diverged:
                raise ValueError(f"training the {run.model_key} diverged: {snap.message}")
        if step == total:
            scores = _measure(runs, curves, step / per_epoch, None)
        elif step % every == 0:
            _measure(runs, curves, step / per_epoch, rows)
        epoch = min(epochs, (step - 1) // per_epoch + 1)
        yield Progress(experiment, start + width * step / total,
                       f"Training {label}: epoch {epoch} of {epochs}", frozen_map(curves))
    return curves, scores
