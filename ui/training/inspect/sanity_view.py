"""The sanity check of Adebayo et al. (2018): saliency and Grad-CAM again, with the trained
weights replaced by random ones, one layer more at a time from the output down."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from cnnviz import explain
from cnnviz.explain.sanity import METHODS as SANITY_METHODS
from ui.theme import HEAT
from ui.training.inspect.method_view import Export, MethodView
from ui.training.inspect.pictures import TileGrid
from ui.widgets.tiling import tile

SURVIVES = 0.5  # a rank correlation above this after full randomisation: the map ignores weights
NAMES = {"saliency": "saliency", "grad-cam": "Grad-CAM", "hirescam": "HiResCAM"}


def sanity_task(task, model, x, target):
    """Task: :func:`cnnviz.explain.sanity_check` with progress."""
    return explain.sanity_check(model, x, target, task=task)


class SanityView(MethodView):
    """One row per method (saliency, Grad-CAM, HiResCAM); left the trained model, right every
    layer random."""

    title = "Sanity check (random weights)"
    key = "sanityCheck"
    why = ("If an explanation is about what the network learned, destroying what it learned must "
           "change it. Here the trained layers are replaced by random ones, from the output "
           "down, and the maps are drawn again; ρ is the rank correlation with the trained "
           "model's map. A map that keeps its look (ρ near 1) is showing the image, e.g. its "
           "edges, more than the model. Passing proves little: a map can change and still be "
           "wrong.")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.compute_button.hide()
        self.grid = TileGrid("trained (left) → random, one more layer per column")
        self.body.addWidget(self.grid.plot, 1)

    def task(self, subject):
        return sanity_task, (subject.worker_model(), subject.x, subject.target)

    def _rows(self, result) -> tuple[list, list, list]:
        methods = [m for m in SANITY_METHODS if m in result.steps[0].maps]
        tiles, captions = [], []
        for method in methods:
            for step in result.steps:
                tiles.append(step.maps[method])
                rho = step.correlations[method]
                captions.append(NAMES[method] if not step.layers else
                                ("ρ n/a" if np.isnan(rho) else f"ρ {rho:.2f}"))
        return methods, tiles, captions

    def show_result(self, result) -> None:
        methods, tiles, captions = self._rows(result)
        self.grid.set_tiles(np.stack(tiles), captions, columns=len(result.steps), mode="heat")
        final = result.final_correlations()
        parts = []
        for method in methods:
            rho, name = final[method], NAMES[method]
            if not np.any(result.steps[0].maps[method] > 0):
                parts.append(f"{name}: the trained model's map is empty, nothing to compare")
            elif np.isnan(rho):
                parts.append(f"{name}: the random model's map is flat")
            else:
                verdict = ("barely changed: it shows the input more than the model"
                           if rho > SURVIVES else "changed: it depends on the weights")
                parts.append(f"{name}: ρ {rho:.2f} ({verdict})")
        order = ", ".join(s.label for s in result.steps)
        self.message.setText(f"Columns: {order}. With every layer random, " + "; ".join(parts)
                             + ".")

    def export_data(self) -> Export | None:
        if self._result is None:
            return None
        _, tiles, _ = self._rows(self._result)
        stack = np.stack(tiles)
        tops = stack.reshape(len(stack), -1).max(axis=1)
        scaled = stack / np.where(tops > 0, tops, 1.0)[:, None, None]
        return Export(tile(scaled, len(self._result.steps), fill=0.0), stack,
                      "sanity check maps", HEAT, levels=(0.0, 1.0), scale=4)
