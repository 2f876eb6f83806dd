"""The Trainer: a snapshot per batch, evaluation, stop, pause, lr, single step, divergence."""

import threading

import numpy as np
import pytest

from cnnviz import data, train
from cnnviz.nn import architecture as arch
from cnnviz.nn.losses import softmax_cross_entropy
from cnnviz.train import Trainer, TrainingControl


@pytest.fixture(scope="module")
def lines():
    return data.make_lines(n=200, seed=0)          # 160 training, 40 test images


def classic(ds, seed=0):
    return arch.build_model(arch.preset("classic", ds.n_classes), ds.input_shape, ds.n_classes,
                            seed=seed)


def make(ds, **kw):
    opts = {"optimizer": "adam", "lr": 0.01, "batch_size": 16, "epochs": 2, "seed": 0}
    opts.update(kw)
    return Trainer(classic(ds), ds, **opts)


def test_lines_training_reaches_95_percent_test_accuracy():
    ds = data.make_lines(n=600, seed=1)
    snaps = list(make(ds, epochs=6).steps())
    assert snaps[-1].finished and not snaps[-1].diverged
    assert snaps[-1].test_accuracy >= 0.95


def test_steps_yields_one_snapshot_per_batch_and_finishes_on_the_last(lines):
    trainer = make(lines, epochs=2, batch_size=16)
    snaps = list(trainer.steps())
    assert [s.step for s in snaps] == list(range(1, 21)) and trainer.total_steps == 20
    assert [s.finished for s in snaps] == [False] * 19 + [True]
    assert snaps[-1].epoch == 2 and snaps[-1].epoch_progress == pytest.approx(2.0)
    assert snaps[-1].seconds_left == 0 and snaps[0].samples_per_second > 0


def test_test_set_is_evaluated_evals_per_epoch_times(lines):
    snaps = list(make(lines, epochs=2, evals_per_epoch=2).steps())
    evaluated = [s.step for s in snaps if s.test_accuracy is not None]
    assert evaluated == [5, 10, 15, 20]
    assert all(s.test_loss is not None for s in snaps if s.step in evaluated)


def test_evaluations_carry_a_confusion_matrix_and_the_misclassified_indices(lines):
    last = list(make(lines, epochs=1, lr=0.001).steps())[-1]
    assert last.confusion.shape == (2, 2) and last.confusion.sum() == len(lines.y_test)
    assert last.confusion.trace() / len(lines.y_test) == pytest.approx(last.test_accuracy)
    assert len(last.misclassified) == len(lines.y_test) - last.confusion.trace()


def test_snapshots_hold_copies_that_later_training_does_not_change(lines):
    trainer = make(lines)
    gen = trainer.steps()
    first = next(gen)
    filters, state = first.filters.copy(), {k: v.copy() for k, v in first.state.items()}
    next(gen)
    trainer.model.layers[0].weight.data += 1.0
    np.testing.assert_array_equal(first.filters, filters)
    assert all(np.array_equal(first.state[k], state[k]) for k in state)


def test_snapshot_arrays_are_read_only(lines):
    snap = next(make(lines).steps())
    with pytest.raises(ValueError):
        snap.filters[0, 0, 0, 0] = 5.0


def test_state_rebuilds_an_equivalent_model(lines):
    trainer = make(lines, epochs=1)
    last = list(trainer.steps())[-1]
    twin = classic(lines, seed=99)
    twin.load_state_dict(last.state)
    np.testing.assert_allclose(twin.forward(lines.x_test), trainer.model.forward(lines.x_test))


def test_training_is_reproducible_from_the_seed(lines):
    a = [s.loss for s in make(lines, seed=3).steps()]
    b = [s.loss for s in make(lines, seed=3).steps()]
    c = [s.loss for s in make(lines, seed=4).steps()]
    assert a == b and a != c


def test_stop_ends_the_run_with_a_finished_snapshot(lines):
    control = TrainingControl()
    gen = make(lines, control=control, epochs=5).steps()
    for _ in range(3):
        next(gen)
    control.stop()
    final = next(gen)
    assert final.finished and not final.diverged and "Stopped" in final.message
    assert final.step == 3
    with pytest.raises(StopIteration):
        next(gen)


def test_stop_interrupts_a_long_evaluation_between_chunks(lines, monkeypatch):
    monkeypatch.setattr(train, "EVAL_CHUNK", 4)
    control = TrainingControl()
    trainer = make(lines, control=control, epochs=1, evals_per_epoch=1, batch_size=160)
    calls = []
    original = trainer.model.forward

    def forward(x):
        calls.append(len(x))
        if len(x) == 4:
            control.stop()                      # the user clicks Stop during the evaluation
        return original(x)

    trainer.model.forward = forward
    final = list(trainer.steps())[-1]
    assert final.finished and "Stopped" in final.message
    assert calls.count(4) == 1                  # the other nine chunks were skipped


def test_pause_blocks_until_resume(lines):
    control = TrainingControl()
    gen = make(lines, control=control).steps()
    next(gen)
    control.pause()
    resumed = threading.Event()

    def resume_later():
        resumed.set()
        control.resume()

    timer = threading.Timer(0.2, resume_later)
    timer.start()
    snap = next(gen)
    timer.join()
    assert resumed.is_set() and snap.step == 2


def test_a_held_pause_is_visible_to_the_caller_and_cleared_on_resume(lines):
    control = TrainingControl()
    gen = make(lines, control=control).steps()
    next(gen)
    control.pause()
    seen_held = threading.Event()

    def resume_once_held():
        if control.held_event.wait(5.0):
            seen_held.set()
        control.resume()

    helper = threading.Thread(target=resume_once_held)
    helper.start()
    assert not control.held_event.is_set()      # requested, but the loop has not got there yet
    snap = next(gen)
    helper.join()
    assert seen_held.is_set() and snap.step == 2
    assert not control.held_event.is_set()


def test_stop_while_paused_ends_the_run(lines):
    control = TrainingControl()
    control.pause()
    timer = threading.Timer(0.1, control.stop)
    timer.start()
    snaps = list(make(lines, control=control).steps())
    timer.join()
    assert len(snaps) == 1 and snaps[0].finished and snaps[0].step == 0


def test_single_step_while_paused_runs_one_batch_with_a_trace(lines):
    control = TrainingControl()
    control.pause()
    control.request_single_step()
    gen = make(lines, control=control).steps()
    snap = next(gen)
    assert snap.step == 1 and snap.trace is not None
    control.stop()
    assert next(gen).step == 1                  # still paused: nothing more was trained


def test_ordinary_steps_carry_no_trace(lines):
    assert next(make(lines).steps()).trace is None


def test_trace_shows_forward_loss_backward_and_update_stages(lines):
    control = TrainingControl()
    control.request_single_step()
    trainer = make(lines, control=control, optimizer="sgd", lr=0.5)
    t = next(trainer.steps()).trace
    assert len(t.activations) == len(t.output_grads) == len(trainer.model.layers)
    assert t.activations[0].shape == (16, 4, 6, 6) and t.logits.shape == (16, 2)
    np.testing.assert_allclose(t.probs.sum(axis=1), 1.0, rtol=1e-5)
    assert t.loss > 0 and t.input_grad.shape == t.x.shape
    np.testing.assert_allclose(t.weight_after, t.weight_before - 0.5 * t.weight_grad, atol=1e-6)


def test_trace_shows_max_pool_gradient_routing_to_each_windows_maximum(lines):
    control = TrainingControl()
    control.request_single_step()
    t = next(make(lines, control=control).steps()).trace
    assert t.pool_index == 2
    routed = t.pool_grad_input[:, :, :6, :6].reshape(16, 4, 3, 2, 3, 2)
    nonzero_per_window = (routed != 0).sum(axis=(3, 5))
    assert nonzero_per_window.max() <= 1
    np.testing.assert_allclose(routed.sum(axis=(3, 5)), t.pool_grad_output, atol=1e-6)


def test_a_traced_step_trains_exactly_like_a_plain_step(lines):
    control = TrainingControl()
    control.request_single_step()
    traced = next(make(lines, control=control).steps())
    plain = next(make(lines).steps())
    assert traced.trace is not None and plain.trace is None
    assert traced.loss == plain.loss
    for name, value in plain.state.items():
        np.testing.assert_array_equal(traced.state[name], value, err_msg=name)


def test_trace_gradients_are_the_models_own_backward_pass(lines):
    control = TrainingControl()
    control.request_single_step()
    trainer = make(lines, control=control)
    fresh = classic(lines)                        # the same seed: the weights before the step
    t = next(trainer.steps()).trace
    _, dlogits = softmax_cross_entropy(fresh.forward_all(t.x)[-1], t.y)
    grads = fresh.backward_all(dlogits)
    np.testing.assert_array_equal(t.input_grad, grads[0])
    for mine, theirs in zip(t.output_grads, grads[1:], strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_learning_rate_changes_apply_at_the_next_batch(lines):
    control = TrainingControl()
    trainer = make(lines, control=control, lr=0.01)
    gen = trainer.steps()
    assert next(gen).lr == pytest.approx(0.01)
    control.lr = 0.002
    assert next(gen).lr == pytest.approx(0.002) and trainer.optimizer.lr == pytest.approx(0.002)


def test_a_huge_learning_rate_ends_in_divergence_suggesting_a_lower_one(lines):
    snaps = list(make(lines, optimizer="sgd", lr=1e6, epochs=3).steps())
    final = snaps[-1]
    assert final.diverged and final.finished
    assert "diverged at step" in final.message and "lower learning rate" in final.message
    assert len(snaps) < 30


def test_the_suggested_learning_rate_after_divergence_is_a_sane_one(lines):
    final = list(make(lines, optimizer="sgd", lr=1e6, epochs=3).steps())[-1]
    suggested = float(final.message.rsplit("e.g. ", 1)[1].rstrip("."))
    assert 0 < suggested <= 0.01


def test_nan_loss_is_reported_as_divergence(lines):
    trainer = make(lines)
    trainer.model.layers[0].weight.data[...] = np.nan
    final = list(trainer.steps())[-1]
    assert final.diverged and "loss became nan" in final.message and final.step == 1


def test_evaluate_returns_loss_and_accuracy(lines):
    trainer = make(lines)
    loss, acc = trainer.evaluate()
    assert loss > 0 and 0.0 <= acc <= 1.0


@pytest.mark.parametrize("kwargs, match", [
    ({"optimizer": "rmsprop"}, "unknown optimizer"),
    ({"lr": -1.0}, "learning rate"),
    ({"batch_size": 0}, "batch size"),
    ({"epochs": 0}, "epochs"),
])
def test_bad_settings_are_refused_with_a_message(lines, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(lines, **kwargs)


def test_a_network_with_the_wrong_number_of_outputs_is_refused(lines):
    model = arch.build_model(arch.preset("classic", 3), lines.input_shape, 3)
    with pytest.raises(ValueError, match="2 classes"):
        Trainer(model, lines)


def test_recommended_settings_cover_the_builtin_sets_and_fall_back_for_files():
    assert train.recommended_settings("digits")["epochs"] == 10
    assert train.recommended_settings("my-mnist") == train.FILE_DEFAULTS
    copy = train.recommended_settings("lines")
    copy["lr"] = 99.0
    assert train.recommended_settings("lines")["lr"] != 99.0
