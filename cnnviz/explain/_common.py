"""What every explanation method shares: input checks, gradients that leave the model as it was,
the layers worth explaining, receptive-field geometry, a blur, and the "task" protocol.

Everything here works on any :class:`cnnviz.nn.Sequential` through its layers' ``forward`` and
``backward`` alone, so a model with layers this package has never heard of (global pooling, an
imported network) is explained the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from cnnviz.nn.summary import Field, receptive_fields

__all__ = ["NO_TASK", "Stage", "as_image", "as_batch", "check_class", "kept_gradients",
           "backward_from", "class_gradients", "stages", "field_of", "gaussian_blur", "clone",
           "forward_to"]


class _NoTask:
    """The task protocol with nothing behind it: never cancelled, progress goes nowhere.

    Long functions take ``task=`` anything with ``check()`` (raises to stop) and
    ``progress(fraction)``, e.g. :class:`ui.widgets.tasks.TaskControl`; the engine never needs Qt.
    """

    def check(self) -> None:
        return None

    def progress(self, value) -> None:
        return None


NO_TASK = _NoTask()


def as_image(x) -> np.ndarray:
    """One image as an array of shape (1, C, H, W), float32.

    Parameters
    ----------
    x : ndarray, shape (1, C, H, W), (C, H, W) or (H, W) (one grey image)

    Raises
    ------
    ValueError
        For a batch of several images or an array of another rank.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        x = x[None, None]
    elif x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(f"explain one image at a time: expected shape (1, C, H, W), got {x.shape}")
    return x


def as_batch(images) -> np.ndarray:
    """Images as an array of shape (N, C, H, W), float32 (ValueError for another rank)."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 4:
        raise ValueError(f"expected images of shape (N, C, H, W), got {x.shape}")
    return x


def check_class(class_index, n_classes: int) -> int:
    """``class_index`` as an int, if the model has that many classes; else say what is wrong."""
    if not 0 <= int(class_index) < n_classes:
        raise ValueError(f"class index {class_index} is out of range; the model has {n_classes} "
                         "classes")
    return int(class_index)


@contextmanager
def kept_gradients(model) -> Iterator[None]:
    """Run explanation passes without changing the parameters' accumulated gradients.

    Backward passes add into every ``Parameter.grad``; the GUI may explain a model between
    training steps, so whatever was there is put back afterwards.
    """
    saved = [p.grad.copy() for p in model.parameters()]
    try:
        yield
    finally:
        for p, g in zip(model.parameters(), saved, strict=True):
            p.grad[...] = g


def backward_from(model, index: int, dy: np.ndarray, down_to: int = 0,
                  leak: float = 0.0) -> np.ndarray:
    """Back-propagate ``dy``, the gradient at the OUTPUT of layer ``index``, down to layer
    ``down_to``'s input. Call after a forward pass through at least layer ``index``.

    Parameters
    ----------
    dy : ndarray, shape of layer ``index``'s last output
    leak : float
        When layer ``index`` has no parameters and keeps its input's shape (an elementwise
        activation), ``leak * dy`` is added to the gradient it passes down, like a leaky ReLU:
        gradient ascent on a unit that is off for every pixel can still find its way.

    Returns
    -------
    ndarray, shape of layer ``down_to``'s input
        Parameter gradients are added as usual: wrap the call in :func:`kept_gradients`.
    """
    layers = model.layers
    for i in range(index, down_to - 1, -1):
        dx = layers[i].backward(dy, True)
        if i == index and leak and not layers[i].parameters() and dx.shape == dy.shape:
            dx = dx + leak * dy
        dy = dx
    return dy


def forward_to(model, x: np.ndarray, index: int) -> np.ndarray:
    """The output of layer ``index`` for ``x`` (layers after it are not run)."""
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in model.layers[:index + 1]:
            x = layer.forward(x)
    return x


def class_gradients(model, x: np.ndarray, class_index: int) -> tuple[np.ndarray, np.ndarray]:
    """Each image's class score (logit) and its gradient with respect to that image.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    class_index : int

    Returns
    -------
    scores : ndarray, shape (N,)
    grads : ndarray, shape (N, C, H, W)
        ``d score_n / d x_n``: one backward pass gives all of them, since a sample's score depends
        on that sample only.
    """
    with kept_gradients(model):
        out = model.forward(x)
        k = check_class(class_index, out.shape[1])
        d = np.zeros_like(out)
        d[:, k] = 1.0
        grads = model.backward(d)
    return out[:, k].copy(), grads


class Stage(NamedTuple):
    """A trainable layer with spatial maps and the output it hands on.

    Attributes
    ----------
    layer : int
        Index of the layer with parameters (a convolution).
    output : int
        Index of the layer whose output is explained: ``layer`` itself, or the parameter-free,
        shape-keeping layer right after it (its ReLU), whose maps the next layer actually sees.
    name : str
        The trainable layer's name, e.g. "Conv2D 8@3x3".
    """

    layer: int
    output: int
    name: str


def stages(model, input_shape) -> list[Stage]:
    """Every layer with parameters whose output is a stack of maps (N, C, h, w), in order.

    Decided by running the layers on one blank image of ``input_shape`` (C, H, W), not by layer
    type, so any spatial trainable layer counts.
    """
    outs = model.forward_all(np.zeros((1, *input_shape), np.float32))
    found = []
    for i, layer in enumerate(model.layers):
        if not layer.parameters() or outs[i].ndim != 4:
            continue
        j = i
        nxt = model.layers[i + 1] if i + 1 < len(model.layers) else None
        if nxt is not None and not nxt.parameters() and nxt.window() is None and \
                outs[i + 1].shape == outs[i].shape:
            j = i + 1
        found.append(Stage(i, j, model.layers[i].name))
    return found


def field_of(model, index: int, axis: int) -> Field:
    """Receptive field of an output pixel of layer ``index`` on the input, along ``axis``.

    The one geometry of :func:`cnnviz.nn.summary.receptive_fields`, fed every layer's window.
    """
    windows = [layer.window() for layer in model.layers[:index + 1]]
    return receptive_fields([None if w is None else w.along(axis) for w in windows])[-1]


def _kernel_1d(sigma: float) -> np.ndarray:
    radius = max(1, int(np.ceil(3 * sigma)))
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-0.5 * (t / sigma) ** 2)
    return k / k.sum()


def gaussian_blur(images: np.ndarray, sigma: float) -> np.ndarray:
    """Blur each map with a Gaussian of ``sigma`` pixels (edges replicated).

    Parameters
    ----------
    images : ndarray, shape (..., H, W)

    Returns
    -------
    ndarray, same shape and dtype
    """
    a = np.asarray(images)
    if sigma <= 0:
        return a.copy()
    k = _kernel_1d(float(sigma))
    r = len(k) // 2
    out = a.astype(np.float64)
    for axis in (-2, -1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (r, r)
        padded = np.pad(out, pad, mode="edge")
        n = out.shape[axis]
        out = sum(w * np.take(padded, np.arange(i, i + n), axis=axis) for i, w in enumerate(k))
    return out.astype(a.dtype)


def clone(model):
    """An independent copy of ``model`` (weights, caches, metadata) for work in another thread.

    The GUI keeps using its own model while a worker runs forward and backward passes on the
    copy; layers keep per-call caches, so two threads must never share one model.
    """
    return copy.deepcopy(model)
