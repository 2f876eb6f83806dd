"""Looking inside a trained network: activation maps, saliency and Grad-CAM for one input.

These functions run forward and backward passes on the model they are given but leave its
parameter gradients as they found them, so the GUI may call them on a model between training steps.
"""

from __future__ import annotations

import numpy as np

from cnnviz.nn.layers import Conv2D, ReLU
from cnnviz.nn.summary import receptive_fields


def _check_input(model, x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        x = x[None, None]
    elif x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(f"explain one image at a time: expected shape (1, C, H, W), got {x.shape}")
    return x


def _check_class(outs: list[np.ndarray], class_index: int) -> int:
    k = outs[-1].shape[1]
    if not 0 <= int(class_index) < k:
        raise ValueError(f"class index {class_index} is out of range; the model has {k} classes")
    return int(class_index)


def _backward_to(model, dy: np.ndarray, stop: int = 0) -> np.ndarray:
    """Back-propagate ``dy`` from the output down through layers ``len-1 .. stop``.

    Returns d score / d (input of layer ``stop``). Parameter gradients are restored afterwards.
    """
    saved = [p.grad.copy() for p in model.parameters()]
    try:
        return model.backward_all(dy, down_to=stop)[stop]
    finally:
        for p, g in zip(model.parameters(), saved, strict=True):
            p.grad[...] = g


def activation_maps(model, x) -> list[tuple[str, np.ndarray]]:
    """Every layer's output for one input.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W) (or (C, H, W), or (H, W) for one grey image)

    Returns
    -------
    list of (layer name, ndarray)
        Arrays of shape (C_l, H_l, W_l) for conv/pool/ReLU-on-maps layers, (F,) after Flatten.
    """
    x = _check_input(model, x)
    outs = model.forward_all(x)
    return [(layer.name, out[0].copy()) for layer, out in zip(model.layers, outs, strict=True)]


def saliency(model, x, class_index: int) -> np.ndarray:
    """How strongly each input pixel moves the class score: ``|d score / d x|``.

    The score is the class's logit (before softmax), as in Simonyan et al. (2014), so the map is
    not diluted by the other classes' probabilities.

    Returns
    -------
    ndarray, shape (H, W)
        Absolute gradient, maximum over input channels.
    """
    x = _check_input(model, x)
    outs = model.forward_all(x)
    k = _check_class(outs, class_index)
    d = np.zeros_like(outs[-1])
    d[0, k] = 1.0
    dx = _backward_to(model, d)
    return np.abs(dx[0]).max(axis=0)


def _centres(model, upto: int, axis: int, n_out: int) -> np.ndarray:
    """Input-pixel coordinate of the centre of each output pixel of layer ``upto`` along ``axis``.

    Follows every conv/pool layer's window, stride, padding and dilation (the receptive-field
    arithmetic of :mod:`cnnviz.nn.summary`), so a valid (unpadded) convolution's 6x6 map over an
    8x8 input lands on input pixels 1..6, not stretched to 0..7.
    """
    windows = [layer.window() for layer in model.layers[:upto + 1]]
    field = receptive_fields([None if w is None else w.along(axis) for w in windows])[-1]
    return field.centre + field.jump * np.arange(n_out)


def _to_input_grid(cam: np.ndarray, rows: np.ndarray, cols: np.ndarray, h: int,
                   w: int) -> np.ndarray:
    """Linear interpolation of ``cam`` (sampled at ``rows`` x ``cols``) onto the (h, w) pixels."""
    tmp = np.stack([np.interp(np.arange(h), rows, cam[:, j]) for j in range(cam.shape[1])], 1)
    return np.stack([np.interp(np.arange(w), cols, tmp[i]) for i in range(h)])


def grad_cam_map(model, x, class_index: int) -> tuple[np.ndarray, int] | None:
    """The coarse, unnormalised Grad-CAM map and the index of the layer it was taken from.

    Returns
    -------
    (ndarray, shape (h, w), int), or None when the model has no conv layer.
    """
    x = _check_input(model, x)
    layers = model.layers
    convs = [i for i, layer in enumerate(layers) if isinstance(layer, Conv2D)]
    if not convs:
        return None
    target = convs[-1]
    if target + 1 < len(layers) and isinstance(layers[target + 1], ReLU):
        target += 1
    outs = model.forward_all(x)
    k = _check_class(outs, class_index)
    d = np.zeros_like(outs[-1])
    d[0, k] = 1.0
    grads = _backward_to(model, d, stop=target + 1)[0]            # (F, h, w)
    weights = grads.mean(axis=(1, 2))
    return np.maximum(np.tensordot(weights, outs[target][0], axes=1), 0.0), target


def grad_cam(model, x, class_index: int) -> np.ndarray | None:
    """Grad-CAM (Selvaraju et al., 2017) on the last convolutional layer.

    The feature maps ``A`` are that layer's output, taken after its ReLU when one follows (the
    maps later layers actually see). Each map is weighted by the mean over space of
    ``d score / d A``; the weighted sum is rectified, interpolated onto the input pixels (each map
    pixel placed at the centre of its receptive field) and scaled to [0, 1] (all zeros when no
    evidence for the class remains).

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W)
    class_index : int

    Returns
    -------
    ndarray, shape (H, W), float32 in [0, 1], or None when the model has no conv layer.
    """
    x = _check_input(model, x)
    found = grad_cam_map(model, x, class_index)
    if found is None:
        return None
    cam, target = found
    rows = _centres(model, target, 0, cam.shape[0])
    cols = _centres(model, target, 1, cam.shape[1])
    cam = _to_input_grid(cam, rows, cols, x.shape[2], x.shape[3])
    top = float(cam.max())
    return (cam / top if top > 0 else np.zeros_like(cam)).astype(np.float32)
