"""The training worker: runs Trainer.steps() off the GUI thread, throttled, stoppable, and shut
down cleanly."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from cnnviz.data import make_lines
from cnnviz.nn.architecture import build_model, preset
from cnnviz.train import Snapshot, Trainer, TrainingControl
from ui.training.worker import TrainingRunner


@pytest.fixture(scope="module")
def lines():
    return make_lines(n=400, seed=0)


@pytest.fixture
def make_runner():
    """TrainingRunner factory whose runners are always shut down, even when a test fails."""
    made = []

    def factory(**kwargs):
        made.append(TrainingRunner(**kwargs))
        return made[-1]

    yield factory
    for runner in made:
        runner.shutdown()


def make_trainer(dataset, epochs=2, batch_size=16, control=None, **kwargs):
    control = control or TrainingControl()
    model = build_model(preset("Classic small net", dataset.n_classes), dataset.input_shape,
                        dataset.n_classes, seed=0)
    trainer = Trainer(model, dataset, batch_size=batch_size, epochs=epochs, control=control,
                      **kwargs)
    return trainer, control


def snapshot(step, total, finished=False):
    """A minimal snapshot for trainers that only exercise the worker's plumbing."""
    return Snapshot(step=step, total_steps=total, epoch=1, epoch_progress=step / total, loss=1.0,
                    train_accuracy=0.5, test_loss=None, test_accuracy=None, lr=0.01,
                    samples_per_second=1.0, elapsed=0.0, seconds_left=0.0, filters=None,
                    filter_grads=None, state={}, finished=finished)


class InstantTrainer:
    """Yields ``n`` snapshots as fast as Python can: far faster than the report rate."""

    def __init__(self, n):
        self.n = n
        self.threads = set()

    def steps(self):
        for i in range(1, self.n + 1):
            self.threads.add(threading.get_ident())
            yield snapshot(i, self.n, finished=i == self.n)


class FailingTrainer:
    def steps(self):
        yield snapshot(1, 5)
        raise ValueError("the network does not fit 8x8 images")


def collect(runner):
    reports, finals = [], []
    runner.sigReport.connect(reports.append)
    runner.sigFinished.connect(finals.append)
    return reports, finals


def test_every_step_reaches_the_gui_once_even_though_reports_are_batched(qtbot, make_runner):
    runner = make_runner()
    reports, finals = collect(runner)
    trainer = InstantTrainer(2000)
    runner.start(trainer, TrainingControl())
    qtbot.waitUntil(lambda: bool(finals), timeout=10000)
    steps = [row["step"] for r in reports + finals for row in r.rows]
    assert steps == list(range(1, 2001))
    assert len(reports) + len(finals) < 100  # 2000 steps arrive in a handful of signals


def test_the_trainer_runs_in_the_worker_thread_not_the_gui_thread(qtbot, make_runner):
    runner = make_runner()
    _, finals = collect(runner)
    trainer = InstantTrainer(50)
    runner.start(trainer, TrainingControl())
    qtbot.waitUntil(lambda: bool(finals), timeout=10000)
    assert trainer.threads and threading.get_ident() not in trainer.threads


def test_a_real_training_run_reports_evaluations_and_finishes(qtbot, lines, make_runner):
    runner = make_runner()
    reports, finals = collect(runner)
    trainer, control = make_trainer(lines, epochs=3)
    runner.start(trainer, control)
    qtbot.waitUntil(lambda: bool(finals), timeout=30000)
    final = finals[0]
    assert final.snapshot.finished and final.error is None
    evaluated = [row for r in reports + finals for row in r.rows if "test_accuracy" in row]
    assert evaluated and evaluated[-1]["test_accuracy"] >= 0.9
    assert not runner.is_running()


def test_stop_ends_the_run_before_its_last_step(qtbot, lines, make_runner):
    runner = make_runner()
    reports, finals = collect(runner)
    trainer, control = make_trainer(lines, epochs=200)
    runner.start(trainer, control)
    qtbot.waitUntil(lambda: bool(reports), timeout=10000)
    runner.stop()
    qtbot.waitUntil(lambda: bool(finals), timeout=5000)
    last = max(row["step"] for r in reports + finals for row in r.rows)
    assert last < trainer.total_steps
    assert not runner.is_running()


def test_stop_works_while_paused(qtbot, lines, make_runner):
    runner = make_runner()
    _, finals = collect(runner)
    trainer, control = make_trainer(lines, epochs=50)
    control.pause()
    runner.start(trainer, control)
    runner.stop()
    qtbot.waitUntil(lambda: bool(finals), timeout=5000)
    assert finals[0].rows == []


def test_shutdown_stops_quits_and_waits_for_the_thread(qtbot, lines, make_runner):
    runner = make_runner()
    reports, _ = collect(runner)
    trainer, control = make_trainer(lines, epochs=200)
    runner.start(trainer, control)
    qtbot.waitUntil(lambda: bool(reports), timeout=10000)
    runner.shutdown()
    assert control.stop_event.is_set()
    assert not runner.is_running()


def test_reports_queued_before_a_shutdown_never_reach_the_gui_after_it(qtbot, make_runner):
    runner = make_runner()
    reports, finals = collect(runner)
    runner.start(InstantTrainer(200000), TrainingControl())
    qtbot.waitUntil(lambda: bool(reports), timeout=10000)
    runner.shutdown()  # e.g. Reset: the worker's last reports are still queued for the GUI
    seen = len(reports) + len(finals)
    with qtbot.assertNotEmitted(runner.sigReport, wait=100), \
            qtbot.assertNotEmitted(runner.sigFinished, wait=100):  # deliver whatever was queued
        pass
    assert len(reports) + len(finals) == seen


def test_starting_again_retires_the_previous_run_and_ignores_its_late_reports(qtbot, lines,
                                                                              make_runner):
    runner = make_runner()
    reports, finals = collect(runner)
    first, c1 = make_trainer(lines, epochs=200)
    runner.start(first, c1)
    second, c2 = make_trainer(lines, epochs=1)
    second_id = runner.start(second, c2)
    qtbot.waitUntil(lambda: bool(finals), timeout=10000)
    with qtbot.assertNotEmitted(runner.sigReport, wait=50):  # the first run's late reports
        pass
    assert c1.stop_event.is_set()
    assert {r.run_id for r in reports + finals} == {second_id}


def test_an_exception_in_the_trainer_becomes_a_sentence_for_the_user(qtbot, make_runner):
    runner = make_runner()
    reports, finals = collect(runner)
    runner.start(FailingTrainer(), TrainingControl())
    qtbot.waitUntil(lambda: bool(finals), timeout=5000)
    assert "does not fit 8x8 images" in finals[0].error
    assert [row["step"] for r in reports + finals for row in r.rows] == [1]


def test_reported_filters_are_copies_the_trainer_cannot_change(qtbot, lines, make_runner):
    runner = make_runner()
    reports, finals = collect(runner)
    trainer, control = make_trainer(lines, epochs=2)
    runner.start(trainer, control)
    qtbot.waitUntil(lambda: bool(finals), timeout=30000)
    first = (reports + finals)[0].snapshot.filters
    assert not np.shares_memory(first, trainer.model.first_conv().weight.data)
    assert not np.array_equal(first, trainer.model.first_conv().weight.data)


def test_pausing_flushes_the_steps_already_trained(qtbot, make_runner):
    class PausingTrainer:
        """Trains 5 steps, then the user pauses: the trainer blocks until stopped."""

        def __init__(self, control):
            self.control = control

        def steps(self):
            for i in range(1, 6):
                if i == 5:
                    self.control.pause()
                yield snapshot(i, 100)
            while not self.control.stop_event.wait(0.01):
                pass

    runner = make_runner(max_rate_hz=0.01)  # one report per 100 s unless something forces one
    reports, _ = collect(runner)
    control = TrainingControl()
    runner.start(PausingTrainer(control), control)
    qtbot.waitUntil(lambda: sum(len(r.rows) for r in reports) == 5, timeout=5000)
    assert runner.is_running()
