"""The training session: the run's state (history, snapshots, weights, model context, run state)
that the studio's panels share, and the signals that tell them it changed."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.data import make_lines
from cnnviz.nn.architecture import build_model, preset
from ui.training.session import RunState, TrainingSession

SETTINGS = {"optimizer": "adam", "lr": 0.01, "batch_size": 16, "epochs": 2, "weight_decay": 0.0,
            "seed": 0}


@pytest.fixture(scope="module")
def lines():
    return make_lines(n=200, seed=0)


@pytest.fixture
def session(lines):
    made = TrainingSession()
    made.set_dataset(lines)
    made.set_spec(preset("Classic small net", lines.n_classes))
    yield made
    made.shutdown()


def narrower_net(dataset):
    """The classic small net with 2 first-layer filters instead of 4: another architecture."""
    spec = preset("Classic small net", dataset.n_classes)
    spec[0]["out_channels"] = 2
    return spec


def settings(**changes):
    return {**SETTINGS, **changes}


def train_to_end(qtbot, session, **changes):
    with qtbot.waitSignal(session.sigFinished, timeout=30000):
        assert session.start(settings(**changes))


def test_a_new_session_is_idle_and_holds_nothing():
    session = TrainingSession()
    assert session.state() is RunState.IDLE and not session.is_running()
    assert session.history() == [] and session.latest_snapshot() is None
    assert session.model_context() is None and not session.has_weights()


def test_data_and_a_network_give_a_model_context_without_weights(session, lines):
    ctx = session.model_context()
    assert ctx.dataset is lines and ctx.spec == session.spec()
    assert ctx.model() is None


def test_starting_announces_running_and_finishing_announces_stopped(qtbot, session):
    states = []
    session.sigStateChanged.connect(states.append)
    train_to_end(qtbot, session)
    assert states == [RunState.RUNNING, RunState.STOPPED]
    assert not session.is_running()


def test_a_finished_run_keeps_its_history_and_newest_weights(qtbot, session):
    train_to_end(qtbot, session)
    history = session.history()
    assert [row["step"] for row in history] == list(range(1, len(history) + 1))
    assert session.weights() is session.latest_snapshot().state
    assert session.latest_evaluation().confusion is not None


def test_history_is_a_copy_the_caller_cannot_change(qtbot, session):
    train_to_end(qtbot, session)
    session.history()[0]["loss"] = -1.0
    assert session.history()[0]["loss"] != -1.0


def test_rows_are_announced_as_they_arrive(qtbot, session):
    rows = []
    session.sigRowsAdded.connect(rows.extend)
    train_to_end(qtbot, session)
    assert rows == session.history()


def test_pause_resume_and_stop_move_through_the_run_states(qtbot, session):
    states = []
    session.sigStateChanged.connect(states.append)
    assert session.start(settings(epochs=200))
    session.pause()
    session.resume()
    with qtbot.waitSignal(session.sigFinished, timeout=10000):
        session.stop()
    assert states == [RunState.RUNNING, RunState.PAUSED, RunState.RUNNING, RunState.STOPPING,
                      RunState.STOPPED]


def test_a_single_step_pauses_and_reports_one_trace(qtbot, session):
    assert session.start(settings(epochs=200), paused=True)
    with qtbot.waitSignal(session.sigTrace, timeout=10000) as blocker:
        session.single_step()
    assert session.state() is RunState.PAUSED
    assert len(blocker.args[0].y) == SETTINGS["batch_size"]
    with qtbot.waitSignal(session.sigFinished, timeout=10000):
        session.stop()


def test_settings_the_trainer_refuses_are_a_problem_not_a_crash(qtbot, session):
    with qtbot.waitSignal(session.sigProblem) as blocker:
        assert not session.start(settings(batch_size=0))
    assert blocker.args[0].startswith("Cannot start: batch size")
    assert session.state() is RunState.IDLE


def test_starting_without_data_is_a_problem(qtbot):
    session = TrainingSession()
    with qtbot.waitSignal(session.sigProblem) as blocker:
        assert not session.start(settings())
    assert blocker.args == ["Choose a data set first."]


def test_a_new_network_forgets_the_weights_of_the_old_one(qtbot, session, lines):
    train_to_end(qtbot, session)
    with qtbot.waitSignal(session.sigContextChanged):
        session.set_spec(narrower_net(lines))
    assert not session.has_weights() and session.model_context().model() is None


def test_the_network_cannot_change_under_a_running_trainer(qtbot, session, lines):
    before = session.spec()
    assert session.start(settings(epochs=200))
    session.set_spec(narrower_net(lines))
    assert session.spec() == before
    with qtbot.waitSignal(session.sigFinished, timeout=10000):
        session.stop()


def test_loaded_weights_reach_the_context_and_are_announced(qtbot, session, lines):
    spec = narrower_net(lines)
    state = build_model(spec, lines.input_shape, lines.n_classes, seed=7).state_dict()
    with qtbot.waitSignal(session.sigModelLoaded) as blocker:
        session.load_model(spec, state)
    assert blocker.args == [spec] and session.spec() == spec
    loaded = session.model_context().model().state_dict()
    for key, value in state.items():
        np.testing.assert_array_equal(loaded[key], value)


def test_a_run_after_loading_starts_from_the_loaded_weights(qtbot, session, lines):
    spec = preset("Classic small net", lines.n_classes)
    state = build_model(spec, lines.input_shape, lines.n_classes, seed=7).state_dict()
    session.load_model(spec, state)
    with qtbot.waitSignal(session.sigTrace, timeout=10000) as blocker:
        session.start(settings(epochs=200), paused=True)
        session.single_step()
    np.testing.assert_array_equal(blocker.args[0].weight_before, state["0.weight"])
    with qtbot.waitSignal(session.sigFinished, timeout=10000):
        session.stop()


def test_reset_forgets_the_run_and_the_loaded_weights(qtbot, session):
    train_to_end(qtbot, session)
    with qtbot.waitSignal(session.sigCleared):
        session.reset()
    assert session.state() is RunState.IDLE and session.history() == []
    assert not session.has_weights() and session.model_context().model() is None


def test_new_data_stop_the_run_and_forget_it(qtbot, session, lines):
    assert session.start(settings(epochs=200))
    session.set_dataset(make_lines(n=100, seed=1))
    assert session.state() is RunState.IDLE and not session.runner.is_running()
    assert session.history() == []


def test_the_newest_weights_reach_the_context_only_when_pushed(qtbot, session):
    train_to_end(qtbot, session)
    ctx = session.model_context()
    assert ctx.state is not session.latest_snapshot().state
    with qtbot.waitSignal(session.sigWeightsChanged):
        assert session.push_latest_weights()
    assert ctx.state is session.latest_snapshot().state
    with qtbot.assertNotEmitted(session.sigWeightsChanged):
        assert not session.push_latest_weights()


def test_a_finished_run_says_its_test_accuracy_in_the_status_bar(qtbot, session):
    messages = []
    session.sigStatus.connect(messages.append)
    train_to_end(qtbot, session)
    accuracy = [r["test_accuracy"] for r in session.history() if "test_accuracy" in r][-1]
    assert messages[-1] == f"Finished: test accuracy {accuracy:.1%}."


def test_a_stopped_run_says_it_stopped(qtbot, session):
    messages = []
    session.sigStatus.connect(messages.append)
    assert session.start(settings(epochs=200))
    with qtbot.waitSignal(session.sigFinished, timeout=10000):
        session.stop()
    assert messages[-1].startswith("Stopped")


def _rows(start, count, evaluate_every=0):
    rows = []
    for step in range(start, start + count):
        row = {"step": step, "epoch": 1, "epoch_progress": 0.5, "loss": 1.0 / step,
               "train_accuracy": 0.5, "lr": 0.01}
        if evaluate_every and step % evaluate_every == 0:
            row.update(test_accuracy=0.9, test_loss=0.1)
        rows.append(row)
    return rows


def test_the_history_stays_within_its_cap_however_long_the_run(monkeypatch):
    from cnnviz import limits
    from ui.training.worker import Report

    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 500)
    session = TrainingSession()
    for start in range(1, 20_001, 100):
        session._on_report(Report(0, rows=_rows(start, 100, evaluate_every=1000)))
    history = session.history()
    assert session.history_length() == len(history) <= 500
    assert history[-1]["step"] == 20_000  # the newest step is always there
    assert [r["step"] for r in history if "test_accuracy" in r] == list(range(1000, 20_001, 1000))
    steps = [r["step"] for r in history]
    assert steps == sorted(steps)


def test_the_csv_of_a_thinned_history_names_the_steps_it_kept(monkeypatch, tmp_path):
    import csv

    from cnnviz import limits
    from ui.training.files import write_history_csv
    from ui.training.worker import Report

    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 100)
    session = TrainingSession()
    session._on_report(Report(0, rows=_rows(1, 1000)))
    path = write_history_csv(session.history(), tmp_path / ("h" * 250 + ".csv"))
    with open(path, newline="") as f:
        table = list(csv.DictReader(f))
    assert [int(r["step"]) for r in table] == [r["step"] for r in session.history()]
    assert float(table[-1]["loss"]) == pytest.approx(1 / 1000)
