"""Data sets for the training studio: synthetic lines and shapes, the bundled digits, MNIST files.

Every loader returns a :class:`Dataset` of float32 images in [0, 1] shaped ``(N, 1, H, W)`` with
int64 labels, split into train and test parts with a seeded, stratified split. Malformed input
raises ``ValueError`` with a sentence the user can act on; nothing here imports Qt (the UI decodes
image folders itself and hands the arrays to :func:`from_arrays`). This module gathers the public
names: the container lives in :mod:`cnnviz.dataset`, the file formats in :mod:`cnnviz.mnist_files`.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from cnnviz.assets import DIGITS_CSV, asset_path
from cnnviz.dataset import Dataset, from_arrays, split_indices
from cnnviz.mnist_files import (
    labels_beside,
    load_idx,
    load_idx_folder,
    load_mnist_idx,
    load_mnist_npz,
)

__all__ = ["BUILTIN", "SHAPE_CLASSES", "Dataset", "from_arrays", "split_indices", "make_lines",
           "make_shapes", "load_digits", "load_idx", "load_mnist_idx", "load_mnist_npz",
           "load_dataset"]

BUILTIN = ("lines", "shapes", "digits")
SHAPE_CLASSES = ("square", "circle", "triangle", "cross", "horizontal bar")


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


def load_digits(seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """The bundled UCI handwritten digits: 1797 images of 8x8 pixels, labels 0-9."""
    try:
        path = asset_path(DIGITS_CSV)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from None
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path} is not a readable digits CSV: {exc}") from None
    if table.shape[1] != 65:
        raise ValueError(f"{path} should have 65 columns (64 pixels and a label), "
                         f"has {table.shape[1]}")
    images = table[:, :64].reshape(-1, 8, 8) / 16.0
    labels = table[:, 64].astype(np.int64)
    return from_arrays(images, labels, [str(d) for d in range(10)], test_fraction, seed, "digits")


def load_dataset(name_or_path, seed: int = 0) -> Dataset:
    """A built-in data set by name ("lines", "shapes", "digits") or a file/folder path.

    Paths: a ``.npz`` (Keras mnist.npz), a folder holding MNIST IDX files, or an IDX images file
    whose labels file sits beside it (``train-images-idx3-ubyte[.gz]`` ->
    ``train-labels-idx1-ubyte[.gz]``).
    """
    key = str(name_or_path)
    if key.lower() == "lines":
        return make_lines(seed=seed)
    if key.lower() == "shapes":
        return make_shapes(seed=seed)
    if key.lower() == "digits":
        return load_digits(seed=seed)
    path = Path(key).expanduser()
    if not path.exists():
        raise ValueError(f"{key!r} is neither a built-in data set ({', '.join(BUILTIN)}) "
                         "nor an existing file or folder")
    if path.is_dir():
        return load_idx_folder(path, seed)
    if path.suffix.lower() == ".npz":
        return load_mnist_npz(path, name=path.stem)
    return load_mnist_idx(path, labels_beside(path), seed=seed, name=path.name.split(".")[0])
