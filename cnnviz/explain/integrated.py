"""Integrated gradients (Sundararajan et al., 2017): credit each pixel with its share of the
score difference between the image and a baseline.

``IG_i = (x_i - b_i) * integral_0^1 d score / d x_i (b + a (x - b)) da``. Unlike a plain
gradient, the attributions add up: ``sum(IG) = score(x) - score(b)`` (completeness), which is a
check the learner can see. The integral is a sum over ``steps`` intervals, so too few steps break
completeness, and the answer depends on what "absent" means: the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.explain._common import NO_TASK, as_image, class_gradients, gaussian_blur

__all__ = ["BASELINES", "IGResult", "make_baseline", "integrated_gradients"]

BASELINES = ("black", "blurred", "noise", "mean")
BATCH = 64  # path points per forward/backward pass


def make_baseline(x, kind: str, mean_image=None, seed: int = 0, value_range=(0.0, 1.0),
                  sigma: float | None = None) -> np.ndarray:
    """The reference image that stands for "no information".

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    kind : str
        "black" (all at the range's low end), "blurred" (``x`` under a wide Gaussian: the
        shapes are gone, the brightness stays), "noise" (uniform in ``value_range``) or "mean"
        (``mean_image``, e.g. the training set's average).
    mean_image : ndarray, shape (C, H, W), optional
        Needed for "mean".
    sigma : float, optional
        Blur width in pixels; default a quarter of the shorter side.

    Returns
    -------
    ndarray, shape (1, C, H, W), float32
    """
    x = as_image(x)
    lo, hi = value_range
    if kind == "black":
        return np.full_like(x, lo)
    if kind == "blurred":
        return gaussian_blur(x, sigma or min(x.shape[2:]) / 4.0)
    if kind == "noise":
        return np.random.default_rng(seed).uniform(lo, hi, x.shape).astype(np.float32)
    if kind == "mean":
        if mean_image is None:
            raise ValueError("the mean baseline needs the mean image of a data set")
        mean = np.asarray(mean_image, np.float32).reshape(x.shape[1:])
        return mean[None].copy()
    raise ValueError(f"unknown baseline {kind!r}; choose one of {', '.join(BASELINES)}")


@dataclass
class IGResult:
    """Integrated gradients for one image and class.

    Attributes
    ----------
    attributions : ndarray, shape (C, H, W)
        Signed: positive pixels pushed the score up from the baseline's.
    baseline : ndarray, shape (C, H, W)
    score, baseline_score : float
        The class logit at the image and at the baseline.
    steps : int
    """

    attributions: np.ndarray
    baseline: np.ndarray
    score: float
    baseline_score: float
    steps: int

    @property
    def sum_attributions(self) -> float:
        return float(self.attributions.sum(dtype=np.float64))

    @property
    def score_difference(self) -> float:
        """``score(x) - score(baseline)``, what the attributions should add up to."""
        return self.score - self.baseline_score

    @property
    def completeness_error(self) -> float:
        """``|sum(attributions) - score_difference| / |score_difference|`` (a fraction; the
        absolute gap when the difference is zero)."""
        gap = abs(self.sum_attributions - self.score_difference)
        scale = abs(self.score_difference)
        return gap / scale if scale > 1e-12 else gap

    def summary(self) -> dict:
        """The numbers as plain floats (for JSON)."""
        return {"steps": self.steps, "score": self.score, "baseline_score": self.baseline_score,
                "sum_attributions": self.sum_attributions,
                "score_difference": self.score_difference,
                "completeness_error": self.completeness_error}


def integrated_gradients(model, x, class_index: int, baseline=None, steps: int = 64,
                         task=NO_TASK) -> IGResult:
    """Integrated gradients of the class logit along the straight path from ``baseline`` to ``x``.

    The path integral is the trapezoid rule over ``steps`` equal intervals (``steps + 1``
    gradients, computed ``BATCH`` at a time).

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    class_index : int
    baseline : ndarray, shape like ``x``, optional
        Default all zeros (black); see :func:`make_baseline`.
    steps : int
        At least 1; completeness is typically within 1 % from a few hundred on.
    task : object with ``check()`` and ``progress(fraction)``

    Returns
    -------
    IGResult
    """
    x = as_image(x)
    steps = int(steps)
    if steps < 1:
        raise ValueError(f"integrated gradients needs at least 1 step, not {steps}")
    b = np.zeros_like(x) if baseline is None else as_image(baseline)
    if b.shape != x.shape:
        raise ValueError(f"the baseline has shape {b.shape[1:]}, the image {x.shape[1:]}")
    alphas = np.linspace(0.0, 1.0, steps + 1)
    weights = np.full(steps + 1, 1.0 / steps)
    weights[[0, -1]] *= 0.5
    total = np.zeros(x.shape[1:], np.float64)
    ends = {}
    for start in range(0, steps + 1, BATCH):
        task.check()
        a = alphas[start:start + BATCH]
        points = (b + a[:, None, None, None].astype(np.float32) * (x - b)).astype(np.float32)
        scores, grads = class_gradients(model, points, class_index)
        total += np.tensordot(weights[start:start + BATCH], grads.astype(np.float64), axes=1)
        if start == 0:
            ends["base"] = float(scores[0])
        if start + len(a) == steps + 1:
            ends["image"] = float(scores[-1])
        task.progress((start + len(a)) / (steps + 1))
    attributions = ((x - b)[0].astype(np.float64) * total).astype(np.float32)
    return IGResult(attributions, b[0].copy(), ends["image"], ends["base"], steps)
