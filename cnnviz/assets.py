"""Where the bundled sample images and data sets live."""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"

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
