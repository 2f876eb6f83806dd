"""Export a 2-D map as a PNG picture (coloured as on screen) or as the raw array (``.npy``).

Both writes go through :func:`cnnviz.fileio.atomic_write`, so a failed or interrupted export
never leaves half a file where a good one was.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from cnnviz.fileio import atomic_write, write_bytes_atomic
from ui.theme import DIVERGING
from ui.widgets.settings import read_setting, write_setting
from ui.widgets.text import literal_markup

__all__ = [
    "DIVERGING",
    "EXPORT_FILE_FILTER",
    "colourise",
    "save_array_png",
    "save_array_npy",
    "save_widget_png",
    "export_dialog",
]

PNG_FILTER = "PNG image (*.png)"
NPY_FILTER = "NumPy array (*.npy)"
EXPORT_FILE_FILTER = f"{PNG_FILTER};;{NPY_FILTER}"
_LAST_DIR_KEY = "export/lastDirectory"


def _as_map(array: np.ndarray) -> np.ndarray:
    a = np.asarray(array)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"only a non-empty 2-D map can be exported, not an array of {a.shape}")
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise ValueError(f"an array of {a.dtype} values cannot be drawn as a picture")
    if not np.all(np.isfinite(a)):
        raise ValueError("the map contains NaN or infinite values, which have no colour")
    return a.astype(np.float64)


def colourise(
    array: np.ndarray, colormap: str | None = None, levels: tuple[float, float] | None = None
) -> np.ndarray:
    """Colour a 2-D map the way the app shows it.

    Parameters
    ----------
    array : ndarray, shape (H, W)
    colormap : str or None
        None for grey; ``"diverging"`` for the app's blue-white-red map with levels symmetric about
        zero (so zero is always white); or any :func:`pyqtgraph.colormap.get` name.
    levels : (low, high) or None
        Values mapped to the ends of the colour map; default min..max (grey and named maps) or
        -max|x|..max|x| (diverging). Values outside are clipped.

    Returns
    -------
    ndarray, shape (H, W, 4), uint8 RGBA
    """
    a = _as_map(array)
    if colormap == "diverging":
        cmap = pg.colormap.get(DIVERGING)
        if levels is None:
            m = float(np.abs(a).max())
            levels = (-m, m)
    elif colormap is None:
        cmap = pg.ColorMap([0.0, 1.0], [(0, 0, 0), (255, 255, 255)])
    else:
        try:
            cmap = pg.colormap.get(colormap)
        except (FileNotFoundError, ValueError, KeyError) as exc:
            raise ValueError(f"unknown colour map {colormap!r}") from exc
    if levels is None:
        levels = (float(a.min()), float(a.max()))
    low, high = (float(v) for v in levels)
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"levels must be finite numbers, not {levels}")
    span = high - low if high != low else 1.0  # a flat map: everything at the low end
    lut = cmap.getLookupTable(0.0, 1.0, 256, alpha=True)
    index = np.clip(np.round((a - low) / span * 255.0), 0, 255).astype(np.intp)
    return np.ascontiguousarray(lut[index])


def save_array_png(
    array: np.ndarray,
    path: str | os.PathLike[str],
    colormap: str | None = None,
    levels: tuple[float, float] | None = None,
    scale: int = 1,
) -> Path:
    """Save a 2-D map as a PNG, coloured by :func:`colourise`, each value ``scale`` x ``scale`` px.

    ``scale`` > 1 enlarges small maps (a 28 x 28 filter) with hard pixel edges, not blur.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        For an array that cannot be drawn (not 2-D, empty, NaN) or an unknown colour map.
    OSError
        When the file cannot be written (missing folder, no permission, disk full).
    """
    rgba = colourise(array, colormap, levels)
    scale = int(scale)
    if not 1 <= scale <= 64:
        raise ValueError(f"scale must be between 1 and 64, not {scale}")
    if scale > 1:
        rgba = np.ascontiguousarray(np.repeat(np.repeat(rgba, scale, axis=0), scale, axis=1))
    h, w = rgba.shape[:2]
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"could not encode {Path(path).name} as PNG")
    return write_bytes_atomic(path, bytes(data))


def save_widget_png(widget: QWidget, path: str | os.PathLike[str]) -> Path:
    """Save a picture of ``widget`` as it is drawn now (``QWidget.grab``) as a PNG, atomically.

    Raises
    ------
    OSError
        When the picture cannot be encoded or the file cannot be written.
    """
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not widget.grab().save(buffer, "PNG"):
        raise OSError(f"could not encode {Path(path).name} as PNG")
    return write_bytes_atomic(path, bytes(data))


def save_array_npy(array: np.ndarray, path: str | os.PathLike[str]) -> Path:
    """Save ``array`` exactly (dtype and shape kept) as a ``.npy`` file, atomically.

    Load it back with ``np.load(path)``; no pickles are written (``allow_pickle=False``).

    Raises
    ------
    ValueError
        For object arrays, which would need a pickle.
    OSError
        When the file cannot be written.
    """
    a = np.asarray(array)
    if a.dtype == object:
        raise ValueError("an array of Python objects cannot be saved without a pickle")
    with atomic_write(path) as f:
        np.save(f, a, allow_pickle=False)
    return Path(path).expanduser()


def _default_name(kind: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", kind.strip()).strip("_").lower() or "map"


def export_dialog(
    parent: QWidget | None,
    array: np.ndarray,
    kind: str,
    colormap: str | None = None,
    levels: tuple[float, float] | None = None,
    scale: int = 1,
    raw: np.ndarray | None = None,
) -> str | None:
    """Ask where to save ``array`` (PNG picture or ``.npy`` array), save it, report problems.

    Parameters
    ----------
    parent : QWidget or None
    array : ndarray, shape (H, W)
    kind : str
        What is exported, e.g. ``"output map"``: the dialog title and the default file name.
    colormap, levels, scale
        How a PNG is coloured, as for :func:`save_array_png`.
    raw : ndarray, optional
        What a ``.npy`` file holds instead of ``array`` (any shape: e.g. every channel of a
        result whose picture is a 2-D summary).

    Returns
    -------
    str or None
        The path written, or None when the user cancelled or the save failed (a message box
        has then said why). The folder is remembered for the next export.
    """
    folder = read_setting(_LAST_DIR_KEY, "", str) or str(Path.home())
    suggestion = str(Path(folder) / f"{_default_name(kind)}.png")
    path, chosen = QFileDialog.getSaveFileName(
        parent, f"Export {kind}", suggestion, EXPORT_FILE_FILTER
    )
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".png", ".npy"):
        target = target.with_name(target.name + (".npy" if chosen == NPY_FILTER else ".png"))
    try:
        if target.suffix.lower() == ".npy":
            save_array_npy(array if raw is None else raw, target)
        else:
            save_array_png(array, target, colormap=colormap, levels=levels, scale=scale)
    except (OSError, ValueError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        QMessageBox.warning(parent, "Export failed",
                            literal_markup(f"Could not save {target.name}: {message}"))
        return None
    write_setting(_LAST_DIR_KEY, str(target.parent))
    return str(target)
