"""Adversarial examples: how small a change flips the decision (Goodfellow et al. 2015, FGSM;
Madry et al. 2018, PGD).

FGSM moves every pixel by exactly ``epsilon`` in the direction that raises the loss of the
current decision: ``x' = clip(x + epsilon * sign(d loss / d x))``. PGD takes several smaller
such steps, each time projecting back into the ``epsilon`` box around ``x``. The change is
measured in the max-norm: no pixel moves by more than ``epsilon``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.explain._common import NO_TASK, as_image, check_class, kept_gradients
from cnnviz.nn.losses import softmax

__all__ = ["AttackResult", "loss_gradient", "fgsm", "fgsm_direction", "pgd",
           "smallest_flipping_epsilon", "compare_robustness", "ATTACKS"]

ATTACKS = ("fgsm", "pgd")


def loss_gradient(model, x: np.ndarray, label: int) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities and the gradient of the cross-entropy loss for ``label``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    label : int

    Returns
    -------
    probs : ndarray, shape (N, K)
    grad : ndarray, shape (N, C, H, W)
        ``d (-log p_label) / d x`` per image.
    """
    with kept_gradients(model):
        logits = model.forward(x)
        k = check_class(label, logits.shape[1])
        probs = softmax(logits.astype(np.float64))
        d = probs.copy()
        d[:, k] -= 1.0                       # d(-log softmax_k)/d logits
        grad = model.backward(d.astype(logits.dtype))
    return probs, grad


@dataclass
class AttackResult:
    """An adversarial image and what the model makes of it.

    Attributes
    ----------
    image : ndarray, shape (C, H, W)
        The perturbed image.
    perturbation : ndarray, shape (C, H, W)
        ``image - x``; its largest absolute value is at most ``epsilon``.
    probabilities : ndarray, shape (K,)
    prediction : int
    original_prediction : int
    epsilon : float
    """

    image: np.ndarray
    perturbation: np.ndarray
    probabilities: np.ndarray
    prediction: int
    original_prediction: int
    epsilon: float

    @property
    def flipped(self) -> bool:
        """The decision changed."""
        return self.prediction != self.original_prediction

    @property
    def max_abs_perturbation(self) -> float:
        return float(np.abs(self.perturbation).max())

    def summary(self) -> dict:
        return {"epsilon": self.epsilon, "max_abs_perturbation": self.max_abs_perturbation,
                "flipped": self.flipped, "prediction": self.prediction,
                "original_prediction": self.original_prediction,
                "adversarial_confidence": float(self.probabilities[self.prediction])}


def _result(model, x, adv, original: int, epsilon: float) -> AttackResult:
    probs = softmax(model.forward(adv).astype(np.float64))[0]
    return AttackResult(adv[0].copy(), (adv - x)[0].copy(), probs, int(probs.argmax()), original,
                        float(epsilon))


def _decision(model, x, label) -> int:
    pred = int(model.forward(x).argmax(axis=1)[0])
    return pred if label is None else int(label)


def fgsm_direction(model, x, label: int | None = None) -> np.ndarray:
    """``sign(d loss / d x)`` for the loss of ``label`` (default: the current prediction).

    Returns
    -------
    ndarray, shape (1, C, H, W), values -1, 0, 1
    """
    x = as_image(x)
    _, grad = loss_gradient(model, x, _decision(model, x, label))
    return np.sign(grad)


def _check_epsilon(epsilon: float) -> float:
    epsilon = float(epsilon)
    if not np.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"epsilon must be 0 or a positive number, not {epsilon}")
    return epsilon


def fgsm(model, x, epsilon: float, label: int | None = None, value_range=(0.0, 1.0),
         direction: np.ndarray | None = None) -> AttackResult:
    """The fast gradient sign method: one step of size ``epsilon`` on every pixel.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    epsilon : float
        In the image's units (0.1 is a tenth of the 0..1 range).
    label : int, optional
        The class whose loss is raised; default the model's current prediction.
    value_range : (float, float) or None
        The result is clipped into it (a real image cannot be brighter than white); None: no clip.
    direction : ndarray, shape (1, C, H, W), optional
        A precomputed :func:`fgsm_direction` (it does not depend on ``epsilon``).

    Returns
    -------
    AttackResult
    """
    x = as_image(x)
    epsilon = _check_epsilon(epsilon)
    original = int(model.forward(x).argmax(axis=1)[0])
    s = fgsm_direction(model, x, label) if direction is None else direction
    adv = x + np.float32(epsilon) * s
    if value_range is not None:
        adv = np.clip(adv, *value_range)
    return _result(model, x, adv.astype(np.float32), original, epsilon)


def pgd(model, x, epsilon: float, steps: int = 10, step_size: float | None = None,
        label: int | None = None, value_range=(0.0, 1.0), task=NO_TASK) -> AttackResult:
    """Projected gradient descent: ``steps`` sign steps of ``step_size`` (default
    ``2.5 epsilon / steps``), each followed by a projection into the ``epsilon`` box around ``x``
    (and into ``value_range``).

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    epsilon : float
    steps : int
    label : int, optional
        The class whose loss is raised; default the current prediction.

    Returns
    -------
    AttackResult
    """
    x = as_image(x)
    epsilon = _check_epsilon(epsilon)
    if int(steps) < 1:
        raise ValueError(f"PGD needs at least 1 step, not {steps}")
    original = int(model.forward(x).argmax(axis=1)[0])
    k = original if label is None else int(label)
    alpha = np.float32(2.5 * epsilon / steps if step_size is None else step_size)
    adv = x.copy()
    for step in range(int(steps)):
        task.check()
        _, grad = loss_gradient(model, adv, k)
        adv = np.clip(adv + alpha * np.sign(grad), x - np.float32(epsilon), x + np.float32(epsilon))
        if value_range is not None:
            adv = np.clip(adv, *value_range)
        task.progress((step + 1) / steps)
    return _result(model, x, adv.astype(np.float32), original, epsilon)


def _flips(model, x, eps: float, method: str, direction, pgd_steps: int) -> bool:
    if method == "fgsm":
        return fgsm(model, x, eps, direction=direction).flipped
    return pgd(model, x, eps, steps=pgd_steps).flipped


def smallest_flipping_epsilon(model, x, method: str = "fgsm", max_epsilon: float = 0.5,
                              grid: int = 32, tolerance: float = 1e-3, pgd_steps: int = 10,
                              task=NO_TASK) -> float | None:
    """The smallest ``epsilon`` (within ``tolerance``) at which the attack changes the decision.

    Epsilons ``max_epsilon * i / grid`` are tried in order; between the first that flips and
    the one before it, bisection narrows the answer down. (The attack is not monotonic in
    epsilon, so this is the first flip on that grid, refined, not a proof that nothing smaller
    works.)

    Returns
    -------
    float or None
        None when even ``max_epsilon`` leaves the decision alone.
    """
    if method not in ATTACKS:
        raise ValueError(f"unknown attack {method!r}; choose one of {', '.join(ATTACKS)}")
    x = as_image(x)
    direction = fgsm_direction(model, x) if method == "fgsm" else None
    low = 0.0
    for i in range(1, grid + 1):
        task.check()
        eps = max_epsilon * i / grid
        task.progress(0.8 * i / grid)
        if _flips(model, x, eps, method, direction, pgd_steps):
            high = eps
            break
        low = eps
    else:
        return None
    while high - low > tolerance:
        task.check()
        mid = (low + high) / 2
        if _flips(model, x, mid, method, direction, pgd_steps):
            high = mid
        else:
            low = mid
    return high


def compare_robustness(models: dict, x, epsilons, method: str = "fgsm",
                       max_epsilon: float = 0.5, task=NO_TASK) -> dict:
    """The same attack on several models (e.g. the MLP and the CNN of the Why-CNNs page).

    Parameters
    ----------
    models : dict of str to Sequential
        Each must accept ``x``.
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    epsilons : sequence of float

    Returns
    -------
    dict of str to dict
        Per model: ``prediction`` (clean), ``predictions`` and ``confidence`` (of the clean
        class) at each epsilon, and ``smallest_epsilon`` (None if nothing up to
        ``max_epsilon`` flips it).
    """
    x = as_image(x)
    out = {}
    for name, model in models.items():
        try:
            clean = int(model.forward(x).argmax(axis=1)[0])
        except ValueError as exc:
            raise ValueError(f"{name} cannot read this image: {exc}") from None
        direction = fgsm_direction(model, x) if method == "fgsm" else None
        runs = [fgsm(model, x, e, direction=direction) if method == "fgsm" else
                pgd(model, x, e) for e in epsilons]
        out[name] = {"prediction": clean, "predictions": [r.prediction for r in runs],
                     "confidence": [float(r.probabilities[clean]) for r in runs],
                     "smallest_epsilon": smallest_flipping_epsilon(model, x, method, max_epsilon,
                                                                   task=task)}
    return out
