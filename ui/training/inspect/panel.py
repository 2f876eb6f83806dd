"""The Inspect area of the training studio: pick a test sample and a class, then a method.

Every method explains the same subject (sample, class, weights), so switching methods keeps the
question and changes only the answer. The methods (idea 25, "looking deeper"): activations,
saliency and Grad-CAM; Grad-CAM at every conv layer; occlusion; integrated gradients; the
randomisation sanity check; feature visualisation; top patches; adversarial examples.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.training.inspect.adversarial_view import AdversarialView
from ui.training.inspect.featurevis_view import FeatureVisView
from ui.training.inspect.gradcam_view import GradCamLayersView
from ui.training.inspect.ig_view import IntegratedGradientsView
from ui.training.inspect.method_view import MethodView
from ui.training.inspect.occlusion_view import OcclusionView
from ui.training.inspect.overview_view import OverviewView
from ui.training.inspect.patches_view import TopPatchesView
from ui.training.inspect.sanity_view import SanityView
from ui.training.inspect.subject import Subject
from ui.training.session import TrainingSession

VIEWS = (OverviewView, GradCamLayersView, OcclusionView, IntegratedGradientsView, SanityView,
         FeatureVisView, TopPatchesView, AdversarialView)


class InspectPanel(QWidget):
    """Pick a test sample by index and a class; see it explained by the method chosen.

    Follows the session's model context; recomputes only while it is shown (on new weights, and
    when it comes into view).

    Signals
    -------
    sigStatus(str)
        A status-bar message from a method (an error, a saved export).
    """

    sigStatus = Signal(str)

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
        self.class_combo.setToolTip("Which class the methods explain.")
        self.class_combo.activated.connect(self._on_sample)
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("inspectMethodCombo")
        self.method_combo.setToolTip("How to look inside the network.")
        self.result_label = QLabel("Train (or load) a model to inspect it.")
        self.result_label.setObjectName("inspectResult")
        self.result_label.setWordWrap(True)
        self.stack = QStackedWidget()
        self.views: dict[str, MethodView] = {}
        for cls in VIEWS:
            view = cls()
            self.views[cls.key] = view
            self.stack.addWidget(view)
            self.method_combo.addItem(cls.title, cls.key)
            view.sigStatus.connect(self.sigStatus)
        self.overview: OverviewView = self.views["overview"]
        self.method_combo.currentIndexChanged.connect(self._on_method)

        picker = QHBoxLayout()
        picker.addWidget(self.sample_spin)
        picker.addWidget(self.random_button)
        picker.addWidget(QLabel("explain class"))
        picker.addWidget(self.class_combo)
        picker.addSpacing(12)
        picker.addWidget(QLabel("method"))
        picker.addWidget(self.method_combo)
        picker.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(picker)
        layout.addWidget(self.result_label)
        layout.addWidget(self.stack, 1)
        self._rng = np.random.default_rng(0)

    # ----- public API ----------------------------------------------------------------------------
    @Slot(object)
    def set_context(self, context) -> None:
        """Use this :class:`~ui.training.inference.ModelContext` (new data, model or weights)."""
        changed_data = context is None or self._context is None or \
            context.dataset is not self._context.dataset
        self._context = context
        if context is None:
            self._hand_out(None)
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

    def set_method(self, key: str) -> MethodView:
        """Show the method ``key`` (a view's ``key``, e.g. "occlusion"); returns its view."""
        self.method_combo.setCurrentIndex(self.method_combo.findData(key))
        return self.views[key]

    def current_view(self) -> MethodView:
        return self.stack.currentWidget()

    def activation_summary(self) -> list[tuple[str, tuple]]:
        """(layer name, map shape) for each layer the activation view displays."""
        return self.overview.activation_summary()

    def shutdown(self) -> None:
        """Stop every method's computation and wait for its thread."""
        for view in self.views.values():
            view.shutdown()

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

    @Slot(int)
    def _on_method(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.update_view()

    def update_view(self) -> None:
        """Rebuild the subject for the chosen sample and hand it to the methods."""
        subject = self._subject()
        if subject is not None:
            pred, truth, target = subject.prediction, subject.truth, subject.target
            ok = "correct" if pred == truth else "WRONG"
            self.result_label.setText(
                f"true: {subject.name(truth)} · predicted: {subject.name(pred)} "
                f"({subject.probabilities[pred]:.0%}, {ok}) · explaining: {subject.name(target)}")
        self._hand_out(subject)

    def _subject(self) -> Subject | None:
        ctx = self._context
        if ctx is None or len(ctx.dataset.y_test) == 0:
            return None
        i = self.sample_spin.value()
        x = ctx.dataset.x_test[i:i + 1]
        truth = int(ctx.dataset.y_test[i])
        model = ctx.model()
        if model is None:
            self.result_label.setText(f"true class: {ctx.class_names[truth]}. No weights yet: "
                                      "train or load a model.")
            self.overview.input_panel.image(x[0])
            self.overview.bars.set_probabilities(None, ctx.class_names)
            return None
        probs = ctx.predict(x[0])
        pred = int(np.argmax(probs))
        target = self.class_combo.currentData()
        target = pred if target is None or target < 0 else int(target)
        return Subject(model, x.copy(), i, truth, pred, target, probs, ctx.class_names,
                       ctx.dataset, ctx.version)

    def _hand_out(self, subject: Subject | None) -> None:
        current = self.current_view()
        for view in self.views.values():
            view.set_subject(subject, visible=self.isVisible() and view is current)
