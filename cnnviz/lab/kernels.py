"""Preset convolution kernels (CONCEPTS.md #8) and the small edits the kernel editor offers.

Every preset is a function ``size -> ndarray (size, size)``. Blurs and the identity are defined for
any size; the classic 3x3 operators (Sobel, Laplacian, ...) keep their 3x3 values and are centred in
a larger grid of zeros, so switching kernel size never silently changes what a preset means.

Kernels are written as they are *applied* by :func:`cnnviz.nn.functional.conv2d`, which (like
PyTorch and every CNN library) computes a cross-correlation: the kernel is not flipped. Sobel x
therefore gives a positive response where the image gets brighter to the right.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnnviz.data.images import BT601

__all__ = [
    "PRESETS", "DESCRIPTIONS", "preset", "names", "normalise", "flip", "rotate", "random_kernel",
    "CHANNEL_FILLS", "fill_channels", "fill_weights", "to_grey_kernel", "resize_kernel",
    "centre_index", "preset_at",
]


def _identity(size: int) -> np.ndarray:
    k = np.zeros((size, size))
    k[centre_index(size), centre_index(size)] = 1.0
    return k


def _box(size: int) -> np.ndarray:
    return np.full((size, size), 1.0 / (size * size))


def _gaussian(size: int) -> np.ndarray:
    # sigma grows with the window so the kernel always tapers to about 1/10 at its edge
    sigma = max(size / 4.0, 0.5)
    r = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(r**2) / (2 * sigma**2))
    k = np.outer(g, g)
    return k / k.sum()


def _fixed(values: list[list[float]]) -> Callable[[int], np.ndarray]:
    base = np.asarray(values, dtype=float)

    def make(size: int) -> np.ndarray:
        # keeps its natural 3x3 below 3 (see preset); centred like resize_kernel above
        return base.copy() if size <= base.shape[0] else resize_kernel(base, size)

    return make


PRESETS: dict[str, Callable[[int], np.ndarray]] = {
    "Identity": _identity,
    "Box blur": _box,
    "Gaussian blur": _gaussian,
    "Sharpen": _fixed([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "Sobel x": _fixed([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "Sobel y": _fixed([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "Prewitt x": _fixed([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
    "Prewitt y": _fixed([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
    "Laplacian": _fixed([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "Emboss": _fixed([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "Outline": _fixed([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "Horizontal edge": _fixed([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]),
    "Vertical edge": _fixed([[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]]),
}

# One sentence per preset: what it detects and why, shown as the preset's tooltip.
DESCRIPTIONS: dict[str, str] = {
    "Identity": "Copies the image: a single 1 at the centre. Useful to see what padding and "
        "stride do alone.",
    "Box blur": "Averages the window: every weight equal and summing to 1, so flat areas keep "
        "their brightness.",
    "Gaussian blur": "A weighted average that favours the centre: smooths noise with fewer blocky "
        "artefacts than a box.",
    "Sharpen": "Centre minus its neighbours, plus the original: exaggerates local contrast.",
    "Sobel x": "Brightness change from left to right (positive where it gets brighter to the "
        "right): finds vertical edges.",
    "Sobel y": "Brightness change from top to bottom: finds horizontal edges.",
    "Prewitt x": "Like Sobel x with equal row weights: a slightly noisier vertical-edge detector.",
    "Prewitt y": "Like Sobel y with equal column weights: a slightly noisier horizontal-edge "
        "detector.",
    "Laplacian": "Second derivative: responds to spots and thin lines in any direction, zero on "
        "flat areas and ramps.",
    "Emboss": "A diagonal derivative plus the pixel: the picture looks lit from the top left.",
    "Outline": "Centre against all eight neighbours: lights up every edge, flat areas go to zero.",
    "Horizontal edge": "Responds to thin horizontal lines: bright middle row, dark rows above and "
        "below.",
    "Vertical edge": "Responds to thin vertical lines: bright middle column, dark columns beside "
        "it.",
}


def names() -> list[str]:
    """Names of the presets, in menu order."""
    return list(PRESETS)


def preset(name: str, size: int = 3) -> np.ndarray:
    """Return the preset kernel ``name`` at ``size``.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    size : int
        Requested side length (1..15; the playground offers 1..9). Fixed 3x3 operators are
        centred in zeros when ``size > 3`` and keep their natural 3x3 size when ``size < 3``.

    Returns
    -------
    ndarray, shape (k, k)
        float64 kernel; ``k == size`` except for fixed operators asked for below 3.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown kernel preset {name!r}; choose one of: {', '.join(PRESETS)}")
    if not 1 <= int(size) <= 15:
        raise ValueError(f"kernel size must be between 1 and 15, not {size}")
    return PRESETS[name](int(size))


def normalise(kernel: np.ndarray) -> np.ndarray:
    """Divide by the sum so a flat image keeps its brightness; unchanged when the sum is ~0.

    A zero-sum kernel (an edge detector) has nothing sensible to divide by, so it is returned as is.
    """
    k = np.asarray(kernel, dtype=float)
    total = k.sum()
    if abs(total) < 1e-12:
        return k.copy()
    return k / total


def flip(kernel: np.ndarray) -> np.ndarray:
    """Flip left-right and up-down (rotate by 180 degrees): turns correlation into convolution.

    A colour kernel (C, k, k) flips every slice.
    """
    return np.asarray(kernel, dtype=float)[..., ::-1, ::-1].copy()


def rotate(kernel: np.ndarray) -> np.ndarray:
    """Rotate a quarter turn clockwise (Sobel x becomes -Sobel y... try it); every slice of a
    colour kernel (C, k, k)."""
    return np.rot90(np.asarray(kernel, dtype=float), k=-1, axes=(-2, -1)).copy()


def random_kernel(size: int, rng: np.random.Generator | None = None,
                  channels: int | None = None) -> np.ndarray:
    """A random kernel with values in [-1, 1] rounded to 0.1, easy to read in the grid.

    Shape (size, size), or (channels, size, size) when ``channels`` is given.
    """
    rng = np.random.default_rng() if rng is None else rng
    shape = (size, size) if channels is None else (channels, size, size)
    return np.round(rng.uniform(-1.0, 1.0, size=shape), 1)


def fill_weights(how: str) -> np.ndarray:
    """The weight :func:`fill_channels` gives each of R, G and B, shape (3,)."""
    return fill_channels(np.ones((1, 1)), 3, how)[:, 0, 0]


def to_grey_kernel(kernel: np.ndarray, how: str = "same") -> np.ndarray:
    """The grey kernel a colour one (3, k, k) was filled from: its slices summed, divided by the
    fill's total weight, so ``to_grey_kernel(fill_channels(k, 3, how), how) == k``.

    For any colour kernel it is the grey kernel that answers a grey image as the colour one does,
    scaled by the same factor.
    """
    kernel = np.asarray(kernel, dtype=float)
    return kernel.sum(axis=0) / fill_weights(how).sum()


# How a 2-D preset fills the slices of a colour kernel (C, k, k): (key, menu label, tooltip).
CHANNEL_FILLS = (
    ("same", "same in R, G, B",
     "Every channel gets the preset: the filter reacts to the pattern in any colour, three times "
     "as strongly as on grey."),
    ("luma", "luma (0.299 R + 0.587 G + 0.114 B)",
     "The preset weighted by how bright each channel looks: the filter sees the photo's grey "
     "version, exactly what the grey playground shows."),
    ("R", "R only", "Only the red slice: the filter reacts to the pattern in red light only."),
    ("G", "G only", "Only the green slice."),
    ("B", "B only", "Only the blue slice."),
)


def fill_channels(kernel: np.ndarray, channels: int, how: str = "same") -> np.ndarray:
    """A 2-D kernel spread over ``channels`` input channels.

    Parameters
    ----------
    kernel : ndarray, shape (k, k)
    channels : int
        1 (grey: the kernel itself) or 3 (RGB).
    how : str
        A key of :data:`CHANNEL_FILLS`: ``"same"`` copies it into every slice, ``"luma"`` weights
        the slices 0.299 / 0.587 / 0.114 (so a colour image gives what its grey version gives),
        ``"R"``, ``"G"`` or ``"B"`` puts it in one slice and zeros in the others.

    Returns
    -------
    ndarray, shape (channels, k, k), float64
    """
    k = np.asarray(kernel, dtype=float)
    if channels == 1:
        return k[None].copy()
    if channels != 3:
        raise ValueError(f"a kernel fills 1 (grey) or 3 (RGB) channels, not {channels}")
    if how == "same":
        return np.repeat(k[None], 3, axis=0)
    if how == "luma":
        return BT601[:, None, None] * k[None]
    if how in ("R", "G", "B"):
        out = np.zeros((3,) + k.shape)
        out["RGB".index(how)] = k
        return out
    raise ValueError(f"unknown channel fill {how!r}; use one of {[f[0] for f in CHANNEL_FILLS]}")


def centre_index(size: int) -> int:
    """The centre cell of a side of ``size``: the middle one, or for an even side the one just
    up and left of the middle.

    The same cell the identity kernel puts its 1 on, and the one PyTorch's ``padding="same"``
    aligns with an output pixel (the extra padding of an even kernel goes right and below).
    Every resize in the playground keeps the weight on this cell on this cell.
    """
    return (int(size) - 1) // 2


def resize_kernel(kernel: np.ndarray, size: int) -> np.ndarray:
    """Crop or zero-pad a kernel to ``size`` x ``size`` so its centre weight stays on the centre.

    Parameters
    ----------
    kernel : ndarray, shape (..., k, k)
        Leading axes (channels, filters) are kept.
    size : int

    Returns
    -------
    ndarray, shape (..., size, size)

    Notes
    -----
    Weight ``[i, j]`` moves to ``[i + s, j + s]`` with ``s = centre_index(size) -
    centre_index(k)``; what falls outside is dropped. Because both sides use
    :func:`centre_index`, growing and then shrinking back gives the kernel itself.
    A 3x3 kernel in a 4x4 grid therefore fills rows and columns 0..2: an odd kernel cannot sit
    in the middle of an even grid, and this is the side the centre cell is on.
    """
    kernel = np.asarray(kernel, dtype=float)
    size = int(size)
    k = kernel.shape[-1]
    new = np.zeros(kernel.shape[:-2] + (size, size))
    shift = centre_index(size) - centre_index(k)
    lo, hi = max(0, -shift), min(k, size - shift)  # old indices that land inside the new grid
    if hi > lo:
        new[..., lo + shift:hi + shift, lo + shift:hi + shift] = kernel[..., lo:hi, lo:hi]
    return new


def preset_at(name: str, size: int) -> np.ndarray:
    """The preset ``name`` as a ``size`` x ``size`` kernel, whatever its natural size.

    Blurs and the identity are built at ``size``; the fixed 3x3 operators are
    :func:`resize_kernel`-ed around their centre (cropped below 3, zero-padded above), so asking
    for 3 again after 2 gives the whole operator back.

    Returns
    -------
    ndarray, shape (size, size), float64
    """
    return resize_kernel(preset(name, size), size)
