"""A Qt-free training loop that reports every batch as an immutable snapshot.

The GUI runs :meth:`Trainer.steps` in a worker thread and steers it through a
:class:`TrainingControl` (stop, pause, learning rate, single step) that the loop reads between
batches. Snapshots, step traces and the control live in :mod:`cnnviz.snapshots` and are
re-exported here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np

from cnnviz.nn.losses import softmax_cross_entropy
from cnnviz.optim import SGD, Adam
from cnnviz.snapshots import Snapshot, StepTrace, TrainingControl, frozen, read_only
from cnnviz.staged_step import StagedStep

# The largest learning rate suggested after a divergence (sane for SGD and Adam alike).
SAFE_LR_HINT = 0.01

__all__ = ["OPTIMIZERS", "DEFAULT_LR", "RECOMMENDED", "Snapshot", "StepTrace", "Trainer",
           "TrainingControl", "recommended_settings"]

OPTIMIZERS = ("sgd", "momentum", "adam")
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "adam": 0.01}
# Settings per built-in data set, chosen so the targets hold with a margin (lines >= 97%
# in 15 epochs, digits >= 95% in 10) while each run takes seconds; FILE_DEFAULTS for anything else
# (MNIST-sized files: 60,000 images, so fewer epochs and bigger batches).
RECOMMENDED = {
    "lines": {"epochs": 15, "batch_size": 16, "lr": 0.01, "optimizer": "adam"},
    "digits": {"epochs": 10, "batch_size": 16, "lr": 0.003, "optimizer": "adam"},
    "shapes": {"epochs": 8, "batch_size": 32, "lr": 0.005, "optimizer": "adam"},
    "colour-shapes": {"epochs": 12, "batch_size": 16, "lr": 0.005, "optimizer": "adam"},
}
FILE_DEFAULTS = {"epochs": 3, "batch_size": 64, "lr": 0.002, "optimizer": "adam"}
EVAL_CHUNK = 128          # test images per forward pass; stop is checked between chunks
PAUSE_SLICE = 0.05        # seconds slept per check while paused


def recommended_settings(dataset_name: str) -> dict:
    """A copy of the tried settings (epochs, batch_size, lr, optimizer) for a data set name."""
    return dict(RECOMMENDED.get(dataset_name, FILE_DEFAULTS))


class Trainer:
    """Mini-batch training of a :class:`~cnnviz.nn.Sequential` on a :class:`~cnnviz.data.Dataset`.

    Parameters
    ----------
    optimizer : {"adam", "sgd", "momentum"}
        "momentum" is SGD with momentum 0.9.
    lr : float, optional
        Defaults to :data:`DEFAULT_LR` for the optimizer. Written into ``control.lr``.
    evals_per_epoch : int
        How often the test set is evaluated per epoch (evenly spaced; always at the end).
    """

    def __init__(self, model, dataset, optimizer: str = "adam", lr: float | None = None,
                 batch_size: int = 32, epochs: int = 5, weight_decay: float = 0.0, seed: int = 0,
                 control: TrainingControl | None = None, evals_per_epoch: int = 4) -> None:
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; "
                             f"choose one of {', '.join(OPTIMIZERS)}")
        lr = DEFAULT_LR[optimizer] if lr is None else float(lr)
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be a positive number, got {lr}")
        for label, value, low in (("batch size", batch_size, 1), ("epochs", epochs, 1),
                                  ("evaluations per epoch", evals_per_epoch, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{label} must be a whole number >= {low}, got {value!r}")
        if not (math.isfinite(weight_decay) and weight_decay >= 0):
            raise ValueError(f"weight decay must be zero or positive, got {weight_decay}")
        self.model, self.dataset = model, dataset
        self.batch_size, self.epochs, self.seed = int(batch_size), int(epochs), seed
        self.evals_per_epoch = int(evals_per_epoch)
        self.control = control if control is not None else TrainingControl()
        self.control.lr = lr
        params = model.parameters()
        if optimizer == "adam":
            self.optimizer = Adam(params, lr=lr, weight_decay=weight_decay)
        else:
            self.optimizer = SGD(params, lr=lr, momentum=0.9 if optimizer == "momentum" else 0.0,
                                 weight_decay=weight_decay)
        self.steps_per_epoch = math.ceil(len(dataset.x_train) / self.batch_size)
        self.total_steps = self.steps_per_epoch * self.epochs
        # 100x chance-level cross-entropy: no sane step gets there, every runaway run does.
        self.loss_ceiling = 100.0 * max(math.log(max(dataset.n_classes, 2)), 1.0)
        self._check_fit()

    def _check_fit(self) -> None:
        """Fail early, with a sentence, if the network does not fit the data."""
        try:
            with np.errstate(all="ignore"):
                out = self.model.forward(self.dataset.x_train[:1])
        except ValueError as exc:
            raise ValueError(f"the network does not fit {self.dataset.input_shape} images: "
                             f"{exc}") from None
        if out.shape != (1, self.dataset.n_classes):
            raise ValueError(f"the network outputs {out.shape[1:]} values per image but the data "
                             f"set has {self.dataset.n_classes} classes; make the last Dense "
                             f"layer {self.dataset.n_classes} wide")

    def _exploded(self, loss: float) -> bool:
        """NaN/inf, or a loss far above chance level (ln K): the weights are running away.

        A too-large learning rate often kills every ReLU instead of producing NaN, leaving a huge
        but finite loss, so a finite ceiling is needed too.
        """
        return not math.isfinite(loss) or loss > self.loss_ceiling

    # ------------------------------------------------------------------ evaluation
    def _evaluate(self, check_stop: bool):
        """(loss, accuracy, confusion, misclassified), or None if stopped part-way."""
        x, y = self.dataset.x_test, self.dataset.y_test
        if len(x) == 0:
            return None
        k = self.dataset.n_classes
        total, preds = 0.0, []
        for start in range(0, len(x), EVAL_CHUNK):
            if check_stop and self.control.stopped:
                return None
            with np.errstate(all="ignore"):
                logits = self._logits(x[start:start + EVAL_CHUNK])
                loss, _ = softmax_cross_entropy(logits, y[start:start + EVAL_CHUNK])
            total += float(loss) * len(logits)
            preds.append(np.argmax(logits, axis=1))
        pred = np.concatenate(preds)
        confusion = np.zeros((k, k), np.int64)
        np.add.at(confusion, (y, pred), 1)
        return total / len(x), float(np.mean(pred == y)), confusion, np.flatnonzero(pred != y)

    def _logits(self, x: np.ndarray) -> np.ndarray:
        """Logits of an evaluation chunk (a backend may compute them elsewhere)."""
        return self.model.forward(x)

    def evaluation(self):
        """(loss, accuracy, confusion (K, K), misclassified test indices) on the whole test set,
        or None if it is empty or the run's control was stopped part-way."""
        return self._evaluate(check_stop=True)

    def evaluate(self) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on the whole test set (nan, nan if it is empty)."""
        result = self._evaluate(check_stop=False)
        return (float("nan"), float("nan")) if result is None else result[:2]

    # ------------------------------------------------------------------ one batch
    def _plain_step(self, xb, yb):
        logits = self.model.forward(xb)
        loss, dlogits = softmax_cross_entropy(logits, yb)
        if self._exploded(loss):
            return loss, logits, None
        self.optimizer.zero_grad()
        self.model.backward(dlogits, input_grad=False)
        self.optimizer.step()
        return loss, logits, None

    def _traced_step(self, xb, yb):
        """The same step through Sequential's recording passes, keeping every stage."""
        staged = StagedStep(self.model, self.optimizer, xb, yb)
        self._advance(staged)  # forward
        self._advance(staged)  # loss
        if self._exploded(staged.loss):
            return staged.loss, staged.logits, None
        while not staged.finished:
            self._advance(staged)
        return staged.loss, staged.logits, staged.trace()

    def _advance(self, staged: StagedStep) -> None:
        """Run one stage of a staged step (a backend may need to know the batch)."""
        staged.advance()

    # ------------------------------------------------------------------ the loop
    def _hold(self, xb, yb):
        """Block while paused (in short sleeps, so Stop still works), running stage requests.

        Yields a :class:`~cnnviz.staged_step.StageReport` after each stage a staged single step
        runs on this batch. Returns True for a single step, the :class:`StagedStep` if stages
        were run (complete, unless stopped, or cut short by a runaway loss), else False.
        Resuming or a single step part-way through a staged step completes it.
        """
        staged, single = None, False
        try:
            while self.control.paused and not self.control.stopped:
                if self.control.take_single_step():
                    single = True
                    break
                if self.control.take_stage():
                    self.control.held_event.clear()
                    if staged is None:
                        self._apply_lr()
                        staged = StagedStep(self.model, self.optimizer, xb, yb)
                    self._advance(staged)
                    yield staged.report()
                    if staged.finished or self._runaway(staged):
                        return staged
                    continue
                self.control.held_event.set()
                time.sleep(PAUSE_SLICE)
        finally:
            self.control.held_event.clear()
        if staged is None:
            return single or self.control.take_single_step()
        if not self.control.stopped:
            while not staged.finished and not self._runaway(staged):
                self._advance(staged)
        return staged

    def _runaway(self, staged: StagedStep) -> bool:
        """True once a staged step's loss has run away: its update must not be applied."""
        return staged.loss is not None and self._exploded(staged.loss)

    def _apply_lr(self) -> None:
        """Use the control's learning rate from this batch on (a bad value is ignored)."""
        lr = self.control.lr
        if lr is not None and math.isfinite(lr) and lr > 0:
            self.optimizer.lr = float(lr)

    def _eval_points(self) -> set[int]:
        """Batch numbers (1-based, within an epoch) after which the test set is evaluated."""
        n, e = self.steps_per_epoch, self.evals_per_epoch
        return {max(1, round(n * j / e)) for j in range(1, e + 1)} | {n} if e else set()

    def steps(self) -> Iterator[Snapshot]:
        """Train, yielding one :class:`Snapshot` per batch; the last has ``finished=True``."""
        rng = np.random.default_rng(self.seed)
        eval_points = self._eval_points()
        run = _Tally()
        for epoch in range(1, self.epochs + 1):
            run.new_epoch()
            for b, (xb, yb) in enumerate(self.dataset.batches(self.batch_size, rng), start=1):
                held = yield from self._hold(xb, yb)
                if self.control.stopped:
                    yield self._final(run.last, f"Stopped at step {run.step} of "
                                      f"{self.total_steps}.")
                    return
                t0 = time.perf_counter()
                run.step += 1
                if isinstance(held, StagedStep):
                    loss, logits = held.loss, held.logits
                    trace = held.trace() if held.finished else None
                else:
                    self._apply_lr()
                    with np.errstate(all="ignore"):
                        loss, logits, trace = (self._traced_step if held else self._plain_step)(
                            xb, yb)
                if self._exploded(loss):
                    yield self._diverged(run, loss)
                    return
                run.count(yb, logits, loss)
                evaluation = None
                epoch_end = b == self.steps_per_epoch
                finished = epoch_end and epoch == self.epochs
                if b in eval_points or finished:
                    evaluation = self._evaluate(check_stop=True)
                    if evaluation is None and self.control.stopped:
                        run.active += time.perf_counter() - t0
                        yield self._final(run.last, f"Stopped at step {run.step} of "
                                          f"{self.total_steps}.")
                        return
                run.active += time.perf_counter() - t0
                run.last = self._snapshot(run, epoch, float(loss), evaluation, trace, epoch_end,
                                          finished)
                yield run.last

    def _diverged(self, run: _Tally, loss: float) -> Snapshot:
        """The closing snapshot of a run whose loss ran away, suggesting a smaller rate."""
        what = (f"loss became {loss}" if not math.isfinite(loss)
                else f"loss exploded to {loss:.3g}")
        return self._final(run.last, f"Training diverged at step {run.step} ({what}). "
                           f"{self._divergence_advice()}",
                           diverged=True, step=run.step, loss=loss)

    def _divergence_advice(self) -> str:
        """What to change after a divergence: the weight decay when it is the likely cause.

        SGD multiplies every weight by (1 - lr * weight_decay) each step, so lr * wd near 1 or
        above flips or blows up the weights whatever the gradients do; a decay over 0.1 is far
        beyond the usual 1e-4 to 1e-3 for Adam as well.
        """
        # A tenth of the rate that blew up, but never a rate that is itself absurd.
        hint = float(f"{min(self.optimizer.lr / 10, SAFE_LR_HINT):.2g}")
        wd = getattr(self.optimizer, "weight_decay", 0.0)
        if wd and (wd * self.optimizer.lr >= 0.5 or wd > 0.1):
            return (f"The weight decay {wd:g} is too strong for learning rate "
                    f"{self.optimizer.lr:g}: try a weight decay of 1e-4 to 1e-3 (or 0).")
        advice = f"Try a lower learning rate, e.g. {hint:g}."
        if wd:
            advice += f" A smaller weight decay (now {wd:g}) may help too."
        return advice

    def _snapshot(self, run: _Tally, epoch: int, loss: float, evaluation, trace,
                  epoch_end: bool, finished: bool) -> Snapshot:
        """The report after one batch: progress, speed, weights and any evaluation."""
        conv = self.model.first_conv()
        sps = run.samples / run.active if run.active > 0 else 0.0
        remaining = (self.total_steps - run.step) * self.batch_size
        return Snapshot(
            step=run.step, total_steps=self.total_steps, epoch=epoch,
            epoch_progress=(epoch - 1) + run.seen / len(self.dataset.x_train), loss=loss,
            train_accuracy=run.correct / run.seen,
            test_loss=None if evaluation is None else evaluation[0],
            test_accuracy=None if evaluation is None else evaluation[1],
            lr=float(self.optimizer.lr), samples_per_second=sps, elapsed=run.active,
            seconds_left=remaining / sps if sps > 0 else float("inf"),
            filters=None if conv is None else frozen(conv.weight.data),
            filter_grads=None if conv is None else frozen(conv.weight.grad),
            state=read_only(self.model.state_dict()),
            confusion=None if evaluation is None else frozen(evaluation[2]),
            misclassified=None if evaluation is None else frozen(evaluation[3]),
            trace=trace, finished=finished,
            message="Finished." if finished else None, epoch_loss=run.loss_sum / run.seen,
            epoch_end=epoch_end, epochs=self.epochs)

    def _final(self, last: Snapshot | None, message: str, diverged: bool = False,
               step: int | None = None, loss: float | None = None) -> Snapshot:
        """The closing snapshot after a stop or divergence: the last good one, marked finished."""
        conv = self.model.first_conv()
        base = dict(step=0, total_steps=self.total_steps, epoch=1, epoch_progress=0.0,
                    loss=float("nan"), train_accuracy=0.0, test_loss=None, test_accuracy=None,
                    lr=float(self.optimizer.lr), samples_per_second=0.0, elapsed=0.0,
                    seconds_left=0.0, filters=None if conv is None else frozen(conv.weight.data),
                    filter_grads=None if conv is None else frozen(conv.weight.grad),
                    state=read_only(self.model.state_dict()),
                    epochs=self.epochs)
        if last is not None:
            base.update(step=last.step, epoch=last.epoch, epoch_progress=last.epoch_progress,
                        loss=last.loss, train_accuracy=last.train_accuracy,
                        samples_per_second=last.samples_per_second, elapsed=last.elapsed,
                        epoch_loss=last.epoch_loss)
        if step is not None:
            base["step"] = step
        if loss is not None:
            base["loss"] = float(loss)
        return Snapshot(**base, finished=True, diverged=diverged, message=message)


class _Tally:
    """Running counts of one run (steps, samples, training time) and of its current epoch."""

    def __init__(self) -> None:
        self.step = self.samples = 0
        self.active = 0.0
        self.last: Snapshot | None = None
        self.new_epoch()

    def new_epoch(self) -> None:
        self.seen = self.correct = 0
        self.loss_sum = 0.0

    def count(self, yb: np.ndarray, logits: np.ndarray, loss: float) -> None:
        """Add one batch: its size, how many it got right and its summed loss."""
        self.seen += len(yb)
        self.samples += len(yb)
        self.correct += int(np.sum(np.argmax(logits, axis=1) == yb))
        self.loss_sum += float(loss) * len(yb)
