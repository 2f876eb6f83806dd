"""Adversarial examples: an epsilon slider, the perturbation magnified, the probabilities live,
the smallest epsilon that flips the decision, and a comparison with another model file.

FGSM's direction does not depend on epsilon, so it is computed once per sample (one backward
pass) and every slider position is a single forward pass, drawn at once on the GUI thread. PGD
(several gradient steps per epsilon), the search for the smallest epsilon and the comparison
run in the background.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QSlider, QWidget

from cnnviz import explain
from ui.training.inspect.method_view import Export, MethodView
from ui.training.inspect.pictures import ImagePanel
from ui.widgets.buttons import named_button
from ui.widgets.probability_bars import ProbabilityBars

SLIDER_STEPS = 500   # the slider runs over epsilon 0 .. MAX_EPSILON in these steps
MAX_EPSILON = 0.5
PGD_STEPS = 10
COMPARE_EPSILONS = (0.02, 0.05, 0.1, 0.2)


def pgd_task(task, model, x, epsilon):
    """Task: :func:`cnnviz.explain.pgd` with progress."""
    return explain.pgd(model, x, epsilon, steps=PGD_STEPS, task=task)


def smallest_task(task, model, x, attack):
    """Task: :func:`cnnviz.explain.smallest_flipping_epsilon`."""
    return explain.smallest_flipping_epsilon(model, x, attack, MAX_EPSILON, pgd_steps=PGD_STEPS,
                                             task=task)


def compare_task(task, model, other_path, x, attack):
    """Task: load ``other_path`` and attack both models on ``x``."""
    from pathlib import Path

    from cnnviz.io import load_model

    other = load_model(other_path)
    name = Path(other_path).name
    return explain.compare_robustness({"this model": model, name: other}, x, COMPARE_EPSILONS,
                                      attack, MAX_EPSILON, task=task)


def compare_models_task(task, model, others: dict, x, attack):
    """Task: attack this model and ``others`` (``{label: Sequential}``, copies) on ``x``."""
    return explain.compare_robustness({"this model": model, **others}, x, COMPARE_EPSILONS,
                                      attack, MAX_EPSILON, task=task)


class AdversarialView(MethodView):
    """Original, perturbation (magnified), adversarial image and its probabilities."""

    title = "Adversarial example (FGSM / PGD)"
    key = "adversarial"
    why = ("FGSM moves every pixel by ε in the direction that most raises the loss of the "
           "current decision; PGD takes several such steps and stays within ε of the image. A "
           "change too faint to see can flip the decision: the network reads patterns that are "
           "not the ones people use. The smallest flipping ε measures how robust this decision "
           "is; compare it across models. It is an upper bound only: a stronger attack may need "
           "less, so a large ε proves no robustness.")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.compute_button.hide()
        self.attack_combo = QComboBox()
        self.attack_combo.setObjectName("adversarialAttackCombo")
        self.attack_combo.addItem("FGSM (one step)", "fgsm")
        self.attack_combo.addItem(f"PGD ({PGD_STEPS} steps)", "pgd")
        self.attack_combo.currentIndexChanged.connect(self.compute_soon)
        self.epsilon_slider = QSlider(Qt.Orientation.Horizontal)
        self.epsilon_slider.setObjectName("epsilonSlider")
        self.epsilon_slider.setRange(0, SLIDER_STEPS)
        self.epsilon_slider.setValue(50)
        self.epsilon_slider.setMinimumWidth(180)
        self.epsilon_slider.valueChanged.connect(self._on_epsilon)
        self.epsilon_label = QLabel()
        self.epsilon_label.setMinimumWidth(60)
        self.smallest_button = named_button("Find smallest ε", "smallestEpsilonButton",
                                            "Search for the smallest ε that flips the decision.")
        self.smallest_button.clicked.connect(self.find_smallest)
        self.compare_button = named_button("Compare with another model file…",
                                           "compareModelButton",
                                           "Attack a saved model (e.g. the MLP of the Why CNNs "
                                           "page) on the same image.")
        self.compare_button.clicked.connect(self._on_compare)
        self.compare_why_button = named_button(
            "Compare with Why CNNs", "compareWhyModelsButton",
            "Attack the models a Why CNNs experiment trained on this data (the MLP and the "
            "CNNs) on the same image. Run Shift on MNIST, for example.")
        self.compare_why_button.clicked.connect(self.compare_with_why_models)
        # label -> (model copy, experiment title, data set name, (input shape, classes))
        self._why_models: dict[str, tuple] = {}
        for w in (self.attack_combo, self.epsilon_slider, self.epsilon_label,
                  self.smallest_button, self.compare_button, self.compare_why_button):
            self.controls.addWidget(w)
        self.original_panel = ImagePanel("original")
        self.perturbation_panel = ImagePanel("perturbation")
        self.adversarial_panel = ImagePanel("adversarial")
        self.bars = ProbabilityBars("probabilities (adversarial)")
        for panel in (self.original_panel, self.perturbation_panel, self.adversarial_panel):
            self.body.addWidget(panel.plot, 2)
        self.body.addWidget(self.bars.plot, 3)
        self.found_label = QLabel("")
        self.found_label.setObjectName("smallestEpsilonLabel")
        self.controls.addWidget(self.found_label)
        self._direction = None
        self._direction_key = None
        self._on_epsilon(self.epsilon_slider.value(), compute=False)
        self._update_why_button()

    def epsilon(self) -> float:
        return MAX_EPSILON * self.epsilon_slider.value() / SLIDER_STEPS

    def set_epsilon(self, epsilon: float) -> None:
        self.epsilon_slider.setValue(int(round(epsilon / MAX_EPSILON * SLIDER_STEPS)))

    def _on_epsilon(self, _value: int, compute: bool = True) -> None:
        self.epsilon_label.setText(f"ε = {self.epsilon():.3f}")
        if compute and self.attack_combo.currentData() == "fgsm":
            self.compute()                       # one forward pass: live
        elif compute:
            self.compute_soon()

    def settings_key(self) -> tuple:
        return (self.attack_combo.currentData(), self.epsilon_slider.value())

    def task(self, subject):
        return pgd_task, (subject.worker_model(), subject.x, self.epsilon())

    def compute(self) -> None:
        """FGSM here and now (cheap); PGD in the background."""
        s = self._subject
        if s is None:
            return
        if self.attack_combo.currentData() != "fgsm":
            super().compute()
            return
        if self._direction_key != s.key():
            self._direction = explain.fgsm_direction(s.model, s.x)
            self._direction_key = s.key()
            self.found_label.setText("")
        self._pending_key = self.result_key(s)
        self._on_result("compute", explain.fgsm(s.model, s.x, self.epsilon(),
                                                direction=self._direction))

    def show_result(self, r) -> None:
        s = self._subject
        if s is None:
            return
        self.original_panel.image(s.x[0])
        pert = r.perturbation.sum(axis=0) / r.perturbation.shape[0]
        self.perturbation_panel.signed(pert, levels=(-max(r.epsilon, 1e-6), max(r.epsilon, 1e-6)))
        # A short title fits the panel at 1024 px; the tooltip says how it is scaled.
        self.perturbation_panel.set_title(f"perturbation ±{r.epsilon:.3f}")
        self.perturbation_panel.plot.setToolTip(
            f"The change added to each pixel; ±{r.epsilon:.3f} (ε) is drawn at full colour.")
        self.adversarial_panel.image(r.image)
        flipped = "FLIPPED to" if r.flipped else "still"
        self.adversarial_panel.set_title(f"{flipped} {s.name(r.prediction)} "
                                         f"({r.probabilities[r.prediction]:.0%})")
        self.bars.set_probabilities(r.probabilities, s.class_names, s.truth)
        self.message.setText(
            f"ε = {r.epsilon:.3f}: no pixel moved by more than {r.max_abs_perturbation:.3f}. "
            f"Clean: {s.name(r.original_prediction)} ({s.probabilities[r.original_prediction]:.0%})"
            f"; adversarial: {s.name(r.prediction)} ({r.probabilities[r.prediction]:.0%}).")

    # ----- the background extras -----------------------------------------------------------------
    @Slot()
    def find_smallest(self) -> None:
        s = self._subject
        if s is not None:
            self.found_label.setText("searching…")
            self.tasks.start("smallest", smallest_task, s.worker_model(), s.x,
                             self.attack_combo.currentData())
            self._set_busy(True)

    @Slot()
    def _on_compare(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Compare with a model file", "",
                                              "cnnviz model (*.npz);;All files (*)")
        if path:
            self.compare_with(path)

    def compare_with(self, path: str) -> None:
        """Attack the model in ``path`` on the same image, with the same attack."""
        s = self._subject
        if s is not None:
            self.tasks.start("compare", compare_task, s.worker_model(), path, s.x,
                             self.attack_combo.currentData())
            self._set_busy(True)

    def offer_models(self, title: str, models: dict, dataset) -> None:
        """Remember ``models`` (``{label: Sequential}``, trained by the Why CNNs experiment
        ``title`` on ``dataset``) for :meth:`compare_with_why_models`; a later run of the same
        experiment replaces its models."""
        self._why_models = {k: v for k, v in self._why_models.items() if v[1] != title}
        shape = (tuple(dataset.input_shape), dataset.n_classes)
        for label, model in models.items():
            self._why_models[f"{label} ({title})"] = (copy.deepcopy(model), title, dataset.name,
                                                      shape)
        self._update_why_button()

    def why_models(self) -> dict:
        """The offered models that fit the current subject: same data set, input and classes."""
        s = self._subject
        if s is None or s.dataset is None:
            return {}
        here = (s.dataset.name, (tuple(s.dataset.input_shape), s.dataset.n_classes))
        return {label: model for label, (model, _title, name, shape) in self._why_models.items()
                if (name, shape) == here}

    def compare_with_why_models(self) -> None:
        """Attack the fitting Why CNNs models on the same image, with the same attack."""
        s, others = self._subject, self.why_models()
        if s is None or not others:
            self.message.setText("No Why CNNs model was trained on this data yet: run an "
                                 "experiment (Shift, on MNIST) first.")
            return
        self.tasks.start("compare", compare_models_task, s.worker_model(),
                         {k: copy.deepcopy(m) for k, m in others.items()}, s.x,
                         self.attack_combo.currentData())
        self._set_busy(True)

    def _update_why_button(self) -> None:
        fitting = self.why_models()
        self.compare_why_button.setEnabled(bool(fitting))
        self.compare_why_button.setToolTip(
            ("Attack " + ", ".join(fitting) + " on the same image.") if fitting else
            "No Why CNNs model was trained on this data yet: run an experiment (Shift, on "
            "MNIST) first.")

    def set_subject(self, subject, visible: bool) -> None:
        super().set_subject(subject, visible)
        self._update_why_button()

    @Slot(str, object)
    def _on_result(self, slot: str, result) -> None:
        if slot == "smallest":
            self._show_smallest(result)
        elif slot == "compare":
            self._show_comparison(result)
        else:
            super()._on_result(slot, result)

    def _show_smallest(self, eps) -> None:
        if eps is None:
            self.found_label.setText(f"no flip up to ε = {MAX_EPSILON}")
            return
        self.found_label.setText(f"smallest flipping ε ≈ {eps:.3f}")
        self.set_epsilon(eps + 0.5 * MAX_EPSILON / SLIDER_STEPS)   # the slider's next step up

    def _show_comparison(self, found: dict) -> None:
        s = self._subject
        parts = []
        for name, row in found.items():
            eps = row["smallest_epsilon"]
            flips = "never flips up to ε 0.5" if eps is None else f"flips at ε ≈ {eps:.3f}"
            conf = ", ".join(f"{e:g}: {c:.0%}" for e, c in zip(COMPARE_EPSILONS,
                                                               row["confidence"], strict=True))
            label = s.name(row["prediction"]) if s else row["prediction"]
            parts.append(f"{name}: says {label}, {flips} (its confidence at ε {conf})")
        self.message.setText(" · ".join(parts))

    def export_data(self) -> Export | None:
        r = self._result
        if r is None:
            return None
        return Export(r.perturbation.sum(axis=0), r.perturbation, "adversarial perturbation",
                      "diverging", levels=(-max(r.epsilon, 1e-6), max(r.epsilon, 1e-6)), scale=8)
