"""Data sets for the training studio: synthetic lines and shapes, the bundled digits (8x8 UCI and
28x28 MNIST), MNIST files.

Every loader returns a :class:`Dataset` of float32 images in [0, 1] shaped ``(N, 1, H, W)`` with
int64 labels, split into train and test parts with a seeded, stratified split. Malformed input
raises ``ValueError`` with a sentence the user can act on; nothing here imports Qt (the UI decodes
image folders itself and hands the arrays to :func:`from_arrays`). This module gathers the public
names: the container lives in :mod:`cnnviz.data.dataset`, the file formats in
:mod:`cnnviz.data.files`.
"""

from __future__ import annotations

from pathlib import Path

from cnnviz.data.bundled import load_digits, load_mnist
from cnnviz.data.dataset import Dataset, from_arrays, split_indices
from cnnviz.data.files import (
    labels_beside,
    load_idx,
    load_idx_folder,
    load_mnist_idx,
    load_mnist_npz,
)
from cnnviz.data.synthetic import SHAPE_CLASSES, make_lines, make_shapes

__all__ = ["BUILTIN", "SHAPE_CLASSES", "Dataset", "from_arrays", "split_indices", "make_lines",
           "make_shapes", "load_digits", "load_mnist", "load_idx", "load_mnist_idx",
           "load_mnist_npz", "load_dataset"]

BUILTIN = ("lines", "shapes", "digits", "mnist")


def load_dataset(name_or_path, seed: int = 0) -> Dataset:
    """A built-in data set by name ("lines", "shapes", "digits", "mnist") or a file/folder path.

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
    if key.lower() == "mnist":
        return load_mnist(seed=seed)
    path = Path(key).expanduser()
    if not path.exists():
        raise ValueError(f"{key!r} is neither a built-in data set ({', '.join(BUILTIN)}) "
                         "nor an existing file or folder")
    if path.is_dir():
        return load_idx_folder(path, seed)
    if path.suffix.lower() == ".npz":
        return load_mnist_npz(path, name=path.stem)
    return load_mnist_idx(path, labels_beside(path), seed=seed, name=path.name.split(".")[0])
