"""Synthetic test images: simple patterns whose convolution the user can predict before seeing it.

A photo shows that a kernel works; a pattern shows *what* it does. Each generator takes the side
length and returns a square grey image, float32 in [0, 1], shape ``(size, size)``. Edges are
anti-aliased where that keeps the image free of accidental jaggies (the disc), and left crisp where
crispness is the point (the edge, the checkerboard, the impulse).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["PATTERNS", "DESCRIPTIONS", "pattern", "names", "impulse_position"]

MIN_SIZE = 8
MAX_SIZE = 4096


def _check_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise ValueError(f"pattern size must be a whole number of pixels, not {size!r}")
    if not MIN_SIZE <= int(size) <= MAX_SIZE:
        raise ValueError(
            f"pattern size must be between {MIN_SIZE} and {MAX_SIZE} pixels, not {size}"
        )
    return int(size)


def impulse_position(size: int) -> tuple[int, int]:
    """Row and column of the bright pixel in the impulse pattern: the centre (rounded down)."""
    return size // 2, size // 2


def vertical_edge(size: int = 128) -> np.ndarray:
    """Dark left half, bright right half: one vertical step edge at column ``size // 2``.

    Returns
    -------
    ndarray, shape (size, size), float32
    """
    size = _check_size(size)
    img = np.zeros((size, size), dtype=np.float32)
    img[:, size // 2 :] = 1.0
    return img


def checkerboard(size: int = 128, squares: int = 8) -> np.ndarray:
    """``squares`` x ``squares`` black and white squares (the top-left one black).

    Returns
    -------
    ndarray, shape (size, size), float32
    """
    size = _check_size(size)
    cell = np.arange(size) * squares // size
    return ((cell[:, None] + cell[None, :]) % 2).astype(np.float32)


def lines(size: int = 128) -> np.ndarray:
    """Thin bright lines in four orientations, one per quadrant.

    Top left horizontal, top right vertical, bottom left diagonal (``\\``), bottom right
    anti-diagonal (``/``), 1 px wide with a period of about ``size / 16`` px. Orientation-selective
    kernels (Sobel x vs y, the line detectors) light up one quadrant and stay dark in another.

    Returns
    -------
    ndarray, shape (size, size), float32
    """
    size = _check_size(size)
    period = max(4, size // 16)
    r, c = np.mgrid[0:size, 0:size]
    half = size // 2
    top, left = r < half, c < half
    img = np.zeros((size, size), dtype=bool)
    img |= top & left & (r % period == period // 2)
    img |= top & ~left & (c % period == period // 2)
    img |= ~top & left & ((r - c) % period == 0)
    img |= ~top & ~left & ((r + c) % period == 0)
    return img.astype(np.float32)


def disc(size: int = 128, radius: float | None = None) -> np.ndarray:
    """A bright disc on black, centred, radius ``0.3 * size`` by default, with an anti-aliased rim.

    Its edge takes every orientation, so an edge detector draws a ring shaded by direction.

    Returns
    -------
    ndarray, shape (size, size), float32
    """
    size = _check_size(size)
    radius = 0.3 * size if radius is None else float(radius)
    centre = (size - 1) / 2.0
    r, c = np.mgrid[0:size, 0:size]
    dist = np.hypot(r - centre, c - centre)
    # coverage of a pixel by the disc, approximated linearly across a 1 px rim
    return np.clip(radius - dist + 0.5, 0.0, 1.0).astype(np.float32)


def impulse(size: int = 128) -> np.ndarray:
    """Black everywhere except one white pixel at :func:`impulse_position`.

    Convolving an impulse draws the kernel itself (its *impulse response*), turned by 180 degrees:
    the output pixel up-left of the impulse sees it through the kernel's bottom-right tap. That is
    because CNN layers compute a cross-correlation, which does not flip the kernel; a textbook
    convolution flips it and would draw the kernel upright.

    Returns
    -------
    ndarray, shape (size, size), float32
    """
    size = _check_size(size)
    img = np.zeros((size, size), dtype=np.float32)
    img[impulse_position(size)] = 1.0
    return img


def ramp(size: int = 128) -> np.ndarray:
    """Brightness rising linearly from 0 at the left to 1 at the right.

    Edge detectors answer with a constant (the slope), the Laplacian with zero: a ramp has no
    curvature.

    Returns
    -------
    ndarray, shape (size, size), float32
    """
    size = _check_size(size)
    row = np.linspace(0.0, 1.0, size, dtype=np.float32)
    return np.repeat(row[None, :], size, axis=0)


def grid(size: int = 128, spacing: int | None = None) -> np.ndarray:
    """Thin bright horizontal and vertical grid lines on black, every ``size / 8`` px by default.

    Returns
    -------
    ndarray, shape (size, size), float32
    """
    size = _check_size(size)
    spacing = max(4, size // 8) if spacing is None else int(spacing)
    idx = np.arange(size)
    on = (idx % spacing) == spacing // 2
    return (on[:, None] | on[None, :]).astype(np.float32)


def squares(size: int = 128, count: int = 3) -> np.ndarray:
    """``count`` x ``count`` bright squares on black, each half its cell wide.

    Four corners of each kind: what a layer-2 corner detector is looking for.

    Returns
    -------
    ndarray, shape (size, size), float32
    """
    size = _check_size(size)
    cell = size / count
    idx = np.arange(size)
    inside = ((idx % cell) >= cell / 4) & ((idx % cell) < 3 * cell / 4)
    return (inside[:, None] & inside[None, :]).astype(np.float32)


PATTERNS: dict[str, Callable[..., np.ndarray]] = {
    "Vertical edge": vertical_edge,
    "Checkerboard": checkerboard,
    "Lines": lines,
    "Disc": disc,
    "Single bright pixel (impulse)": impulse,
    "Gradient ramp": ramp,
    "Grid": grid,
    "Squares": squares,
}

# One sentence per pattern, in our own words: what to look for. Shown as the menu item's tooltip.
DESCRIPTIONS: dict[str, str] = {
    "Vertical edge": "One dark-to-bright step: Sobel x answers along the edge, Sobel y not at all.",
    "Checkerboard": (
        "Edges in both directions and corners: compare how x, y and Laplacian kernels respond."
    ),
    "Lines": (
        "Thin lines in four orientations: an orientation-selective kernel lights up one quadrant."
    ),
    "Disc": (
        "An edge at every angle: an edge detector draws a ring, bright on one side, dark on the "
        "other."
    ),
    "Single bright pixel (impulse)": (
        "One white pixel: the output is the kernel itself, rotated by 180 degrees, because CNN "
        "layers slide the kernel without flipping it (cross-correlation)."
    ),
    "Gradient ramp": (
        "Brightness rising steadily: edge kernels give a constant, the Laplacian gives zero."
    ),
    "Grid": "Thin horizontal and vertical lines: a quick check of which directions a kernel sees.",
    "Squares": (
        "Bright squares: edges in two directions that meet at corners, for layer 2 to combine."
    ),
}


def names() -> list[str]:
    """Names of the patterns, in menu order."""
    return list(PATTERNS)


def pattern(name: str, size: int = 128) -> np.ndarray:
    """Return the pattern called ``name`` at ``size`` x ``size`` pixels.

    Returns
    -------
    ndarray, shape (size, size), float32 in [0, 1]

    Raises
    ------
    ValueError
        For an unknown name or a size outside ``[8, 4096]``.
    """
    if name not in PATTERNS:
        raise ValueError(f"unknown pattern {name!r}; choose one of: {', '.join(PATTERNS)}")
    return PATTERNS[name](size)
