"""How responsive is the GUI thread while a network trains at full speed in the worker?

A 5 ms ``QTimer`` on the GUI thread records when it actually fires; the gaps between firings are
how long the GUI thread was unable to react (to a click, a repaint...). The training studio is
shown, training starts, and after ``--seconds`` (or when training ends) the gap percentiles are
printed. Target: p99 <= 50 ms.

    python scripts/bench_gui_responsiveness.py [--dataset digits] [--seconds 8] [--tab 0]

Runs offscreen unless a display is requested with ``--show``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits", choices=("lines", "shapes", "digits"))
    parser.add_argument("--seconds", type=float, default=8.0, help="measurement length")
    parser.add_argument("--epochs", type=int, default=200, help="enough to train all along")
    parser.add_argument("--tab", type=int, default=0,
                        help="studio tab shown while training (0 network, 2 inspect, 3 mistakes)")
    parser.add_argument("--show", action="store_true", help="use the real display")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="override sys.setswitchinterval (seconds) to study GIL hand-over")
    args = parser.parse_args(argv)
    if not args.show:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return args


def _studio(args):
    from ui.training.widget import TrainingWidget

    widget = TrainingWidget()
    widget.resize(1400, 900)
    widget.dataset_panel.load_builtin(args.dataset)
    widget.controls.epochs_spin.setValue(args.epochs)
    widget.tabs.setCurrentIndex(args.tab)
    widget.show()
    return widget


def _record_timer_gaps(app, widget, seconds: float) -> list[float]:
    """Start training, then record when a 5 ms GUI-thread timer fires, for ``seconds``."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    clock = QElapsedTimer()
    stamps: list[float] = []
    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(lambda: stamps.append(clock.nsecsElapsed() / 1e6))
    done = QTimer()
    done.setSingleShot(True)
    done.timeout.connect(app.quit)

    def begin() -> None:
        widget.controls.start_button.click()
        clock.start()
        probe.start()
        done.start(int(seconds * 1000))

    QTimer.singleShot(300, begin)
    app.exec()
    probe.stop()
    return stamps


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import numpy as np
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("cnnviz-bench")
    QCoreApplication.setApplicationName("cnnviz-bench")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    import ui  # noqa: F401  (pyqtgraph configuration)
    from cnnviz.runtime import tune

    tune()  # the same process-wide NumPy settings the app applies at start-up
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    widget = _studio(args)
    t0 = time.perf_counter()
    gaps = np.diff(np.asarray(_record_timer_gaps(app, widget, args.seconds)))
    history, snap = widget.history(), widget.latest_snapshot()
    widget.shutdown()
    if gaps.size == 0:
        print("no timer events recorded")
        return 1
    p50, p99 = np.percentile(gaps, [50, 99])
    print(f"GIL switch interval {sys.getswitchinterval() * 1000:g} ms; "
          f"dataset {args.dataset}, tab {args.tab}, {time.perf_counter() - t0:.1f} s, "
          f"{len(history)} steps trained, "
          f"{0 if snap is None else snap.samples_per_second:,.0f} samples/s")
    print(f"GUI timer gaps over {gaps.size} events (5 ms timer): p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms, max {gaps.max():.1f} ms  (target p99 <= 50 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
