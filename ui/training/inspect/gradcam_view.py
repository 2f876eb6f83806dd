"""Grad-CAM at every conv layer at once, side by side (pytorch-grad-cam's users ask which layer
to pick; here the learner sees the answer change with the layer), and HiResCAM next to it."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QWidget

from cnnviz import explain
from ui.theme import HEAT
from ui.training.inspect.method_view import Export, MethodView
from ui.training.inspect.pictures import ImagePanel
from ui.widgets.tiling import tile

MAX_LAYERS = 8  # more conv layers than this do not fit side by side


def grad_cam_layers(task, model, x, target, variant):
    """Task: :func:`cnnviz.explain.grad_cam_all` (one forward and one backward pass)."""
    task.check()
    return explain.grad_cam_all(model, x, target, variant)


class GradCamLayersView(MethodView):
    """One Grad-CAM map per conv layer, first layer on the left."""

    title = "Grad-CAM at every conv layer"
    key = "gradCamLayers"
    why = ("Grad-CAM weighs a layer's maps by how much the class score depends on each, so every "
           "conv layer gives its own answer. Early layers are sharp but barely class-specific "
           "(they see edges wherever they are); the last one is coarse (one pixel per pooled "
           "block) but knows the class. Trust a layer whose map is both class-specific and "
           "fine enough to point at something. It fails quietly behind Flatten and Dense: the "
           "gradient averaged over a map can be negative for every map, and the picture is "
           "empty although the pixels matter. HiResCAM multiplies gradient and map pixel by "
           "pixel instead, which for such a head is each position's share of the score.")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.compute_button.hide()
        self.variant_combo = QComboBox()
        self.variant_combo.setObjectName("gradCamVariantCombo")
        self.variant_combo.addItem("Grad-CAM (mean gradient per map)", "grad-cam")
        self.variant_combo.addItem("HiResCAM (gradient × map, per pixel)", "hirescam")
        self.variant_combo.currentIndexChanged.connect(self.compute_soon)
        self.controls.addWidget(self.variant_combo)
        self.panels: list[ImagePanel] = []

    def settings_key(self) -> tuple:
        return (self.variant_combo.currentData(),)

    def task(self, subject):
        return grad_cam_layers, (subject.worker_model(), subject.x, subject.target,
                                 self.variant_combo.currentData())

    def _ensure_panels(self, n: int) -> None:
        while len(self.panels) < n:
            panel = ImagePanel("")
            self.panels.append(panel)
            self.body.addWidget(panel.plot, 1)
        for i, panel in enumerate(self.panels):
            panel.plot.setVisible(i < n)

    def show_result(self, layers) -> None:
        s = self._subject
        if not layers:
            self._ensure_panels(0)
            self.message.setText("This network has no conv layer, so there is no Grad-CAM: "
                                 "try occlusion or integrated gradients.")
            return
        shown = layers[:MAX_LAYERS]
        self._ensure_panels(len(shown))
        for n, (panel, c) in enumerate(zip(self.panels, shown, strict=False), start=1):
            h, w = c.coarse.shape
            empty = " (empty)" if not np.any(c.upsampled > 0) else ""
            panel.set_title(f"conv layer {n}: {h}×{w} map{empty}")
            panel.heat(s.x[0] if s is not None else None, c.upsampled, 0.6)
        hint = ""
        if self.variant_combo.currentData() == "grad-cam" and \
                any(not np.any(c.upsampled > 0) for c in shown):
            hint = " An empty map: every averaged gradient is negative there; try HiResCAM."
        self.message.setText("Left to right: conv layers 1.." + str(len(shown)) + ", each map "
                             "placed at its pixels' receptive-field centres. "
                             + " · ".join(f"{c.name}: {c.coarse.shape[0]}×{c.coarse.shape[1]}"
                                          for c in shown) + "." + hint)

    def export_data(self) -> Export | None:
        if not self._result:
            return None
        stack = np.stack([c.upsampled for c in self._result])
        return Export(tile(stack, len(stack), fill=0.0), stack, "grad-cam per layer", HEAT,
                      levels=(0.0, 1.0), scale=4)
