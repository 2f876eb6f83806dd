"""Image batches rearranged for the experiments: subsets, canvases, shifts, permuted pixels.

Every function takes and returns float32 batches shaped (N, C, H, W) and never changes its input.
"""

from __future__ import annotations

import numpy as np

from cnnviz.data.dataset import Dataset, split_indices

__all__ = ["subset", "paste", "shift_batch", "pixel_permutation", "permute_pixels",
           "with_images", "accuracy"]


def _pick(y: np.ndarray, n: int | None, seed: int) -> np.ndarray:
    """Indices of a stratified subset of ``n`` of the labels ``y`` (all of them if n is None)."""
    if n is None or n >= len(y):
        return np.arange(len(y))
    keep, _ = split_indices(y, test_fraction=1.0 - n / len(y), seed=seed)
    return keep


def subset(dataset: Dataset, train: int | None, test: int | None, seed: int) -> Dataset:
    """``dataset`` cut down to about ``train`` training and ``test`` test images, stratified.

    None keeps a part whole.
    """
    tr = _pick(dataset.y_train, train, seed)
    te = _pick(dataset.y_test, test, seed + 1)
    return Dataset(dataset.name, dataset.x_train[tr], dataset.y_train[tr], dataset.x_test[te],
                   dataset.y_test[te], dataset.class_names)


def paste(images: np.ndarray, width: int, offsets) -> np.ndarray:
    """Paste each image into a blank (zero) canvas ``width`` pixels wide at a column offset.

    Parameters
    ----------
    images : ndarray, shape (N, C, H, W)
    width : int
        Canvas width, at least ``W + max(offsets)``.
    offsets : array_like of int, shape (N,)
        Column of each image's left edge.

    Returns
    -------
    ndarray, shape (N, C, H, width), float32
    """
    images = np.asarray(images, dtype=np.float32)
    n, c, h, w = images.shape
    offsets = np.asarray(offsets, dtype=np.intp)
    if offsets.shape != (n,) or (n and (offsets.min() < 0 or offsets.max() + w > width)):
        raise ValueError(f"offsets must be {n} columns between 0 and {width - w}")
    canvas = np.zeros((n, c, h, width), np.float32)
    for offset in np.unique(offsets):
        rows = offsets == offset
        canvas[rows, :, :, offset:offset + w] = images[rows]
    return canvas


def shift_batch(images: np.ndarray, dx: int, dy: int = 0) -> np.ndarray:
    """Move every image ``dx`` pixels right and ``dy`` down; what leaves the frame is lost and
    the pixels left behind are 0 (the background of the digits).

    Parameters
    ----------
    images : ndarray, shape (N, C, H, W)
    dx, dy : int
        Negative values move left / up.

    Returns
    -------
    ndarray, shape (N, C, H, W), float32
    """
    images = np.asarray(images, dtype=np.float32)
    h, w = images.shape[2:]
    out = np.zeros_like(images)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    out[:, :, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        images[:, :, max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def pixel_permutation(shape, seed: int) -> np.ndarray:
    """One fixed random order of the ``H * W`` pixel positions of an image of ``shape`` (H, W)."""
    h, w = shape
    return np.random.default_rng(seed).permutation(h * w)


def permute_pixels(images: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Scramble every image the same way: output pixel ``i`` is input pixel ``order[i]``.

    Parameters
    ----------
    images : ndarray, shape (N, C, H, W)
    order : ndarray of int, shape (H * W,), a permutation

    Returns
    -------
    ndarray, shape (N, C, H, W), float32
    """
    images = np.asarray(images, dtype=np.float32)
    n, c, h, w = images.shape
    if sorted(np.asarray(order).tolist()) != list(range(h * w)):
        raise ValueError(f"order must be a permutation of the {h * w} pixel positions")
    return np.ascontiguousarray(images.reshape(n, c, h * w)[:, :, order].reshape(n, c, h, w))


def with_images(dataset: Dataset, x_train: np.ndarray, name: str,
                x_test: np.ndarray | None = None, y_test: np.ndarray | None = None) -> Dataset:
    """A data set with the labels of ``dataset`` and new images (and optionally new test data)."""
    return Dataset(name, x_train, dataset.y_train,
                   dataset.x_test if x_test is None else x_test,
                   dataset.y_test if y_test is None else y_test, dataset.class_names)


def accuracy(model, x: np.ndarray, y: np.ndarray, batch_size: int = 256) -> float:
    """Share of ``x`` (N, C, H, W) that ``model`` labels as ``y`` (N,); nan for no images."""
    if len(y) == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        return float(np.mean(model.predict(x, batch_size) == y))
