"""The :class:`Dataset` container, the seeded train/test split and building one from arrays.

Images are float32 in [0, 1] shaped ``(N, 1, H, W)``; labels int64. Bad input raises ``ValueError``
with a sentence the user can act on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np


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


def to_unit(images: np.ndarray) -> np.ndarray:
    """Scale images into float32 [0, 1]: kept if already there, 0..255 divided by 255, any other
    range stretched from its minimum to its maximum."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    if images.dtype == np.bool_:
        return images.astype(np.float32)
    kind = images.dtype
    if not np.issubdtype(kind, np.number) or np.issubdtype(kind, np.complexfloating):
        raise ValueError(f"images must be numbers, got dtype {images.dtype}")
    x = images.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError("images contain NaN or infinite values")
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
    if lo >= 0.0 and hi <= 1.0:
        return x
    if lo >= 0.0 and hi <= 255.0:                        # 8-bit grey levels in a wider type
        return x / 255.0
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def from_arrays(images, labels, class_names: Sequence[str] | None = None,
                test_fraction: float = 0.2, seed: int = 0, name: str = "arrays") -> Dataset:
    """Build a :class:`Dataset` from in-memory arrays with a seeded stratified split.

    Parameters
    ----------
    images : array_like, shape (N, H, W), (N, 1, H, W) or (N, 3, H, W) (colour)
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
    x = to_unit(x)
    return Dataset(name, x[train], y_int[train], x[test], y_int[test], names)
