"""Network layers with a forward pass and the matching backward pass side by side.

Each layer describes itself with :meth:`Layer.config`, a JSON-able dict in the same vocabulary
as the architecture specs of :mod:`cnnviz.nn.architecture` (``{"type": "conv", ...}``); a spec is
a config without the sizes that the layer before determines (``in_channels``, ``in_features``).

Each layer keeps what its backward pass needs from the last forward call, so call ``forward`` then
``backward`` (the :class:`cnnviz.nn.model.Sequential` does). Backward passes ADD into each
``Parameter.grad`` (like PyTorch), so gradients of several batches accumulate until ``zero_grad``.

Layers compute in their parameters' dtype (float32 by default; ``astype(np.float64)`` for gradient
checks); inputs of another dtype are converted.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.nn import _conv as _conv_impl
from cnnviz.nn import _global_pool as global_pooling
from cnnviz.nn import _jit, _pool_fast
from cnnviz.nn import _pool as pooling
from cnnviz.nn._geometry import conv_geometry, pair, pool_geometry
from cnnviz.nn.base import Layer, Parameter, Window

__all__ = ["Parameter", "Layer", "Window", "Conv2D", "ReLU", "MaxPool2D", "AvgPool2D",
           "GlobalAvgPool2D", "GlobalMaxPool2D", "Flatten", "Dense", "LAYER_CLASSES",
           "INPUT_KEYS", "layer_from_config"]


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def _json_pair(p: tuple[int, int]):
    return p[0] if p[0] == p[1] else [p[0], p[1]]


def _size_text(p: tuple[int, int]) -> str:
    return f"{p[0]}x{p[1]}"


class Conv2D(Layer):
    """2-D convolution (cross-correlation, zero padding), like ``torch.nn.Conv2d``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, padding, dilation : int or (int, int)

    Attributes
    ----------
    weight : Parameter, shape (out_channels, in_channels, kh, kw)
    bias : Parameter, shape (out_channels,)

    Notes
    -----
    forward: (N, in_channels, H, W) -> (N, out_channels, Ho, Wo) with
    ``Ho = floor((H + 2p - d(k - 1) - 1) / s) + 1``.
    """

    kind = "conv"

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1):
        self.in_channels = _count(in_channels, "in_channels")
        self.out_channels = _count(out_channels, "out_channels")
        self.kernel_size = pair(kernel_size, "kernel_size", 1)
        self.stride = pair(stride, "stride", 1)
        self.padding = pair(padding, "padding", 0)
        self.dilation = pair(dilation, "dilation", 1)
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        self.weight = Parameter(np.zeros(shape, np.float32), "weight")
        self.bias = Parameter(np.zeros(self.out_channels, np.float32), "bias")
        self.reset_parameters(np.random.default_rng(0))
        self._in_shape = None

    def reset_parameters(self, rng: np.random.Generator) -> None:
        """He/Kaiming-uniform weights (suits ReLU), zero bias."""
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        bound = math.sqrt(6.0 / fan_in)
        self.weight.data[...] = rng.uniform(-bound, bound, self.weight.shape)
        self.bias.data[...] = 0

    def parameters(self) -> list[Parameter]:
        return [self.weight, self.bias]

    def window(self) -> Window:
        return Window(self.kernel_size, self.stride, self.padding, self.dilation)

    def _prepare(self, x: np.ndarray) -> None:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"{self.name} expects input of shape (N, {self.in_channels}, H, W), "
                             f"got {x.shape}")
        self._geometry = conv_geometry(x.shape[2:], self.kernel_size, self.stride, self.padding,
                                       self.dilation)
        self._in_shape = x.shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        """(N, C, H, W) -> (N, F, Ho, Wo)."""
        w = self.weight.data
        if not isinstance(x, np.ndarray) or x.dtype != w.dtype:
            x = np.asarray(x, dtype=w.dtype)
        if x.shape != self._in_shape:
            self._prepare(x)
        y, self._cache = _conv_impl.layer_forward(x, w, self.bias.data, self._geometry)
        self._out_shape = y.shape
        return y

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        """(N, F, Ho, Wo) -> (N, C, H, W); adds into ``weight.grad`` and ``bias.grad``."""
        dy = self._check_dy(dy)
        dx, dw, db = _conv_impl.layer_backward(dy, self._cache, self.weight.data, self._geometry,
                                               need_dx)
        self.weight.grad += dw
        self.bias.grad += db
        return dx

    def config(self) -> dict:
        return {"type": self.kind, "in_channels": self.in_channels,
                "out_channels": self.out_channels, "kernel_size": _json_pair(self.kernel_size),
                "stride": _json_pair(self.stride), "padding": _json_pair(self.padding),
                "dilation": _json_pair(self.dilation)}

    @property
    def name(self) -> str:
        text = f"Conv2D {self.out_channels}@{_size_text(self.kernel_size)}"
        for label, value, default in (("stride", self.stride, 1), ("pad", self.padding, 0),
                                      ("dilation", self.dilation, 1)):
            if value != (default, default):
                text += f" {label} {_json_pair(value)}"
        return text


class ReLU(Layer):
    """max(x, 0) elementwise; its gradient passes where the input was positive (0 at 0)."""

    kind = "relu"

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Any shape -> same shape."""
        x = np.asarray(x)
        if (k := _jit.kernels_for(x)) is not None:
            self._y = _pool_fast.relu(k, x)
        else:
            self._y = np.maximum(x, 0)  # (x * mask would turn negatives into -0.0)
        self._out_shape = self._y.shape
        return self._y

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        dy = self._check_dy(dy)
        if dy.dtype == self._y.dtype and (k := _jit.kernels_for(dy)) is not None:
            return _pool_fast.relu_grad(k, dy, self._y)
        return dy * (self._y > 0)


class _Pool(Layer):
    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size = pair(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", 1)
        self.padding = pair(padding, "padding", 0)
        # the half-window padding rule does not depend on the input: check it now
        pool_geometry(tuple(k + 2 * p for k, p in zip(self.kernel_size, self.padding, strict=True)),
                      self.kernel_size, self.stride, self.padding)
        self._in_shape = None

    def window(self) -> Window:
        return Window(self.kernel_size, self.stride, self.padding)

    def _prepare(self, x: np.ndarray) -> None:
        if x.ndim != 4:
            raise ValueError(f"{self.name} expects input of shape (N, C, H, W), got {x.shape}")
        self._geometry = pool_geometry(x.shape[2:], self.kernel_size, self.stride, self.padding)
        self._in_shape = x.shape

    def config(self) -> dict:
        return {"type": self.kind, "kernel_size": _json_pair(self.kernel_size),
                "stride": _json_pair(self.stride), "padding": _json_pair(self.padding)}

    @property
    def name(self) -> str:
        text = f"{type(self).__name__} {_size_text(self.kernel_size)}"
        if self.stride != self.kernel_size:
            text += f" stride {_json_pair(self.stride)}"
        if self.padding != (0, 0):
            text += f" pad {_json_pair(self.padding)}"
        return text


class MaxPool2D(_Pool):
    """Max pooling like ``torch.nn.MaxPool2d``; the gradient goes to each window's (first) max.

    Notes
    -----
    forward: (N, C, H, W) -> (N, C, Ho, Wo), ``Ho = floor((H + 2p - k) / s) + 1``; stride
    defaults to the kernel size.
    """

    kind = "maxpool"

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.shape != self._in_shape:
            self._prepare(x)
        y, self._route = pooling.max_pool_forward(x, self._geometry)
        self._out_shape = y.shape
        return y

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        dy = self._check_dy(dy)
        return pooling.max_pool_scatter(dy, self._route, self._geometry, self._in_shape)


class AvgPool2D(_Pool):
    """Average pooling like ``torch.nn.AvgPool2d`` (``count_include_pad=True``)."""

    kind = "avgpool"

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.shape != self._in_shape:
            self._prepare(x)
        y = pooling.avg_pool_forward(x, self._geometry)
        self._out_shape = y.shape
        return y

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        dy = self._check_dy(dy)
        return pooling.avg_pool_spread(dy, self._geometry, self._in_shape)


class _GlobalPool(Layer):
    def _check(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 4 or 0 in x.shape:
            raise ValueError(f"{self.name} expects maps of shape (N, C, H, W), got {x.shape}; "
                             "put it before Flatten and Dense")
        self._in_shape = x.shape
        return x


class GlobalAvgPool2D(_GlobalPool):
    """Mean of each channel's whole map, ``(N, C, H, W) -> (N, C)``.

    Like ``torch.nn.AdaptiveAvgPool2d(1)`` followed by ``Flatten``. Where a pattern sits in the
    map no longer matters to the layers after it.
    """

    kind = "globalavgpool"

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = self._check(x).mean(axis=(2, 3))
        self._out_shape = y.shape
        return y

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        return global_pooling.global_avg_spread(self._check_dy(dy), self._in_shape)


class GlobalMaxPool2D(_GlobalPool):
    """Largest value of each channel's whole map, ``(N, C, H, W) -> (N, C)``.

    Like ``torch.nn.AdaptiveMaxPool2d(1)`` followed by ``Flatten``; the gradient goes to each
    map's (first) maximum.
    """

    kind = "globalmaxpool"

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, self._where = global_pooling.global_max_forward(self._check(x))
        self._out_shape = y.shape
        return y

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        return global_pooling.global_max_scatter(self._check_dy(dy), self._where,
                                                 self._in_shape)


class Flatten(Layer):
    """(N, C, H, W) -> (N, C * H * W), in C order (like ``torch.nn.Flatten``)."""

    kind = "flatten"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._in_shape = x.shape
        y = x.reshape(x.shape[0], -1)
        self._out_shape = y.shape
        return y

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        return self._check_dy(dy).reshape(self._in_shape)


class Dense(Layer):
    """Fully connected layer ``y = x W^T + b`` like ``torch.nn.Linear``.

    Attributes
    ----------
    weight : Parameter, shape (out_features, in_features)
    bias : Parameter, shape (out_features,)

    Notes
    -----
    forward: (N, in_features) -> (N, out_features).
    """

    kind = "dense"

    def __init__(self, in_features, out_features):
        self.in_features = _count(in_features, "in_features")
        self.out_features = _count(out_features, "out_features")
        self.weight = Parameter(np.zeros((self.out_features, self.in_features), np.float32),
                                "weight")
        self.bias = Parameter(np.zeros(self.out_features, np.float32), "bias")
        self.reset_parameters(np.random.default_rng(0))

    def reset_parameters(self, rng: np.random.Generator) -> None:
        """He/Kaiming-uniform weights, zero bias."""
        bound = math.sqrt(6.0 / self.in_features)
        self.weight.data[...] = rng.uniform(-bound, bound, self.weight.shape)
        self.bias.data[...] = 0

    def parameters(self) -> list[Parameter]:
        return [self.weight, self.bias]

    def forward(self, x: np.ndarray) -> np.ndarray:
        w = self.weight.data
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"{self.name} expects input of shape (N, {self.in_features}), got "
                             f"{x.shape}; put a Flatten before it and set in_features to the "
                             f"flattened size")
        if x.dtype != w.dtype:
            x = x.astype(w.dtype)
        self._x = x
        y = x @ w.T
        y += self.bias.data
        self._out_shape = y.shape
        return y

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        """(N, out_features) -> (N, in_features); adds into ``weight.grad`` and ``bias.grad``."""
        dy = self._check_dy(dy)
        self.weight.grad += dy.T @ self._x
        self.bias.grad += dy.sum(axis=0)
        return dy @ self.weight.data if need_dx else None

    def config(self) -> dict:
        return {"type": self.kind, "in_features": self.in_features,
                "out_features": self.out_features}

    @property
    def name(self) -> str:
        return f"Dense {self.in_features}->{self.out_features}"


LAYER_CLASSES = {cls.kind: cls for cls in (Conv2D, ReLU, MaxPool2D, AvgPool2D, GlobalAvgPool2D,
                                            GlobalMaxPool2D, Flatten, Dense)}
# The config keys an architecture spec leaves out: the layer before determines them.
INPUT_KEYS = {"conv": "in_channels", "dense": "in_features"}


def layer_from_config(config: dict) -> Layer:
    """Build a fresh layer from the dict its ``config()`` returned.

    Raises
    ------
    ValueError
        For an unknown layer type or arguments the layer does not take.
    """
    if not isinstance(config, dict) or "type" not in config:
        raise ValueError(f"a layer config must be a dict with a 'type' key, got {config!r}")
    kind = config["type"]
    cls = LAYER_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"unknown layer type {kind!r}; expected one of "
                         f"{', '.join(LAYER_CLASSES)}")
    kwargs = {k: v for k, v in config.items() if k != "type"}
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"bad arguments for a {cls.__name__} layer {kwargs}: {exc}") from None
