"""What every layer shares: trainable parameters, the window description and the base class.

:mod:`cnnviz.nn.layers` holds the concrete layers and re-exports these names.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Parameter", "Window", "Layer"]


class Parameter:
    """A trainable array and the gradient accumulated for it.

    Attributes
    ----------
    data : ndarray
    grad : ndarray, same shape and dtype as ``data``
    name : str
    """

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: np.ndarray, name: str = ""):
        self.data = np.ascontiguousarray(data)
        self.grad = np.zeros_like(self.data)
        self.name = name

    @property
    def shape(self) -> tuple:
        return self.data.shape

    def zero_grad(self) -> None:
        self.grad.fill(0)

    def astype(self, dtype) -> None:
        """Replace data and grad by ``dtype`` copies."""
        self.data = self.data.astype(dtype)
        self.grad = self.grad.astype(dtype)

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Window(NamedTuple):
    """Where a sliding-window layer looks: ``(h, w)`` pairs, what receptive fields are made of."""

    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int] = (1, 1)

    def along(self, axis: int) -> tuple[int, int, int, int]:
        """``(kernel, stride, padding, dilation)`` along axis 0 (rows) or 1 (columns)."""
        return (self.kernel_size[axis], self.stride[axis], self.padding[axis],
                self.dilation[axis])


class Layer:
    """Base class of every layer (this one has no parameters).

    Subclasses implement ``forward(x) -> y`` and ``backward(dy, need_dx=True) -> dx``: ``dy`` is
    the loss gradient w.r.t. the last forward output, ``dx`` the one w.r.t. its input (None when
    ``need_dx`` is False, which lets the first layer skip work during training).

    Attributes
    ----------
    kind : str
        The layer's ``"type"`` in configs and architecture specs ("conv", "relu", ...).
    """

    kind = "layer"
    _out_shape: tuple | None = None  # shape of the last forward output

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray, need_dx: bool = True):
        raise NotImplementedError

    def _check_dy(self, dy) -> np.ndarray:
        """``dy`` as an array, if it fits the last forward output; otherwise say what is wrong."""
        if not isinstance(dy, np.ndarray):
            dy = np.asarray(dy)
        if dy.shape != self._out_shape:
            if self._out_shape is None:
                raise RuntimeError(f"{self.name}: call forward before backward")
            raise ValueError(f"{self.name}: dy has shape {dy.shape}, but the last forward output "
                             f"had shape {self._out_shape}")
        return dy

    def parameters(self) -> list[Parameter]:
        """The layer's trainable parameters (weight first), empty if it has none."""
        return []

    def reset_parameters(self, rng: np.random.Generator) -> None:
        """Draw fresh initial weights from ``rng`` (nothing to do without parameters)."""

    def window(self) -> Window | None:
        """The sliding window of a convolution or pooling layer; None for other layers."""
        return None

    def config(self) -> dict:
        """JSON-able constructor arguments plus ``"type"``; see :func:`layer_from_config`."""
        return {"type": self.kind}

    @property
    def name(self) -> str:
        """Short human-readable description, e.g. "Conv2D 8@3x3"."""
        return type(self).__name__

    def astype(self, dtype) -> Layer:
        """Convert the parameters and gradients to ``dtype`` in place (float64 for checks)."""
        for p in self.parameters():
            p.astype(dtype)
        return self

    def __repr__(self) -> str:
        return self.name
