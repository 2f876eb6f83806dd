"""The loss and accuracy curves draw a run of any length from bounded memory, faithfully."""

import numpy as np
import pytest

from cnnviz import limits
from ui.widgets.curves import SMOOTHING, CurvesView


@pytest.fixture
def curves(qtbot, monkeypatch):
    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 200)
    view = CurvesView()
    qtbot.addWidget(view)
    return view


def feed(view, steps, evaluate_every=100):
    rng = np.random.default_rng(0)
    losses = rng.random(steps) + 1.0
    for start in range(0, steps, 50):
        view.add_rows([{"step": s + 1, "loss": float(losses[s]), "train_accuracy": 0.5,
                        **({"test_accuracy": 0.8, "test_loss": 0.3}
                           if (s + 1) % evaluate_every == 0 else {})}
                       for s in range(start, min(start + 50, steps))])
    return losses


def test_the_points_stay_within_the_cap_however_many_steps_arrive(curves):
    feed(curves, 10_000)
    counts = curves.point_counts()
    assert counts["loss"] <= 200 and counts["test"] <= 200
    curves.refresh()
    steps, _ = curves._loss_raw.getData()
    assert steps[-1] == 10_000 and np.all(np.diff(steps) > 0)


def test_the_smoothed_curve_is_computed_from_every_step_before_thinning(curves):
    losses = feed(curves, 5_000)
    ema = norm = 0.0
    for loss in losses:
        ema = SMOOTHING * ema + (1 - SMOOTHING) * loss
        norm = SMOOTHING * norm + (1 - SMOOTHING)
    curves.refresh()
    _, smoothed = curves._loss_smooth.getData()
    assert smoothed[-1] == pytest.approx(ema / norm)
