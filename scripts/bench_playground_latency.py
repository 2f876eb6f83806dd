"""Edit-to-screen latency of the playground: a kernel click until the views are repainted.

Setting: a 512x512 photo, a 7x7 kernel, max pooling 2x2 (the quality bar: p95 <= 12 ms).
Each sample clicks a kernel cell the way a user does (a real mouse event on the grid), then runs
the event loop until the feature-map and pooled views (and the grid) have been painted again, so
the time includes the coalesced recomputation, convolution, pooling, colour mapping and painting.

Usage:  python scripts/bench_playground_latency.py [--edits 200] [--platform offscreen]
                                               [--rgb] [--filters F] [--layer2]
Prints p50 / p95 / max in milliseconds, plus the compute-only share: computed from scratch, and
with the playground's cache after one edit (what a click really costs). ``--rgb --filters 4
--layer2`` times the colour playground with a bank of four filters and layer 2 on.
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
    parser.add_argument("--edits", type=int, default=200, help="number of timed kernel clicks")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--platform", default=None, help="Qt platform, e.g. offscreen or xcb")
    parser.add_argument("--rgb", action="store_true", help="colour input (3 channels)")
    parser.add_argument("--filters", type=int, default=1, help="filters in the bank (1..8)")
    parser.add_argument("--layer2", action="store_true", help="layer 2 on")
    args = parser.parse_args(argv)
    if args.platform:
        os.environ["QT_QPA_PLATFORM"] = args.platform
    elif not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return args


def _playground(app, rgb: bool = False, filters: int = 1, layer2: bool = False):
    """A shown playground on the 512x512 photo with a 7x7 Gaussian and 2x2 max pooling (in
    colour, with a bank of ``filters`` and layer 2 when asked)."""
    from PySide6.QtTest import QTest

    from ui.playground.widget import PlaygroundWidget

    widget = PlaygroundWidget()
    widget.resize(1400, 900)
    widget.show()
    QTest.qWaitForWindowExposed(widget)
    combo = widget.controls.image_combo
    index = combo.findText("Camera man (photo)")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    widget.controls.kernel_size_spin.setValue(7)
    widget.controls.preset_combo.setCurrentText("Gaussian blur")
    widget.controls.pool_type_combo.setCurrentText("max")
    if rgb:
        widget.set_channel_mode("rgb")
    widget.controls.filter_spin.setValue(filters)
    widget.controls.layer2_check.setChecked(layer2)
    widget.kernel_grid.select(0)
    result = widget.current_result()
    assert result.spatial_shape == (512, 512) and result.kernel.shape[-1] == 7, result.image.shape
    assert result.pooled is not None
    for _ in range(5):
        app.processEvents()
    return widget


def _paint_counter(targets):
    """An event filter on ``targets`` that records which of them painted since the last clear."""
    from PySide6.QtCore import QEvent, QObject

    class PaintCounter(QObject):
        def __init__(self):
            super().__init__()
            self.painted: set = set()

        def eventFilter(self, obj, event):  # noqa: N802 (Qt API)
            if event.type() == QEvent.Type.Paint:
                self.painted.add(obj)
            return False

    counter = PaintCounter()
    for target in targets:
        target.installEventFilter(counter)
    return counter


def _time_clicks(app, widget, edits: int, warmup: int) -> list[float]:
    """Milliseconds from each real mouse click on the kernel grid until every view repainted."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    grid = widget.kernel_grid
    watched = [widget.views.output_view.viewport(), widget.views.pooled_view.viewport(), grid]
    counter = _paint_counter(watched)
    cells = [(r, c) for r in range(7) for c in range(7)]
    samples = []
    for i in range(warmup + edits):
        row, col = cells[i % len(cells)]
        button = Qt.MouseButton.LeftButton if i % 2 == 0 else Qt.MouseButton.RightButton
        pos: QPoint = grid.cell_rect(row, col).center()
        counter.painted.clear()
        start = time.perf_counter()
        QTest.mouseClick(grid, button, Qt.KeyboardModifier.NoModifier, pos)
        while len(counter.painted) < len(watched):  # until every changed view is on screen
            app.processEvents()
            if time.perf_counter() - start > 2:
                raise RuntimeError("views were not repainted within 2 s")
        if i >= warmup:
            samples.append((time.perf_counter() - start) * 1e3)
    return samples


def _time_compute(widget, repeats: int) -> tuple[list[float], list[float]]:
    """The engine's share (conv + pool, and layer 2), measured apart so it does not skew the
    clicks: from scratch, and through a cache after one weight changed."""
    from cnnviz.lab.bank import LayerCache
    from cnnviz.lab.conv import compute

    result, bank = widget.current_result(), widget.kernel_grid.kernels()
    args = (widget.settings(), widget.bank.biases(), 0, widget.layer2_editor.layer2())
    scratch, edit = [], []
    cache = LayerCache()
    compute(result.image, bank, *args, cache)
    for i in range(repeats):
        t0 = time.perf_counter()
        compute(result.image, bank, *args)
        scratch.append((time.perf_counter() - t0) * 1e3)
        bank[0, 0, 3, 3] += 1.0 if i % 2 == 0 else -1.0
        t0 = time.perf_counter()
        compute(result.image, bank, *args, cache)
        edit.append((time.perf_counter() - t0) * 1e3)
    return scratch, edit


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import numpy as np
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("cnnviz-bench")
    QCoreApplication.setApplicationName("cnnviz-bench")
    app = QApplication.instance() or QApplication([])
    import ui  # noqa: F401  (pyqtgraph configuration)
    from cnnviz.lab.conv import compute
    from cnnviz.runtime import tune

    tune()  # the same process-wide NumPy settings the app applies at start-up
    widget = _playground(app, args.rgb, args.filters, args.layer2)
    s = np.array(_time_clicks(app, widget, args.edits, args.warmup))
    scratch, edit = (np.array(t) for t in _time_compute(widget, args.edits // 2))
    shown = widget.current_result()
    expected = compute(shown.image, widget.kernel_grid.kernels(), widget.settings(),
                       widget.bank.biases(), 0, widget.layer2_editor.layer2())
    np.testing.assert_array_equal(shown.output, expected.output)
    setup = (f"{'RGB' if args.rgb else 'grey'}, {args.filters} filter(s)"
             + (", layer 2" if args.layer2 else ""))
    print(f"platform: {QApplication.platformName()}, {args.edits} kernel clicks, 512x512 photo "
          f"({setup}), 7x7 kernel, max pool 2x2, load average {os.getloadavg()[0]:.1f}")
    print(f"edit-to-screen latency: p50 {np.percentile(s, 50):.1f} ms, "
          f"p95 {np.percentile(s, 95):.1f} ms, max {s.max():.1f} ms (target p95 <= 12 ms)")
    print(f"of which compute: one edit p50 {np.percentile(edit, 50):.1f} ms, "
          f"p95 {np.percentile(edit, 95):.1f} ms; from scratch p50 "
          f"{np.percentile(scratch, 50):.1f} ms, p95 {np.percentile(scratch, 95):.1f} ms")
    widget.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
