"""MNIST files: the IDX format (gzipped or plain) and Keras-style ``mnist.npz``.

Everything is validated before use: a bad magic number, dimensions that do not match the data,
truncation, missing arrays or pickled objects raise ``ValueError`` naming the file. Declared sizes
are checked against :data:`cnnviz.limits.MAX_DECODED_BYTES` before anything is allocated, only
regular files are opened (:mod:`cnnviz.data.guarded`), and every loader takes an optional
``cancel`` event, polled between chunks, so a background load can be abandoned at once.
"""

from __future__ import annotations

import gzip
import math
import os
import threading
from pathlib import Path

import numpy as np

from cnnviz.data.dataset import Dataset, class_labels, from_arrays, to_unit
from cnnviz.data.guarded import open_stream, read_into, read_npz_arrays
from cnnviz.limits import check_budget

# IDX type byte -> big-endian numpy dtype (http://yann.lecun.com/exdb/mnist/ format).
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_FLOAT32 = 4  # bytes per pixel once images become float32 for training


def _read_exact(stream, n: int, name: str, where: str) -> bytes:
    data = stream.read(n)
    if len(data) < n:
        raise ValueError(f"{name} is truncated inside its {where}")
    return data


def _idx_header(stream, name: str) -> tuple[np.dtype, tuple[int, ...]]:
    magic = stream.read(4)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_TYPES:
        raise ValueError(f"{name} is not an IDX file (bad magic number "
                         f"{magic.hex() or 'empty'}); expected e.g. 00000803 for images")
    ndim = magic[3]
    if ndim == 0:
        raise ValueError(f"{name}: IDX header declares zero dimensions")
    raw = _read_exact(stream, 4 * ndim, name, "header")
    dims = tuple(int.from_bytes(raw[i:i + 4], "big") for i in range(0, 4 * ndim, 4))
    return np.dtype(_IDX_TYPES[magic[2]]), dims


def _check_rest(stream, name: str, header: int, expected: int, dims) -> None:
    """For a plain file, compare the bytes after the header with the header's promise now."""
    if isinstance(stream, gzip.GzipFile):
        return  # its length shows only while reading
    got = os.fstat(stream.fileno()).st_size - header
    if got < expected:
        raise ValueError(f"{name} is truncated: header promises {dims} "
                         f"({expected:,} bytes of data) but only {got:,} bytes follow")
    if got > expected:
        raise ValueError(f"{name} has {got - expected:,} unexpected bytes after the data "
                         f"for shape {dims}")


def load_idx(path, cancel: threading.Event | None = None, already: int = 0) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped or plain, into a native-endian array.

    The header's sizes are multiplied as Python integers and checked against the budget
    (:data:`cnnviz.limits.MAX_DECODED_BYTES`, counting each value as at least the 4 bytes of the
    float32 it becomes, plus ``already`` bytes taken by the data set's other files) before the
    data is read; a gzip stream is read only as far as the header promises.

    Raises
    ------
    ValueError
        On a bad magic number, an unknown type code, zero dimensions, a size over the budget, or
        a size that does not match the header (truncated or padded file).
    Cancelled
        When ``cancel`` is set during the read.
    """
    path = Path(path)
    name = path.name
    with open_stream(path, "data-set file") as stream:
        dtype, dims = _idx_header(stream, name)
        count = math.prod(dims)
        check_budget(already + count * max(dtype.itemsize, _FLOAT32), name)
        expected = count * dtype.itemsize
        _check_rest(stream, name, 4 + 4 * len(dims), expected, dims)
        arr = np.empty(count, dtype)
        try:
            read_into(stream, arr, name, cancel)
        except ValueError:
            raise ValueError(f"{name} is truncated: header promises {dims} "
                             f"({expected:,} bytes of data) but fewer bytes follow") from None
        if stream.read(1):
            raise ValueError(f"{name} has unexpected bytes after the data for shape {dims}")
    return arr.reshape(dims).astype(dtype.newbyteorder("="), copy=False)


def _check_pair(images: np.ndarray, labels: np.ndarray, what: str) -> None:
    if images.ndim != 3:
        raise ValueError(f"{what} images must be 3-D (count, rows, columns), "
                         f"got shape {images.shape}")
    if 0 in images.shape[1:]:
        raise ValueError(f"{what} images have no pixels (shape {images.shape})")
    if labels.ndim != 1:
        raise ValueError(f"{what} labels must be 1-D, got shape {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{what}: {images.shape[0]} images but {labels.shape[0]} labels")
    if not np.issubdtype(labels.dtype, np.integer) or (labels.size and labels.min() < 0):
        raise ValueError(f"{what} labels must be non-negative integers")


def _budget(*arrays: np.ndarray) -> int:
    """Budget bytes the arrays take (at least float32 per element, as :func:`load_idx` counts)."""
    return sum(a.size * max(a.itemsize, _FLOAT32) for a in arrays)


def _mnist_dataset(xtr, ytr, xte, yte, name: str,
                   cancel: threading.Event | None = None) -> Dataset:
    (ytr, yte), names = class_labels(ytr, yte)
    return Dataset(name, to_unit(xtr, cancel)[:, None], ytr, to_unit(xte, cancel)[:, None], yte,
                   names)


def load_mnist_idx(images, labels, test_images=None, test_labels=None, seed: int = 0,
                   test_fraction: float = 0.2, name: str = "mnist",
                   cancel: threading.Event | None = None) -> Dataset:
    """Pair IDX image and label files into a :class:`Dataset`.

    With ``test_images``/``test_labels`` the official split is kept; otherwise the one pair is
    split with a seeded stratified split. The files share one budget
    (:data:`cnnviz.limits.MAX_DECODED_BYTES`).
    """
    if (test_images is None) != (test_labels is None):
        raise ValueError("give both test images and test labels, or neither")
    x = load_idx(images, cancel)
    y = load_idx(labels, cancel, _budget(x))
    _check_pair(x, y, Path(images).name)
    if test_images is None:
        return from_arrays(x, y, None, test_fraction, seed, name, cancel)
    xt = load_idx(test_images, cancel, _budget(x, y))
    yt = load_idx(test_labels, cancel, _budget(x, y, xt))
    _check_pair(xt, yt, Path(test_images).name)
    if xt.shape[1:] != x.shape[1:]:
        raise ValueError(f"test images are {xt.shape[1:]} but training images are {x.shape[1:]}")
    return _mnist_dataset(x, y, xt, yt, name, cancel)


_NPZ_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def load_mnist_npz(path, name: str = "mnist", cancel: threading.Event | None = None) -> Dataset:
    """Load a Keras-style ``mnist.npz`` (x_train, y_train, x_test, y_test), never unpickling.

    Each member's .npy header is read and checked (numbers only, size within the budget) before
    its data; other members are not read.
    """
    path = Path(path)
    try:
        arrays = read_npz_arrays(path, _NPZ_ARRAYS, cancel, scale=_FLOAT32)
    except ValueError as exc:
        message = str(exc)
        if "lacks the arrays" in message:
            message += "; expected a Keras-style mnist.npz with x_train, y_train, x_test, y_test"
        raise ValueError(message) from None
    xtr, ytr, xte, yte = (arrays[k] for k in _NPZ_ARRAYS)
    _check_pair(xtr, ytr, "training")
    _check_pair(xte, yte, "test")
    if xtr.shape[1:] != xte.shape[1:]:
        raise ValueError(f"test images are {xte.shape[1:]} but training images are {xtr.shape[1:]}")
    return _mnist_dataset(xtr, ytr, xte, yte, name, cancel)


def _find(folder: Path, *stems: str) -> Path | None:
    for stem in stems:
        for candidate in (folder / stem, folder / f"{stem}.gz"):
            if candidate.exists() and not candidate.is_dir():  # a pipe is found, then refused
                return candidate
    return None


def load_idx_folder(folder: Path, seed: int, cancel: threading.Event | None = None) -> Dataset:
    tri = _find(folder, "train-images-idx3-ubyte", "train-images.idx3-ubyte")
    trl = _find(folder, "train-labels-idx1-ubyte", "train-labels.idx1-ubyte")
    tei = _find(folder, "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte")
    tel = _find(folder, "t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte")
    if tri is None or trl is None:
        raise ValueError(f"{folder} has no train-images-idx3-ubyte[.gz] and "
                         "train-labels-idx1-ubyte[.gz] files")
    if tei is not None and tel is not None:
        return load_mnist_idx(tri, trl, tei, tel, seed=seed, name=folder.name, cancel=cancel)
    return load_mnist_idx(tri, trl, seed=seed, name=folder.name, cancel=cancel)


def labels_beside(images: Path) -> Path:
    name = images.name.replace("images", "labels").replace("idx3", "idx1")
    if name == images.name:
        raise ValueError(f"{images.name} is not a data set this app knows: give a Keras-style "
                         ".npz, a folder of MNIST IDX files, or an IDX images file "
                         "(...-images-idx3-ubyte) with its labels file beside it")
    labels = images.with_name(name)
    if not labels.exists():
        raise ValueError(f"could not find the labels file for {images.name} (looked for {name})")
    return labels
