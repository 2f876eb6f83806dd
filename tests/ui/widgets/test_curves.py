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


def x_range(plot):
    view = plot.getViewBox()
    view.updateAutoRange()  # what the next paint does
    return view.viewRange()[0]


def test_the_step_axis_follows_the_data_with_a_little_headroom(curves):
    feed(curves, 100)
    curves.refresh()
    for plot in (curves.loss_plot, curves.accuracy_plot):
        low, high = x_range(plot)
        assert 100 < high <= 110 and low <= 1


def test_a_zoomed_step_axis_is_left_where_the_user_put_it(curves):
    feed(curves, 100)
    curves.refresh()
    x_range(curves.loss_plot)
    curves.loss_plot.getViewBox().scaleBy(x=0.5)  # what the mouse wheel does
    zoomed = x_range(curves.loss_plot)
    curves.add_rows([{"step": s, "loss": 1.0, "train_accuracy": 0.5} for s in range(101, 1000)])
    curves.refresh()
    assert x_range(curves.loss_plot) == pytest.approx(zoomed)


def test_clearing_forgets_the_old_step_range(curves):
    feed(curves, 5000)
    curves.refresh()
    x_range(curves.loss_plot)
    curves.clear()
    for plot in (curves.loss_plot, curves.accuracy_plot):
        assert x_range(plot)[1] <= 2


def test_the_legends_sit_in_the_title_row_not_over_the_curves(curves):
    for plot, names in ((curves.loss_plot, ("each step", "smoothed", "test loss")),
                        (curves.accuracy_plot, ("train", "test"))):
        assert plot.getPlotItem().legend is None
        title = plot.getPlotItem().titleLabel.text
        assert all(name in title for name in names)


def drawn_tick_labels(view, plot, qtbot):
    from PySide6.QtGui import QImage, QPainter

    view.resize(600, 300)  # each plot at its minimum height
    view.show()
    qtbot.waitExposed(view)
    axis = plot.getAxis("left")
    image = QImage(100, 300, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _rect, _flags, text in texts]


def test_the_accuracy_axis_shows_0_and_1(curves, qtbot):
    labels = drawn_tick_labels(curves, curves.accuracy_plot, qtbot)
    assert "1.0" in labels and ("0.0" in labels or "0" in labels)
