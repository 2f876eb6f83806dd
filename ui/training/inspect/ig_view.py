"""Integrated gradients: a baseline picker, a step-count slider, and the completeness check."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSlider, QWidget

from cnnviz import explain
from ui.theme import ERROR_STYLE
from ui.training.inspect.method_view import Export, MethodView
from ui.training.inspect.pictures import ImagePanel

MAX_STEPS = 512
COMPLETE = 0.01  # within 1 % the attributions account for the score difference


def ig_task(task, model, x, target, baseline_kind, mean_image, steps):
    """Task: the baseline, then :func:`cnnviz.explain.integrated_gradients` with progress."""
    baseline = explain.make_baseline(x, baseline_kind, mean_image=mean_image)
    return explain.integrated_gradients(model, x, target, baseline, steps, task=task)


class IntegratedGradientsView(MethodView):
    """Image, baseline, signed attributions, and whether they add up."""

    title = "Integrated gradients"
    key = "integratedGradients"
    why = ("Integrated gradients credits each pixel with its share of the score difference "
           "between the image and a baseline that stands for 'nothing', adding up gradients "
           "along the straight path between them. The shares must add up to that difference "
           "(completeness): when the check next to the slider is off, use more steps. Trust "
           "it relative to the baseline you chose: a black baseline can give no credit to black "
           "pixels, so on digits the background never counts, however much the model relies on "
           "it.")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.compute_button.hide()
        self.baseline_combo = QComboBox()
        self.baseline_combo.setObjectName("igBaselineCombo")
        for kind in explain.BASELINES:
            self.baseline_combo.addItem(f"{kind} baseline", kind)
        self.baseline_combo.currentIndexChanged.connect(self.compute_soon)
        self.steps_slider = QSlider(Qt.Orientation.Horizontal)
        self.steps_slider.setObjectName("igStepsSlider")
        self.steps_slider.setRange(1, MAX_STEPS)
        self.steps_slider.setValue(64)
        self.steps_slider.setMinimumWidth(160)
        self.steps_slider.valueChanged.connect(self._on_steps)
        self.steps_label = QLabel()
        self.steps_label.setMinimumWidth(70)
        self.completeness_label = QLabel("")
        self.completeness_label.setObjectName("igCompleteness")
        self.controls.addWidget(self.baseline_combo)
        self.controls.addWidget(self.steps_slider)
        self.controls.addWidget(self.steps_label)
        self.controls.addWidget(self.completeness_label)
        self._on_steps(self.steps_slider.value(), compute=False)
        self.input_panel = ImagePanel("input")
        self.baseline_panel = ImagePanel("baseline")
        self.attr_panel = ImagePanel("attributions")
        self.overlay_panel = ImagePanel("positive part over the image")
        for panel in (self.input_panel, self.baseline_panel, self.attr_panel, self.overlay_panel):
            self.body.addWidget(panel.plot, 1)

    def _on_steps(self, value: int, compute: bool = True) -> None:
        self.steps_label.setText(f"{value} steps")
        if compute:
            self.compute_soon()

    def settings_key(self) -> tuple:
        return (self.baseline_combo.currentData(), self.steps_slider.value())

    def task(self, subject):
        mean = subject.dataset.x_train.mean(axis=0)
        return ig_task, (subject.worker_model(), subject.x, subject.target,
                         self.baseline_combo.currentData(), mean, self.steps_slider.value())

    def show_result(self, r) -> None:
        s = self._subject
        attr = r.attributions.sum(axis=0)
        if s is not None:
            self.input_panel.image(s.x[0])
        self.baseline_panel.image(r.baseline)
        self.attr_panel.signed(attr)
        self.overlay_panel.heat(s.x[0] if s else None, attr.clip(min=0), 0.6)
        ok = r.completeness_error <= COMPLETE
        self.completeness_label.setStyleSheet("" if ok else ERROR_STYLE)
        self.completeness_label.setText(
            f"sum of attributions {r.sum_attributions:.3f} vs score difference "
            f"{r.score_difference:.3f}: off by {r.completeness_error:.1%}"
            + ("" if ok else " (too few steps)"))
        self.message.setText(
            f"{r.steps} steps. Class score (logit) {r.score:.3f} at the image, "
            f"{r.baseline_score:.3f} at the baseline. Red pixels raise the score from the "
            "baseline's, blue ones lower it.")

    def export_data(self) -> Export | None:
        r = self._result
        if r is None:
            return None
        return Export(r.attributions.sum(axis=0), r.attributions, "integrated gradients",
                      "diverging", scale=8)
