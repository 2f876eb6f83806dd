"""Top patches: for each filter of a conv layer, the 9 test-set patches (at the unit's receptive
field) that excite it most."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QWidget

from cnnviz import explain
from ui.training.inspect.method_view import Export, MethodView
from ui.training.inspect.pictures import TileGrid, tile_images
from ui.widgets.tiling import tile

PER_FILTER = 9


def patches_task(task, model, layer, images):
    """Task: :func:`cnnviz.explain.top_patches` over ``images`` with progress."""
    return explain.top_patches(model, layer, images, PER_FILTER, task=task)


def filter_blocks(patches: np.ndarray) -> np.ndarray:
    """(F, K, C, S, S) patches -> (F, C, B, B): each filter's patches tiled 3 by 3."""
    side = int(np.ceil(np.sqrt(patches.shape[1])))
    if patches.shape[2] == 3:
        return np.stack([np.stack([tile(p[:, c], side) for c in range(3)]) for p in patches])
    return np.stack([tile(p[:, 0], side)[None] for p in patches])


class TopPatchesView(MethodView):
    """A block of nine patches per filter, strongest first (read like a book)."""

    title = "Top patches"
    key = "topPatches"
    auto = False
    why = ("For each filter, the nine places in the test images where it responds most, cut "
           "out at exactly the window that unit can see (its receptive field). Where feature "
           "visualisation shows what a filter would like, these show what it actually fires on. "
           "Trust a filter whose nine patches share a feature. The known failure: the strongest "
           "responses can all be one kind of image (bold digits, bright corners) and hide what "
           "the filter does on the rest.")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("topPatchesLayerCombo")
        self.controls.addWidget(self.layer_combo)
        self.grid = TileGrid()
        self.grid.plot.setObjectName("topPatchesGrid")
        self.body.addWidget(self.grid.plot, 1)
        self._choices_for = None

    def result_key(self, subject) -> tuple:
        return (*subject.weights_key(), *self.settings_key())

    def settings_key(self) -> tuple:
        return (self.layer_combo.currentData(),)

    def set_subject(self, subject, visible: bool) -> None:
        if subject is not None and self._choices_for != id(subject.model):
            self._choices_for = id(subject.model)
            self.layer_combo.clear()
            for n, s in enumerate(explain.stages(subject.model, subject.input_shape)[:2], 1):
                self.layer_combo.addItem(f"conv layer {n}: {s.name}", s.output)
        super().set_subject(subject, visible)

    def task(self, subject):
        layer = self.layer_combo.currentData()
        if layer is None:
            raise ValueError("this network has no conv layer, so its units have no patches")
        return patches_task, (subject.worker_model(), int(layer), subject.dataset.x_test)

    def show_result(self, top) -> None:
        blocks = filter_blocks(top.patches)
        captions = [str(f + 1) for f in range(len(blocks))]
        self.grid.set_tiles(blocks, captions)
        self.message.setText(
            f"{len(blocks)} filters × {top.patches.shape[1]} patches of {top.field}×{top.field} "
            f"pixels (the receptive field); strongest top-left. Strongest response per filter: "
            + ", ".join(f"{a:.2f}" for a in top.activations[:, 0][:16])
            + (" …" if len(blocks) > 16 else ""))

    def export_data(self) -> Export | None:
        if self._result is None:
            return None
        blocks = filter_blocks(self._result.patches)
        picture = tile_images(blocks, min(8, len(blocks)))
        picture = picture[..., :3].mean(axis=-1) if picture.ndim == 3 else \
            np.nan_to_num(picture, nan=1.0)
        return Export(picture, self._result.patches, "top patches", None, levels=(0.0, 1.0),
                      scale=4)
