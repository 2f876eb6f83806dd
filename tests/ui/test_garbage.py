"""Cyclic garbage is collected from the event loop on the GUI thread, never at an arbitrary
allocation inside a Qt call (which can deadlock on Qt's own signal-slot mutex)."""

from __future__ import annotations

import gc
import weakref

from ui.garbage import collect_garbage_between_events


class _Node:
    """Plain Python, so only the cycle collector decides its life (a QObject's wrapper can be
    held by PySide's own bookkeeping, outside anything the collector sees)."""


def test_automatic_collection_is_off_once_the_gui_collector_runs(qapp):
    collect_garbage_between_events()
    assert not gc.isenabled()


def test_the_collector_is_made_once_per_process(qapp):
    assert collect_garbage_between_events() is collect_garbage_between_events()


def test_an_object_in_a_reference_cycle_is_freed_by_the_event_loop(qtbot):
    collector = collect_garbage_between_events()
    node = _Node()
    node.me = node  # a cycle: only the cycle collector can free it
    alive = weakref.ref(node)
    del node
    filler = [[] for _ in range(5 * collector.threshold[0])]  # push generation 0 past its threshold
    assert alive() is not None  # allocation alone no longer collects

    def freed() -> bool:
        # The threshold counts allocations minus deallocations, and the first events of a test
        # can free thousands of an earlier test's objects: keep allocating so it stays crossed.
        filler.extend([] for _ in range(collector.threshold[0]))
        return alive() is None

    qtbot.waitUntil(freed, timeout=5000)
    filler.clear()
