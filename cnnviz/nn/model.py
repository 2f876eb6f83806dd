"""A stack of layers run in order: the network the training studio trains and explains."""

from __future__ import annotations

import numpy as np

from cnnviz.nn.layers import Conv2D, Layer, MaxPool2D, Parameter, ReLU, layer_from_config
from cnnviz.nn.losses import softmax

__all__ = ["Sequential", "forward_order"]


class Sequential:
    """Layers applied one after another, like ``torch.nn.Sequential``.

    Parameters
    ----------
    layers : list of Layer
    seed : int or None
        Every trainable layer is re-initialised from one ``numpy.random.default_rng(seed)``, in
        order, so the same architecture and seed always give the same starting weights. None keeps
        the layers' weights as they are.

    Attributes
    ----------
    layers : list of Layer
    metadata : dict
        Free-form, JSON-able facts saved with the model (input_shape, class_names, dataset, ...).
    """

    def __init__(self, layers, seed: int | None = 0):
        self.layers = list(layers)
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"item {i} of the layer list is not a layer: {layer!r}")
        self.seed = seed
        self.metadata: dict = {}
        self._order: list[int] | None = None  # layers in the last forward's order (None: as listed)
        if seed is not None:
            self.reset_parameters(seed)

    def reset_parameters(self, seed: int = 0) -> None:
        """Re-initialise every trainable layer, in order, from ``default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        for layer in self.layers:
            layer.reset_parameters(rng)

    # ------------------------------------------------------------------ passes
    def forward(self, x: np.ndarray) -> np.ndarray:
        """Run every layer; ``x`` of shape (N, C, H, W) -> output of the last layer, e.g. (N, K).

        A ReLU followed by a max pool runs pool first, then ReLU on the four times smaller map:
        ``max(relu(a), relu(b)) = relu(max(a, b))``, so the output is the same bit for bit and
        so is every gradient :meth:`backward` computes (a window whose maximum is <= 0 gets no
        gradient either way). Only the ReLU's own output is never made at full size, which is
        why :meth:`forward_all`, whose job is to show every layer's output, runs them in order.
        """
        x = np.asarray(x)
        self._order = forward_order(self.layers)
        with np.errstate(over="ignore", invalid="ignore"):
            for i in self._order:
                x = self.layers[i].forward(x)
        return x

    __call__ = forward

    def forward_all(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's output, in the order of ``layers`` (the activation maps)."""
        outputs = []
        x = np.asarray(x)
        self._order = None
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in self.layers:
                x = layer.forward(x)
                outputs.append(x)
        return outputs

    def backward(self, dy: np.ndarray, input_grad: bool = True):
        """Back-propagate ``dy`` (gradient w.r.t. the last forward output) through every layer.

        Parameter gradients are ADDED to each ``Parameter.grad``. Call after :meth:`forward`.

        Parameters
        ----------
        dy : ndarray, same shape as the last forward output
        input_grad : bool
            False skips computing the gradient w.r.t. the input (faster training); None is
            returned then.

        Returns
        -------
        ndarray, shape of the forward input (saliency maps use it), or None
        """
        stop = 0
        if not input_grad:
            # below the first trainable layer nothing needs a gradient
            stop = next((i for i, layer in enumerate(self.layers) if layer.parameters()),
                        len(self.layers))
        with np.errstate(over="ignore", invalid="ignore"):
            dx = self._back_propagate(dy, stop, input_grad)
        return dx if input_grad else None

    def backward_all(self, dy: np.ndarray, down_to: int = 0) -> list[np.ndarray | None]:
        """:meth:`backward`, keeping the gradient at every stage (the single-step view shows them).

        Parameters
        ----------
        dy : ndarray, same shape as the last forward output
        down_to : int
            The lowest layer to back-propagate through; layers below it are not visited.

        Returns
        -------
        list of ndarray or None, length ``len(layers) + 1``
            Item ``i`` is the gradient w.r.t. the input of layer ``i`` (item 0: the model's
            input, item ``-1``: ``dy`` itself, so item ``i + 1`` is the gradient at the output of
            layer ``i``); None below ``down_to``.
        """
        if self._order is not None and self._order != sorted(self._order):
            raise RuntimeError("backward_all needs the output of every layer: call forward_all "
                               "(not forward) before it")
        grads: list[np.ndarray | None] = [None] * len(self.layers) + [dy]
        with np.errstate(over="ignore", invalid="ignore"):
            self._back_propagate(dy, down_to, True, keep=grads)
        return grads

    def _back_propagate(self, dy, stop: int, input_grad: bool, keep: list | None = None):
        """Run layers ``len - 1 .. stop`` backwards; the gradient at layer ``stop``'s input.

        The lowest layer skips its input gradient unless ``input_grad``; ``keep[i]`` receives
        the gradient at layer ``i``'s input when given.
        """
        order = range(len(self.layers)) if self._order is None else self._order
        todo = [i for i in reversed(order) if i >= stop]  # forward's order, backwards
        for n, i in enumerate(todo):
            dy = self.layers[i].backward(dy, input_grad or n < len(todo) - 1)
            if keep is not None:
                keep[i] = dy
        return dy

    def predict_proba(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Softmax class probabilities, shape (N, K), computed ``batch_size`` samples at a time."""
        x = np.asarray(x)
        parts = [softmax(self.forward(x[i:i + batch_size]))
                 for i in range(0, max(len(x), 1), batch_size)]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def predict(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Most probable class per sample, shape (N,)."""
        return self.predict_proba(x, batch_size).argmax(axis=1)

    # ------------------------------------------------------------------ parameters
    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``("0.weight", p)`` pairs: layer index and parameter name, as in PyTorch."""
        return [(f"{i}.{p.name}", p) for i, layer in enumerate(self.layers)
                for p in layer.parameters()]

    def num_parameters(self) -> int:
        return sum(p.data.size for p in self.parameters())

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter array, keyed like ``"0.weight"``."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict) -> None:
        """Copy arrays from ``state`` into the parameters (checks names and shapes first).

        Raises
        ------
        ValueError
            If names are missing or unexpected, or a shape or dtype does not fit.
        """
        named = dict(self.named_parameters())
        missing = sorted(set(named) - set(state))
        extra = sorted(set(state) - set(named))
        if missing or extra:
            parts = ([f"missing {', '.join(missing)}"] if missing else []) + \
                    ([f"unexpected {', '.join(extra)}"] if extra else [])
            raise ValueError(f"the weights do not fit this architecture: {'; '.join(parts)}")
        for name, p in named.items():
            value = np.asarray(state[name])
            if value.dtype.kind not in "fiu":
                raise ValueError(f"{name} must hold numbers, but its dtype is {value.dtype}")
            if value.shape != p.data.shape:
                raise ValueError(f"{name} has shape {value.shape}, but this model's has shape "
                                 f"{p.data.shape}")
        for name, p in named.items():
            p.data[...] = state[name]

    def astype(self, dtype) -> Sequential:
        """Convert every parameter (and its gradient) to ``dtype`` in place; float64 for checks."""
        for layer in self.layers:
            layer.astype(dtype)
        return self

    # ------------------------------------------------------------------ description
    def config(self) -> list[dict]:
        """One JSON-able dict per layer; :meth:`from_config` rebuilds the architecture."""
        return [layer.config() for layer in self.layers]

    @classmethod
    def from_config(cls, configs, seed: int | None = 0) -> Sequential:
        """Build a freshly initialised model from :meth:`config` output (ValueError if invalid)."""
        if not isinstance(configs, (list, tuple)):
            raise ValueError(f"an architecture must be a list of layer configs, got "
                             f"{type(configs).__name__}")
        return cls([layer_from_config(c) for c in configs], seed=seed)

    def first_conv(self) -> Conv2D | None:
        """The first convolution layer (whose filters the studio shows), or None."""
        return next((layer for layer in self.layers if isinstance(layer, Conv2D)), None)

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __repr__(self) -> str:
        return "Sequential([" + ", ".join(layer.name for layer in self.layers) + "])"


def forward_order(layers: list) -> list[int]:
    """Indices of ``layers`` in the order :meth:`Sequential.forward` runs them: in order, but for
    a ReLU right before a max pool, which runs after it (the profile script times them so)."""
    order, i = [], 0
    while i < len(layers):
        if (i + 1 < len(layers) and type(layers[i]) is ReLU
                and type(layers[i + 1]) is MaxPool2D):
            order += (i + 1, i)
            i += 2
        else:
            order.append(i)
            i += 1
    return order
