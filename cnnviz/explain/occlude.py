"""Occlusion sensitivity (Zeiler and Fergus, 2014): hide one patch at a time, watch the score drop.

No gradients are involved, only forward passes, so occlusion works for any model and is easy to
believe: a big drop means the network needed those pixels. Its blind spot is redundancy: when
two parts of the image each suffice, hiding either one changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.explain._common import NO_TASK, as_image, check_class
from cnnviz.nn.losses import softmax

__all__ = ["OcclusionResult", "occlusion", "window_starts", "class_score"]

BATCH = 128  # occluded copies per forward pass: big enough to vectorise, small in memory


def window_starts(size: int, patch: int, stride: int) -> np.ndarray:
    """Top-left coordinates of the patch along one side: 0, stride, 2 stride, ... and, when the
    stride does not land there, ``size - patch`` as well, so the last pixels are covered too.

    Raises
    ------
    ValueError
        When the patch is larger than the side or the numbers are not positive.
    """
    if patch < 1 or stride < 1:
        raise ValueError(f"patch size and stride must be at least 1, got {patch} and {stride}")
    if patch > size:
        raise ValueError(f"a {patch}-pixel patch does not fit in an image {size} pixels wide")
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return np.array(starts)


def class_score(model, x: np.ndarray, class_index: int, score: str) -> np.ndarray:
    """The class's ``"probability"`` (softmax) or ``"logit"`` for each image, shape (N,)."""
    out = model.forward(x)
    if score == "probability":
        return softmax(out.astype(np.float64))[:, class_index]
    if score == "logit":
        return out[:, class_index].astype(np.float64)
    raise ValueError(f"score must be 'probability' or 'logit', not {score!r}")


@dataclass
class OcclusionResult:
    """What hiding each patch did to the class score.

    Attributes
    ----------
    drops : ndarray, shape (R, S)
        ``score(x) - score(x with the patch at rows[r], cols[s] filled)``; positive where the
        patch mattered for the class.
    rows, cols : ndarray of int, shapes (R,), (S,)
        The patch's top-left coordinates.
    heatmap : ndarray, shape (H, W)
        Per pixel, the mean drop of every patch position that covers it.
    base_score : float
        The score of the untouched image.
    patch, stride : int
    fill : float
    score : str
        "probability" or "logit".
    """

    drops: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    heatmap: np.ndarray
    base_score: float
    patch: int
    stride: int
    fill: float
    score: str


def _heatmap(drops, rows, cols, patch: int, shape) -> np.ndarray:
    total = np.zeros(shape)
    count = np.zeros(shape)
    for r, top in enumerate(rows):
        for s, left in enumerate(cols):
            total[top:top + patch, left:left + patch] += drops[r, s]
            count[top:top + patch, left:left + patch] += 1
    return total / np.maximum(count, 1)


def occlusion(model, x, class_index: int, patch: int = 4, stride: int = 2, fill: float = 0.5,
              score: str = "probability", task=NO_TASK) -> OcclusionResult:
    """Slide a ``patch`` x ``patch`` square of value ``fill`` over the image (every channel) and
    record how much the class score drops at each position.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    class_index : int
    patch, stride : int
        Patch side and step, in pixels; see :func:`window_starts` for the positions.
    fill : float
        The grey the patch is painted with (0.5 is mid-grey for images in [0, 1]).
    score : str
        "probability" (softmax, default: reads as "confidence fell from 97 % to 12 %") or
        "logit".
    task : object with ``check()`` and ``progress(fraction)``

    Returns
    -------
    OcclusionResult
    """
    x = as_image(x)
    _, _, h, w = x.shape
    rows, cols = window_starts(h, patch, stride), window_starts(w, patch, stride)
    k = check_class(class_index, model.forward(x).shape[1])
    base = float(class_score(model, x, k, score)[0])
    corners = [(r, c) for r in rows for c in cols]
    scores = np.empty(len(corners))
    for start in range(0, len(corners), BATCH):
        task.check()
        chunk = corners[start:start + BATCH]
        batch = np.repeat(x, len(chunk), axis=0)
        for n, (r, c) in enumerate(chunk):
            batch[n, :, r:r + patch, c:c + patch] = fill
        scores[start:start + len(chunk)] = class_score(model, batch, k, score)
        task.progress((start + len(chunk)) / len(corners))
    drops = (base - scores).reshape(len(rows), len(cols))
    return OcclusionResult(drops, rows, cols, _heatmap(drops, rows, cols, patch, (h, w)), base,
                           int(patch), int(stride), float(fill), score)
