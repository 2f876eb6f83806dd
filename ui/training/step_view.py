"""One training step taken apart: forward pass, loss, backward pass, update.

Why (idea 16): "training" is the same four stages repeated thousands of times. Seeing one batch go
through them, including the gradient of every first-layer filter and how max-pooling routes the
gradient only to each window's winner, turns backpropagation from a word into a picture.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.staged_step import STAGES as STAGE_KEYS
from ui.theme import (
    PLOT_BACKGROUND,
    SMALL_TEXT,
    SMALL_TEXT_STYLE,
    STAGE_DONE_STYLE,
    STAGE_NOW_STYLE,
)
from ui.training.session import TrainingSession
from ui.widgets.buttons import named_button
from ui.widgets.image_views import show_grey, show_image, show_signed
from ui.widgets.note_scroll import NoteScroll
from ui.widgets.probability_bars import ProbabilityBars
from ui.widgets.text import plain_label
from ui.widgets.tiling import tile
from ui.widgets.why import WhyLabel

WHY = (
    "Why: every training step is these four stages. Forward: the batch flows through the layers. "
    "Loss: how wrong the probabilities are. Backward: the chain rule sends the error back and "
    "gives each weight a gradient (max-pooling passes it only to the pixel that won its window). "
    "Update: each weight moves a learning-rate-sized step against its gradient. Press "
    "Single step to take one, or Next stage to run it one stage at a time."
)
NEXT_TEXT = ("Press Next stage to run the forward pass.", "Press Next stage to compute the loss.",
             "Press Next stage for the backward pass.", "Press Next stage to update the weights.")
STAGES = ("1 · Forward", "2 · Loss", "3 · Backward", "4 · Update")


def _stage_graphics() -> pg.GraphicsLayoutWidget:
    g = pg.GraphicsLayoutWidget()
    g.setBackground(PLOT_BACKGROUND)
    g.setMinimumSize(120, 120)
    return g


def _cell(g: pg.GraphicsLayoutWidget, row: int, title: str) -> pg.ImageItem:
    g.addLabel(title, row=2 * row, col=0, size=SMALL_TEXT)
    vb = g.addViewBox(row=2 * row + 1, col=0, lockAspect=True, enableMouse=False,
                      enableMenu=False)
    vb.invertY(True)
    item = pg.ImageItem()
    vb.addItem(item)
    return item


class StepView(QWidget):
    """Shows a :class:`cnnviz.train.StepTrace` stage by stage for one sample of its batch.

    ``nextStageButton`` runs a staged step one stage per press; the stage just run is
    highlighted, and only the stages run so far are drawn, each with its number (the loss, the
    gradient norm, the weight change).

    Signals
    -------
    sigNextStage()
        The user asked for the next stage (the studio starts a paused run if none is active).
    """

    sigNextStage = Signal()

    def __init__(self, session: TrainingSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stepView")
        self._session = session
        session.sigTrace.connect(self._on_trace)
        session.sigStage.connect(self._on_stage)
        session.sigContextChanged.connect(self.clear)
        self._trace = None
        self._stage = None          # the StageReport of the stage shown, or None (whole step)
        self._stage_step_done = False  # the staged step's update ran: its trace comes next
        self.next_stage_button = named_button(
            "Next stage ▸", "nextStageButton",
            "Run the next stage of one training step: forward, then loss, then backward, then "
            "update (pauses a running training first).")
        self.next_stage_button.clicked.connect(self.sigNextStage)
        self._names: list[str] = []
        self.sample_spin = QSpinBox()
        self.sample_spin.setObjectName("stepSampleSpin")
        self.sample_spin.setPrefix("sample ")
        self.sample_spin.setToolTip("Which image of the batch to show (the update uses them all).")
        self.sample_spin.valueChanged.connect(self._draw)
        self.summary = plain_label("No step yet: press Single step.")
        self.summary.setObjectName("stepSummary")
        self.summary.setWordWrap(True)
        self.texts = []
        self.boxes: list[QGroupBox] = []
        graphics = [_stage_graphics() for _ in STAGES]
        self.g_forward, self.g_loss, self.g_backward, self.g_update = graphics
        self.in_item = _cell(self.g_forward, 0, "input")
        self.fmap_item = _cell(self.g_forward, 1, "first conv output")
        self.bars = ProbabilityBars("probabilities")
        self.grad_item = _cell(self.g_backward, 0, "d loss / d filters")
        self.pool_in_item = _cell(self.g_backward, 1, "max-pool input (ch 0)")
        self.pool_gout_item = _cell(self.g_backward, 2, "gradient at the pool's output")
        self.pool_gin_item = _cell(self.g_backward, 3, "routed back to its input")
        self.before_item = _cell(self.g_update, 0, "filters before")
        self.after_item = _cell(self.g_update, 1, "filters after")
        self.delta_item = _cell(self.g_update, 2, "change (after − before)")
        row = QHBoxLayout()
        widgets = (self.g_forward, self.bars.plot, self.g_backward, self.g_update)
        for title, w in zip(STAGES, widgets, strict=True):
            box = QGroupBox(title)
            box.setObjectName(f"stage{title.split()[-1]}Box")
            self.boxes.append(box)
            lay = QVBoxLayout(box)
            lay.setContentsMargins(2, 2, 2, 2)
            lay.addWidget(w, 1)
            text = plain_label()  # quotes class names
            text.setWordWrap(True)
            text.setStyleSheet(SMALL_TEXT_STYLE)
            lay.addWidget(NoteScroll(text, max_lines=6))
            self.texts.append(text)
            row.addWidget(box, 1)
        why = WhyLabel(WHY, expanded=True)
        top = QHBoxLayout()
        top.addWidget(self.next_stage_button)
        top.addWidget(self.sample_spin)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addLayout(row, 1)
        layout.addWidget(why)

    @Slot()
    def clear(self, *_args) -> None:
        """Forget the shown step."""
        self._trace = None
        self._stage = None
        self._stage_step_done = False
        self.summary.setText("No step yet: press Single step, or Next stage.")
        self._clear_from(0)
        self._highlight()

    def _clear_from(self, first: int) -> None:
        """Blank the panels of stage ``first`` and later (not run yet)."""
        groups = ((self.in_item, self.fmap_item), (),
                  (self.grad_item, self.pool_in_item, self.pool_gout_item, self.pool_gin_item),
                  (self.before_item, self.after_item, self.delta_item))
        for i in range(first, len(STAGES)):
            for item in groups[i]:
                item.clear()
            self.texts[i].setText("Not run yet." if self._stage is not None else "")
        if first <= 1:
            self.bars.set_probabilities(None, [])

    def _highlight(self) -> None:
        """Frame the stage just run, grey-check the earlier ones, leave later ones plain."""
        now = None if self._stage is None else self._stage.index
        for i, box in enumerate(self.boxes):
            box.setStyleSheet(STAGE_NOW_STYLE if i == now else
                              STAGE_DONE_STYLE if now is not None and i < now else "")

    def current_stage(self) -> str | None:
        """The stage last run by ``nextStageButton`` ("forward", ..., "update"), or None when
        a whole step (Single step) is shown or nothing is."""
        return None if self._stage is None else self._stage.stage

    def stage_text(self, stage: str) -> str:
        """The explanation shown under a stage's panel ("forward", "loss", ...)."""
        return self.texts[STAGE_KEYS.index(stage)].text()

    @Slot(object)
    def _on_stage(self, report) -> None:
        self._stage = report
        self._stage_step_done = report.index == len(STAGES) - 1
        self._trace = report.trace
        names = self._session.class_names()
        self._names = names or [str(i) for i in range(report.trace.y.max() + 1)]
        self._set_sample_range(report.trace)
        self._highlight()
        self._draw()

    def set_trace(self, trace, class_names: list[str]) -> None:
        """Show a new single-step trace (the whole step, or a staged step once updated)."""
        if not self._stage_step_done:
            self._stage = None
        self._stage_step_done = False
        self._highlight()
        self._trace = trace
        self._names = list(class_names) or [str(i) for i in range(trace.probs.shape[1])]
        self._set_sample_range(trace)
        self._draw()

    def _set_sample_range(self, trace) -> None:
        self.sample_spin.blockSignals(True)
        self.sample_spin.setRange(0, len(trace.y) - 1)
        self.sample_spin.blockSignals(False)

    @Slot(object)
    def _on_trace(self, trace) -> None:
        self.set_trace(trace, self._session.class_names())

    def trace(self):
        """The trace shown, or None."""
        return self._trace

    def _draw(self, *_args) -> None:
        t = self._trace
        if t is None:
            return
        s = min(self.sample_spin.value(), len(t.y) - 1)
        run = len(STAGES) if self._stage is None else self._stage.index + 1
        for draw in (self._draw_forward, self._draw_loss, self._draw_backward,
                     self._draw_update)[:run]:
            draw(t, s)
        self._clear_from(run)
        self.summary.setText(self._summary(t, run))

    def _summary(self, t, run: int) -> str:
        batch = f"One batch of {len(t.y)} images; learning rate {t.lr:g}."
        if self._stage is None:
            return f"{batch} Batch loss {t.loss:.4f}."
        done = f"Stage {run} of {len(STAGES)}: {self._stage.stage}. "
        if run < len(STAGES):
            return done + NEXT_TEXT[run] + " " + batch
        return done + "The step is complete; Next stage starts the next batch. " + batch

    def _draw_forward(self, t, s: int) -> None:
        show_image(self.in_item, t.x[s])
        conv_i = next((i for i, n in enumerate(t.layer_names) if "conv" in n.lower()), None)
        if conv_i is not None:
            maps = np.asarray(t.activations[conv_i][s])
            show_signed(self.fmap_item, tile(maps, columns=min(4, len(maps))))
        shapes = ", ".join(f"{n} {tuple(a.shape[1:])}" for n, a in
                           zip(t.layer_names, t.activations, strict=True))
        self.texts[0].setText(f"Layers and output shapes: {shapes}")

    def _draw_loss(self, t, s: int) -> None:
        truth = int(t.y[s])
        p = np.asarray(t.probs[s])
        self.bars.set_probabilities(p, self._names, truth)
        self.texts[1].setText(
            f"Loss = {t.loss:.4f} (the mean over {len(t.y)} images). Green bar = the true class. "
            f"This image: −log p({self._names[truth]}) = {-np.log(max(p[truth], 1e-12)):.3f}. "
            "d loss / d logits = probabilities − one-hot(true), divided by the batch size.")

    def _draw_backward(self, t, s: int) -> None:
        back = "Gradients flow from the loss back through every layer (chain rule)."
        if self._stage is not None and self._stage.grad_norm is not None:
            back = (f"Gradient norm ‖g‖ = {self._stage.grad_norm:.4g} over all weights. "
                    + back)
        if t.weight_grad is not None:
            g = np.asarray(t.weight_grad)
            show_signed(self.grad_item, tile(g[:, 0], columns=min(4, len(g))))
        if t.pool_index is not None:
            show_grey(self.pool_in_item, _unit(np.asarray(t.pool_input[s, 0])))
            routed = np.asarray(t.pool_grad_input[s, 0])
            show_signed(self.pool_gout_item, np.asarray(t.pool_grad_output[s, 0]))
            show_signed(self.pool_gin_item, routed)
            nonzero = int(np.count_nonzero(routed))
            back += (f" Max-pool: of {routed.size} input pixels only {nonzero} receive gradient, "
                     "one per window (the maximum); the rest get exactly zero.")
        else:
            for item in (self.pool_in_item, self.pool_gout_item, self.pool_gin_item):
                item.clear()
            back += " (No max-pool layer in this network.)"
        self.texts[2].setText(back)

    def _draw_update(self, t, _s: int) -> None:
        change = ""
        if self._stage is not None and self._stage.weight_change is not None:
            change = f"Weight change ‖Δw‖ = {self._stage.weight_change:.4g} over all weights. "
        if t.weight_before is None or t.weight_after is None:
            self.texts[3].setText(change + "No conv layer: nothing to show for the first "
                                  "filters.")
            return
        before, after = np.asarray(t.weight_before), np.asarray(t.weight_after)
        cols = min(4, len(before))
        show_signed(self.before_item, tile(before[:, 0], columns=cols))
        show_signed(self.after_item, tile(after[:, 0], columns=cols))
        delta = after - before
        show_signed(self.delta_item, tile(delta[:, 0], columns=cols))
        self.texts[3].setText(
            f"{change}Each weight moved against its gradient, scaled by lr {t.lr:g} (and the "
            f"optimizer's memory). Largest first-layer change {np.max(np.abs(delta)):.2e} on "
            f"weights of size up to {np.max(np.abs(before)):.2f}: learning is many small nudges.")


def _unit(a: np.ndarray) -> np.ndarray:
    """Scale a map into [0, 1] for grey display."""
    lo, hi = float(np.min(a)), float(np.max(a))
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
