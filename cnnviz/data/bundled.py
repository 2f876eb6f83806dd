"""The bundled assets: where the sample photos and data sets live; the digits and MNIST loaders."""

from __future__ import annotations

import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from cnnviz.data.dataset import Dataset, from_arrays

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"

# The bundled photos, in the order the playground offers them: (menu label, file name).
SAMPLE_PHOTOS: tuple[tuple[str, str], ...] = (
    ("Camera man (photo)", "camera.png"),
    ("Chelsea the cat (photo)", "chelsea.png"),
    ("Coins (photo)", "coins.png"),
    ("Coffee cup (photo)", "coffee.png"),
    ("Brick wall (texture)", "brick.png"),
    ("Printed text (scan)", "text.png"),
)

DIGITS_CSV = "digits.csv.gz"
MNIST_CSV = "mnist_5k.csv.gz"


def asset_path(name: str) -> Path:
    """Return the path of a bundled asset, raising ``FileNotFoundError`` with its expected place."""
    path = ASSETS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"bundled asset {name!r} is missing; expected it at {path}")
    return path


def _read_digit_table(name: str, side: int) -> np.ndarray:
    """The bundled CSV ``name``: one row per image, ``side * side`` pixels then the label.

    The parsed table is kept (read-only) while the file is unchanged: the experiments load
    MNIST several times.
    """
    try:
        path = asset_path(name)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from None
    return _parse_table(str(path), path.stat().st_mtime_ns, side)


@lru_cache(maxsize=4)
def _parse_table(path: str, _mtime_ns: int, side: int) -> np.ndarray:
    try:
        # both files hold whole numbers: parsing integers is about twice as fast as floats
        table = np.loadtxt(path, delimiter=",", dtype=np.int32, ndmin=2)
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path} is not a readable digits CSV: {exc}") from None
    if table.shape[1] != side * side + 1:
        raise ValueError(f"{path} should have {side * side + 1} columns ({side * side} pixels and "
                         f"a label), has {table.shape[1]}")
    table.setflags(write=False)
    return table


def load_digits(seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """The bundled UCI handwritten digits: 1797 images of 8x8 pixels, labels 0-9."""
    table = _read_digit_table(DIGITS_CSV, 8)
    images = table[:, :64].reshape(-1, 8, 8) / np.float32(16.0)
    labels = table[:, 64].astype(np.int64)
    return from_arrays(images, labels, [str(d) for d in range(10)], test_fraction, seed, "digits")


def load_mnist(seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """The bundled 5,000 real MNIST digits (500 per class), 28x28 pixels, labels 0-9.

    The seeded split is stratified: 4,000 training and 1,000 test images, 100 of each digit in
    the test part.
    """
    table = _read_digit_table(MNIST_CSV, 28)
    images = table[:, :784].reshape(-1, 28, 28) / np.float32(255.0)
    labels = table[:, 784].astype(np.int64)
    return from_arrays(images, labels, [str(d) for d in range(10)], test_fraction, seed, "mnist")
