"""Synthetic data sets a learner can predict: bars (vertical vs horizontal), filled shapes, and
coloured shapes where the colour decides the class.

Each returns a :class:`~cnnviz.data.dataset.Dataset` of float32 images in [0, 1], shape
``(N, 1, size, size)`` (``(N, 3, size, size)`` for the coloured shapes), split with a seeded,
stratified split.
"""

from __future__ import annotations

import numpy as np

from cnnviz.data.dataset import Dataset, from_arrays

__all__ = ["SHAPE_CLASSES", "COLOUR_SHAPE_CLASSES", "make_lines", "make_shapes",
           "make_colour_shapes"]

SHAPE_CLASSES = ("square", "circle", "triangle", "cross", "horizontal bar")
# (class name, colour direction (r, g, b), shape index into SHAPE_CLASSES)
_COLOUR_SHAPES = (
    ("red square", (1.0, 0.15, 0.15), 0),
    ("green square", (0.15, 1.0, 0.15), 0),
    ("blue square", (0.15, 0.25, 1.0), 0),
    ("red circle", (1.0, 0.15, 0.15), 1),
    ("green circle", (0.15, 1.0, 0.15), 1),
    ("blue circle", (0.15, 0.25, 1.0), 1),
)
COLOUR_SHAPE_CLASSES = tuple(name for name, _colour, _shape in _COLOUR_SHAPES)
# Every shape is drawn at a brightness (BT.601 luma) drawn from this range, whatever its colour:
# the grey version of a red and of a green square look alike, so only colour can tell them apart.
_LUMA_RANGE = (0.2, 0.3)


def make_lines(n: int = 1000, size: int = 8, noise: float = 0.1, seed: int = 0,
               test_fraction: float = 0.2) -> Dataset:
    """Vertical versus horizontal bars (the classic first CNN task), with Gaussian noise.

    Each image holds one bar, one pixel thick, at a random row/column, 3..size pixels long.
    Class 0 is "vertical", class 1 "horizontal".
    """
    if size < 3:
        raise ValueError(f"line images need at least 3x3 pixels, got {size}")
    rng = np.random.default_rng(seed)
    x = np.zeros((n, size, size), np.float32)
    y = np.arange(n) % 2
    for i in range(n):
        pos = rng.integers(size)
        length = rng.integers(3, size + 1)
        start = rng.integers(size - length + 1)
        if y[i] == 0:
            x[i, start:start + length, pos] = 1.0
        else:
            x[i, pos, start:start + length] = 1.0
    x += rng.normal(0.0, noise, x.shape).astype(np.float32)
    return from_arrays(np.clip(x, 0.0, 1.0), y, ["vertical", "horizontal"],
                       test_fraction, seed, "lines")


def _draw_shape(kind: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """One shape of class ``kind`` at a random place and size on a (size, size) canvas."""
    r = rng.uniform(size * 0.15, size * 0.3)              # half-extent in pixels
    cy, cx = rng.uniform(r + 1, size - r - 1, 2)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dy, dx = yy - cy, xx - cx
    t = max(1.5, r / 3)                                   # stroke half-thickness
    if kind == 0:
        mask = (np.abs(dy) <= r) & (np.abs(dx) <= r)
    elif kind == 1:
        mask = dy ** 2 + dx ** 2 <= r ** 2
    elif kind == 2:                                       # apex up, base at the bottom
        mask = (dy <= r) & (dy >= -r) & (np.abs(dx) <= (dy + r) / 2)
    elif kind == 3:
        mask = ((np.abs(dy) <= t) & (np.abs(dx) <= r)) | ((np.abs(dx) <= t) & (np.abs(dy) <= r))
    else:
        mask = (np.abs(dy) <= t) & (np.abs(dx) <= r * 1.2)
    return mask.astype(np.float32) * rng.uniform(0.6, 1.0)


def make_shapes(n: int = 2000, size: int = 28, seed: int = 0, noise: float = 0.05,
                test_fraction: float = 0.2) -> Dataset:
    """Filled shapes (square, circle, triangle, cross, horizontal bar) at random places and sizes.

    Because the position varies, a classifier must recognise the shape wherever it is: the task
    shows why convolution plus pooling (translation equivariance, then invariance) pays off.
    """
    if size < 12:
        raise ValueError(f"shape images need at least 12x12 pixels, got {size}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(SHAPE_CLASSES)
    x = np.stack([_draw_shape(int(k), size, rng) for k in y]) if n else np.zeros((0, size, size))
    x = x + rng.normal(0.0, noise, x.shape)
    return from_arrays(np.clip(x, 0.0, 1.0).astype(np.float32), y, list(SHAPE_CLASSES),
                       test_fraction, seed, "shapes")


def _luma(rgb: np.ndarray) -> float:
    return float(np.dot(rgb, (0.299, 0.587, 0.114)))


def make_colour_shapes(n: int = 1200, size: int = 20, seed: int = 0, noise: float = 0.04,
                       test_fraction: float = 0.2) -> Dataset:
    """Red, green and blue squares and circles on black: colour and shape decide the class.

    Six classes (:data:`COLOUR_SHAPE_CLASSES`). Every shape gets a random place, size and a
    brightness (luma) from the same range whatever its colour, so a grey copy of the data set
    cannot tell the colours apart: the first layer must learn colour-sensitive filters.

    Returns
    -------
    Dataset
        Images of shape (N, 3, size, size), float32 in [0, 1].
    """
    if size < 12:
        raise ValueError(f"shape images need at least 12x12 pixels, got {size}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(_COLOUR_SHAPES)
    x = np.zeros((n, 3, size, size), np.float32)
    for i, label in enumerate(y):
        _name, direction, shape = _COLOUR_SHAPES[label]
        mask = _draw_shape(shape, size, rng) > 0
        direction = np.asarray(direction)
        colour = direction * rng.uniform(*_LUMA_RANGE) / _luma(direction)
        x[i] = colour[:, None, None] * mask[None]
    x = x + rng.normal(0.0, noise, x.shape)
    return from_arrays(np.clip(x, 0.0, 1.0).astype(np.float32), y, list(COLOUR_SHAPE_CLASSES),
                       test_fraction, seed, "colour-shapes")
