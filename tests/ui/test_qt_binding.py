"""The installed Qt binding keeps CPython's reference counts intact.

PySide6 6.12.0 on CPython < 3.12 drops a reference to ``True`` on every ``Signal.emit()`` (and one
to ``None`` per Python slot call), so a live app aborts with "bool_dealloc" after a few
thousand signals. pyproject.toml excludes that release; this test catches a binding with the
same bug.
"""

import sys

from PySide6.QtCore import QObject, Signal, Slot


class _Emitter(QObject):
    sigPing = Signal()

    @Slot()
    def on_ping(self) -> None:
        pass


def test_emitting_signals_keeps_the_reference_counts_of_true_and_none(qapp):
    emitter = _Emitter()
    emitter.sigPing.connect(emitter.on_ping)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(200):  # few enough to never exhaust the counts, enough to see a steady leak
        emitter.sigPing.emit()
    assert sys.getrefcount(True) >= true_before - 5
    assert sys.getrefcount(None) >= none_before - 5
