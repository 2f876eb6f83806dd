"""Page 5, Receptive field: the gradient of one deep unit against its theoretical box."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Slot
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QComboBox, QGraphicsRectItem, QHBoxLayout, QVBoxLayout, QWidget

from cnnviz.lab.experiments import receptive_field
from ui.theme import HIGHLIGHT, MAGNITUDE, OUTPUT_GREEN, colormap
from ui.why.page import ExperimentPage
from ui.widgets.image_views import image_view, show_grey

QUESTION = (
    "The <b>theoretical</b> receptive field of a unit is the box of input pixels it can depend "
    "on at all; it grows with every conv and pool layer (the nested boxes). A CNN with six conv "
    "layers learns the digits; for the centre unit of each conv layer we measure how much each "
    "input pixel actually moves it (its gradient, averaged over 200 test digits), before and "
    "after training."
)
PREDICT = (
    "is the gradient spread evenly over the theoretical box, or concentrated? Is the box "
    "holding 90 % of it as large as the theoretical one?"
)
WHY = (
    "A pixel near the middle of the box reaches the unit through many paths (every overlapping "
    "kernel position of every layer), a pixel near its corner through only a few. So the "
    "gradient piles up in the middle in a roughly Gaussian blob (Luo et al. 2016), and the "
    "square that holds 90 % of it, the effective receptive field, is smaller than the "
    "theoretical box; the gap opens with depth. In the first layers they are equal.\n\n"
    "Caveats: the 90 % square is one convention among several; each max pool sends a gradient "
    "to one pixel, which averaging over many images smooths out; and on a network this small, "
    "training changes the field only a little."
)


def _box(colour, style) -> QGraphicsRectItem:
    item = QGraphicsRectItem()
    pen = QPen(QColor(*colour) if isinstance(colour, tuple) else QColor(colour), 0)
    pen.setStyle(style)
    item.setPen(pen)
    return item


def _square(centre, side: float) -> QRectF:
    # pixel (r, c) covers [c, c + 1) in the view, so a side-s square around centre starts at
    # centre - (s - 1) / 2
    r, c = centre
    return QRectF(c - (side - 1) / 2, r - (side - 1) / 2, side, side)


class ReceptiveFieldPage(ExperimentPage):
    """Nested theoretical fields on a digit; per layer the gradient maps with both boxes."""

    name = receptive_field.NAME
    title = "5. Receptive field: what a deep unit really looks at"
    question, predict, why = QUESTION, PREDICT, WHY
    series = (receptive_field.TEST,)
    default_epochs = receptive_field.DEFAULTS.epochs

    def build_setup(self) -> QWidget:
        self.field_plot, self.field_image = image_view(
            "Theoretical fields of the six conv layers' centre units")
        self._field_boxes: list[QGraphicsRectItem] = []
        return self.field_plot

    def show_preview(self, preview) -> None:
        digit, fields = preview["receptive-field"]
        show_grey(self.field_image, digit)
        for side, centre in fields:
            box = _box(HIGHLIGHT, Qt.PenStyle.DashLine)
            box.setRect(_square(centre, side))
            self.field_plot.addItem(box)
            self._field_boxes.append(box)
        self.field_plot.setRange(xRange=(-1, 29), yRange=(-1, 29), padding=0)

    def build_result_view(self) -> QWidget:
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("fieldLayerCombo")
        self.layer_combo.currentIndexChanged.connect(self._on_layer)
        self.maps = []
        row = QHBoxLayout()
        for title in ("untrained", "trained"):
            plot, item = image_view(f"|gradient|, {title}")
            item.setColorMap(colormap(MAGNITUDE))
            theory, effective = (_box(HIGHLIGHT, Qt.PenStyle.DashLine),
                                 _box(OUTPUT_GREEN, Qt.PenStyle.SolidLine))
            plot.addItem(theory)
            plot.addItem(effective)
            self.maps.append((plot, item, theory, effective))
            row.addWidget(plot)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.layer_combo)
        layout.addLayout(row, 1)
        return box

    def show_result_view(self, result) -> None:
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        for f in result.layers:
            self.layer_combo.addItem(f"layer {f.index + 1}: {f.name} (dashed: theoretical "
                                     f"{f.theoretical} px; solid: 90 % box)")
        self.layer_combo.blockSignals(False)
        self.layer_combo.setCurrentIndex(len(result.layers) - 1)
        self._on_layer(len(result.layers) - 1)

    @Slot(int)
    def _on_layer(self, index: int) -> None:
        result = self.result()
        if result is None or not 0 <= index < len(result.layers):
            return
        f = result.layers[index]
        for (plot, item, theory, effective), grad, side in zip(
                self.maps, (f.untrained_map, f.trained_map),
                (f.effective_untrained, f.effective_trained), strict=True):
            item.setImage(grad, levels=(0.0, float(grad.max()) or 1.0), autoLevels=False)
            theory.setRect(_square(f.centre, f.theoretical))
            effective.setRect(_square(f.centre, side))
            plot.setRange(xRange=(-1, grad.shape[1] + 1), yRange=(-1, grad.shape[0] + 1),
                          padding=0)
