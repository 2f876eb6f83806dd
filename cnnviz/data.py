"""Data sets for the training studio: synthetic lines and shapes, the bundled digits, MNIST files.

Every loader returns a :class:`Dataset` of float32 images in [0, 1] shaped ``(N, 1, H, W)`` with
int64 labels, split into train and test parts with a seeded, stratified split. Malformed input
raises ``ValueError`` with a sentence the user can act on; nothing here imports Qt (the UI decodes
image folders itself and hands the arrays to :func:`from_arrays`).
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.assets import DIGITS_CSV, asset_path

BUILTIN = ("lines", "shapes", "digits")
SHAPE_CLASSES = ("square", "circle", "triangle", "cross", "horizontal bar")

# Refuse files that would decompress to more than this: a gzip bomb must not eat the machine.
MAX_FILE_BYTES = 1 << 30


@dataclass
class Dataset:
    """Images and labels split into a training and a test part.

    Attributes
    ----------
    name : str
    x_train : ndarray, shape (N, C, H, W), float32 in [0, 1]
    y_train : ndarray, shape (N,), int64 in [0, n_classes)
    x_test : ndarray, shape (M, C, H, W), float32 in [0, 1]
    y_test : ndarray, shape (M,), int64
    class_names : list of str, one per class
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]

    def __post_init__(self) -> None:
        self.x_train = np.ascontiguousarray(self.x_train, dtype=np.float32)
        self.x_test = np.ascontiguousarray(self.x_test, dtype=np.float32)
        self.y_train = np.asarray(self.y_train, dtype=np.int64)
        self.y_test = np.asarray(self.y_test, dtype=np.int64)
        self.class_names = [str(c) for c in self.class_names]
        for part, x, y in (("training", self.x_train, self.y_train),
                           ("test", self.x_test, self.y_test)):
            if x.ndim != 4:
                raise ValueError(f"{part} images must be shaped (N, C, H, W), got {x.shape}")
            if y.shape != (x.shape[0],):
                raise ValueError(f"{part} set has {x.shape[0]} images but {y.size} labels")
            if y.size and (y.min() < 0 or y.max() >= len(self.class_names)):
                raise ValueError(f"{part} labels must lie in 0..{len(self.class_names) - 1}")
        if self.x_train.shape[1:] != self.x_test.shape[1:]:
            raise ValueError(f"training images are {self.x_train.shape[1:]} but test images are "
                             f"{self.x_test.shape[1:]}")
        if len(self.x_train) == 0:
            raise ValueError("the training set is empty")

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image."""
        return tuple(int(s) for s in self.x_train.shape[1:])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def class_counts(self, split: str = "train") -> np.ndarray:
        """Number of images per class, shape (n_classes,), for ``split`` "train" or "test"."""
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', not {split!r}")
        y = self.y_train if split == "train" else self.y_test
        return np.bincount(y, minlength=self.n_classes)

    def batches(self, batch_size: int, rng: np.random.Generator | None = None,
                shuffle: bool = True) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(x, y)`` batches, shapes (B, C, H, W) and (B,); the last may be short."""
        if batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {batch_size}")
        n = len(self.x_train)
        order = (rng if rng is not None else np.random.default_rng()).permutation(n) \
            if shuffle else np.arange(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            yield self.x_train[idx], self.y_train[idx]


def split_indices(labels: np.ndarray, test_fraction: float = 0.2, seed: int = 0,
                  stratify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/test split of ``range(len(labels))``; stratified keeps class proportions.

    Returns
    -------
    train_idx, test_idx : ndarray of int64, sorted
    """
    labels = np.asarray(labels)
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test fraction must be in [0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    n = labels.size
    if not stratify:
        order = rng.permutation(n)
        n_test = int(round(n * test_fraction))
        return np.sort(order[n_test:]), np.sort(order[:n_test])
    test = []
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        n_test = int(round(members.size * test_fraction))
        if test_fraction > 0 and members.size >= 2:
            n_test = min(max(n_test, 1), members.size - 1)  # both sides see every class
        test.append(members[:n_test])
    test_idx = np.sort(np.concatenate(test)) if test else np.zeros(0, np.int64)
    mask = np.ones(n, bool)
    mask[test_idx] = False
    return np.flatnonzero(mask), test_idx


def _to_unit(images: np.ndarray) -> np.ndarray:
    """Scale any numeric image array into float32 [0, 1] (uint8 by 255, others by their range)."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    kind = images.dtype
    if not np.issubdtype(kind, np.number) or np.issubdtype(kind, np.complexfloating):
        raise ValueError(f"images must be numbers, got dtype {images.dtype}")
    x = images.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("images contain NaN or infinite values")
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
    if lo >= 0.0 and hi <= 1.0:
        return x
    if lo >= 0.0 and hi <= 255.0 and np.issubdtype(images.dtype, np.integer):
        return x / 255.0
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def from_arrays(images, labels, class_names: Sequence[str] | None = None,
                test_fraction: float = 0.2, seed: int = 0, name: str = "arrays") -> Dataset:
    """Build a :class:`Dataset` from in-memory arrays with a seeded stratified split.

    Parameters
    ----------
    images : array_like, shape (N, H, W) or (N, 1, H, W)
        Any numeric type; uint8 is divided by 255, other ranges are rescaled into [0, 1].
    labels : array_like, shape (N,)
        Integers 0..K-1, or any hashable values (strings) which become the class names.
    class_names : sequence of str, optional
        Names for integer labels; defaults to "0", "1", ...
    """
    x = np.asarray(images)
    y = np.asarray(labels)
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or x.shape[1] != 1:
        raise ValueError(f"images must be shaped (N, H, W) or (N, 1, H, W), got {x.shape}")
    if y.ndim != 1 or y.size != x.shape[0]:
        raise ValueError(f"there are {x.shape[0]} images but {y.size} labels")
    if x.shape[0] < 2:
        raise ValueError("need at least two images to make a training and a test set")
    if np.issubdtype(y.dtype, np.integer):
        if y.min() < 0:
            raise ValueError("labels must be non-negative class numbers")
        k = int(y.max()) + 1
        names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
        if len(names) < k:
            raise ValueError(f"labels go up to {k - 1} but only {len(names)} class names "
                             "were given")
        y_int = y.astype(np.int64)
    else:
        uniq, y_int = np.unique(y, return_inverse=True)
        names = [str(u) for u in uniq]
    train, test = split_indices(y_int, test_fraction, seed)
    x = _to_unit(x)
    return Dataset(name, x[train], y_int[train], x[test], y_int[test], names)


def make_lines(n: int = 1000, size: int = 8, noise: float = 0.1, seed: int = 0,
               test_fraction: float = 0.2) -> Dataset:
    """Vertical versus horizontal bars (the classic first CNN task), with Gaussian noise.

    Each image holds one bar, one pixel thick, at a random row/column, 3..size pixels long.
    Class 0 is "vertical", class 1 "horizontal".
    """
    if size < 3:
        raise ValueError(f"line images need at least 3x3 pixels, got {size}")
    rng = np.random.default_rng(seed)
    x = np.zeros((n, size, size), np.float32)
    y = np.arange(n) % 2
    for i in range(n):
        pos = rng.integers(size)
        length = rng.integers(3, size + 1)
        start = rng.integers(size - length + 1)
        if y[i] == 0:
            x[i, start:start + length, pos] = 1.0
        else:
            x[i, pos, start:start + length] = 1.0
    x += rng.normal(0.0, noise, x.shape).astype(np.float32)
    return from_arrays(np.clip(x, 0.0, 1.0), y, ["vertical", "horizontal"],
                       test_fraction, seed, "lines")


def _draw_shape(kind: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """One shape of class ``kind`` at a random place and size on a (size, size) canvas."""
    r = rng.uniform(size * 0.15, size * 0.3)              # half-extent in pixels
    cy, cx = rng.uniform(r + 1, size - r - 1, 2)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dy, dx = yy - cy, xx - cx
    t = max(1.5, r / 3)                                   # stroke half-thickness
    if kind == 0:
        mask = (np.abs(dy) <= r) & (np.abs(dx) <= r)
    elif kind == 1:
        mask = dy ** 2 + dx ** 2 <= r ** 2
    elif kind == 2:                                       # apex up, base at the bottom
        mask = (dy <= r) & (dy >= -r) & (np.abs(dx) <= (dy + r) / 2)
    elif kind == 3:
        mask = ((np.abs(dy) <= t) & (np.abs(dx) <= r)) | ((np.abs(dx) <= t) & (np.abs(dy) <= r))
    else:
        mask = (np.abs(dy) <= t) & (np.abs(dx) <= r * 1.2)
    return mask.astype(np.float32) * rng.uniform(0.6, 1.0)


def make_shapes(n: int = 2000, size: int = 28, seed: int = 0, noise: float = 0.05,
                test_fraction: float = 0.2) -> Dataset:
    """Filled shapes (square, circle, triangle, cross, horizontal bar) at random places and sizes.

    Because the position varies, a classifier must recognise the shape wherever it is: the task
    shows why convolution plus pooling (translation equivariance, then invariance) pays off.
    """
    if size < 12:
        raise ValueError(f"shape images need at least 12x12 pixels, got {size}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(SHAPE_CLASSES)
    x = np.stack([_draw_shape(int(k), size, rng) for k in y]) if n else np.zeros((0, size, size))
    x = x + rng.normal(0.0, noise, x.shape)
    return from_arrays(np.clip(x, 0.0, 1.0).astype(np.float32), y, list(SHAPE_CLASSES),
                       test_fraction, seed, "shapes")


def load_digits(seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """The bundled UCI handwritten digits: 1797 images of 8x8 pixels, labels 0-9."""
    path = asset_path(DIGITS_CSV)
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
    return Dataset(name, _to_unit(xtr)[:, None], ytr, _to_unit(xte)[:, None], yte,
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
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
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


def _load_idx_folder(folder: Path, seed: int) -> Dataset:
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


def _labels_beside(images: Path) -> Path:
    name = images.name.replace("images", "labels").replace("idx3", "idx1")
    if name == images.name:
        raise ValueError(f"{images.name} is not a data set this app knows: give a Keras-style "
                         ".npz, a folder of MNIST IDX files, or an IDX images file "
                         "(...-images-idx3-ubyte) with its labels file beside it")
    labels = images.with_name(name)
    if not labels.is_file():
        raise ValueError(f"could not find the labels file for {images.name} (looked for {name})")
    return labels


def load_dataset(name_or_path, seed: int = 0) -> Dataset:
    """A built-in data set by name ("lines", "shapes", "digits") or a file/folder path.

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
    path = Path(key).expanduser()
    if not path.exists():
        raise ValueError(f"{key!r} is neither a built-in data set ({', '.join(BUILTIN)}) "
                         "nor an existing file or folder")
    if path.is_dir():
        return _load_idx_folder(path, seed)
    if path.suffix.lower() == ".npz":
        return load_mnist_npz(path, name=path.stem)
    return load_mnist_idx(path, _labels_beside(path), seed=seed, name=path.name.split(".")[0])
