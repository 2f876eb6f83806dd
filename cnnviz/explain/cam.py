"""Grad-CAM (Selvaraju et al., 2017), at the last convolutional stage or at every one at once,
and its element-wise variant HiResCAM (Draelos and Carin, 2020).

Grad-CAM weights each feature map ``A_c`` of a layer by the mean over space of
``d score / d A_c`` and keeps the positive part of the weighted sum: where that layer found
evidence for the class. Early layers give sharp but unspecific maps, the last one coarse but
class-specific ones; showing every layer side by side makes the choice of layer visible.

Averaging the gradient over space assumes every position is weighed alike (a global-pooling
head). Behind Flatten and Dense each position has weights of its own, the averages can all be
negative and the map empty; HiResCAM multiplies gradient and map element by element instead,
``relu(sum_c dS/dA_c * A_c)``, which for a linear head is exactly each position's share of the
score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.explain._common import as_image, check_class, field_of, kept_gradients, stages

__all__ = ["CAM_VARIANTS", "CamLayer", "grad_cam_map", "grad_cam", "grad_cam_all",
           "to_input_grid"]

CAM_VARIANTS = ("grad-cam", "hirescam")


def _cam_from(grads: np.ndarray, maps: np.ndarray, variant: str = "grad-cam") -> np.ndarray:
    """grads, maps of shape (C, h, w) -> (h, w): relu(sum_c mean(grads_c) * maps_c) for
    Grad-CAM, relu(sum_c grads_c * maps_c) for HiResCAM."""
    if variant == "hirescam":
        return np.maximum((grads * maps).sum(axis=0), 0.0)
    if variant != "grad-cam":
        raise ValueError(f"unknown CAM variant {variant!r}; choose one of "
                         f"{', '.join(CAM_VARIANTS)}")
    weights = grads.mean(axis=(1, 2))
    return np.maximum(np.tensordot(weights, maps, axes=1), 0.0)


def to_input_grid(model, layer: int, cam: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resample a map of layer ``layer``'s output onto the input's (H, W) pixels.

    Each map pixel sits at the centre of its receptive field (the geometry of
    :mod:`cnnviz.nn.summary`), so a valid convolution's 6x6 map over an 8x8 input lands on input
    pixels 1..6, not stretched to 0..7; between centres the map is interpolated linearly.

    Parameters
    ----------
    cam : ndarray, shape (h, w)
    shape : (H, W)

    Returns
    -------
    ndarray, shape (H, W)
    """
    h, w = shape
    fr, fc = field_of(model, layer, 0), field_of(model, layer, 1)
    rows = fr.centre + fr.jump * np.arange(cam.shape[0])
    cols = fc.centre + fc.jump * np.arange(cam.shape[1])
    tmp = np.stack([np.interp(np.arange(h), rows, cam[:, j]) for j in range(cam.shape[1])], 1)
    return np.stack([np.interp(np.arange(w), cols, tmp[i]) for i in range(h)])


def _unit_scale(cam: np.ndarray) -> np.ndarray:
    top = float(cam.max())
    return (cam / top if top > 0 else np.zeros_like(cam)).astype(np.float32)


def grad_cam_map(model, x, class_index: int, layer: int | None = None,
                 variant: str = "grad-cam"):
    """The coarse, unnormalised Grad-CAM map and the index of the layer it was taken from.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    class_index : int
    layer : int or None
        Index of the layer whose output maps are weighed; None takes the last convolutional
        stage's output (after its ReLU when one follows: the maps later layers actually see).
    variant : str
        "grad-cam" or "hirescam" (see the module's docstring).

    Returns
    -------
    (ndarray, shape (h, w), int), or None when the model has no convolutional stage.
    """
    x = as_image(x)
    if layer is None:
        found = stages(model, x.shape[1:])
        if not found:
            return None
        layer = found[-1].output
    with kept_gradients(model):
        outs = model.forward_all(x)
        if outs[layer].ndim != 4:
            raise ValueError(f"layer {layer} ({model.layers[layer].name}) has no feature maps "
                             "for Grad-CAM")
        k = check_class(class_index, outs[-1].shape[1])
        d = np.zeros_like(outs[-1])
        d[0, k] = 1.0
        grads = model.backward_all(d, down_to=layer + 1)[layer + 1][0]      # (C, h, w)
    return _cam_from(grads, outs[layer][0], variant), layer


def grad_cam(model, x, class_index: int, layer: int | None = None,
             variant: str = "grad-cam") -> np.ndarray | None:
    """Grad-CAM on the input's pixels, scaled to [0, 1].

    The coarse map of :func:`grad_cam_map` is resampled with :func:`to_input_grid` and divided
    by its maximum (all zeros when no evidence for the class remains).

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W)
    class_index : int
    layer, variant
        As for :func:`grad_cam_map`.

    Returns
    -------
    ndarray, shape (H, W), float32 in [0, 1], or None when the model has no conv layer.
    """
    x = as_image(x)
    found = grad_cam_map(model, x, class_index, layer, variant)
    if found is None:
        return None
    cam, target = found
    return _unit_scale(to_input_grid(model, target, cam, x.shape[2:]))


@dataclass
class CamLayer:
    """Grad-CAM at one convolutional stage.

    Attributes
    ----------
    layer : int
        Index of the layer whose output was weighed.
    name : str
        The convolution's name.
    coarse : ndarray, shape (h, w)
        The unnormalised map at the layer's own resolution.
    upsampled : ndarray, shape (H, W), float32 in [0, 1]
        On the input's pixels, scaled so its maximum is 1.
    """

    layer: int
    name: str
    coarse: np.ndarray
    upsampled: np.ndarray


def grad_cam_all(model, x, class_index: int, variant: str = "grad-cam") -> list[CamLayer]:
    """Grad-CAM at every convolutional stage at once, from one forward and one backward pass.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W)
    class_index : int
    variant : str
        "grad-cam" or "hirescam".

    Returns
    -------
    list of CamLayer
        First stage first; empty for a model without convolutions.
    """
    x = as_image(x)
    found = stages(model, x.shape[1:])
    if not found:
        return []
    with kept_gradients(model):
        outs = model.forward_all(x)
        k = check_class(class_index, outs[-1].shape[1])
        d = np.zeros_like(outs[-1])
        d[0, k] = 1.0
        grads = model.backward_all(d, down_to=found[0].output + 1)
    result = []
    for stage in found:
        cam = _cam_from(grads[stage.output + 1][0], outs[stage.output][0], variant)
        up = _unit_scale(to_input_grid(model, stage.output, cam, x.shape[2:]))
        result.append(CamLayer(stage.output, stage.name, cam, up))
    return result
