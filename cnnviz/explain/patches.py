"""Top patches (as in the deep-visualization toolbox): for each filter, the pieces of real images
that excite it most, each cut at the unit's receptive field.

Where feature visualisation shows what a filter would like, the top patches show what it
actually responds to in the data: the two together tell a stroke detector from a texture
detector. One patch per image, so nine patches are nine different images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.explain._common import NO_TASK, as_batch, field_of, forward_to

__all__ = ["TopPatches", "top_patches", "crop_field"]

BATCH = 256


@dataclass
class TopPatches:
    """The most exciting receptive-field patches of every filter of one layer.

    Attributes
    ----------
    layer : int
        Index of the layer whose output maps were searched.
    patches : ndarray, shape (F, K, C, S, S)
        Filter f's k-th best patch (k = 0 the strongest). Pixels of the window that fall outside
        the image (in the padding) are NaN.
    images : ndarray of int, shape (F, K)
        Which image each patch comes from.
    positions : ndarray of int, shape (F, K, 2)
        (row, column) of the unit in the layer's output map.
    activations : ndarray, shape (F, K)
        The unit's activation there.
    field : int
        ``S``, the receptive field's side in input pixels (from :mod:`cnnviz.nn.summary`).
    """

    layer: int
    patches: np.ndarray
    images: np.ndarray
    positions: np.ndarray
    activations: np.ndarray
    field: int


def crop_field(model, layer: int, image: np.ndarray, row: int, col: int) -> np.ndarray:
    """The input window that unit (``row``, ``col``) of layer ``layer`` sees.

    Parameters
    ----------
    image : ndarray, shape (C, H, W)

    Returns
    -------
    ndarray, shape (C, S_rows, S_cols)
        NaN where the window leaves the image (padding).
    """
    fr, fc = field_of(model, layer, 0), field_of(model, layer, 1)
    c, h, w = image.shape
    out = np.full((c, fr.size, fc.size), np.nan, np.float32)
    top, left = fr.offset + row * fr.jump, fc.offset + col * fc.jump
    r0, r1 = max(top, 0), min(top + fr.size, h)
    c0, c1 = max(left, 0), min(left + fc.size, w)
    if r0 < r1 and c0 < c1:
        out[:, r0 - top:r1 - top, c0 - left:c1 - left] = image[:, r0:r1, c0:c1]
    return out


def top_patches(model, layer: int, images, count: int = 9, task=NO_TASK) -> TopPatches:
    """For each filter of layer ``layer``, the ``count`` images whose strongest response is the
    largest, and the receptive-field patch around that response.

    Parameters
    ----------
    layer : int
        A layer with output maps (N, F, h, w), e.g. a convolution's ReLU.
    images : ndarray, shape (N, C, H, W)
        Where to search, e.g. the test set.
    count : int
        Patches per filter (fewer when there are fewer images).
    task : object with ``check()`` and ``progress(fraction)``

    Returns
    -------
    TopPatches
    """
    images = as_batch(images)
    if len(images) == 0:
        raise ValueError("there are no images to search for patches")
    best, where = [], []
    for start in range(0, len(images), BATCH):
        task.check()
        out = forward_to(model, images[start:start + BATCH], layer)
        if out.ndim != 4:
            raise ValueError(f"layer {layer} ({model.layers[layer].name}) has no maps, so its "
                             "units have no patch")
        flat = out.reshape(out.shape[0], out.shape[1], -1)
        best.append(flat.max(axis=2))
        where.append(flat.argmax(axis=2))
        task.progress(min(start + BATCH, len(images)) / len(images))
    best, where = np.concatenate(best), np.concatenate(where)          # (N, F) each
    width = out.shape[3]
    k = min(int(count), len(images))
    order = np.argsort(-best, axis=0, kind="stable")[:k].T              # (F, k)
    f_index = np.arange(best.shape[1])[:, None]
    flat_pos = where[order, f_index]
    positions = np.stack([flat_pos // width, flat_pos % width], axis=-1)
    patches = np.stack([np.stack([crop_field(model, layer, images[n], *positions[f, j])
                                  for j, n in enumerate(row)]) for f, row in enumerate(order)])
    return TopPatches(layer, patches, order, positions, best[order, f_index],
                      field_of(model, layer, 0).size)
