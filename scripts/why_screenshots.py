"""Run every "Why CNNs" experiment in the real app window and save a picture of each page.

Usage (in a real X window, e.g. under ../shared/tools/screenshot's Xvfb)::

    python scripts/why_screenshots.py [--quick] [--prefix /tmp/why-] [NAME ...]

Each page is saved as ``PREFIX<name>.png`` after its run (``QWidget.grab`` of the main window),
and the CLI-shaped JSON of every result is printed, one line per experiment.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _wait(app, done, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    return done()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="experiments (default: all)")
    parser.add_argument("--quick", action="store_true", help="the experiments' quick settings")
    parser.add_argument("--prefix", default="/tmp/why-", help="where the pictures go")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per experiment")
    args = parser.parse_args(argv)

    from cnnviz.runtime import tune

    tune()
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("cnnviz-screenshots")
    QCoreApplication.setApplicationName("cnnviz-screenshots")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from cnnviz.lab.experiments import NAMES, Settings
    from ui.main_window import MainWindow

    window = MainWindow()
    window.remember_layout = False
    window.resize(1400, 900)
    window.show()
    window.show_tab("why")
    _wait(app, lambda: False, 2.0)  # the set-up pictures load in the background
    for name in args.names or NAMES:
        started = time.monotonic()
        window.why.run_experiment(name, Settings(quick=args.quick))
        if not _wait(app, lambda n=name: n in window.why.results(), args.timeout):
            print(f"{name}: no result after {args.timeout:.0f} s", file=sys.stderr)
            continue
        _wait(app, lambda: False, 1.0)
        out = f"{args.prefix}{name}.png"
        window.grab().save(out)
        print(json.dumps({"wall_seconds": round(time.monotonic() - started, 1), "png": out,
                          **window.why.results()[name]}), flush=True)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
