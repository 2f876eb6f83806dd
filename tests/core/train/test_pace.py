"""The pace maths: how long to wait after each step so a run goes at a watchable speed."""

from __future__ import annotations

import pytest

from cnnviz.pace import Pace, Pacer, paced_seconds_left


def test_the_paces_offered_are_full_speed_100_20_and_5_steps_per_second():
    assert [p.steps_per_second for p in Pace] == [None, 100.0, 20.0, 5.0]


def test_a_pace_is_found_again_by_its_key():
    assert all(Pace.from_key(p.key) is p for p in Pace)


def test_an_unknown_pace_key_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="full, 100, 20, 5"):
        Pace.from_key("7")


def test_a_fast_step_waits_the_rest_of_its_period():
    assert Pacer(5).wait_after(0.05) == pytest.approx(0.15)


def test_a_step_slower_than_the_pace_is_not_slowed_further():
    assert Pacer(20).wait_after(0.2) == 0.0


def test_full_speed_never_waits():
    assert Pacer(None).wait_after(0.0) == 0.0


def test_a_non_positive_pace_is_refused():
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)


def test_time_left_counts_the_pace_when_it_is_slower_than_computing():
    assert paced_seconds_left(2.0, 100, 5.0) == pytest.approx(20.0)


def test_time_left_at_full_speed_is_the_computing_time():
    assert paced_seconds_left(2.0, 100, None) == 2.0
