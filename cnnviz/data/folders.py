"""Labelled image folders (``root/<class>/<image>.png``) for the command line, grey or colour.

The app reads folders with Qt (any format Qt decodes); the engine reads PNG files itself
(:mod:`cnnviz.data.png`), so ``python -m cnnviz train --dataset FOLDER [--colour]`` needs no Qt.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnviz import limits
from cnnviz.data.dataset import Dataset, from_arrays
from cnnviz.data.images import resize_area, to_grey
from cnnviz.data.png import read_png

__all__ = ["PngFolder", "read_png_folder", "is_image_folder"]


@dataclass
class PngFolder:
    """Images read from class sub-folders.

    Attributes
    ----------
    images : ndarray, shape (N, C, H, W), float32 in [0, 1]
        C is 3 when read in colour, else 1.
    labels : ndarray, shape (N,), int64
    class_names : list of str
    skipped : list of (Path, str)
        Files left out, with the reason.
    conversions : dict of str to int
        How many images needed each conversion ("16-bit samples scaled to [0, 1]", ...).
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: list[str]
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    conversions: dict[str, int] = field(default_factory=dict)

    def note(self) -> str:
        """One line: what was loaded, converted and left out."""
        c = self.images.shape[1]
        text = (f"{len(self.labels)} images in {len(self.class_names)} classes, "
                f"{'colour (3 channels)' if c == 3 else 'grey'}")
        for what, count in self.conversions.items():
            text += f"; {count} {what}"
        if self.skipped:
            text += f"; skipped {len(self.skipped)} file(s) (e.g. {self.skipped[0][1]})"
        return text

    def dataset(self, seed: int = 0, name: str = "images") -> Dataset:
        """A seeded, stratified train/test split of the images."""
        return from_arrays(self.images, self.labels, self.class_names, seed=seed, name=name)


def is_image_folder(path: Path) -> bool:
    """True for a folder whose visible sub-folders hold the classes (no MNIST IDX files in it)."""
    if not path.is_dir() or any("ubyte" in f.name for f in path.iterdir() if f.is_file()):
        return False
    return any(d.is_dir() and not d.name.startswith(".") for d in path.iterdir())


def _as_channels(pixels: np.ndarray, colour: bool, notes: list[str]) -> np.ndarray:
    """(H, W, C) pixels as planes (1 or 3, H, W); transparency composited over white."""
    if not colour:
        if pixels.shape[2] == 4 and pixels[:, :, 3].min() < 1:
            notes.append("transparent pixels composited over white")
        return to_grey(pixels if pixels.shape[2] != 1 else pixels[:, :, 0])[None]
    if pixels.shape[2] == 1:
        notes.append("grey images copied into R, G and B")
        pixels = np.repeat(pixels, 3, axis=2)
    if pixels.shape[2] == 4:
        alpha = pixels[:, :, 3:]
        if alpha.min() < 1:
            notes.append("transparent pixels composited over white")
        pixels = pixels[:, :, :3] * alpha + (1.0 - alpha)
    return np.moveaxis(pixels, 2, 0)


def _read(file: Path, size: tuple[int, int], colour: bool, conversions: dict) -> np.ndarray:
    if file.suffix.lower() != ".png":
        raise ValueError(f"{file.name}: the command line reads PNG files only; convert it, or "
                         "open the folder in the app's training studio, which reads JPEG, BMP "
                         "and GIF too")
    png = read_png(file)
    notes = list(png.notes)
    planes = _as_channels(png.pixels, colour, notes)
    for note in notes:
        conversions[note] = conversions.get(note, 0) + 1
    return np.stack([resize_area(p, size) for p in planes])


def read_png_folder(path, size: tuple[int, int] = (28, 28), colour: bool = False,
                    cancel: threading.Event | None = None) -> PngFolder:
    """Read ``path/<class name>/*.png``, resized to ``size`` (rows, cols) by area averaging.

    ``cancel`` is polled between files (:class:`cnnviz.limits.Cancelled` once set).

    Raises
    ------
    ValueError
        If ``path`` has no class sub-folders, more than :data:`cnnviz.limits.MAX_CLASSES` of them
        or more than :data:`cnnviz.limits.MAX_FOLDER_FILES` files, or fewer than two classes hold
        a readable PNG.
    """
    root = Path(path)
    classes = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if len(classes) > limits.MAX_CLASSES:
        raise ValueError(f"{root.name} has {len(classes):,} class folders; a data set may have at "
                         f"most {limits.MAX_CLASSES:,} classes (cnnviz.limits.MAX_CLASSES)")
    listing = [(folder, sorted(f for f in folder.iterdir() if not f.name.startswith(".")))
               for folder in classes]
    total = sum(len(files) for _, files in listing)
    if total > limits.MAX_FOLDER_FILES:
        raise ValueError(f"{root.name} lists {total:,} files, more than the "
                         f"{limits.MAX_FOLDER_FILES:,} an image folder may have "
                         "(cnnviz.limits.MAX_FOLDER_FILES)")
    images, labels, names, skipped, conversions = [], [], [], [], {}
    for folder, files in listing:
        found = 0
        for file in files:
            limits.check_cancel(cancel)
            if not file.is_file():  # a sub-folder, a pipe, a device: never opened
                if not file.is_dir():
                    skipped.append((file, f"{file.name} is not a regular file"))
                continue
            try:
                images.append(_read(file, size, colour, conversions))
            except ValueError as exc:
                skipped.append((file, str(exc)))
                continue
            labels.append(len(names))
            found += 1
        if found:
            names.append(folder.name)
    if len(names) < 2:
        why = f" (e.g. {skipped[0][1]})" if skipped else ""
        raise ValueError(f"{root.name or root}: a classifier needs at least two class folders "
                         f"with readable PNG images; found {len(names)}{why}")
    return PngFolder(np.stack(images).astype(np.float32), np.asarray(labels, np.int64), names,
                     skipped, conversions)
