"""MNIST files: the IDX format (gzipped or plain) and Keras-style ``mnist.npz``.

Everything is validated before use: a bad magic number, dimensions that do not match the data,
truncation, missing arrays or pickled objects raise ``ValueError`` naming the file.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from pathlib import Path

import numpy as np

from cnnviz.data.dataset import Dataset, from_arrays, to_unit

# Refuse files that would decompress to more than this: a gzip bomb must not eat the machine.
MAX_FILE_BYTES = 1 << 30

# IDX type byte -> big-endian numpy dtype (http://yann.lecun.com/exdb/mnist/ format).
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_bytes(path: Path) -> bytes:
    """Whole file content, gunzipped when it starts with the gzip magic bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ValueError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a folder, not a file") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path} could not be read ({exc}); is the download complete?") from None
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_FILE_BYTES >> 20} MB; refusing to load it")
    return data


def load_idx(path) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped or plain, into a native-endian array.

    Raises
    ------
    ValueError
        On a bad magic number, an unknown type code, zero dimensions, or a size that does not match
        the header (truncated or padded file).
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path.name} is not an IDX file (bad magic number "
                         f"{data[:4].hex() or 'empty'}); expected e.g. 00000803 for images")
    ndim = data[3]
    if ndim == 0:
        raise ValueError(f"{path.name}: IDX header declares zero dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path.name} is truncated inside its header")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", ndim, 4))
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    got = len(data) - header
    if got < expected:
        raise ValueError(f"{path.name} is truncated: header promises {dims} "
                         f"({expected} bytes of data) but only {got} bytes follow")
    if got > expected:
        raise ValueError(f"{path.name} has {got - expected} unexpected bytes after the data "
                         f"for shape {dims}")
    arr = np.frombuffer(data, dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))


def _check_pair(images: np.ndarray, labels: np.ndarray, what: str) -> None:
    if images.ndim != 3:
        raise ValueError(f"{what} images must be 3-D (count, rows, columns), "
                         f"got shape {images.shape}")
    if labels.ndim != 1:
        raise ValueError(f"{what} labels must be 1-D, got shape {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{what}: {images.shape[0]} images but {labels.shape[0]} labels")
    if not np.issubdtype(labels.dtype, np.integer) or (labels.size and labels.min() < 0):
        raise ValueError(f"{what} labels must be non-negative integers")


def _mnist_dataset(xtr, ytr, xte, yte, name: str) -> Dataset:
    k = int(max(ytr.max(initial=0), yte.max(initial=0))) + 1
    return Dataset(name, to_unit(xtr)[:, None], ytr, to_unit(xte)[:, None], yte,
                   [str(i) for i in range(k)])


def load_mnist_idx(images, labels, test_images=None, test_labels=None, seed: int = 0,
                   test_fraction: float = 0.2, name: str = "mnist") -> Dataset:
    """Pair IDX image and label files into a :class:`Dataset`.

    With ``test_images``/``test_labels`` the official split is kept; otherwise the one pair is
    split with a seeded stratified split.
    """
    x, y = load_idx(images), load_idx(labels)
    _check_pair(x, y, Path(images).name)
    if (test_images is None) != (test_labels is None):
        raise ValueError("give both test images and test labels, or neither")
    if test_images is None:
        return from_arrays(x, y, None, test_fraction, seed, name)
    xt, yt = load_idx(test_images), load_idx(test_labels)
    _check_pair(xt, yt, Path(test_images).name)
    if xt.shape[1:] != x.shape[1:]:
        raise ValueError(f"test images are {xt.shape[1:]} but training images are {x.shape[1:]}")
    return _mnist_dataset(x, y, xt, yt, name)


def load_mnist_npz(path, name: str = "mnist") -> Dataset:
    """Load a Keras-style ``mnist.npz`` (x_train, y_train, x_test, y_test), never unpickling."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(npz.files)
            if missing:
                raise ValueError(f"{path.name} lacks the arrays {sorted(missing)}; expected a "
                                 "Keras-style mnist.npz with x_train, y_train, x_test, y_test")
            arrays = [npz[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    except ValueError as exc:
        if "pickle" in str(exc):
            raise ValueError(f"{path.name} contains pickled objects, which are not loaded "
                             "because they could run code") from None
        raise ValueError(str(exc) if str(exc).startswith(path.name)
                         else f"{path.name} is not a valid .npz file ({exc})") from None
    except FileNotFoundError:
        raise ValueError(f"{path} does not exist") from None
    # zipfile also raises NotImplementedError / RuntimeError for flag bits a damaged header can
    # set ("compressed patched data", "encrypted"), and KeyError for a broken member table.
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError,
            KeyError) as exc:
        raise ValueError(f"{path.name} is not a valid .npz file ({exc})") from None
    xtr, ytr, xte, yte = arrays
    _check_pair(xtr, ytr, "training")
    _check_pair(xte, yte, "test")
    if xtr.shape[1:] != xte.shape[1:]:
        raise ValueError(f"test images are {xte.shape[1:]} but training images are {xtr.shape[1:]}")
    return _mnist_dataset(xtr, ytr.astype(np.int64), xte, yte.astype(np.int64), name)


def _find(folder: Path, *stems: str) -> Path | None:
    for stem in stems:
        for candidate in (folder / stem, folder / f"{stem}.gz"):
            if candidate.is_file():
                return candidate
    return None


def load_idx_folder(folder: Path, seed: int) -> Dataset:
    tri = _find(folder, "train-images-idx3-ubyte", "train-images.idx3-ubyte")
    trl = _find(folder, "train-labels-idx1-ubyte", "train-labels.idx1-ubyte")
    tei = _find(folder, "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte")
    tel = _find(folder, "t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte")
    if tri is None or trl is None:
        raise ValueError(f"{folder} has no train-images-idx3-ubyte[.gz] and "
                         "train-labels-idx1-ubyte[.gz] files")
    if tei is not None and tel is not None:
        return load_mnist_idx(tri, trl, tei, tel, seed=seed, name=folder.name)
    return load_mnist_idx(tri, trl, seed=seed, name=folder.name)


def labels_beside(images: Path) -> Path:
    name = images.name.replace("images", "labels").replace("idx3", "idx1")
    if name == images.name:
        raise ValueError(f"{images.name} is not a data set this app knows: give a Keras-style "
                         ".npz, a folder of MNIST IDX files, or an IDX images file "
                         "(...-images-idx3-ubyte) with its labels file beside it")
    labels = images.with_name(name)
    if not labels.is_file():
        raise ValueError(f"could not find the labels file for {images.name} (looked for {name})")
    return labels
