"""The PyTorch backend: the same training run through ``torch.nn`` and ``torch.optim``.

:class:`TorchTrainer` is a :class:`cnnviz.train.Trainer` whose batches are computed by a
``torch.nn.Sequential`` twin of the NumPy model (built by :func:`to_torch` from the same layer
configs, starting from the NumPy model's seeded weights). After every update the weights and
gradients are copied back into the NumPy model, so the snapshots (filters, gradients,
``state``), the evaluation, the single-step trace and the saved files are exactly what the NumPy
backend produces: nothing downstream knows which backend ran.

Import this module only when torch is installed (:func:`cnnviz.backends.torch_available`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from cnnviz.nn.model import Sequential
from cnnviz.train import Trainer

__all__ = ["to_torch", "TorchTrainer", "TORCH_MODULES", "SMALL_BATCH_FLOPS"]

# Below this many FLOPs per batch, PyTorch's intra-op threads cost more than they save (and on a
# busy machine their spinning makes a small network 30x slower): such runs use one thread.
SMALL_BATCH_FLOPS = 50_000_000

TORCH_MODULES = {
    "conv": lambda c: nn.Conv2d(c["in_channels"], c["out_channels"], _p(c["kernel_size"]),
                                _p(c["stride"]), _p(c["padding"]), _p(c["dilation"])),
    "relu": lambda c: nn.ReLU(),
    "maxpool": lambda c: nn.MaxPool2d(_p(c["kernel_size"]), _p(c["stride"]), _p(c["padding"])),
    "avgpool": lambda c: nn.AvgPool2d(_p(c["kernel_size"]), _p(c["stride"]), _p(c["padding"]),
                                      count_include_pad=True),
    "flatten": lambda c: nn.Flatten(),
    "dense": lambda c: nn.Linear(c["in_features"], c["out_features"]),
    # cnnviz's global pools return (N, C); PyTorch's adaptive pools keep (N, C, 1, 1).
    "globalavgpool": lambda c: nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
    "globalmaxpool": lambda c: nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten()),
}


def _p(value):
    return tuple(value) if isinstance(value, (list, tuple)) else int(value)


def to_torch(model: Sequential, device="cpu") -> nn.Sequential:
    """A ``torch.nn.Sequential`` computing what ``model`` computes, with copies of its weights.

    Raises
    ------
    ValueError
        For a layer kind with no PyTorch counterpart here.
    """
    modules = []
    for i, layer in enumerate(model.layers):
        make = TORCH_MODULES.get(layer.kind)
        if make is None:
            raise ValueError(f"layer {i + 1} ({layer.name}) cannot run on the PyTorch backend")
        modules.append(make(layer.config()))
    twin = nn.Sequential(*modules)
    state = {k: torch.from_numpy(np.ascontiguousarray(v, np.float32))
             for k, v in model.state_dict().items()}
    twin.load_state_dict(state)
    return twin.to(device)


class _TorchOptimizer:
    """Stands in for the NumPy optimizer: the trainer reads ``lr``/``weight_decay`` and calls
    ``zero_grad``/``step``; the step is PyTorch's, on the batch the trainer is tracing."""

    def __init__(self, trainer: TorchTrainer, optimizer: torch.optim.Optimizer, weight_decay):
        self._trainer = trainer
        self.torch = optimizer
        self.lr = optimizer.param_groups[0]["lr"]
        self.weight_decay = weight_decay

    def zero_grad(self) -> None:
        for p in self._trainer.model.parameters():
            p.zero_grad()

    def step(self) -> None:
        self._trainer._torch_update(*self._trainer._batch)


class TorchTrainer(Trainer):
    """:class:`cnnviz.train.Trainer` with every batch computed by PyTorch on ``device``.

    Parameters
    ----------
    device : {"cpu", "cuda"}
    threads : int, optional
        PyTorch CPU threads during :meth:`steps` (restored afterwards); by default 1 for small
        networks (under :data:`SMALL_BATCH_FLOPS` per batch), else PyTorch's own choice.
    **kwargs
        As :class:`cnnviz.train.Trainer` (optimizer, lr, batch_size, epochs, weight_decay, seed,
        control, evals_per_epoch).
    """

    def __init__(self, model, dataset, device: str = "cpu", threads: int | None = None,
                 **kwargs):
        super().__init__(model, dataset, **kwargs)
        self.device = torch.device(device)
        self.threads = threads if threads is not None else self._default_threads()
        self.torch_model = to_torch(model, self.device)
        params = list(self.torch_model.parameters())
        numpy_opt = self.optimizer
        wd = numpy_opt.weight_decay
        if hasattr(numpy_opt, "betas"):
            opt = torch.optim.Adam(params, lr=numpy_opt.lr, betas=numpy_opt.betas,
                                   eps=numpy_opt.eps, weight_decay=wd)
        else:
            opt = torch.optim.SGD(params, lr=numpy_opt.lr, momentum=numpy_opt.momentum,
                                  weight_decay=wd, nesterov=numpy_opt.nesterov)
        self.optimizer = _TorchOptimizer(self, opt, wd)
        self._pairs = list(zip(model.parameters(), params, strict=True))
        self._batch = None

    def _default_threads(self) -> int | None:
        from cnnviz.nn.architecture import spec_from_model
        from cnnviz.nn.summary import summarize, totals

        try:
            flops = totals(summarize(spec_from_model(self.model), self.dataset.input_shape))
        except ValueError:
            return None
        return 1 if 3 * flops["flops"] * self.batch_size < SMALL_BATCH_FLOPS else None

    def steps(self):
        """:meth:`cnnviz.train.Trainer.steps`, with PyTorch's thread count set for the run."""
        before = torch.get_num_threads()
        if self.threads is not None and self.device.type == "cpu":
            torch.set_num_threads(self.threads)
        try:
            yield from super().steps()
        finally:
            torch.set_num_threads(before)

    def _tensor(self, array: np.ndarray, dtype=torch.float32) -> torch.Tensor:
        return torch.as_tensor(np.ascontiguousarray(array), dtype=dtype, device=self.device)

    def _torch_update(self, xb: np.ndarray, yb: np.ndarray):
        """Forward, loss, backward and update in PyTorch; then copy weights and gradients back.

        Returns (loss, logits as ndarray, updated).
        """
        for group in self.optimizer.torch.param_groups:
            group["lr"] = float(self.optimizer.lr)
        self.torch_model.train()
        logits = self.torch_model(self._tensor(xb))
        loss = nn.functional.cross_entropy(logits, self._tensor(yb, torch.int64))
        value = float(loss.detach())
        logits_np = logits.detach().cpu().numpy()
        if self._exploded(value):
            return value, logits_np, False
        self.optimizer.torch.zero_grad(set_to_none=False)
        loss.backward()
        self.optimizer.torch.step()
        self._pull()
        return value, logits_np, True

    def _pull(self) -> None:
        """Copy PyTorch's weights and gradients into the NumPy model (in place)."""
        with torch.no_grad():
            for mine, theirs in self._pairs:
                mine.data[...] = theirs.detach().cpu().numpy()
                if theirs.grad is not None:
                    mine.grad[...] = theirs.grad.detach().cpu().numpy()

    def _plain_step(self, xb, yb):
        loss, logits, _ = self._torch_update(xb, yb)
        return loss, logits, None

    def _advance(self, staged):
        """The NumPy engine records the stages (same weights); PyTorch makes the update."""
        self._batch = (staged.x, staged.y)
        try:
            super()._advance(staged)
        finally:
            self._batch = None

    def _logits(self, x: np.ndarray) -> np.ndarray:
        self.torch_model.eval()
        with torch.no_grad():
            return self.torch_model(self._tensor(x)).cpu().numpy()
