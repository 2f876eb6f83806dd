"""A training step run in four stages equals a normal step: same gradients, same update."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.data import make_lines
from cnnviz.nn.architecture import build_model, preset
from cnnviz.nn.losses import softmax_cross_entropy
from cnnviz.optim import SGD, Adam
from cnnviz.staged_step import STAGES, StagedStep


@pytest.fixture(scope="module")
def lines():
    return make_lines(n=64, seed=0)


def model_and_batch(lines):
    model = build_model(preset("Classic small net", lines.n_classes), lines.input_shape,
                        lines.n_classes, seed=3)
    return model, lines.x_train[:16], lines.y_train[:16]


def normal_step(model, optimizer, x, y):
    """What Trainer._plain_step does."""
    loss, dlogits = softmax_cross_entropy(model.forward(x), y)
    optimizer.zero_grad()
    model.backward(dlogits, input_grad=False)
    optimizer.step()
    return float(loss)


@pytest.mark.parametrize("make_optimizer", [lambda p: Adam(p, lr=0.01),
                                            lambda p: SGD(p, lr=0.1, momentum=0.9)])
def test_the_staged_step_makes_the_same_gradients_and_update_as_a_normal_step(
        lines, make_optimizer):
    model_a, x, y = model_and_batch(lines)
    model_b, _, _ = model_and_batch(lines)
    opt_a, opt_b = make_optimizer(model_a.parameters()), make_optimizer(model_b.parameters())
    loss = normal_step(model_a, opt_a, x, y)
    staged = StagedStep(model_b, opt_b, x, y)
    staged.finish()
    assert staged.loss == pytest.approx(loss, rel=1e-6)
    for a, b in zip(model_a.parameters(), model_b.parameters(), strict=True):
        np.testing.assert_allclose(b.grad, a.grad, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(b.data, a.data, rtol=1e-5, atol=1e-7)


def test_the_stages_run_in_order_one_per_advance(lines):
    model, x, y = model_and_batch(lines)
    staged = StagedStep(model, Adam(model.parameters(), lr=0.01), x, y)
    assert [staged.advance() for _ in STAGES] == ["forward", "loss", "backward", "update"]


def test_the_weights_do_not_move_before_the_update_stage(lines):
    model, x, y = model_and_batch(lines)
    before = [p.data.copy() for p in model.parameters()]
    staged = StagedStep(model, Adam(model.parameters(), lr=0.01), x, y)
    for _ in range(3):
        staged.advance()
    assert all(np.array_equal(b, p.data) for b, p in zip(before, model.parameters(),
                                                            strict=True))


def test_each_stage_reports_its_number(lines):
    model, x, y = model_and_batch(lines)
    staged = StagedStep(model, Adam(model.parameters(), lr=0.01), x, y)
    reports = []
    for _ in STAGES:
        staged.advance()
        reports.append(staged.report())
    forward, loss, backward, update = reports
    assert forward.loss is None and forward.trace.logits.shape == (16, lines.n_classes)
    assert loss.loss > 0 and loss.grad_norm is None
    assert backward.grad_norm > 0 and backward.weight_change is None
    assert update.weight_change > 0


def test_the_weight_change_is_the_norm_of_every_parameter_change(lines):
    model, x, y = model_and_batch(lines)
    before = [p.data.copy() for p in model.parameters()]
    staged = StagedStep(model, SGD(model.parameters(), lr=0.1), x, y)
    staged.finish()
    change = np.sqrt(sum(np.sum((p.data - b) ** 2) for p, b in zip(model.parameters(), before,
                                                                     strict=True)))
    assert staged.weight_change == pytest.approx(float(change), rel=1e-6)


def test_a_fifth_advance_is_refused_with_a_sentence(lines):
    model, x, y = model_and_batch(lines)
    staged = StagedStep(model, Adam(model.parameters(), lr=0.01), x, y)
    staged.finish()
    with pytest.raises(ValueError, match="all four stages"):
        staged.advance()


def paused_trainer(lines):
    from cnnviz.train import Trainer, TrainingControl

    model, _, _ = model_and_batch(lines)
    control = TrainingControl()
    control.pause()
    return Trainer(model, lines, batch_size=16, epochs=1, control=control), control


def test_a_paused_trainer_runs_one_stage_per_request_then_counts_the_step(lines):
    from cnnviz.staged_step import StageReport

    trainer, control = paused_trainer(lines)
    for _ in STAGES:
        control.request_stage()
    steps = trainer.steps()
    stages = [next(steps) for _ in STAGES]
    snapshot = next(steps)
    steps.close()
    assert all(isinstance(s, StageReport) for s in stages)
    assert [s.stage for s in stages] == list(STAGES)
    assert snapshot.step == 1 and snapshot.trace is not None


def test_a_staged_step_in_the_trainer_equals_a_single_step(lines):
    staged_trainer, staged_control = paused_trainer(lines)
    single_trainer, single_control = paused_trainer(lines)
    for _ in STAGES:
        staged_control.request_stage()
    single_control.request_single_step()
    staged_steps, single_steps = staged_trainer.steps(), single_trainer.steps()
    staged = [next(staged_steps) for _ in range(len(STAGES) + 1)][-1]
    single = next(single_steps)
    staged_steps.close()
    single_steps.close()
    assert staged.loss == pytest.approx(single.loss, rel=1e-6)
    np.testing.assert_allclose(staged.filters, single.filters, rtol=1e-6)


def test_resuming_part_way_through_a_staged_step_completes_it(lines):
    trainer, control = paused_trainer(lines)
    control.request_stage()
    steps = trainer.steps()
    first = next(steps)
    control.resume()
    snapshot = next(steps)
    steps.close()
    assert first.stage == "forward" and snapshot.step == 1 and snapshot.trace is not None
