"""Optimizers that update :class:`cnnviz.nn.layers.Parameter` objects in place, as PyTorch does.

``lr`` is a plain attribute: change it between steps (the trainer does, for the live learning-rate
control). ``step`` reads each ``Parameter.grad``; ``zero_grad`` clears them, because backward passes
add into them.

For speed the optimizer moves all parameters (and gradients) into one contiguous array and leaves
each ``Parameter.data``/``.grad`` as a view into it, so a step is a handful of whole-array
operations however many layers there are (per-call overhead decides small-network speed). If
anything later rebinds a parameter's array (e.g. ``model.astype``), the optimizer notices and
updates parameter by parameter instead; results are the same either way.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.nn.base import Parameter

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
    """Base class: holds the parameters, the learning rate and per-parameter state arrays."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters; pass model.parameters() of a "
                             "model with at least one Conv2D or Dense layer")
        for p in self.params:
            if not isinstance(p, Parameter):
                raise ValueError(f"expected Parameter objects (with .data and .grad), got {p!r}")
        self.lr = _non_negative(lr, "lr")
        self.steps = 0
        self._flat_data = self._flat_grad = None
        self._views: list[tuple] = []
        dtypes = {p.data.dtype for p in self.params}
        if len(dtypes) == 1 and len({id(p) for p in self.params}) == len(self.params):
            self._flatten(dtypes.pop())

    def _split(self, flat: np.ndarray) -> list[np.ndarray]:
        """One view of ``flat`` per parameter, shaped like it, in order."""
        views, offset = [], 0
        for p in self.params:
            views.append(flat[offset:offset + p.data.size].reshape(p.data.shape))
            offset += p.data.size
        return views

    def _flatten(self, dtype) -> None:
        total = sum(p.data.size for p in self.params)
        self._flat_data = np.empty(total, dtype)
        self._flat_grad = np.empty(total, dtype)
        for p, data, grad in zip(self.params, self._split(self._flat_data),
                                 self._split(self._flat_grad), strict=True):
            data[...] = p.data
            grad[...] = p.grad
            p.data, p.grad = data, grad
            self._views.append((p, data, grad))

    def _is_flat(self) -> bool:
        """True while every parameter still uses its view into the shared arrays."""
        return self._flat_data is not None and all(
            p.data is data and p.grad is grad for p, data, grad in self._views)

    def _state_like(self) -> tuple[np.ndarray | None, list[np.ndarray]]:
        """A zeroed state array: (flat array or None, one view or array per parameter)."""
        if self._flat_data is None:
            return None, [np.zeros_like(p.data) for p in self.params]
        flat = np.zeros_like(self._flat_data)
        return flat, self._split(flat)

    def _groups(self, *states):
        """(data, grad, state...) array tuples to update: one flat group, or one per parameter."""
        if self._is_flat():
            return [(self._flat_data, self._flat_grad) + tuple(s[0] for s in states)]
        return [(p.data, p.grad) + tuple(s[1][i] for s in states)
                for i, p in enumerate(self.params)]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero."""
        if self._is_flat():
            self._flat_grad.fill(0)
            return
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
        self._buffer = self._state_like()

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        first = self.steps == 0
        with np.errstate(over="ignore", invalid="ignore"):
            for data, grad, buf in self._groups(self._buffer):
                g = grad + wd * data if wd else grad
                if mu:
                    if first:
                        buf[...] = g
                    else:
                        buf *= mu
                        buf += g
                    g = g + mu * buf if self.nesterov else buf
                data -= lr * g
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
        self._m = self._state_like()
        self._v = self._state_like()

    def step(self) -> None:
        self.steps += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1 ** self.steps)
        root_bc2 = math.sqrt(1 - b2 ** self.steps)
        wd = self.weight_decay
        with np.errstate(over="ignore", invalid="ignore"):
            for data, grad, m, v in self._groups(self._m, self._v):
                g = grad + wd * data if wd else grad
                m *= b1
                m += (1 - b1) * g
                v *= b2
                v += (1 - b2) * (g * g)
                denom = np.sqrt(v)
                denom /= root_bc2
                denom += self.eps
                data -= step_size * (m / denom)
