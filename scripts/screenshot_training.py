"""A real-window picture of the training studio mid-run (the curves, filters and progress live).

Builds the main window at ``--size``, shows the training tab, presses Start on the built-in data
set, waits until ``--rows`` steps were reported, lets the views repaint, saves ``window.grab()``
and stops the run. Needs a display (``xvfb-run`` with ``QT_QPA_PLATFORM=xcb``)::

    python scripts/screenshot_training.py --data lines --epochs 200 --out /tmp/mid.png
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="lines", help="built-in data set (default lines)")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--rows", type=int, default=400, help="steps to wait for before the picture")
    p.add_argument("--size", default="1400x900")
    p.add_argument("--out", default="/tmp/training-mid.png")
    return p.parse_args(argv)


def pump(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(argv=None) -> int:
    args = parse_args(argv)
    import os

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    scope = os.environ.get("CNNVIZ_SETTINGS_SCOPE", "cnnviz-screenshot")
    QCoreApplication.setOrganizationName(scope)
    QCoreApplication.setApplicationName(scope)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.main_window import MainWindow

    window = MainWindow()
    window.remember_layout = False
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show_tab("training")
    window.show()
    studio = window.training
    studio.dataset_panel.load_builtin(args.data)
    studio.controls.epochs_spin.setValue(args.epochs)
    pump(app, 0.5)
    studio.controls.start_button.click()
    end = time.monotonic() + 300
    while len(studio.history()) < args.rows and studio.is_running() and time.monotonic() < end:
        pump(app, 0.05)
    pump(app, 0.4)  # the redraw timer repaints curves and filters
    window.grab().save(args.out)
    print(f"saved {args.out} at step {studio.history()[-1]['step'] if studio.history() else 0}")
    studio.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
