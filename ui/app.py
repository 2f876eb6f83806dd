"""Application start-up: command line, QApplication, the main window, and ``--screenshot``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from ui.display_check import display_problem

TABS = ("playground", "training", "why")
MAX_DELAY_S = 600.0  # ten minutes; QTimer takes whole milliseconds in a 32-bit int
KERNELS_PATIENCE_MS = 3000  # after this the status bar says the kernels are being compiled


def _delay(text: str) -> float:
    """An argparse type: seconds in [0, MAX_DELAY_S] (not nan, inf or 1e308)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.0 <= value <= MAX_DELAY_S:  # also false for nan
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_DELAY_S:g} seconds, "
                                         f"not {text}")
    return value


def _tour_stop(text: str) -> int:
    """An argparse type: a stop number of the guided tour, 1..len(TOUR)."""
    from cnnviz.tour import TOUR

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a stop number") from None
    if not 1 <= value <= len(TOUR):
        raise argparse.ArgumentTypeError(f"must be a stop number from 1 to {len(TOUR)}, "
                                         f"not {text}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="cnnviz",
        description="See why convolutional networks work: a kernel playground, a live training "
            "studio and the experiments behind them.",
    )
    parser.add_argument("--tab", choices=TABS, help="tab to show first (default: the last one "
        "used)")
    parser.add_argument("--image", type=Path, help="open this image in the playground")
    parser.add_argument("--screenshot", type=Path, metavar="OUT.png",
                        help="render the window to OUT.png and exit (used by CI and for README "
                            "pictures)")
    parser.add_argument("--size", default="1400x900", metavar="WxH",
                        help="window size for --screenshot (default 1400x900)")
    parser.add_argument("--delay", type=_delay, default=1.5, metavar="SECONDS",
                        help="seconds to let the window settle before --screenshot captures it "
                             f"(0 to {MAX_DELAY_S:g})")
    # for pictures of the guided tour: start it at stop N (1..12)
    parser.add_argument("--tour-stop", type=_tour_stop, metavar="N", help=argparse.SUPPRESS)
    # for `python -m cnnviz bench`: print start-up timings at the first paint, then quit
    parser.add_argument("--report-first-paint", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _window_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--size must look like 1400x900, not {text!r}") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise SystemExit(f"--size {text} is out of range (200..10000 per side)")
    return w, h


def _show(window, tour_stop: int | None) -> None:
    """Show the window, with the tour's panel at stop ``tour_stop`` (from 1) if one is asked
    for (after show(), so the outline finds the control where it is drawn)."""
    window.show()
    if tour_stop is not None:
        window.start_tour(tour_stop - 1)


def _report_first_paint(app, marks: dict) -> None:
    """At the first paint of any widget, print the start-up timings (s since main()) and quit."""
    from ui.widgets.first_paint import FirstPaint

    def done() -> None:
        marks["painted"] = time.perf_counter() - marks.pop("start")
        print("first-paint " + json.dumps(marks), flush=True)
        app.quit()

    FirstPaint(app, done)


def _prepare_kernels(window) -> None:
    """Compile (first run) or load the engine's kernels in the background after the first paint;
    say so in the status bar when it takes a while, so a first training step is not a mystery."""
    from PySide6.QtCore import QTimer

    from cnnviz.nn import kernels

    thread = kernels.warm_up(background=True)
    if thread is None:
        return

    def check() -> None:
        if thread.is_alive():
            window.show_status("Compiling the engine's fast kernels (once per install)...")
            QTimer.singleShot(1000, check)

    # Loading them from numba's cache takes about a second (more while the window builds its
    # other tabs); compiling takes tens of seconds. Only the second deserves a message.
    QTimer.singleShot(KERNELS_PATIENCE_MS, check)


def _start_application():
    """The one QApplication, named for its settings scope, collecting garbage between events."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from ui.garbage import collect_garbage_between_events

    scope = os.environ.get("CNNVIZ_SETTINGS_SCOPE", "cnnviz")
    QCoreApplication.setOrganizationName(scope)
    QCoreApplication.setApplicationName(scope)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collect_garbage_between_events()
    return app


def main(argv: list[str] | None = None) -> int:
    marks = {"start": time.perf_counter()}
    args = parse_args(sys.argv[1:] if argv is None else argv)
    size = _window_size(args.size)
    problem = display_problem()
    if problem and args.screenshot:
        # A picture needs no screen: render offscreen instead of failing.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        problem = None
    if problem:
        print(problem, file=sys.stderr)
        return 3

    from cnnviz.runtime import tune

    tune()  # process-wide NumPy speed settings: the app asks for them, an import never does

    from PySide6.QtCore import QTimer

    app = _start_application()

    from cnnviz.nn import kernels
    from ui.main_window import MainWindow

    kernels.defer()  # NumPy draws the first picture; the kernels load after the first paint
    marks["imports"] = time.perf_counter() - marks["start"]
    window = MainWindow(defer_hidden_tabs=True)  # the other tabs are built after the first paint
    marks["window"] = time.perf_counter() - marks["start"]
    if args.tab:
        window.show_tab(args.tab)
    if args.image is not None:
        window.playground.load_image(str(args.image), wait=False)  # the window paints first

    if args.screenshot:
        window.remember_layout = False
        window.resize(*size)
        _show(window, args.tour_stop)

        def capture() -> None:
            pixmap = window.grab()
            ok = pixmap.save(str(args.screenshot))
            if not ok:
                print(f"could not write {args.screenshot}", file=sys.stderr)
            window.close()
            app.exit(0 if ok else 1)

        QTimer.singleShot(int(args.delay * 1000), capture)
        return app.exec()

    if args.report_first_paint:
        window.remember_layout = False
        _report_first_paint(app, marks)
    else:
        QTimer.singleShot(200, lambda: _prepare_kernels(window))  # after the first paint
    _show(window, args.tour_stop)
    return app.exec()
