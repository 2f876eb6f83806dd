"""Cyclic garbage is collected on the GUI thread between events, never at an arbitrary allocation.

Python's collector normally runs whenever an allocation crosses a threshold, wherever that happens.
If it happens while Qt holds one of its internal signal-slot mutexes (PySide looks up a Python
override of a virtual such as ``disconnectNotify`` while Qt is mid-``disconnect``) and the garbage
holds a QObject, that QObject's destructor asks for the same non-recursive mutex and the GUI thread
deadlocks on itself. A gdb trace of a stalled test run showed exactly that:
``QObject::disconnect -> Sbk_GetPyOverride -> gc -> ~QObject -> QBasicMutex::lockInternal``.

pyqtgraph's ``GarbageCollector`` turns automatic collection off and collects from a QTimer instead,
so collection only ever runs from the event loop, where Qt holds no lock.
"""

from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector

_collector: GarbageCollector | None = None


def collect_garbage_between_events(interval_s: float = 1.0) -> GarbageCollector:
    """Switch to timer-driven collection on the GUI thread (idempotent; needs a QApplication).

    Returns
    -------
    GarbageCollector
        The one collector of the process; its timer lives as long as the process.
    """
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=interval_s)
    return _collector
