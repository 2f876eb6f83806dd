"""Screenshots of the channel features: the playground in RGB with a bank of filters and layer 2,
and the training studio after training on coloured shapes.

Usage (under a real or virtual X display):
    python scripts/screenshot_channels.py playground OUT.png [--size 1400x900] [--filters 4]
    python scripts/screenshot_channels.py training OUT.png [--size 1400x900]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("playground", "training"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="1400x900")
    parser.add_argument("--filters", type=int, default=4)
    parser.add_argument("--hover", default="40,60", help="pixel to hover, row,col")
    parser.add_argument("--explain", choices=("layer2", "output"), default="layer2",
                        help="hover a layer-2 pixel or a feature-map pixel")
    return parser.parse_args(argv)


def _settle(app, seconds: float) -> None:
    import time

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def _playground(window, app, args) -> None:
    import numpy as np

    from cnnviz.lab.stacks import stack_preset

    pg = window.playground
    window.show_tab("playground")
    combo = pg.controls.image_combo
    index = combo.findText("Chelsea the cat (photo)")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    pg.set_channel_mode("rgb")
    pg.controls.channel_combo.setCurrentIndex(pg.controls.channel_combo.findData("rgb"))
    pg.controls.filter_spin.setValue(args.filters)
    pg.controls.relu_check.setChecked(True)
    pg.controls.pool_type_combo.setCurrentText("max")
    pg.controls.layer2_check.setChecked(True)
    corner = stack_preset("Edges → corners, pooled").layer2
    layer2 = np.zeros((1, args.filters, 3, 3))
    layer2[0, :2] = corner
    pg.controls.layer2_group.grid.set_kernels(layer2)
    pg.controls.layer2_group.bias_spin.setValue(-1.0)
    pg.kernel_grid.select(1)
    _settle(app, 0.5)
    row, col = (int(v) for v in args.hover.split(","))
    (pg.hover.hover_layer2 if args.explain == "layer2" else pg.hover.hover_output)(row, col)


def _training(window, app, args) -> None:
    studio = window.training
    window.show_tab("training")
    studio.dataset_panel.load_builtin("colour-shapes")
    studio.controls.epochs_spin.setValue(12)
    studio.controls.batch_spin.setValue(16)
    studio.controls.lr_spin.setValue(0.005)
    studio.start()
    while studio.is_running():
        _settle(app, 0.1)
    _settle(app, 1.0)


def main(argv=None) -> int:
    args = _parse(argv)
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("cnnviz-screenshots")
    QCoreApplication.setApplicationName("cnnviz-screenshots")
    app = QApplication.instance() or QApplication([])
    import ui  # noqa: F401  (pyqtgraph configuration)
    from ui.main_window import MainWindow

    window = MainWindow()
    window.remember_layout = False
    w, h = (int(v) for v in args.size.split("x"))
    window.resize(w, h)
    window.show()
    _settle(app, 1.0)
    (_playground if args.what == "playground" else _training)(window, app, args)
    _settle(app, 1.5)
    ok = window.grab().save(str(args.out))
    window.close()
    print(f"saved {args.out}" if ok else f"could not write {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
