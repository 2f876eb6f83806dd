"""Where the network goes wrong: the test-set confusion matrix and a gallery of mistakes.

Why (idea 18): accuracy is one number; the confusion matrix says *which* classes are confused, and
looking at the misclassified images themselves (then at their saliency in the Inspect tab) tells
you whether the data, the labels or the network is to blame.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.theme import PLOT_BACKGROUND, SEQUENTIAL, colormap, text_colour_on
from ui.training.dataset_panel import grey_pixmap
from ui.training.inference import ModelContext
from ui.training.session import TrainingSession
from ui.widgets.text import literal_markup, plain_label
from ui.widgets.why import WhyLabel

MAX_GALLERY = 40  # thumbnails per view; each needs one single-sample prediction
WHY = (
    "Why: rows are the true class, columns the predicted one; everything off the diagonal is a "
    "mistake. Click a cell to list those test images; click an image to inspect its saliency and "
    "Grad-CAM and see what the network looked at."
)


class ErrorsPanel(QWidget):
    """Confusion matrix (click a cell) and a gallery of test samples (click one to inspect it).

    Signals
    -------
    sigInspectSample(int)
        Index into the test set of the thumbnail the user clicked.
    """

    sigInspectSample = Signal(int)

    def __init__(self, session: TrainingSession, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        session.sigContextChanged.connect(self.set_context)
        self._evaluation = None
        self._eval_context: ModelContext | None = None
        self._predicted: dict[int, int] = {}
        self._cell: tuple[int, int] | None = None
        self._stale = False
        self.matrix = pg.PlotWidget(title="Confusion matrix (test set)",
                                    viewBox=pg.ViewBox(enableMenu=False))
        self.matrix.setObjectName("confusionMatrix")
        self.matrix.setBackground(PLOT_BACKGROUND)
        self.matrix.setAspectLocked(True)
        self.matrix.invertY(True)
        self.matrix.setMouseEnabled(False, False)
        self.matrix.hideButtons()
        self.matrix.setLabel("left", "true class")
        self.matrix.setLabel("bottom", "predicted class")
        self.matrix.setMinimumSize(180, 160)
        self.matrix_item = pg.ImageItem()
        self._colours = colormap(SEQUENTIAL)
        self.matrix_item.setColorMap(self._colours)
        self.matrix.addItem(self.matrix_item)
        self.matrix.scene().sigMouseClicked.connect(self._on_matrix_click)
        self._texts: list[QGraphicsSimpleTextItem] = []
        self.gallery = QListWidget()
        self.gallery.setObjectName("mistakesGallery")
        self.gallery.setViewMode(QListWidget.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(48, 48))
        self.gallery.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.gallery.setMovement(QListWidget.Movement.Static)
        self.gallery.setSpacing(4)
        self.gallery.itemClicked.connect(self._on_item_clicked)
        self.gallery_label = plain_label("Train a model: the matrix appears at each evaluation.")
        self.gallery_label.setObjectName("galleryLabel")
        self.gallery_label.setWordWrap(True)
        why = WhyLabel(WHY, expanded=True)
        right = QVBoxLayout()
        right.addWidget(self.gallery_label)
        right.addWidget(self.gallery, 1)
        right.addWidget(why)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.matrix, 2)
        layout.addLayout(right, 3)

    # ----- public API ----------------------------------------------------------------------------
    @Slot(object)
    def set_context(self, context: ModelContext | None) -> None:
        """A new run or data set: forget the previous evaluation if the data changed."""
        if context is None or (self._eval_context is not None
                               and context.dataset is not self._eval_context.dataset):
            self._evaluation = None
            self._eval_context = None
            self.matrix_item.clear()
            self.gallery.clear()

    def show_evaluation(self, snapshot) -> None:
        """Show the confusion matrix and mistakes of an evaluated snapshot of the session's run.

        The gallery's predicted labels come from that snapshot's own weights (a private model
        copy), so they match the matrix even while training moves on.
        """
        context = self._session.model_context()
        if context is None or snapshot.confusion is None:
            return
        self._evaluation = snapshot
        # One private model per data set and architecture: each evaluation only swaps weights.
        if (self._eval_context is None or self._eval_context.dataset is not context.dataset
                or self._eval_context.spec != context.spec):
            self._eval_context = ModelContext(context.dataset, context.spec)
        self._eval_context.set_state(snapshot.state)
        self._predicted = {}
        # Drawing and thumbnails (one prediction each) only while someone is looking at them.
        self._stale = True
        if self.isVisible():
            self._refresh_gallery()

    def _refresh_gallery(self) -> None:
        self._stale = False
        self._draw_matrix(np.asarray(self._evaluation.confusion))
        if self._cell is None or self._cell[0] == self._cell[1]:
            self.show_mistakes()
        else:
            self.show_cell(*self._cell)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale and self._evaluation is not None:
            self._refresh_gallery()

    def confusion(self) -> np.ndarray | None:
        """The matrix shown, shape (K, K), rows = true class."""
        return None if self._evaluation is None else np.asarray(self._evaluation.confusion)

    def gallery_indices(self) -> list[int]:
        """Test-set indices of the thumbnails shown, in order."""
        return [self.gallery.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.gallery.count())]

    def show_mistakes(self) -> None:
        """Fill the gallery with misclassified test samples (all classes)."""
        self._cell = None
        if self._evaluation is None:
            return
        wrong = [int(i) for i in np.asarray(self._evaluation.misclassified)]
        self._fill(wrong, f"{len(wrong)} misclassified test images")

    def show_cell(self, true_class: int, predicted: int) -> None:
        """Fill the gallery with test samples of class ``true_class`` predicted as ``predicted``."""
        if self._evaluation is None:
            return
        self._cell = (true_class, predicted)
        ds = self._eval_context.dataset
        names = self._eval_context.class_names
        wrong = set(int(i) for i in np.asarray(self._evaluation.misclassified))
        of_class = np.flatnonzero(ds.y_test == true_class)
        if true_class == predicted:
            picked = [int(i) for i in of_class if int(i) not in wrong]
        else:
            # Stop predicting once the gallery is full (each prediction runs on the GUI thread).
            picked = list(islice((int(i) for i in of_class if int(i) in wrong
                                  and self._prediction(int(i)) == predicted), MAX_GALLERY))
        self._fill(picked, f"true {names[true_class]}, predicted {names[predicted]}: "
                           f"{int(self._evaluation.confusion[true_class, predicted])} images")

    # ----- internals -----------------------------------------------------------------------------
    def _prediction(self, index: int) -> int:
        if index not in self._predicted:
            probs = self._eval_context.predict(self._eval_context.dataset.x_test[index])
            self._predicted[index] = int(np.argmax(probs))
        return self._predicted[index]

    def _fill(self, indices: list[int], text: str) -> None:
        ds = self._eval_context.dataset
        names = self._eval_context.class_names
        self.gallery.clear()
        shown = indices[:MAX_GALLERY]
        for i in shown:
            truth = int(ds.y_test[i])
            pred = self._prediction(i)
            item = QListWidgetItem(QIcon(grey_pixmap(ds.x_test[i], 48)),
                                   f"{names[truth]}→{names[pred]}")
            item.setData(Qt.ItemDataRole.UserRole, i)
            item.setToolTip(literal_markup(f"test sample {i}: true {names[truth]}, predicted "
                                          f"{names[pred]}. Click to inspect."))
            self.gallery.addItem(item)
        more = f" (first {len(shown)} shown)" if len(indices) > len(shown) else ""
        self.gallery_label.setText(text + more + ". Click one to inspect it.")

    def _draw_matrix(self, m: np.ndarray) -> None:
        k = m.shape[0]
        rows = m.sum(axis=1, keepdims=True)
        rate = np.divide(m, rows, out=np.zeros(m.shape, float), where=rows > 0)
        self.matrix_item.setImage(rate, levels=(0.0, 1.0))
        wanted = k * k if k <= 12 else 0  # counts stay legible up to about a dozen classes
        if len(self._texts) != wanted:  # text items are costly: create them once per size
            for t in self._texts:
                self.matrix.removeItem(t)
            self._texts = []
            for i in range(wanted):
                # Plain text items: pyqtgraph's TextItem lays out HTML and is ~10x slower.
                t = QGraphicsSimpleTextItem("")
                t.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                t.setPos(i % k + 0.5, i // k + 0.5)
                self.matrix.addItem(t)
                self._texts.append(t)
        cell_colours = self._colours.map(rate.ravel(), mode="byte")
        for i, t in enumerate(self._texts):
            r, c = divmod(i, k)
            t.setText(str(int(m[r, c])))
            t.setBrush(QColor(text_colour_on(*cell_colours[i][:3])))
            box = t.boundingRect()
            t.setTransform(QTransform.fromTranslate(-box.width() / 2, -box.height() / 2))
        names = self._eval_context.class_names
        ticks = [(i + 0.5, n if len(n) <= 6 else n[:5] + "…") for i, n in enumerate(names)]
        self.matrix.getAxis("bottom").setTicks([ticks])
        self.matrix.getAxis("left").setTicks([ticks])
        self.matrix.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

    @Slot(object)
    def _on_matrix_click(self, event) -> None:
        if self._evaluation is None:
            return
        pos = self.matrix.getPlotItem().vb.mapSceneToView(event.scenePos())
        k = self._evaluation.confusion.shape[0]
        r, c = int(np.floor(pos.y())), int(np.floor(pos.x()))
        if 0 <= r < k and 0 <= c < k:
            self.show_cell(r, c)

    @Slot(QListWidgetItem)
    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        self.sigInspectSample.emit(int(item.data(Qt.ItemDataRole.UserRole)))
