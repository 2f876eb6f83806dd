"""Every saved preference is read through one validating accessor; a bad value gives way to the
default, is removed, and is reported."""

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from ui.widgets import settings as accessor
from ui.widgets.settings import read_setting, take_notes

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def no_old_notes():
    take_notes()
    yield
    take_notes()


def store(key, value):
    QSettings().setValue(key, value)
    QSettings().sync()


def test_a_missing_key_gives_the_default_without_a_note():
    assert read_setting("a/missing", 7) == 7 and take_notes() == []


@pytest.mark.parametrize("kind, raw, expected", [
    (int, "5", 5), (int, 5, 5), (float, "0.25", 0.25), (float, 3, 3.0), (bool, "true", True),
    (bool, "0", False), (str, "lines", "lines"),
])
def test_a_good_value_converts_to_its_kind(kind, raw, expected):
    store("k/v", raw)
    assert read_setting("k/v", kind(), kind) == expected and take_notes() == []


@pytest.mark.parametrize("kind, raw", [
    (int, "abc"), (int, "1e9"), (int, "2.5"), (float, "nan"), (float, "inf"), (float, "1e999"),
    (bool, "maybe"), (str, ["a", "b"]), (bytes, "notbytes"),
])
def test_a_bad_value_gives_the_default_is_removed_and_noted(kind, raw):
    store("k/bad", raw)
    default = None if kind is bytes else kind()
    assert read_setting("k/bad", default, kind) == default
    notes = take_notes()
    assert len(notes) == 1 and "k/bad" in notes[0] and "not valid" in notes[0]
    assert QSettings().value("k/bad") is None


def test_a_value_outside_its_range_or_choices_gives_the_default():
    store("k/n", "500")
    assert read_setting("k/n", 3, int, minimum=1, maximum=100) == 3
    store("k/c", "bogus")
    assert read_setting("k/c", "signed", str, choices=("signed", "abs")) == "signed"
    assert len(take_notes()) == 2


def test_bytes_come_back_as_a_byte_array():
    store("k/b", QByteArray(b"\x01\x02"))
    assert bytes(read_setting("k/b", None, bytes)) == b"\x01\x02"


def test_later_notes_are_announced_by_the_notifier(qtbot):
    store("k/late", "x")
    with qtbot.waitSignal(accessor.notifier().sigNote, timeout=1000) as blocker:
        read_setting("k/late", 1, int)
    assert "k/late" in blocker.args[0]


def test_only_the_accessor_module_touches_qsettings():
    uses = re.compile(r"import .*\bQSettings\b|\bQSettings\(")
    sources = [ROOT / "main.py", *(ROOT / "cnnviz").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    users = [str(p.relative_to(ROOT)) for p in sources if uses.search(p.read_text())]
    assert users == ["ui/widgets/settings.py"]
