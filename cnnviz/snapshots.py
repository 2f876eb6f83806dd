"""What the training loop reports and how it is steered: snapshots, step traces, the control.

Every array in a :class:`Snapshot` or :class:`StepTrace` is a read-only copy, so the GUI may keep
them (e.g. for a filter timeline) while the model keeps changing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np


class TrainingControl:
    """Written by the GUI thread, read by the training loop between batches.

    Attributes
    ----------
    stop_event : threading.Event
        Set to end the run after the current batch (or evaluation chunk).
    pause_event : threading.Event
        Set while paused.
    held_event : threading.Event
        Set by the training loop while a pause actually holds it (between batches), so a caller
        can tell "pause requested" from "nothing more will be computed until resume".
    lr : float or None
        Learning rate applied at the next batch; the trainer fills it in when it starts.
    steps_per_second : float or None
        The pace (see :mod:`cnnviz.pace`) the runner keeps; None for full speed.
    """

    def __init__(self, lr: float | None = None) -> None:
        self.stop_event = threading.Event()
        self.pause_event = threading.Event()
        self.held_event = threading.Event()
        self.lr = lr
        self.steps_per_second: float | None = None
        self._lock = threading.Lock()
        self._single_steps = 0
        self._stages = 0

    def stop(self) -> None:
        self.stop_event.set()

    def pause(self) -> None:
        self.pause_event.set()

    def resume(self) -> None:
        self.pause_event.clear()

    @property
    def stopped(self) -> bool:
        return self.stop_event.is_set()

    @property
    def paused(self) -> bool:
        return self.pause_event.is_set()

    def request_single_step(self) -> None:
        """Run exactly one more batch (with a :class:`StepTrace`) even while paused."""
        with self._lock:
            self._single_steps += 1

    def take_single_step(self) -> bool:
        """Consume one pending single-step request; True if there was one."""
        with self._lock:
            if self._single_steps:
                self._single_steps -= 1
                return True
            return False


    def request_stage(self) -> None:
        """Run the next stage (forward, loss, backward, update) of a staged step while paused."""
        with self._lock:
            self._stages += 1

    def take_stage(self) -> bool:
        """Consume one pending stage request; True if there was one."""
        with self._lock:
            if self._stages:
                self._stages -= 1
                return True
            return False


def frozen(a) -> np.ndarray | None:
    """A read-only copy (None passes through)."""
    if a is None:
        return None
    c = np.array(a, copy=True)
    c.setflags(write=False)
    return c


@dataclass(frozen=True)
class StepTrace:
    """Everything one training step computed, stage by stage (forward, loss, backward, update).

    Attributes
    ----------
    x : ndarray, shape (B, C, H, W)
        The input batch. ``y`` : ndarray, shape (B,), its labels.
    layer_names : tuple of str
    activations : tuple of ndarray
        Forward stage: each layer's output for the batch, ``activations[i]`` has shape (B, ...).
    logits, probs, dlogits : ndarray, shape (B, K)
        Loss stage: raw scores, softmax probabilities, and d loss / d logits.
    loss : float
    output_grads : tuple of ndarray
        Backward stage: ``output_grads[i]`` = d loss / d (output of layer i), same shape as
        ``activations[i]``.
    input_grad : ndarray, shape (B, C, H, W)
        d loss / d x.
    weight_before, weight_after, weight_grad : ndarray, shape (F, C, kh, kw) or None
        Update stage for the first conv layer: ``after = before - lr * (optimizer-shaped) grad``.
    lr : float
    pool_index : int or None
        Index of the first max-pool layer; with it ``pool_input`` (its input), ``pool_output``,
        ``pool_grad_output`` (gradient arriving at its output) and ``pool_grad_input`` (the same
        gradient routed back: non-zero only where each window's maximum was).
    """

    x: np.ndarray
    y: np.ndarray
    layer_names: tuple
    activations: tuple
    logits: np.ndarray
    probs: np.ndarray
    loss: float
    dlogits: np.ndarray
    output_grads: tuple
    input_grad: np.ndarray
    weight_before: np.ndarray | None
    weight_after: np.ndarray | None
    weight_grad: np.ndarray | None
    lr: float
    pool_index: int | None
    pool_input: np.ndarray | None
    pool_output: np.ndarray | None
    pool_grad_output: np.ndarray | None
    pool_grad_input: np.ndarray | None


@dataclass(frozen=True)
class Snapshot:
    """The state of a run after one batch. Arrays are read-only copies.

    ``test_loss``, ``test_accuracy``, ``confusion`` (K, K; rows = true class, columns = predicted)
    and ``misclassified`` (indices into the test set) are None unless the test set was evaluated
    after this batch. ``filters``/``filter_grads`` (F, C, kh, kw) are the first conv layer's weights
    and gradients (None for a network without conv layers). ``trace`` is set for single steps.
    ``loss`` is this batch's loss; ``train_accuracy`` and ``epoch_loss`` are running means over
    the current epoch. ``epoch_end`` marks an epoch's last batch; ``epochs`` is the planned total.
    ``elapsed`` and ``samples_per_second`` count training time only (pauses excluded);
    ``seconds_left`` extrapolates from them. ``message`` is set on the final snapshot ("Finished.",
    "Stopped at step ...", or the divergence explanation with a smaller learning rate to try).
    """

    step: int
    total_steps: int
    epoch: int
    epoch_progress: float
    loss: float
    train_accuracy: float
    test_loss: float | None
    test_accuracy: float | None
    lr: float
    samples_per_second: float
    elapsed: float
    seconds_left: float
    filters: np.ndarray | None
    filter_grads: np.ndarray | None
    state: dict
    confusion: np.ndarray | None = None
    misclassified: np.ndarray | None = None
    trace: StepTrace | None = None
    finished: bool = False
    diverged: bool = False
    message: str | None = None
    epoch_loss: float = float("nan")
    epoch_end: bool = False
    epochs: int = 0


def read_only(state: dict) -> dict:
    """Lock the arrays of a fresh ``state_dict()`` (already copies) against writes, in place."""
    for v in state.values():
        v.setflags(write=False)
    return state
