"""The worker keeps a pace a learner can watch, and Stop still ends a wait at once.

No test here waits on the wall clock: the clock and the wait are injected.
"""

from __future__ import annotations

import threading

import pytest

from cnnviz.train import Snapshot, TrainingControl
from ui.training.worker import TrainingWorker

STEP_SECONDS = 0.01  # what each fake step "takes" on the fake clock


class FakeClock:
    """A clock that moves only when a step computes or the worker waits."""

    def __init__(self):
        self.now = 0.0
        self.waits = []

    def __call__(self):
        return self.now

    def wait(self, seconds):
        self.waits.append(seconds)
        self.now += seconds
        return False


def snapshot(step, total):
    return Snapshot(step=step, total_steps=total, epoch=1, epoch_progress=step / total, loss=1.0,
                    train_accuracy=0.5, test_loss=None, test_accuracy=None, lr=0.01,
                    samples_per_second=1.0, elapsed=0.0, seconds_left=0.0, filters=None,
                    filter_grads=None, state={}, finished=step == total)


class ClockedTrainer:
    """Yields ``n`` snapshots, each taking STEP_SECONDS of the fake clock; records step starts."""

    def __init__(self, n, clock):
        self.n, self.clock = n, clock
        self.starts = []

    def steps(self):
        for i in range(1, self.n + 1):
            self.starts.append(self.clock.now)
            self.clock.now += STEP_SECONDS
            yield snapshot(i, self.n)


def run_worker(n, pace, clock=None, control=None, wait=None):
    clock = clock or FakeClock()
    control = control or TrainingControl()
    control.steps_per_second = pace
    trainer = ClockedTrainer(n, clock)
    worker = TrainingWorker(trainer, control, clock=clock, wait=wait or clock.wait)
    reports = []
    worker.sigReport.connect(reports.append)
    worker.sigFinished.connect(reports.append)
    worker.run()
    return trainer, clock, reports


def test_at_20_steps_a_second_n_steps_take_at_least_n_minus_1_twentieths(qapp):
    n = 12
    trainer, clock, _ = run_worker(n, 20.0)
    assert trainer.starts[-1] - trainer.starts[0] >= (n - 1) / 20 - 1e-9


def test_the_wait_after_a_step_is_the_rest_of_its_period(qapp):
    _, clock, _ = run_worker(3, 5.0)
    assert clock.waits == pytest.approx([0.2 - STEP_SECONDS] * 2)


def test_full_speed_never_waits(qapp):
    _, clock, _ = run_worker(50, None)
    assert clock.waits == []


def test_at_a_slow_pace_every_step_is_its_own_report(qapp):
    _, _, reports = run_worker(6, 5.0)
    assert [[row["step"] for row in r.rows] for r in reports] == [[1], [2], [3], [4], [5], [6]]


def test_the_time_left_counts_the_pace(qapp):
    _, _, reports = run_worker(11, 5.0)
    assert reports[0].snapshot.seconds_left == pytest.approx(10 / 5.0)


class StopDuringWait(threading.Event):
    """A stop event whose first wait is interrupted by Stop (pressed while the worker waits)."""

    def __init__(self):
        super().__init__()
        self.results = []

    def wait(self, timeout=None):
        self.set()
        self.results.append(super().wait(timeout))
        return self.results[-1]


def test_stop_during_a_paced_wait_interrupts_the_wait_and_ends_the_run(qapp):
    control = TrainingControl()
    control.stop_event = StopDuringWait()
    control.steps_per_second = 5.0
    clock = FakeClock()
    trainer = ClockedTrainer(100, clock)
    worker = TrainingWorker(trainer, control, clock=clock)  # waits on the stop event itself
    finals = []
    worker.sigFinished.connect(finals.append)
    worker.run()
    assert control.stop_event.results == [True]  # the wait returned because of the stop
    assert len(trainer.starts) == 1 and finals and finals[0].finished
