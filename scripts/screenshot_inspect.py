"""Real-window pictures of every method of the training studio's Inspect area.

Builds the main window, loads a data set (a built-in name or an MNIST-style ``.npz``/IDX path),
trains the suggested network for a few epochs with the Start button, then selects each method in
the Inspect area, waits for its result and saves ``window.grab()``. Needs a display (run it under
Xvfb: ``xvfb-run`` or ``DISPLAY=:99 QT_QPA_PLATFORM=xcb``)::

    python scripts/screenshot_inspect.py --data digits --epochs 8 --out /tmp/inspect
    python scripts/screenshot_inspect.py --data ~/mnist.npz --epochs 2 --sample 7
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
    p.add_argument("--data", default="digits", help="built-in name or data file (default digits)")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--sample", type=int, default=-1,
                   help="test sample to explain (default: the first one classified correctly "
                        "with at least 90%% confidence)")
    p.add_argument("--out", default="/tmp/i14-", help="file name prefix (default /tmp/i14-)")
    p.add_argument("--methods", nargs="*", help="method keys (default: every method)")
    return p.parse_args(argv)


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


def load_and_train(app, window, args) -> None:
    studio = window.training
    panel = studio.dataset_panel
    if not panel.load_builtin(args.data):
        panel.load_path(args.data)
        wait_until(app, lambda: not panel.is_loading(), 120, "the data set")
        if panel.dataset() is None or panel.dataset().name in ("lines",):
            raise SystemExit(f"could not load {args.data}: {panel.status_label.text()}")
    studio.controls.epochs_spin.setValue(args.epochs)
    studio.controls.start_button.click()
    wait_until(app, lambda: not studio.is_running(), 1200, "training")
    history = studio.history()
    acc = [r["test_accuracy"] for r in history if "test_accuracy" in r]
    print(f"trained on {panel.dataset().name}: test accuracy {acc[-1]:.1%}" if acc else
          "trained", flush=True)


def confident(studio) -> int:
    """The first test sample the trained model gets right with at least 90 % confidence."""
    ctx = studio.model_context()
    ds = ctx.dataset
    probs = ctx.model().predict_proba(ds.x_test[:200])
    good = (probs.argmax(axis=1) == ds.y_test[:200]) & (probs.max(axis=1) >= 0.9)
    return int(good.argmax()) if good.any() else 0


def shoot(app, window, key: str, path: str) -> None:
    panel = window.training.inspect_panel
    view = panel.set_method(key)
    done = []
    view.sigComputed.connect(lambda: done.append(1))
    if not view.auto:
        view.compute_button.click()
        settle(app, 0.1)
    if key == "integratedGradients":
        view.steps_slider.setValue(256)
    if key == "occlusion":  # a confident model's probability barely moves; its logit does
        view.score_combo.setCurrentIndex(view.score_combo.findData("logit"))
    settle(app)  # edits start their computation after a short pause
    wait_until(app, lambda: view.result() is not None and not view.is_busy(), 300, key)
    if key == "adversarial":
        view.smallest_button.click()
        wait_until(app, lambda: not view.is_busy(), 300, "the smallest epsilon")
    settle(app)
    window.grab().save(path)
    print(f"saved {path}: {view.message.text()[:160]}", flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QSplitter

    QCoreApplication.setOrganizationName("cnnviz-screenshots")
    QCoreApplication.setApplicationName("cnnviz-screenshots")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.main_window import MainWindow

    window = MainWindow()
    window.remember_layout = False
    window.resize(1400, 900)
    window.show()
    window.show_tab("training")
    load_and_train(app, window, args)
    studio = window.training
    studio.tabs.setCurrentWidget(studio.inspect_panel)
    studio.findChild(QSplitter, "trainingSplitter").setSizes([230, 670])
    studio.inspect_panel.show_sample(args.sample if args.sample >= 0 else confident(studio))
    keys = args.methods or list(studio.inspect_panel.views)
    for key in keys:
        shoot(app, window, key, f"{args.out}{key}.png")
        view = studio.inspect_panel.views[key]
        if key == "gradCamLayers":
            view.variant_combo.setCurrentIndex(view.variant_combo.findData("hirescam"))
            shoot(app, window, key, f"{args.out}{key}-hirescam.png")
        if key == "featureVis":
            for index in range(1, view.layer_combo.count()):
                view.layer_combo.setCurrentIndex(index)
                shoot(app, window, key, f"{args.out}{key}-{index + 1}.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
