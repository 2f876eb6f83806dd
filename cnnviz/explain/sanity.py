"""The model-randomisation sanity check (Adebayo et al., 2018): an explanation that survives the
destruction of what the network learned cannot be explaining what it learned.

The trained layers are re-initialised one at a time, from the output down (cascading), and each
method's map is recomputed; its rank correlation with the trained network's map should fall. A
map that stays put is mostly showing the input (edges of the digit), not the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np

from cnnviz.explain._common import NO_TASK, as_image, clone
from cnnviz.explain.cam import grad_cam
from cnnviz.explain.maps import saliency

__all__ = ["SanityStep", "SanityResult", "rank_correlation", "randomized", "sanity_check",
           "METHODS"]

METHODS = {"saliency": saliency, "grad-cam": grad_cam,
           "hirescam": partial(grad_cam, variant="hirescam")}


def _ranks(a: np.ndarray) -> np.ndarray:
    """Average ranks of a 1-D array (ties share the mean of their positions)."""
    order = np.argsort(a, kind="stable")
    ranks = np.empty(len(a), np.float64)
    ranks[order] = np.arange(len(a))
    _, inverse, counts = np.unique(a, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return (sums / counts)[inverse]


def rank_correlation(a, b) -> float:
    """Spearman's rank correlation of two maps of the same shape (NaN if either is flat)."""
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"maps of shapes {a.shape} and {b.shape} cannot be compared")
    ra, rb = _ranks(a), _ranks(b)
    ra -= ra.mean()
    rb -= rb.mean()
    denom = np.sqrt((ra ** 2).sum() * (rb ** 2).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else float("nan")


def randomized(model, layers, seed: int = 0):
    """A copy of ``model`` whose layers ``layers`` (indices) have fresh random weights.

    Each layer draws from its own ``reset_parameters`` (its initialiser) with
    ``default_rng([seed, index])``, so the result does not depend on the order of ``layers``.
    """
    copy = clone(model)
    for index in layers:
        copy.layers[index].reset_parameters(np.random.default_rng([seed, index]))
    return copy


@dataclass
class SanityStep:
    """The maps after randomising the trainable layers from the top down to ``layer``.

    Attributes
    ----------
    label : str
        e.g. "trained", "up to Dense 512->10", "all layers".
    layers : list of int
        Indices of the randomised layers (empty for the trained model).
    maps : dict of str to ndarray, shape (H, W)
        One map per method ("saliency", "grad-cam", "hirescam"); a method without a map
        (Grad-CAM of a network without convolutions) is left out.
    correlations : dict of str to float
        Rank correlation with the trained model's map (1 for the trained model itself).
    """

    label: str
    layers: list
    maps: dict = field(default_factory=dict)
    correlations: dict = field(default_factory=dict)


@dataclass
class SanityResult:
    """Every step of the cascade, the trained model first, everything randomised last."""

    steps: list

    def final_correlations(self) -> dict:
        """Each method's rank correlation once every trainable layer is random."""
        return dict(self.steps[-1].correlations)


def _maps(model, x, class_index: int) -> dict:
    found = {name: fn(model, x, class_index) for name, fn in METHODS.items()}
    return {name: np.asarray(m, np.float64) for name, m in found.items() if m is not None}


def sanity_check(model, x, class_index: int, seed: int = 0, task=NO_TASK) -> SanityResult:
    """Cascading model randomisation: saliency, Grad-CAM and HiResCAM of the trained model, then
    with the trainable layers re-initialised one more at a time from the output down.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    class_index : int
    seed : int
    task : object with ``check()`` and ``progress(fraction)``

    Returns
    -------
    SanityResult
    """
    x = as_image(x)
    trainable = [i for i, layer in enumerate(model.layers) if layer.parameters()]
    base = _maps(model, x, class_index)
    steps = [SanityStep("trained", [], base, {name: 1.0 for name in base})]
    for n in range(1, len(trainable) + 1):
        task.check()
        chosen = trainable[-n:]
        maps = _maps(randomized(model, chosen, seed), x, class_index)
        label = "all layers" if n == len(trainable) else \
            f"down to {model.layers[chosen[0]].name}"
        steps.append(SanityStep(label, chosen, maps,
                                {k: rank_correlation(base[k], m) for k, m in maps.items()}))
        task.progress(n / len(trainable))
    return SanityResult(steps)
