"""Activations, saliency and Grad-CAM of one sample: the first look (ideas 17 and 18).

The activation maps show the feature hierarchy (early layers respond to edges, later ones to
combinations of them); saliency and Grad-CAM show which pixels the decision rests on. All of it
is a few passes of one image, usually a few milliseconds, so it is drawn on the GUI thread as soon
as the sample or the weights change; a network big enough to take longer moves to the background
task runner like the other methods.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from cnnviz import explain
from ui.theme import HEAT, PLOT_BACKGROUND, SMALL_TEXT
from ui.training.inspect.method_view import Export, MethodView
from ui.training.inspect.pictures import ImagePanel
from ui.widgets.image_views import show_signed
from ui.widgets.probability_bars import ProbabilityBars
from ui.widgets.tiling import tile

MAX_MAPS = 32  # channels shown per layer; enough to see the pattern without a wall of tiles
GUI_BUDGET_S = 0.03  # computing on the GUI thread longer than this would be felt


def overview_task(task, model, x, target) -> dict:
    """Task: every layer's maps, saliency and Grad-CAM of one image (a few passes)."""
    task.check()
    cam, variant = explain.grad_cam(model, x, target), "Grad-CAM"
    if cam is not None and not cam.max() > 0:
        # Every averaged gradient is negative: Grad-CAM is blank although the pixels matter.
        # HiResCAM weighs each pixel by its own gradient, so it still shows where the evidence is.
        cam, variant = explain.grad_cam(model, x, target, variant="hirescam"), "HiResCAM"
    return {"maps": explain.activation_maps(model, x),
            "saliency": explain.saliency(model, x, target),
            "grad_cam": cam, "cam_variant": variant}


class OverviewView(MethodView):
    """Input, saliency, Grad-CAM, the probabilities, and every layer's activation maps."""

    title = "Activations, saliency, Grad-CAM"
    key = "overview"
    why = ("Each row on the right is one layer's response to this image: early maps light up on "
           "edges and strokes, later ones on combinations of them. Saliency (how much each pixel "
           "moves the class score) and Grad-CAM (where the last conv layer found evidence for the "
           "class) show what the decision rests on. Trust them as a first look only: saliency is "
           "noisy and often traces the digit's edges whatever the class.")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.compute_button.hide()  # drawn at once: nothing to start
        self.input_panel = ImagePanel("input")
        self.saliency_panel = ImagePanel("saliency")
        self.cam_panel = ImagePanel("Grad-CAM")
        self.bars = ProbabilityBars()
        self.maps = pg.GraphicsLayoutWidget()
        self.maps.setBackground(PLOT_BACKGROUND)
        self.maps.setObjectName("activationMaps")
        self.maps.setMinimumHeight(120)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.maps)
        left = QVBoxLayout()
        images = QHBoxLayout()
        for panel in (self.input_panel, self.saliency_panel, self.cam_panel):
            images.addWidget(panel.plot, 2)
        images.addWidget(self.bars.plot, 3)
        left.addLayout(images, 1)
        self.body.addLayout(left, 3)
        self.body.addWidget(scroll, 2)
        self._last_maps: list = []
        self._maps_key: list = []
        self._map_items: list = []
        self._slow = False  # the last computation here took longer than GUI_BUDGET_S

    def task(self, subject):
        return overview_task, (subject.worker_model(), subject.x, subject.target)

    def compute(self) -> None:
        """Draw everything for the current subject: here and now while that takes less than
        :data:`GUI_BUDGET_S`, in the background (like every other method) once it took longer."""
        s = self._subject
        if s is None:
            return
        self.input_panel.image(s.x[0])
        self.bars.set_probabilities(s.probabilities, s.class_names, s.truth)
        if self._slow:
            super().compute()
            return
        start = time.perf_counter()
        self._pending_key = self.result_key(s)
        self._on_result("compute", overview_task(explain.NO_TASK, s.model, s.x, s.target))
        self._slow = time.perf_counter() - start > GUI_BUDGET_S

    def show_result(self, result) -> None:
        s = self._subject
        if s is None:
            return
        self.saliency_panel.heat(s.x[0], result["saliency"], 0.65)
        cam = result["grad_cam"]
        if cam is None:
            self.cam_panel.image(s.x[0])
            self.cam_panel.set_title("Grad-CAM: no conv layer")
        else:
            self.cam_panel.heat(s.x[0], cam, 0.55)
            title = result["cam_variant"]
            if title != "Grad-CAM":
                title += " (Grad-CAM was empty)"
            if not cam.max() > 0:
                title += " (empty)"
            self.cam_panel.set_title(title)
        self._draw_maps(result["maps"])

    def _forget_result(self) -> None:
        """The input (and, in the panel, the empty bars) still show without weights; the
        explanations of the old model go."""
        had = self._result is not None
        super()._forget_result()
        self.body_box.show()
        if had:
            for panel in (self.saliency_panel, self.cam_panel):
                panel.base.setVisible(False)
                panel.layer.setVisible(False)
            self._draw_maps([])

    def export_data(self) -> Export | None:
        if self._result is None:
            return None
        return Export(self._result["saliency"], self._result["saliency"], "saliency", HEAT,
                      scale=8)

    def activation_summary(self) -> list[tuple[str, tuple]]:
        """(layer name, map shape) for each layer shown."""
        return [(name, a.shape) for name, a in self._last_maps]

    def _draw_maps(self, maps: list) -> None:
        self._last_maps = maps
        images, labels = [], []
        for name, a in maps:
            a = np.asarray(a)
            if a.ndim == 3:
                shown = a[:MAX_MAPS]
                per_row = 8 if a.shape[1] <= 8 else 4  # larger maps get fewer per row
                images.append(tile(shown, columns=min(per_row, len(shown))))
                labels.append(f"{name}: {a.shape[0]} maps of {a.shape[1]}×{a.shape[2]}")
            else:
                images.append(a[None, :128])
                labels.append(f"{name}: {a.shape[0]} values")
        layout_key = [(label, image.shape) for label, image in zip(labels, images, strict=True)]
        if layout_key != self._maps_key:  # rebuilding the scene is slow: only for a new network
            self._maps_key = layout_key
            self.maps.clear()
            self._map_items = []
            for row, (label, image) in enumerate(zip(labels, images, strict=True)):
                self.maps.addLabel(label, row=2 * row, col=0, size=SMALL_TEXT)
                vb = self.maps.addViewBox(row=2 * row + 1, col=0, lockAspect=True,
                                          enableMouse=False, enableMenu=False)
                vb.invertY(True)
                item = pg.ImageItem()
                vb.addItem(item)
                h, w = image.shape
                vb.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)
                # Thin strips (flat layers) would otherwise get a huge square cell.
                width = max(self.maps.width() - 20, 200)
                vb.setFixedHeight(max(24.0, min(220.0, width * h / max(w, 1))))
                self._map_items.append(item)
        for item, image in zip(self._map_items, images, strict=True):
            show_signed(item, image)
