"""The :class:`Dataset` container, the seeded train/test split and building one from arrays.

Images are float32 in [0, 1] shaped ``(N, 1, H, W)``; labels int64. Bad input raises ``ValueError``
with a sentence the user can act on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz import limits
from cnnviz.limits import check_cancel


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
        if len(self.class_names) > limits.MAX_CLASSES:
            raise ValueError(f"{len(self.class_names):,} classes are more than the "
                             f"{limits.MAX_CLASSES:,} a data set may have")
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

    def warning(self) -> str | None:
        """A sentence when the data cannot give a meaningful accuracy (one class), else None."""
        present = np.unique(self.y_train)
        if present.size >= 2:
            return None
        name = self.class_names[int(present[0])] if present.size else "?"
        return (f"Only one class ({name!r}) in the training data: a network that always answers "
                f"{name!r} scores 100%, so accuracy means nothing here. Use data with at least "
                "two classes.")

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


def _unit_mapping(images: np.ndarray, cancel: threading.Event | None) -> tuple[float, float]:
    """``(low, width)`` such that ``(images - low) / width`` lies in [0, 1] (see :func:`to_unit`).

    A width of 0 means a constant image set (mapped to zeros).
    """
    kind = images.dtype
    if kind == np.uint8:
        return 0.0, 255.0
    if kind == np.bool_:
        return 0.0, 1.0
    if not np.issubdtype(kind, np.number) or np.issubdtype(kind, np.complexfloating):
        raise ValueError(f"images must be numbers, got dtype {images.dtype}")
    if images.size == 0:
        return 0.0, 1.0
    flat = images.reshape(len(images), -1)
    step = _chunk_rows(flat)
    lo, hi = np.inf, -np.inf
    for start in range(0, len(flat), step):
        check_cancel(cancel)
        part = flat[start:start + step].astype(np.float32)
        if not np.all(np.isfinite(part)):
            raise ValueError("images contain NaN or infinite values")
        lo, hi = min(lo, float(part.min())), max(hi, float(part.max()))
    if lo >= 0.0 and hi <= 1.0:
        return 0.0, 1.0
    if lo >= 0.0 and hi <= 255.0:                        # 8-bit grey levels in a wider type
        return 0.0, 255.0
    return lo, hi - lo


def _chunk_rows(images: np.ndarray) -> int:
    """Images per piece of work: about READ_CHUNK_BYTES of float32, at least one image."""
    per_image = 4 * max(1, int(np.prod(images.shape[1:])))
    return max(1, limits.READ_CHUNK_BYTES // per_image)


def unit_rows(images: np.ndarray, rows: np.ndarray | None = None,
              cancel: threading.Event | None = None) -> np.ndarray:
    """``images[rows]`` (all of them by default) as float32 in [0, 1], mapped as :func:`to_unit`
    does, in pieces that poll ``cancel``.

    One pass gathers, converts and scales each piece, so splitting 300,000 MNIST-sized images
    needs no full-size temporary array and stops within milliseconds once ``cancel`` is set.

    Parameters
    ----------
    images : ndarray, shape (N, ...)
    rows : ndarray of int, shape (M,), optional

    Returns
    -------
    ndarray, shape (M, ...), float32
    """
    images = np.asarray(images)
    low, width = _unit_mapping(images, cancel)
    count = len(images) if rows is None else len(rows)
    out = np.empty((count, *images.shape[1:]), np.float32)
    step = _chunk_rows(images)
    for start in range(0, count, step):
        check_cancel(cancel)
        stop = min(start + step, count)
        part = out[start:stop]
        part[...] = images[start:stop] if rows is None else images[rows[start:stop]]
        if width == 0.0:
            part[...] = 0.0
            continue
        if low:
            part -= np.float32(low)
        if width != 1.0:
            part /= np.float32(width)
    return out


def to_unit(images: np.ndarray, cancel: threading.Event | None = None) -> np.ndarray:
    """Scale images into float32 [0, 1]: kept if already there, 0..255 divided by 255, any other
    range stretched from its minimum to its maximum (a constant set becomes zeros).

    Raises
    ------
    ValueError
        For non-numeric or complex pixels, or NaN / infinite values.
    """
    return unit_rows(images, None, cancel)


def from_arrays(images, labels, class_names: Sequence[str] | None = None,
                test_fraction: float = 0.2, seed: int = 0, name: str = "arrays",
                cancel: threading.Event | None = None) -> Dataset:
    """Build a :class:`Dataset` from in-memory arrays with a seeded stratified split.

    Parameters
    ----------
    images : array_like, shape (N, H, W), (N, 1, H, W) or (N, 3, H, W) (colour)
        Any numeric type; uint8 is divided by 255, other ranges are rescaled into [0, 1].
    labels : array_like, shape (N,)
        Integers 0..K-1, or any hashable values (strings) which become the class names.
    class_names : sequence of str, optional
        Names for integer labels; defaults to "0", "1", ...
    cancel : threading.Event, optional
        Polled while converting; once set, :class:`cnnviz.limits.Cancelled` is raised.
    """
    x = np.asarray(images)
    y = np.asarray(labels)
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or x.shape[1] not in (1, 3):
        raise ValueError(f"images must be shaped (N, H, W), (N, 1, H, W) or (N, 3, H, W) for "
                         f"colour, got {x.shape}")
    if y.ndim != 1 or y.size != x.shape[0]:
        raise ValueError(f"there are {x.shape[0]} images but {y.size} labels")
    if x.shape[0] < 2:
        raise ValueError("need at least two images to make a training and a test set")
    if np.issubdtype(y.dtype, np.integer):
        if y.min() < 0:
            raise ValueError("labels must be non-negative class numbers")
        if class_names is None:
            (y_int,), names = class_labels(y)
        else:
            names, k = list(class_names), int(y.max()) + 1
            if len(names) < k:
                raise ValueError(f"labels go up to {k - 1} but only {len(names)} class names "
                                 "were given")
            y_int = y.astype(np.int64)
    else:
        uniq, y_int = np.unique(y, return_inverse=True)
        _check_class_count(uniq.size)
        names = [str(u) for u in uniq]
    train, test = split_indices(y_int, test_fraction, seed)
    # Gathered straight from the source type (one pass per part, no full float32 copy first).
    return Dataset(name, unit_rows(x, train, cancel), y_int[train], unit_rows(x, test, cancel),
                   y_int[test], names)


def _check_class_count(k: int) -> None:
    if k > limits.MAX_CLASSES:
        raise ValueError(f"the labels name {k:,} different classes; a data set may have at most "
                         f"{limits.MAX_CLASSES:,}")


def class_labels(*parts: np.ndarray) -> tuple[list[np.ndarray], list[str]]:
    """Non-negative integer labels of one data set's parts as class indices 0..K-1, and names.

    Labels below :data:`cnnviz.limits.MAX_CLASSES` keep their numbers (class ``i`` is named
    ``"i"``, as in MNIST). Larger, sparse labels (``7`` and ``2_000_000_000``) are mapped to
    dense indices in sorted order and keep their numbers as names, so a stray huge label never
    builds billions of names.

    Parameters
    ----------
    *parts : ndarray, shape (N_i,), integer dtype, values >= 0

    Returns
    -------
    labels : list of ndarray, shape (N_i,), int64
    names : list of str, one per class

    Raises
    ------
    ValueError
        If the labels name more than ``MAX_CLASSES`` different classes.
    """
    filled = [p for p in parts if p.size]
    top = max((int(p.max()) for p in filled), default=0)
    if top < limits.MAX_CLASSES:
        return [p.astype(np.int64) for p in parts], [str(i) for i in range(top + 1)]
    # Non-negative, so uint64 holds every part exactly (mixing int64 and uint64 would give
    # float64 and lose the low digits of big labels).
    values = np.unique(np.concatenate([p.astype(np.uint64) for p in filled]))
    _check_class_count(values.size)
    return ([np.searchsorted(values, p.astype(np.uint64)).astype(np.int64) for p in parts],
            [str(v) for v in values.tolist()])
