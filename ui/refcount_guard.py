"""Guard against a reference-counting bug of PySide6 6.12.0 on Python < 3.12.

Measured in this environment (PySide6 6.12.0, CPython 3.11): every Python-side ``signal.emit()``
returns ``True`` without taking a reference (True loses one reference per emit), and every call of
a Python slot from Qt drops one reference to ``None``. pyqtgraph emits signals constantly, and the
training studio's redraw timer calls a slot 30 times a second, so after some thousands of calls
CPython aborts with "Fatal Python error: bool_dealloc" / "none_dealloc" — mid-run or at exit.

pyproject.toml excludes that release; this guard protects an environment that has it anyway.
From Python 3.12 on these three objects are immortal (PEP 683) and the bug is harmless. On older
versions :func:`install` gives them the same property by adding a very large number to their
reference counts, once, and only if a probe shows the bug is present. They are never deallocated
in a healthy interpreter anyway, so this changes nothing else.
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40  # far more than a process can ever emit
_installed = False


def bug_present() -> bool:
    """True if emitting a PySide6 signal steals a reference to ``True`` (probe on a throw-away
    QObject; needs no QApplication)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        sig = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(4):
        probe.sig.emit()
    return sys.getrefcount(True) < before


def install() -> bool:
    """Make None, True and False effectively immortal if this PySide6 needs it.

    Returns
    -------
    bool
        True if the guard is (now or already) active.
    """
    global _installed
    if _installed:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not bug_present():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (a Py_ssize_t).
        ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _installed = True
    return True
