"""Activation maps and saliency: what each layer makes of one input, and which pixels move a score.
"""

from __future__ import annotations

import numpy as np

from cnnviz.explain._common import as_image, class_gradients

__all__ = ["activation_maps", "saliency", "saliency_batch"]


def activation_maps(model, x) -> list[tuple[str, np.ndarray]]:
    """Every layer's output for one input.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W) (or (C, H, W), or (H, W) for one grey image)

    Returns
    -------
    list of (layer name, ndarray)
        Arrays of shape (C_l, H_l, W_l) for layers with maps, (F,) for flat layers.
    """
    x = as_image(x)
    outs = model.forward_all(x)
    return [(layer.name, out[0].copy()) for layer, out in zip(model.layers, outs, strict=True)]


def saliency(model, x, class_index: int) -> np.ndarray:
    """How strongly each input pixel moves the class score: ``|d score / d x|``.

    The score is the class's logit (before softmax), as in Simonyan et al. (2014), so the map is
    not diluted by the other classes' probabilities.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    class_index : int

    Returns
    -------
    ndarray, shape (H, W)
        Absolute gradient, maximum over input channels.
    """
    return saliency_batch(model, as_image(x), class_index)[0]


def saliency_batch(model, x: np.ndarray, class_index: int) -> np.ndarray:
    """:func:`saliency` of several images at once.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    ndarray, shape (N, H, W)
    """
    _, grads = class_gradients(model, np.asarray(x, np.float32), class_index)
    return np.abs(grads).max(axis=1)
