"""Cyclic garbage is collected from the event loop on the GUI thread, never at an arbitrary
allocation inside a Qt call (which can deadlock on Qt's own signal-slot mutex)."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QObject

from ui.garbage import collect_garbage_between_events


class _Holder(QObject):
    pass


def test_automatic_collection_is_off_once_the_gui_collector_runs(qapp):
    collect_garbage_between_events()
    assert not gc.isenabled()


def test_the_collector_is_made_once_per_process(qapp):
    assert collect_garbage_between_events() is collect_garbage_between_events()


def test_a_qobject_in_a_reference_cycle_is_freed_by_the_event_loop(qtbot):
    collector = collect_garbage_between_events()
    holder = _Holder()
    holder.me = holder  # a cycle: only the cycle collector can free it
    alive = weakref.ref(holder)
    del holder
    filler = [[] for _ in range(5 * collector.threshold[0])]  # push generation 0 past its threshold
    assert alive() is not None  # allocation alone no longer collects
    qtbot.waitUntil(lambda: alive() is None, timeout=5000)
    del filler
