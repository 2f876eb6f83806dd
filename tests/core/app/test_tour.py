"""The guided tour's stops as plain data: twelve of them, two sentences each, valid settings."""

import dataclasses

import pytest

from cnnviz.lab.conv import PADDING_MODES, POOL_TYPES
from cnnviz.lab.experiments import NAMES
from cnnviz.lab.kernels import names as kernel_names
from cnnviz.tour import SETTING_KEYS, TABS, TOUR, TourStop, heading, sentences


def test_the_tour_has_twelve_stops_with_distinct_titles():
    assert len(TOUR) == 12
    assert len({stop.title for stop in TOUR}) == 12


@pytest.mark.parametrize("stop", TOUR, ids=lambda s: s.title)
def test_every_stop_text_is_at_most_two_sentences(stop):
    assert 1 <= sentences(stop.text) <= 2


def test_sentences_are_not_split_at_decimal_points_or_sizes():
    assert sentences("A 0.5 weight and a 3x3 kernel. Another one!") == 2
    assert sentences("No full stop at all") == 0


@pytest.mark.parametrize("stop", TOUR, ids=lambda s: s.title)
def test_every_stop_names_a_tab_and_known_settings(stop):
    assert stop.tab in TABS
    assert set(stop.settings) <= set(SETTING_KEYS)


@pytest.mark.parametrize("stop", [s for s in TOUR if s.tab == "playground"],
                         ids=lambda s: s.title)
def test_playground_stops_say_every_playground_setting(stop):
    # Any stop can be the first one shown (--tour-stop N), so none relies on an earlier one.
    for key in ("image", "preset", "stride", "padding", "dilation", "relu", "pool"):
        assert key in stop.settings
    assert stop.settings["preset"] in kernel_names()
    assert stop.settings["pool"] in POOL_TYPES
    assert stop.settings["padding_mode"] in PADDING_MODES


def test_why_stops_name_real_experiments():
    pages = [s.settings["why_page"] for s in TOUR if s.tab == "why"]
    assert pages and set(pages) <= set(NAMES)


def test_the_stops_cover_the_ideas_of_the_issue_in_order():
    titles = [s.title.lower() for s in TOUR]
    for i, word in enumerate(("kernel", "hover", "stride", "dilation", "relu", "pool",
                              "translation", "dense", "training", "filters", "grad-cam",
                              "why")):
        assert word in titles[i]


def test_a_stop_is_frozen_and_its_settings_read_only():
    stop = TOUR[2]
    with pytest.raises(dataclasses.FrozenInstanceError):
        stop.title = "x"
    with pytest.raises(TypeError):
        stop.settings["stride"] = 5


def test_a_stop_refuses_an_unknown_setting_with_a_sentence():
    with pytest.raises(ValueError, match="unknown settings: strid"):
        TourStop("t", "One.", "playground", {"strid": 2})


def test_a_stop_refuses_an_unknown_tab():
    with pytest.raises(ValueError, match="playground, training, why"):
        TourStop("t", "One.", "studio", {})


def test_heading_counts_from_one():
    assert heading(2) == f"3 of 12: {TOUR[2].title}"
    assert TOUR[2].title == "Padding and stride"
