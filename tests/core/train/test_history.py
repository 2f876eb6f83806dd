"""A run's history stays within its cap however long the run, as an even sample of the steps."""

import pytest

from cnnviz import limits
from cnnviz.history import History


def rows(n, every_eval=0):
    for step in range(1, n + 1):
        row = {"step": step, "loss": 1.0 / step}
        if every_eval and step % every_eval == 0:
            row["test_accuracy"] = 0.5
        yield row


def test_below_the_cap_every_item_is_kept():
    h = History(cap=100)
    h.extend(range(100))
    assert h.items() == list(range(100)) and h.stride == 1


@pytest.mark.parametrize("n", [101, 1000, 12_345, 100_000])
def test_past_the_cap_the_length_stays_bounded(n):
    h = History(cap=100)
    h.extend(range(n))
    assert len(h) <= 100 and h.arrived() == n


def test_the_kept_items_are_evenly_spaced_and_the_newest_is_always_there():
    h = History(cap=100)
    h.extend(range(1000))
    kept = h.items()
    assert kept[-1] == 999
    gaps = {b - a for a, b in zip(kept[:-1], kept[1:-1], strict=False)}
    assert gaps == {h.stride}


def test_key_items_survive_thinning_while_they_fit_in_half_the_cap():
    h = History(cap=100, is_key=lambda r: "test_accuracy" in r)
    h.extend(rows(5000, every_eval=125))  # 40 evaluations
    kept = [r["step"] for r in h if "test_accuracy" in r]
    assert kept == list(range(125, 5001, 125))


def test_too_many_key_items_are_thinned_too():
    h = History(cap=100, is_key=lambda r: "test_accuracy" in r)
    h.extend(rows(10_000, every_eval=1))
    assert len(h) <= 100


def test_the_default_cap_is_the_limit_constant(monkeypatch):
    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 50)
    assert History().cap == 50


def test_clear_starts_again():
    h = History(cap=10)
    h.extend(range(100))
    h.clear()
    h.extend(range(5))
    assert h.items() == [0, 1, 2, 3, 4] and h.stride == 1


def test_a_series_thins_like_a_history_and_keeps_the_newest_row():
    from cnnviz.history import Series

    series, history = Series(2, cap=64), History(cap=64)
    for start in range(0, 5000, 37):  # batches of odd sizes
        batch = [(n, n * 0.5) for n in range(start, min(start + 37, 5000))]
        series.extend(batch)
        history.extend(batch)
    columns = series.columns()
    assert len(series) <= 64 and columns[-1].tolist() == [4999, 2499.5]
    assert columns[:, 0].tolist() == [n for n, _ in history.items()]


def test_series_columns_cannot_be_changed_by_the_plot_that_holds_them():
    from cnnviz.history import Series

    series = Series(1, cap=8)
    series.extend([[1.0], [2.0]])
    with pytest.raises(ValueError):
        series.columns()[0, 0] = 5.0
