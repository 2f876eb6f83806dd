"""Data sets for the training studio: synthetic lines and shapes, coloured shapes, the bundled
digits (8x8 UCI and 28x28 MNIST), MNIST files, folders of PNG images.

Every loader returns a :class:`Dataset` of float32 images in [0, 1] shaped ``(N, C, H, W)`` with
int64 labels, split into train and test parts with a seeded, stratified split. Malformed input
raises ``ValueError`` with a sentence the user can act on; nothing here imports Qt (the UI decodes
image folders itself and hands the arrays to :func:`from_arrays`). This module gathers the public
names: the container lives in :mod:`cnnviz.data.dataset`, the file formats in
:mod:`cnnviz.data.files`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cnnviz.data.bundled import load_digits, load_mnist
from cnnviz.data.dataset import Dataset, class_labels, from_arrays, split_indices
from cnnviz.data.files import (
    labels_beside,
    load_idx,
    load_idx_folder,
    load_mnist_idx,
    load_mnist_npz,
)
from cnnviz.data.folders import is_image_folder, read_png_folder
from cnnviz.data.guarded import open_regular
from cnnviz.data.synthetic import (
    COLOUR_SHAPE_CLASSES,
    SHAPE_CLASSES,
    make_colour_shapes,
    make_lines,
    make_shapes,
)
from cnnviz.limits import Cancelled

__all__ = ["BUILTIN", "SHAPE_CLASSES", "COLOUR_SHAPE_CLASSES", "Dataset", "from_arrays",
           "split_indices", "make_lines", "make_shapes", "make_colour_shapes", "load_digits",
           "load_mnist", "load_idx", "load_mnist_idx", "load_mnist_npz", "read_png_folder",
           "load_dataset", "class_labels", "Cancelled"]

BUILTIN = ("lines", "shapes", "digits", "mnist", "colour-shapes")


def load_dataset(name_or_path, seed: int = 0, cancel: threading.Event | None = None,
                 colour: bool = False, image_size: int = 28) -> Dataset:
    """A built-in data set by name ("lines", "shapes", "digits", "mnist", "colour-shapes") or a
    path.

    Paths: a ``.npz`` (Keras mnist.npz), a folder holding MNIST IDX files, an IDX images file
    whose labels file sits beside it (``train-images-idx3-ubyte[.gz]`` ->
    ``train-labels-idx1-ubyte[.gz]``), or a folder with one sub-folder of PNG images per class,
    resized to ``image_size`` pixels a side and kept in colour (3 channels) when ``colour``.
    Only regular files are read, within the budget of :mod:`cnnviz.limits`.

    Parameters
    ----------
    cancel : threading.Event, optional
        Polled while reading; once set the load stops with :class:`cnnviz.limits.Cancelled`.

    Raises
    ------
    ValueError
        With a sentence for anything wrong with the name or the files (a missing file, a named
        pipe, a damaged or oversized file, labels that are not classes, too little memory).
    OSError
        When the disk or the permissions refuse a file.
    """
    key = str(name_or_path)
    if key.lower() == "lines":
        return make_lines(seed=seed)
    if key.lower() == "shapes":
        return make_shapes(seed=seed)
    if key.lower() == "digits":
        return load_digits(seed=seed)
    if key.lower() == "mnist":
        return load_mnist(seed=seed)
    if key.lower() in ("colour-shapes", "color-shapes"):
        return make_colour_shapes(seed=seed)
    path = Path(key).expanduser()
    if not path.exists():
        raise ValueError(f"{key!r} is neither a built-in data set ({', '.join(BUILTIN)}) "
                         "nor an existing file or folder")
    try:
        return _load_path(path, seed, cancel, colour, image_size)
    except MemoryError:
        raise ValueError(f"there is not enough memory to load {path.name}") from None
    except RecursionError:
        raise ValueError(f"{path.name} is nested too deeply to read") from None


def _load_path(path: Path, seed: int, cancel: threading.Event | None, colour: bool,
               image_size: int) -> Dataset:
    if is_image_folder(path):
        size = (image_size, image_size)
        return read_png_folder(path, size, colour, cancel=cancel).dataset(seed, path.name)
    if path.is_dir():
        return load_idx_folder(path, seed, cancel)
    open_regular(path, "data-set file").close()  # a pipe or a device: say so before guessing
    if path.suffix.lower() == ".npz":
        return load_mnist_npz(path, name=path.stem, cancel=cancel)
    return load_mnist_idx(path, labels_beside(path), seed=seed, name=path.name.split(".")[0],
                          cancel=cancel)

