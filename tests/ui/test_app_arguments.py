"""The app's command line refuses numbers it cannot use with a sentence, not a traceback."""

import pytest

from ui.app import MAX_DELAY_S, parse_args


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "-1", "soon"])
def test_an_unusable_delay_is_refused_by_the_parser(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--screenshot", "x.png", "--delay", value])
    assert exit_info.value.code == 2
    assert "--delay" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "1.5", str(MAX_DELAY_S)])
def test_a_delay_within_range_is_accepted(value):
    assert parse_args(["--delay", value]).delay == float(value)
