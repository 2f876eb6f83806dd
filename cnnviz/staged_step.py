"""One training step run in four stages, each on its own: forward, loss, backward, update.

Why (idea 16): "training" is the same four stages repeated thousands of times. Running them one
at a time, and looking at what each produced (the activations, the loss, the gradients, the
weight change), turns backpropagation from a word into a sequence a learner can follow.

The stages compute exactly what a normal step computes (the same calls in the same order), so
the gradients and the update equal those of :meth:`cnnviz.train.Trainer` 's plain step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.nn.layers import MaxPool2D
from cnnviz.nn.losses import softmax, softmax_cross_entropy
from cnnviz.snapshots import StepTrace, frozen

__all__ = ["STAGES", "StageReport", "StagedStep"]

STAGES = ("forward", "loss", "backward", "update")


@dataclass(frozen=True)
class StageReport:
    """What one stage of a :class:`StagedStep` produced, for the GUI (read-only copies).

    Attributes
    ----------
    stage : {"forward", "loss", "backward", "update"}
        The stage just run.
    index : int
        Its position in :data:`STAGES` (0 to 3).
    loss : float or None
        The batch loss, from the "loss" stage on.
    grad_norm : float or None
        The L2 norm of the gradient of every parameter, from "backward" on.
    weight_change : float or None
        The L2 norm of the change of every parameter, after "update".
    trace : StepTrace
        The stages so far; fields of later stages are None (or empty tuples).
    """

    stage: str
    index: int
    loss: float | None
    grad_norm: float | None
    weight_change: float | None
    trace: StepTrace


class StagedStep:
    """A training step on ``model`` for the batch ``(x, y)``, advanced one stage at a time.

    Parameters
    ----------
    model : cnnviz.nn.Sequential
    optimizer : cnnviz.optim.SGD or cnnviz.optim.Adam (anything with ``lr``, ``zero_grad()``,
        ``step()``)
    x : ndarray, shape (B, C, H, W)
    y : ndarray of int, shape (B,)

    Attributes
    ----------
    done : int
        How many stages have run (0 to 4).
    activations : list of ndarray
        After "forward": each layer's output, ``activations[i]`` shape (B, ...).
    logits, probs, dlogits : ndarray, shape (B, K)
        After "forward" (logits) and "loss" (probs, d loss / d logits).
    loss : float
    grads : list of ndarray
        After "backward": ``grads[i]`` is d loss / d (input of layer i); ``grads[-1]`` dlogits.
    grad_norm, weight_change : float
        After "backward" and "update" (L2 norms over every parameter).
    """

    def __init__(self, model, optimizer, x: np.ndarray, y: np.ndarray) -> None:
        self.model, self.optimizer = model, optimizer
        self.x, self.y = x, y
        self.done = 0
        self.activations: list[np.ndarray] = []
        self.logits = self.probs = self.dlogits = None
        self.loss: float | None = None
        self.grads: list = []
        self.grad_norm: float | None = None
        self.weight_change: float | None = None
        self.lr = float(optimizer.lr)
        conv = model.first_conv()
        self._conv = conv
        self.weight_before = None if conv is None else conv.weight.data.copy()
        self.weight_after = self.weight_grad = None

    @property
    def next_stage(self) -> str | None:
        """The name of the stage :meth:`advance` runs next, or None when all four have run."""
        return STAGES[self.done] if self.done < len(STAGES) else None

    @property
    def finished(self) -> bool:
        return self.done >= len(STAGES)

    def advance(self) -> str:
        """Run the next stage; returns its name. ValueError once the step is complete."""
        stage = self.next_stage
        if stage is None:
            raise ValueError("this step has run all four stages; start a new one")
        with np.errstate(all="ignore"):
            getattr(self, f"_{stage}")()
        self.done += 1
        return stage

    def finish(self) -> None:
        """Run whatever stages are left."""
        while not self.finished:
            self.advance()

    # ----- the stages ----------------------------------------------------------------------------
    def _forward(self) -> None:
        self.activations = self.model.forward_all(self.x)
        self.logits = self.activations[-1]

    def _loss(self) -> None:
        loss, self.dlogits = softmax_cross_entropy(self.logits, self.y)
        self.loss = float(loss)
        self.probs = softmax(self.logits)

    def _backward(self) -> None:
        self.optimizer.zero_grad()
        self.grads = self.model.backward_all(self.dlogits)
        self.grad_norm = _norm(p.grad for p in self.model.parameters())
        if self._conv is not None:
            self.weight_grad = self._conv.weight.grad.copy()

    def _update(self) -> None:
        params = self.model.parameters()
        before = [p.data.copy() for p in params]
        self.lr = float(self.optimizer.lr)
        self.optimizer.step()
        self.weight_change = _norm(p.data - b for p, b in zip(params, before, strict=True))
        if self._conv is not None:
            self.weight_after = self._conv.weight.data.copy()

    # ----- what the GUI sees ---------------------------------------------------------------------
    def report(self) -> StageReport:
        """The latest stage's figures and the trace so far (copies)."""
        return StageReport(stage=STAGES[max(self.done - 1, 0)], index=max(self.done - 1, 0),
                           loss=self.loss, grad_norm=self.grad_norm,
                           weight_change=self.weight_change, trace=self.trace())

    def trace(self) -> StepTrace:
        """A :class:`~cnnviz.snapshots.StepTrace` of the stages run so far (read-only copies)."""
        fz = frozen
        layers = self.model.layers
        pool = next((i for i, layer in enumerate(layers) if isinstance(layer, MaxPool2D)), None)
        have_grads = bool(self.grads)
        inputs = [self.x, *self.activations]  # inputs[i]: what layer i received
        pool_fwd = pool is not None and bool(self.activations)
        pool_bwd = pool is not None and have_grads
        return StepTrace(
            x=fz(self.x), y=fz(self.y), layer_names=tuple(layer.name for layer in layers),
            activations=tuple(fz(a) for a in self.activations), logits=fz(self.logits),
            probs=fz(self.probs), loss=self.loss, dlogits=fz(self.dlogits),
            output_grads=tuple(fz(d) for d in self.grads[1:]),
            input_grad=fz(self.grads[0]) if have_grads else None,
            weight_before=fz(self.weight_before), weight_after=fz(self.weight_after),
            weight_grad=fz(self.weight_grad), lr=self.lr, pool_index=pool,
            pool_input=fz(inputs[pool]) if pool_fwd else None,
            pool_output=fz(self.activations[pool]) if pool_fwd else None,
            pool_grad_output=fz(self.grads[pool + 1]) if pool_bwd else None,
            pool_grad_input=fz(self.grads[pool]) if pool_bwd else None)


def _norm(arrays) -> float:
    """The L2 norm of several arrays taken together."""
    return float(np.sqrt(sum(float(np.sum(np.square(a, dtype=np.float64))) for a in arrays)))
