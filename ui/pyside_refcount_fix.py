"""Guard against PySide6 6.12 reference-count bugs that crash Python 3.10/3.11.

With PySide6 6.12.0 on CPython 3.11, every ``Signal.emit()`` of a signal declared in Python releases
one reference to ``True`` that it never took, and every C++ call of a virtual method overridden in
Python that returns ``None`` (``paintEvent``, ``paint``, ...) releases one reference to ``None``.
After a few thousand emits or repaints the count reaches zero and CPython aborts with "Fatal Python
error: bool_dealloc" (or "none_dealloc"). Python 3.12 made these singletons immortal, so the bug is
harmless there; on older CPython we give them a huge reference count up front, which has the same
effect. Remove once PySide6 is fixed (or pin a PySide6 without the bug).
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["apply"]

_RESERVE = 1 << 40  # ~10^12 references: weeks of emitting a million signals a second
_applied = False


def apply() -> bool:
    """Make ``True``, ``False`` and ``None`` effectively immortal on CPython < 3.12.

    Returns True if it changed anything (only once per process).
    """
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for obj in (True, False, None):
        # ob_refcnt is the first field of every CPython object (non-debug builds).
        ctypes.c_ssize_t.from_address(id(obj)).value += _RESERVE
    _applied = True
    return True


apply()
