"""Occlusion: slide a grey patch over the image and map the drop in the class's probability."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QSpinBox, QWidget

from cnnviz import explain
from ui.training.inspect.method_view import Export, MethodView
from ui.training.inspect.pictures import ImagePanel


def occlusion_task(task, model, x, target, patch, stride, fill, score):
    """Task: :func:`cnnviz.explain.occlusion` with progress."""
    return explain.occlusion(model, x, target, patch, stride, fill, score, task=task)


class OcclusionView(MethodView):
    """Patch size, stride and grey level; the drop map over the image and on its own."""

    title = "Occlusion"
    key = "occlusion"
    why = ("Each position of the grey patch is one experiment: hide these pixels, see how far the "
           "class's probability falls. Red means the model needed what was hidden. It needs no "
           "gradients, so it is easy to trust, as long as the grey patch is a plausible "
           "'nothing' for this data. It misses redundancy: if two strokes each suffice, hiding "
           "either one costs nothing, and a patch smaller than a stroke finds nothing at all.")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.compute_button.hide()
        self.patch_spin = QSpinBox()
        self.patch_spin.setObjectName("occlusionPatchSpin")
        self.patch_spin.setRange(1, 64)
        self.patch_spin.setValue(4)
        self.patch_spin.setPrefix("patch ")
        self.stride_spin = QSpinBox()
        self.stride_spin.setObjectName("occlusionStrideSpin")
        self.stride_spin.setRange(1, 64)
        self.stride_spin.setValue(2)
        self.stride_spin.setPrefix("stride ")
        self.fill_spin = QDoubleSpinBox()
        self.fill_spin.setObjectName("occlusionFillSpin")
        self.fill_spin.setRange(0.0, 1.0)
        self.fill_spin.setSingleStep(0.1)
        self.fill_spin.setValue(0.5)
        self.fill_spin.setToolTip("The patch's grey level (0 black, 1 white).")
        for w in (self.patch_spin, self.stride_spin):
            self.controls.addWidget(w)
            w.valueChanged.connect(self.compute_soon)
        self.controls.addWidget(QLabel("grey"))
        self.controls.addWidget(self.fill_spin)
        self.fill_spin.valueChanged.connect(self.compute_soon)
        self.score_combo = QComboBox()
        self.score_combo.setObjectName("occlusionScoreCombo")
        self.score_combo.addItem("drop in probability", "probability")
        self.score_combo.addItem("drop in score (logit)", "logit")
        self.score_combo.setToolTip("A confident model's probability hardly moves; its score "
                                    "(logit) still shows which patches it leans on.")
        self.score_combo.currentIndexChanged.connect(self.compute_soon)
        self.controls.addWidget(self.score_combo)
        self.overlay_panel = ImagePanel("drop over the image")
        self.map_panel = ImagePanel("drop map")
        self.body.addWidget(self.overlay_panel.plot, 1)
        self.body.addWidget(self.map_panel.plot, 1)

    def settings_key(self) -> tuple:
        return (self.patch_spin.value(), self.stride_spin.value(), self.fill_spin.value(),
                self.score_combo.currentData())

    def task(self, subject):
        return occlusion_task, (subject.worker_model(), subject.x, subject.target,
                                self.patch_spin.value(), self.stride_spin.value(),
                                self.fill_spin.value(), self.score_combo.currentData())

    def show_result(self, r) -> None:
        s = self._subject
        self.overlay_panel.heat(s.x[0] if s else None, r.heatmap.clip(min=0), 0.6)
        self.map_panel.signed(r.heatmap)
        k = s.name(s.target) if s else "the class"
        unit = "{:.1%}" if r.score == "probability" else "{:.2f}"
        base, top = unit.format(r.base_score), unit.format(r.drops.max())
        rest, rise = unit.format(r.base_score - r.drops.max()), unit.format(max(-r.drops.min(), 0))
        what = "probability" if r.score == "probability" else "score"
        self.message.setText(
            f"{r.drops.size} patch positions. {k}: {what} {base} untouched; the largest drop is "
            f"{top} (to {rest}), the largest rise {rise}. Red: hiding it costs the class; blue: "
            "hiding it helps.")

    def export_data(self) -> Export | None:
        r = self._result
        if r is None:
            return None
        return Export(r.heatmap, r.heatmap, "occlusion map", "diverging", scale=8)

