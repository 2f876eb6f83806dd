"""Feature visualisation (Olah, Mordvintsev and Schubert, Distill 2017): synthesise the input a
unit responds to most, by gradient ascent on the input.

The recipe: start from faint noise; at every step shift the image by a random pixel or two
(jitter), follow the normalised gradient of the unit's mean activation, pull every pixel a
little towards the background (an L2 penalty), and blur now and then. Without the three
regularisers the ascent finds high-frequency noise the unit also likes; with them, patterns a
person can read. All units of a layer are optimised together, one image per unit, in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnviz.explain._common import (
    NO_TASK,
    as_batch,
    backward_from,
    forward_to,
    gaussian_blur,
    kept_gradients,
)

__all__ = ["FeatureVisSettings", "FeatureVisResult", "unit_count", "unit_activations",
           "objective", "visualize"]


@dataclass
class FeatureVisSettings:
    """How the ascent runs.

    Attributes
    ----------
    objective : str
        What is maximised for a unit with maps: ``"channel"``, its mean over space (Distill's
        channel objective), or ``"dream"``, the mean of its square (DeepDream's), which prefers
        a strong response to a weak, widespread one and so shows a first-layer filter's pattern
        where the plain mean only asks for brightness. (A flat unit, e.g. a class score, is
        always maximised as it is.)
    steps : int
        Gradient steps.
    learning_rate : float
        How far a step moves a typical pixel, as a fraction of the value range.
    jitter : int
        Largest random shift, in pixels, before each step (0: none).
    blur_every : int
        Blur the image every this many steps (0: never).
    blur_sigma : float
        Width of that blur, in pixels.
    l2 : float
        Per step, every pixel moves this fraction of the way back to ``background``.
    leak : float
        Gradient let through a unit's ReLU where it is off, so a unit that is silent for the
        starting noise still gets a direction (0: plain gradient).
    seed : int
    value_range : (float, float)
        Pixels stay inside it: the data's range, so no unit is excited by impossible brightness.
    mean : float or None
        The image's mean brightness is held here (each step's gradient has its mean removed, then
        the image is re-centred): otherwise a filter whose weights add up to more than zero is
        simply maximised by a white image and shows no pattern. Pass the training images' mean
        pixel (thin bright strokes on black for digits); None: the middle of ``value_range``.
        The L2 penalty pulls towards it too.
    """

    objective: str = "dream"
    steps: int = 192
    learning_rate: float = 0.1
    jitter: int = 1
    blur_every: int = 4
    blur_sigma: float = 0.5
    l2: float = 0.02
    leak: float = 0.1
    seed: int = 0
    value_range: tuple = (0.0, 1.0)
    mean: float | None = None
    hold_mean: bool = True


@dataclass
class FeatureVisResult:
    """One synthesised image per unit.

    Attributes
    ----------
    images : ndarray, shape (U, C, H, W)
    units : ndarray of int, shape (U,)
    layer : int
        Index of the layer whose output units were maximised.
    activation : ndarray, shape (U,)
        Each unit's mean activation for its own image.
    start_activation : ndarray, shape (U,)
        The same for the starting noise (a random input's response).
    settings : FeatureVisSettings
    """

    images: np.ndarray
    units: np.ndarray
    layer: int
    activation: np.ndarray
    start_activation: np.ndarray
    settings: FeatureVisSettings = field(default_factory=FeatureVisSettings)


def unit_count(model, layer: int, input_shape) -> int:
    """How many units (channels, or features of a flat layer) layer ``layer`` outputs."""
    return int(forward_to(model, np.zeros((1, *input_shape), np.float32), layer).shape[1])


OBJECTIVES = ("channel", "dream")
DREAM_SHARE = 0.1  # of the channel gradient added to "dream": a unit that is off still moves


def _seed_gradient(out: np.ndarray, units: np.ndarray, kind: str) -> np.ndarray:
    """d objective / d out for image n's unit ``units[n]`` (see :class:`FeatureVisSettings`)."""
    g = np.zeros_like(out)
    n = np.arange(len(units))
    if out.ndim != 4:
        g[n, units] = 1.0
        return g
    per_pixel = 1.0 / out[0, 0].size
    if kind == "dream":
        g[n, units] = per_pixel * (2 * np.maximum(out[n, units], 0) + DREAM_SHARE)
    else:
        g[n, units] = per_pixel
    return g


def objective(model, layer: int, images, units) -> np.ndarray:
    """Image n's response of unit ``units[n]``: its mean over space (its value, if flat).

    Parameters
    ----------
    images : ndarray, shape (N, C, H, W)
    units : sequence of int, length N

    Returns
    -------
    ndarray, shape (N,)
    """
    out = forward_to(model, as_batch(images), layer)
    means = out.mean(axis=(2, 3)) if out.ndim == 4 else out
    return means[np.arange(len(means)), np.asarray(units)].astype(np.float64)


def unit_activations(model, layer: int, images, batch: int = 256, task=NO_TASK) -> np.ndarray:
    """Every unit's mean activation for every image (e.g. the test set's responses).

    Parameters
    ----------
    images : ndarray, shape (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, U)
    """
    images = as_batch(images)
    parts = []
    for start in range(0, len(images), batch):
        task.check()
        out = forward_to(model, images[start:start + batch], layer)
        parts.append(out.mean(axis=(2, 3)) if out.ndim == 4 else out.copy())
        task.progress(min(start + batch, len(images)) / len(images))
    return np.concatenate(parts).astype(np.float64)


def _step(model, layer: int, x: np.ndarray, units: np.ndarray, s: FeatureVisSettings,
          rng: np.random.Generator) -> np.ndarray:
    """The normalised ascent direction at ``x`` (U, C, H, W), through a random jitter."""
    shift = tuple(int(v) for v in rng.integers(-s.jitter, s.jitter + 1, size=2))
    shifted = np.roll(x, shift, axis=(2, 3))
    out = forward_to(model, shifted, layer)
    grad = backward_from(model, layer, _seed_gradient(out, units, s.objective), leak=s.leak)
    grad = np.roll(grad, (-shift[0], -shift[1]), axis=(2, 3))
    if s.hold_mean:
        grad -= grad.mean(axis=(1, 2, 3), keepdims=True)
    scale = grad.std(axis=(1, 2, 3), keepdims=True)
    return grad / np.where(scale > 0, scale, 1.0)


def visualize(model, layer: int, input_shape, units=None,
              settings: FeatureVisSettings | None = None,
              task=NO_TASK) -> FeatureVisResult:
    """Synthesise, for each unit of layer ``layer``, the image that maximises its mean activation.

    Parameters
    ----------
    layer : int
        Index of the layer whose output is maximised: a convolution's ReLU for "what this filter
        looks for", the last layer for "what this class looks like".
    input_shape : (C, H, W)
    units : sequence of int, optional
        Which channels (or features); default all of them.
    settings : FeatureVisSettings, optional
    task : object with ``check()`` and ``progress(fraction)``

    Returns
    -------
    FeatureVisResult
    """
    s = settings or FeatureVisSettings()
    if s.objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {s.objective!r}; choose one of "
                         f"{', '.join(OBJECTIVES)}")
    n_units = unit_count(model, layer, input_shape)
    units = np.arange(n_units) if units is None else np.asarray(units, dtype=int)
    if units.size == 0 or units.min() < 0 or units.max() >= n_units:
        raise ValueError(f"layer {layer} ({model.layers[layer].name}) has units 0..{n_units - 1}")
    lo, hi = (float(v) for v in s.value_range)
    mean = (lo + hi) / 2 if s.mean is None else float(s.mean)
    rng = np.random.default_rng(s.seed)
    x = mean + 0.1 * (hi - lo) * rng.standard_normal((len(units), *input_shape))
    x = np.clip(x, lo, hi).astype(np.float32)
    start = objective(model, layer, x, units)
    with kept_gradients(model):
        for step in range(int(s.steps)):
            task.check()
            x += (s.learning_rate * (hi - lo)) * _step(model, layer, x, units, s, rng)
            x -= s.l2 * (x - mean)
            if s.blur_every and (step + 1) % s.blur_every == 0:
                x = gaussian_blur(x, s.blur_sigma)
            if s.hold_mean:
                x += mean - x.mean(axis=(1, 2, 3), keepdims=True)
            np.clip(x, lo, hi, out=x)
            task.progress((step + 1) / s.steps)
    return FeatureVisResult(x, units, layer, objective(model, layer, x, units), start, s)
