"""Optimizers that update :class:`cnnviz.layers.Parameter` objects in place, as PyTorch does.

``lr`` is a plain attribute: change it between steps (the trainer does, for the live learning-rate
control). ``step`` reads each ``Parameter.grad``; ``zero_grad`` clears them, because backward passes
add into them.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Optimizer", "SGD", "Adam"]


def _non_negative(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


class Optimizer:
    """Base class: holds the parameters and the learning rate."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters; pass model.parameters() of a "
                             "model with at least one Conv2D or Dense layer")
        for p in self.params:
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise ValueError(f"expected Parameter objects (with .data and .grad), got {p!r}")
        self.lr = _non_negative(lr, "lr")
        self.steps = 0

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero."""
        for p in self.params:
            p.grad.fill(0)

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay.

    The update is ``torch.optim.SGD``'s (dampening 0): ``g = grad + weight_decay * p``;
    with momentum ``buf = momentum * buf + g`` (``buf = g`` on the first step) and ``g = buf``
    (``g = g + momentum * buf`` if nesterov); then ``p -= lr * g``.
    """

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr)
        self.momentum = _non_negative(momentum, "momentum")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov momentum needs momentum > 0")
        self.nesterov = bool(nesterov)
        self._buffers: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        with np.errstate(over="ignore", invalid="ignore"):
            for i, p in enumerate(self.params):
                g = p.grad
                if wd:
                    g = g + wd * p.data
                if mu:
                    buf = self._buffers[i]
                    if buf is None:
                        buf = self._buffers[i] = np.array(g, copy=True)
                    else:
                        buf *= mu
                        buf += g
                    g = g + mu * buf if self.nesterov else buf
                p.data -= lr * g
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba) with ``torch.optim.Adam``'s update and L2 weight decay.

    ``g = grad + weight_decay * p``; ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g^2``;
    ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        try:
            b1, b2 = (float(b) for b in betas)
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair of numbers, got {betas!r}") from None
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"betas must each be in [0, 1), got {betas!r}; 0.9 and 0.999 are "
                             f"the usual values")
        self.betas = (b1, b2)
        self.eps = _non_negative(eps, "eps")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self._m = [np.zeros_like(p.data) for p in self.params]
        self._v = [np.zeros_like(p.data) for p in self.params]

    def step(self) -> None:
        self.steps += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1 ** self.steps)
        root_bc2 = math.sqrt(1 - b2 ** self.steps)
        wd = self.weight_decay
        with np.errstate(over="ignore", invalid="ignore"):
            for p, m, v in zip(self.params, self._m, self._v, strict=True):
                g = p.grad
                if wd:
                    g = g + wd * p.data
                m *= b1
                m += (1 - b1) * g
                v *= b2
                v += (1 - b2) * (g * g)
                denom = np.sqrt(v)
                denom /= root_bc2
                denom += self.eps
                p.data -= step_size * (m / denom)
