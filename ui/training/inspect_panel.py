"""Inspect one test sample: every layer's activation maps, the probabilities, saliency and Grad-CAM.

Why (ideas 17 and 18): the activation maps show the feature hierarchy (early layers respond to
edges, later ones to combinations of them); saliency and Grad-CAM show which pixels the decision
actually rests on, which is how you catch a network that is right for the wrong reason.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz import explain
from ui.theme import HEAT, PLOT_BACKGROUND, SMALL_TEXT, colormap
from ui.training.session import TrainingSession
from ui.widgets.image_views import image_view, show_image, show_signed
from ui.widgets.probability_bars import ProbabilityBars
from ui.widgets.tiling import tile
from ui.widgets.why import WhyLabel

MAX_MAPS = 32  # channels shown per layer; enough to see the pattern without a wall of tiles
WHY = (
    "Why: each row is one layer's response to this image. Early maps light up on edges and "
    "strokes, later ones on combinations of them: a feature hierarchy. Saliency (how much each "
    "pixel moves the class score) and Grad-CAM (where the last conv layer found evidence for the "
    "class) show what the decision rests on, the first thing to check when a prediction is wrong."
)


class InspectPanel(QWidget):
    """Pick a test sample by index; see what every layer does with it and why it was classified.

    Follows the session's model context; recomputes only while it is shown (on new weights, and
    when it comes into view).
    """

    def __init__(self, session: TrainingSession, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = None
        session.sigContextChanged.connect(self.set_context)
        session.sigWeightsChanged.connect(self._on_weights)
        self.sample_spin = QSpinBox()
        self.sample_spin.setObjectName("testSampleSpin")
        self.sample_spin.setPrefix("test sample ")
        self.sample_spin.setRange(0, 0)
        self.sample_spin.valueChanged.connect(self._on_sample)
        self.random_button = QPushButton("Random")
        self.random_button.setObjectName("randomSampleButton")
        self.random_button.clicked.connect(self._on_random)
        self.class_combo = QComboBox()
        self.class_combo.setObjectName("explainClassCombo")
        self.class_combo.setToolTip("Which class saliency and Grad-CAM explain.")
        self.class_combo.activated.connect(self._on_sample)
        self.result_label = QLabel("Train (or load) a model to inspect it.")
        self.result_label.setObjectName("inspectResult")
        self.result_label.setWordWrap(True)

        self.input_plot, self.input_item = image_view("input")
        self.saliency_plot, self.saliency_base = image_view("saliency")
        self.saliency_item = pg.ImageItem()
        self.saliency_item.setOpacity(0.65)
        self.saliency_plot.addItem(self.saliency_item)
        self.cam_plot, self.cam_base = image_view("Grad-CAM")
        self.cam_item = pg.ImageItem()
        self.cam_item.setOpacity(0.55)
        self.cam_plot.addItem(self.cam_item)
        self.bars = ProbabilityBars()
        self.maps = pg.GraphicsLayoutWidget()
        self.maps.setBackground(PLOT_BACKGROUND)
        self.maps.setObjectName("activationMaps")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.maps)
        why = WhyLabel(WHY, expanded=True)

        picker = QHBoxLayout()
        picker.addWidget(self.sample_spin)
        picker.addWidget(self.random_button)
        picker.addWidget(QLabel("explain class"))
        picker.addWidget(self.class_combo)
        picker.addStretch(1)
        images = QHBoxLayout()
        for w in (self.input_plot, self.saliency_plot, self.cam_plot):
            images.addWidget(w, 2)
        images.addWidget(self.bars.plot, 3)
        left = QVBoxLayout()
        left.addLayout(picker)
        left.addWidget(self.result_label)
        left.addLayout(images, 1)
        left.addWidget(why)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(left, 3)
        layout.addWidget(scroll, 2)
        self.maps.setMinimumHeight(120)
        self._last_maps: list = []
        self._maps_key: list = []
        self._map_items: list = []
        self._rng = np.random.default_rng(0)

    # ----- public API ----------------------------------------------------------------------------
    @Slot(object)
    def set_context(self, context) -> None:
        """Use this :class:`~ui.training.inference.ModelContext` (new data, model or weights)."""
        changed_data = context is None or self._context is None or \
            context.dataset is not self._context.dataset
        self._context = context
        if context is None:
            return
        if changed_data:
            self.sample_spin.blockSignals(True)
            self.sample_spin.setRange(0, max(len(context.dataset.y_test) - 1, 0))
            self.sample_spin.blockSignals(False)
            self.class_combo.clear()
            self.class_combo.addItem("predicted class", -1)
            for i, name in enumerate(context.class_names):
                self.class_combo.addItem(name, i)
        if self.isVisible() or changed_data:
            self.update_view()

    def show_sample(self, index: int) -> None:
        """Inspect test sample ``index``."""
        self.sample_spin.setValue(int(index))
        self.update_view()

    def activation_summary(self) -> list[tuple[str, tuple]]:
        """(layer name, map shape) for each layer shown (what the activation view displays)."""
        return [(name, a.shape) for name, a in self._last_maps]

    # ----- drawing -------------------------------------------------------------------------------
    @Slot(object)
    def _on_weights(self, _context) -> None:
        if self.isVisible():
            self.update_view()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.update_view()  # weights arriving while hidden were not drawn

    @Slot()
    def _on_random(self) -> None:
        if self._context is not None:
            self.sample_spin.setValue(int(self._rng.integers(len(self._context.dataset.y_test))))

    @Slot()
    def _on_sample(self, *_args) -> None:
        self.update_view()

    def update_view(self) -> None:
        """Recompute everything for the chosen sample with the context's current weights."""
        ctx = self._context
        if ctx is None or len(ctx.dataset.y_test) == 0:
            return
        i = self.sample_spin.value()
        x = ctx.dataset.x_test[i:i + 1]
        truth = int(ctx.dataset.y_test[i])
        show_image(self.input_item, x[0])
        model = ctx.model()
        if model is None:
            self.result_label.setText(f"true class: {ctx.class_names[truth]}. No weights yet: "
                                      "train or load a model.")
            self.bars.set_probabilities(None, ctx.class_names)
            return
        probs = ctx.predict(x[0])
        pred = int(np.argmax(probs))
        target = self.class_combo.currentData()
        target = pred if target is None or target < 0 else int(target)
        ok = "correct" if pred == truth else "WRONG"
        self.result_label.setText(
            f"true: {ctx.class_names[truth]} · predicted: {ctx.class_names[pred]} "
            f"({probs[pred]:.0%}, {ok}) · explaining: {ctx.class_names[target]}")
        self.bars.set_probabilities(probs, ctx.class_names, truth)
        for base in (self.saliency_base, self.cam_base):
            show_image(base, x[0])
        sal = explain.saliency(model, x, target)
        self.saliency_item.setColorMap(colormap(HEAT))
        self.saliency_item.setImage(sal, levels=(0.0, max(float(sal.max()), 1e-12)))
        cam = explain.grad_cam(model, x, target)
        self.cam_item.setVisible(cam is not None)
        if cam is not None:
            self.cam_item.setColorMap(colormap(HEAT))
            self.cam_item.setImage(cam, levels=(0.0, 1.0))
        self._draw_maps(explain.activation_maps(model, x))

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
