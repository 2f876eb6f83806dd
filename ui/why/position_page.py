"""Page 2, Position: digits learned on the left of a wide canvas, tested on the right."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from cnnviz.lab.experiments import position
from ui.why.page import ExperimentPage
from ui.why.plots import GroupedBars, ImageStrip, accuracy_plot

QUESTION = (
    "All three networks learn handwritten digits that always sit in the <b>left part</b> of a "
    "wide 28×48 picture. Then they are tested on new digits on the left (positions seen in "
    "training) and on the <b>right</b> (positions never seen in training)."
)
PREDICT = (
    "which network still recognises a digit on the right? The <b>MLP</b> (dense layers only), "
    "the <b>CNN</b> (convolutions, then a dense layer on the flattened feature maps), or the "
    "<b>CNN + global pool</b> (convolutions, then the strongest response of each feature, "
    "wherever it is)?"
)
WHY = (
    "The MLP has a separate weight for every pixel. The pixels on the right were blank in every "
    "training image, so their weights never learned anything: on the right it guesses. The "
    "CNN's convolutions do respond to a stroke wherever it is (its feature maps move with the "
    "digit: equivariance), but its dense head has one weight per map position, trained only "
    "for the left, so it fails on the right too. A global pool keeps only how strongly each "
    "feature appears, not where, so the layer after it sees the same numbers wherever the digit "
    "is: translation invariance, from the architecture rather than from more data.\n\n"
    "Honest caveats: CNNs are only approximately shift-invariant, and only with global pooling "
    "(a flatten head throws it away). Here it comes out nearly exact because the background is "
    "blank and the 16 px jump from left to right is a multiple of the two pooling strides (4); "
    "other shifts change the pooled maps a little (see the Shift page). Real systems also get "
    "robustness to position from training on shifted copies (data augmentation)."
)


class PositionPage(ExperimentPage):
    """The training canvases against the test canvases, live curves, bars of the result."""

    name = position.NAME
    title = "2. Position: a digit where none was seen in training"
    question, predict, why = QUESTION, PREDICT, WHY
    series = (position.SEEN, position.UNSEEN)
    default_epochs = position.DEFAULTS.epochs

    def build_setup(self) -> QWidget:
        self.train_strip = ImageStrip("Training images: digits on the left only")
        self.test_strip = ImageStrip("Unseen test images: digits on the right")
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.train_strip.plot)
        layout.addWidget(self.test_strip.plot)
        return box

    def show_preview(self, preview) -> None:
        seen, unseen = preview["position"]
        self.train_strip.show(seen, columns=3)
        self.test_strip.show(unseen, columns=3)

    def build_result_view(self) -> QWidget:
        plot = accuracy_plot("Final test accuracy: seen positions (solid) and unseen (light)",
                             x_label="", legend=False)
        plot.setObjectName("positionBars")
        self.bars = GroupedBars(plot, self.series)
        return plot

    def show_result_view(self, result) -> None:
        self.bars.show({k: (m["seen_accuracy"], m["unseen_accuracy"])
                        for k, m in result.models.items()})
