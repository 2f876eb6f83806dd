"""Feature visualisation: for every filter of a layer, the image it would like to see most
(gradient ascent from noise with jitter, blur and an L2 penalty), computed in the background."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget

from cnnviz import explain
from ui.training.inspect.method_view import Export, MethodView
from ui.training.inspect.pictures import TileGrid, tile_images

CLASSES = -1  # the layer choice meaning "the class scores"


def featurevis_task(task, model, layer, input_shape, objective, steps, test_images):
    """Task: one image per unit of ``layer``, then each unit's mean response on the test set."""
    settings = explain.FeatureVisSettings(objective=objective, steps=steps)
    result = explain.visualize(model, layer, input_shape, settings=settings, task=task)
    return result, explain.unit_activations(model, layer, test_images).mean(axis=0)


def layer_choices(model, input_shape) -> list[tuple[str, int]]:
    """(text, layer index) for each conv stage, then the class scores."""
    found = explain.stages(model, input_shape)
    items = [(f"conv layer {n}: {s.name}", s.output) for n, s in enumerate(found, start=1)]
    return [*items, ("class scores", len(model.layers) - 1)]


class FeatureVisView(MethodView):
    """A grid, one synthesised image per filter (or class), with how much it excites it."""

    title = "Feature visualisation"
    key = "featureVis"
    auto = False
    why = ("Each tile is an image made from faint noise by gradient ascent: nudge the pixels so "
           "this filter (or class) responds more, shift the image a pixel at random every step "
           "and blur it now and then so the result is a pattern rather than pixel noise, and "
           "keep its brightness fixed. It shows what the unit is tuned to; ×N is how many times "
           "its mean response on the test set the image gets. Trust patterns that repeat and "
           "echo the top patches; the known failure is noise-like tiles, which a unit also "
           "likes and which say nothing about real images.")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("featureVisLayerCombo")
        self.layer_combo.setMinimumContentsLength(18)
        self.objective_combo = QComboBox()
        self.objective_combo.setObjectName("featureVisObjectiveCombo")
        self.objective_combo.addItem("strong response (DeepDream)", "dream")
        self.objective_combo.addItem("mean response (Distill)", "channel")
        self.objective_combo.setToolTip(
            "What is maximised: the mean of the squared response rewards a clear pattern; the "
            "plain mean can be raised by brightness alone, so early filters may stay flat.")
        self.steps_spin = QSpinBox()
        self.steps_spin.setObjectName("featureVisStepsSpin")
        self.steps_spin.setRange(8, 2048)
        self.steps_spin.setValue(explain.FeatureVisSettings().steps)
        self.steps_spin.setSuffix(" steps")
        for w in (self.layer_combo, self.objective_combo, self.steps_spin):
            self.controls.addWidget(w)
        self.grid = TileGrid()
        self.grid.plot.setObjectName("featureVisGrid")
        self.body.addWidget(self.grid.plot, 1)
        self._choices_for = None

    def result_key(self, subject) -> tuple:
        return (*subject.weights_key(), *self.settings_key())

    def settings_key(self) -> tuple:
        return (self.layer_combo.currentData(), self.objective_combo.currentData(),
                self.steps_spin.value())

    def set_subject(self, subject, visible: bool) -> None:
        if subject is not None and self._choices_for != id(subject.model):
            self._choices_for = id(subject.model)
            self.layer_combo.clear()
            for text, index in layer_choices(subject.model, subject.input_shape):
                self.layer_combo.addItem(text, index)
        super().set_subject(subject, visible)

    def task(self, subject):
        layer = self.layer_combo.currentData()
        if layer is None:
            raise ValueError("no layer to visualise")
        return featurevis_task, (subject.worker_model(), int(layer), subject.input_shape,
                                 self.objective_combo.currentData(), self.steps_spin.value(),
                                 subject.dataset.x_test)

    def show_result(self, result) -> None:
        vis, test_mean = result
        s = self._subject
        classes = vis.layer == len(s.model.layers) - 1 if s else False
        names = [s.name(int(u)) if classes and s else f"{int(u) + 1}" for u in vis.units]
        ratio = vis.activation / np.where(np.abs(test_mean) > 1e-12, test_mean, np.nan)
        captions = [n if classes else f"{n} ×{r:.0f}" if np.isfinite(r) else n
                    for n, r in zip(names, ratio, strict=True)]
        self.grid.set_tiles(vis.images, captions)
        rises = vis.activation / np.maximum(vis.start_activation, 1e-12)
        self.message.setText(
            f"{len(vis.units)} images, {vis.settings.steps} steps each. Median response "
            f"{np.nanmedian(ratio):.1f}× the test set's mean, {np.median(rises):.1f}× the "
            "starting noise's." if not classes else
            f"{len(vis.units)} classes: each image's class score (logit) "
            + ", ".join(f"{n} {a:.1f}" for n, a in zip(names, vis.activation, strict=True)))

    def export_data(self) -> Export | None:
        if self._result is None:
            return None
        images = self._result[0].images
        picture = tile_images(images, min(8, len(images)))
        picture = picture[..., :3].mean(axis=-1) if picture.ndim == 3 else \
            np.nan_to_num(picture, nan=1.0)
        return Export(picture, images, "feature visualisation", None, levels=(0.0, 1.0),
                      scale=4)
