"""Real-window pictures of the training studio's watchable pace, staged step and filters.

Needs a display (run it under Xvfb)::

    xvfb-run -a -s "-screen 0 1400x900x24" python scripts/screenshot_pace.py --out /tmp/pace-

Saves ``<out>staged-<stage>.png`` after each press of Next stage, ``<out>paced.png`` mid-run at
5 steps/s, ``<out>first-vs-now.png`` with the comparison shown and ``<out>hover.png`` with the
pointer on a filter.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def wait_until(app, condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def settle(app, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="/tmp/pace-")
    p.add_argument("--data", default="lines")
    p.add_argument("--size", default="1400x900")
    args = p.parse_args(argv)
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("cnnviz-screenshots")
    QCoreApplication.setApplicationName("cnnviz-screenshots")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.main_window import MainWindow

    window = MainWindow()
    window.remember_layout = False
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    window.show_tab("training")
    studio = window.training
    studio.dataset_panel.load_builtin(args.data)
    settle(app)
    view = studio.step_view
    for stage in ("forward", "loss", "backward", "update"):
        view.next_stage_button.click()
        wait_until(app, lambda s=stage: view.current_stage() == s, 30, stage)
        settle(app)
        window.grab().save(f"{args.out}staged-{stage}.png")
    studio.controls.stop_button.click()
    wait_until(app, lambda: not studio.is_running(), 30, "the stop")
    combo = studio.controls.pace_combo
    combo.setCurrentIndex(combo.findData("5"))
    studio.controls.epochs_spin.setValue(3)
    studio.controls.start_button.click()
    settle(app, 2.5)
    window.grab().save(f"{args.out}paced.png")
    combo.setCurrentIndex(combo.findData("full"))
    wait_until(app, lambda: not studio.is_running(), 300, "training")
    settle(app)
    filters = studio.filters_view
    filters.first_vs_now_check.setChecked(True)
    settle(app)
    window.grab().save(f"{args.out}first-vs-now.png")
    filters.first_vs_now_check.setChecked(False)
    settle(app)
    filters.hover_filter(1)
    settle(app)
    # The whole screen: a tooltip is a window of its own, which window.grab() leaves out.
    app.primaryScreen().grabWindow(0).save(f"{args.out}hover.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
