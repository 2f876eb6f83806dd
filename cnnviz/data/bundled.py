"""The bundled assets: where the sample photos and data sets live, and the UCI digits loader."""

from __future__ import annotations

import zlib
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


def asset_path(name: str) -> Path:
    """Return the path of a bundled asset, raising ``FileNotFoundError`` with its expected place."""
    path = ASSETS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"bundled asset {name!r} is missing; expected it at {path}")
    return path


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
