"""Every saved preference is read through :func:`read_setting`, which never trusts the file.

The settings file is plain text a user (or a crash, or another version of the app) can change:
``mainWindow/tab=abc`` or ``geometry=notbytes`` once stopped the app from starting, and
``training/lr=nan`` silently became 10. Here each read states the type and the range it accepts.
A value that does not fit is removed, so the default is used now and on every later start, and a
note says so (:func:`take_notes` for the notes of start-up, :func:`notifier` for later ones; the
main window shows both in its status bar). This module is the only one that touches
``QSettings``; a test keeps it that way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

__all__ = ["read_setting", "write_setting", "remove_setting", "sync_settings", "take_notes",
           "notifier", "note", "MAX_TEXT_CHARS"]

MAX_TEXT_CHARS = 4096  # a remembered path or name is never longer
_INT = re.compile(r"\s*[+-]?\d{1,18}\s*")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
_notes: list[str] = []
_status_checked = False


class _Notifier(QObject):
    """Emits ``sigNote(str)`` for each bad setting found after start-up."""

    sigNote = Signal(str)


_NOTIFIER: _Notifier | None = None


def notifier() -> _Notifier:
    """The object whose ``sigNote(str)`` announces each bad setting as it is found."""
    global _NOTIFIER
    if _NOTIFIER is None:
        _NOTIFIER = _Notifier()
    return _NOTIFIER


def take_notes() -> list[str]:
    """The notes about bad settings found so far (and forget them)."""
    notes = list(_notes)
    _notes.clear()
    return notes


def note(message: str) -> None:
    """Record a note about the settings (shown in the status bar like those of bad values)."""
    _notes.append(message)
    notifier().sigNote.emit(message)


def _check_file(settings: QSettings) -> None:
    global _status_checked
    if _status_checked:
        return
    _status_checked = True
    if settings.status() != QSettings.Status.NoError:
        note(f"The settings file {settings.fileName()} could not be read; the app uses its "
              "defaults.")


def _as_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INT.fullmatch(raw):
        return int(raw)
    return None


def _as_float(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        value = float(raw) if isinstance(raw, (int, float, str)) else None
    except (ValueError, OverflowError):
        return None
    return value if value is not None and math.isfinite(value) else None


def _as_bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, (str, int)) else None
    return True if text in _TRUE else False if text in _FALSE else None


def _as_bytes(raw: Any) -> QByteArray | None:
    if isinstance(raw, QByteArray):
        return raw
    if isinstance(raw, (bytes, bytearray)):
        return QByteArray(bytes(raw))
    return None


def _as_str(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and len(raw) <= MAX_TEXT_CHARS else None


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    int: _as_int, float: _as_float, bool: _as_bool, bytes: _as_bytes, QByteArray: _as_bytes,
    str: _as_str,
}


def _shown(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def read_setting(key: str, default: Any, kind: type | None = None, *,
                 minimum: float | None = None, maximum: float | None = None,
                 choices: Sequence[Any] | None = None,
                 check: Callable[[Any], bool] | None = None) -> Any:
    """The saved value of ``key`` if it is a valid ``kind``, else ``default``.

    Parameters
    ----------
    key : str
        E.g. ``"training/lr"``.
    default : object
        Returned when the key is missing or its value is not acceptable.
    kind : {int, float, bool, str, bytes}, optional
        The type the value must convert to (``type(default)`` if not given). Floats must be
        finite; ``int`` accepts whole numbers only ("1e9" is not one); ``bytes`` returns a
        ``QByteArray``.
    minimum, maximum : number, optional
        Inclusive range for numbers.
    choices : sequence, optional
        The only values accepted.
    check : callable, optional
        A last test of the converted value.

    A value that fails is removed from the settings (so the default holds from now on) and a
    note naming the key, the bad value and the default is recorded.
    """
    kind = kind or type(default)
    settings = QSettings()
    _check_file(settings)
    raw = settings.value(key)
    if raw is None:
        return default
    value = _CONVERTERS[kind](raw)
    ok = value is not None
    if ok and minimum is not None:
        ok = value >= minimum
    if ok and maximum is not None:
        ok = value <= maximum
    if ok and choices is not None:
        ok = value in choices
    if ok and check is not None:
        ok = bool(check(value))
    if ok:
        return value
    settings.remove(key)
    what = "the default" if default is None or kind in (bytes, QByteArray) else repr(default)
    note(f"The saved setting {key} = {_shown(raw)} is not valid; using {what} instead.")
    return default


def write_setting(key: str, value: Any) -> None:
    """Remember ``value`` under ``key`` (numbers, text, booleans or a QByteArray)."""
    QSettings().setValue(key, value)


def remove_setting(key: str) -> None:
    QSettings().remove(key)


def sync_settings() -> None:
    """Write pending changes to disk now (before work that might crash or hang the app)."""
    QSettings().sync()
