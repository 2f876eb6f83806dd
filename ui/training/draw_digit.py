"""Draw a digit (or a line, or a shape) and watch the current model classify it as you draw.

Why (ideas 15 and 18): a test accuracy says how the network does on data like its training set;
your own drawing is new data. Seeing where it hesitates (two bars close together) shows what it
has and has not learned.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from cnnviz.data.images import resize_area
from ui.training.session import TrainingSession
from ui.widgets.draw_canvas import DrawCanvas
from ui.widgets.image_views import image_view, show_grey
from ui.widgets.probability_bars import ProbabilityBars
from ui.widgets.text import plain_label
from ui.widgets.why import WhyLabel

CANVAS = (28, 28)
WHY = (
    "Why: your drawing is data the network has never seen. It is cropped, centred and shrunk to "
    "the training images' size (shown in the middle), then classified by the current weights, "
    "live. Where two bars are close, the network is unsure."
)


def fit_to_input(drawing: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Crop the ink, centre it in a square with a margin and resize it to ``shape``.

    Mirrors how MNIST-like digits are prepared, so a small digit drawn in a corner still looks
    like the training data.

    Parameters
    ----------
    drawing : ndarray, shape (h, w), values in [0, 1]
    shape : (rows, cols)

    Returns
    -------
    ndarray, shape ``shape``, float32 in [0, 1]
    """
    rows, cols = shape
    ink = np.argwhere(drawing > 0.05)
    if ink.size == 0:
        return np.zeros(shape, np.float32)
    (r0, c0), (r1, c1) = ink.min(axis=0), ink.max(axis=0) + 1
    crop = drawing[r0:r1, c0:c1]
    side = max(crop.shape)
    margin = max(1, round(side / 7))  # about the border MNIST leaves around its digits
    square = np.zeros((side + 2 * margin, side + 2 * margin), np.float32)
    top = margin + (side - crop.shape[0]) // 2
    left = margin + (side - crop.shape[1]) // 2
    square[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
    return np.clip(resize_area(square, (rows, cols)), 0.0, 1.0).astype(np.float32)


class DrawDigitPanel(QWidget):
    """A canvas, the image the network receives, and the live probabilities."""

    def __init__(self, session: TrainingSession, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = None
        session.sigContextChanged.connect(self.set_context)
        session.sigWeightsChanged.connect(self._on_weights)
        self.canvas = DrawCanvas(CANVAS)
        self.canvas.setObjectName("digitCanvas")
        self.canvas.sigChanged.connect(self._schedule)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearDrawingButton")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.seen_plot, self.seen_item = image_view("what the network sees")
        self.bars = ProbabilityBars("live prediction")
        self.result = plain_label("Draw with the left mouse button; right button erases.")
        self.result.setObjectName("drawResult")
        self.result.setWordWrap(True)
        # Coalesce a burst of paint events into one prediction per ~50 ms.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self.classify)
        why = WhyLabel(WHY, expanded=True)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addWidget(self.clear_button)
        right = QVBoxLayout()
        right.addWidget(self.result)
        right.addWidget(self.bars.plot, 1)
        right.addWidget(why)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(left, 2)
        layout.addWidget(self.seen_plot, 1)
        layout.addLayout(right, 2)
        self._last_probs: np.ndarray | None = None

    @Slot(object)
    def set_context(self, context) -> None:
        """Classify with this :class:`ui.training.inference.ModelContext` from now on."""
        self._context = context
        if context is not None and self.isVisible():
            self.classify()

    @Slot(object)
    def _on_weights(self, _context) -> None:
        if self.isVisible():
            self.classify()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.classify()  # weights arriving while hidden were not used

    def probabilities(self) -> np.ndarray | None:
        """The last prediction shown, shape (K,), or None."""
        return self._last_probs

    @Slot()
    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def classify(self) -> None:
        """Run the GUI-side model on the drawing (one sample) and show the probabilities."""
        ctx = self._context
        if ctx is None:
            return
        c, h, w = ctx.dataset.input_shape
        x = fit_to_input(self.canvas.image(), (h, w))
        show_grey(self.seen_item, x)
        # A grey drawing for a colour network: the same strokes in R, G and B.
        probs = ctx.predict(np.repeat(x[None], c, axis=0) if c > 1 else x)
        self._last_probs = probs
        if probs is None:
            self.result.setText("No weights yet: train (or load) a model first.")
            self.bars.set_probabilities(None, ctx.class_names)
            return
        if not x.any():
            self.result.setText("Draw something.")
        else:
            k = int(np.argmax(probs))
            self.result.setText(f"The network says: {ctx.class_names[k]} ({probs[k]:.0%}).")
        self.bars.set_probabilities(probs, ctx.class_names)
