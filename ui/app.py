"""Application start-up: command line, QApplication, the main window, and ``--screenshot``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ui.display_check import display_problem

TABS = ("playground", "training", "why")


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
    parser.add_argument("--delay", type=float, default=1.5, metavar="SECONDS",
                        help="seconds to let the window settle before --screenshot captures it")
    return parser.parse_args(argv)


def _window_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--size must look like 1400x900, not {text!r}") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise SystemExit(f"--size {text} is out of range (200..10000 per side)")
    return w, h


def main(argv: list[str] | None = None) -> int:
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

    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    scope = os.environ.get("CNNVIZ_SETTINGS_SCOPE", "cnnviz")
    QCoreApplication.setOrganizationName(scope)
    QCoreApplication.setApplicationName(scope)
    app = QApplication.instance() or QApplication(sys.argv[:1])

    from ui.main_window import MainWindow

    window = MainWindow()
    if args.tab:
        window.show_tab(args.tab)
    if args.image is not None:
        window.playground.load_image(str(args.image))

    if args.screenshot:
        window.remember_layout = False
        window.resize(*size)
        window.show()

        def capture() -> None:
            pixmap = window.grab()
            ok = pixmap.save(str(args.screenshot))
            if not ok:
                print(f"could not write {args.screenshot}", file=sys.stderr)
            window.close()
            app.exit(0 if ok else 1)

        QTimer.singleShot(int(args.delay * 1000), capture)
        return app.exec()

    window.show()
    return app.exec()
