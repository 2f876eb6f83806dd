"""Page 4, Permuted pixels: one fixed scramble of every image, train and test."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from cnnviz.lab.experiments import permute
from ui.why.page import ExperimentPage
from ui.why.plots import GroupedBars, ImageStrip, accuracy_plot

QUESTION = (
    "Scramble every image with the <b>same</b> fixed random order of its 784 pixels, training "
    "and test images alike. To us the digits turn into noise. Each network is trained twice: on "
    "the plain digits and on the scrambled ones."
)
PREDICT = "whose accuracy drops on the scrambled digits: the MLP's or the CNNs'?"
WHY = (
    "The MLP treats its input as a list of numbers in no particular order: scrambling the "
    "pixels is the same as scrambling the columns of its first weight matrix, so it learns the "
    "scrambled digits just as well (any difference is noise from a different start). A CNN's "
    "3×3 kernels assume that neighbouring pixels belong together; after the scramble the "
    "neighbours are unrelated pixels from all over the image and there are no strokes to find. "
    "The flatten CNN keeps a dense head that can still learn the scrambled positions, a little "
    "like an MLP, so it loses less; the CNN with a global pool has nothing but local patterns to "
    "go on and loses most.\n\n"
    "This assumption is the CNN's inductive bias: it is why CNNs learn images from few "
    "examples, and it is worth nothing when the data break it."
)


class PermutePage(ExperimentPage):
    """Plain against scrambled digits, live curves, bars of plain and permuted accuracy."""

    name = permute.NAME
    title = "4. Permuted pixels: what a CNN takes for granted"
    question, predict, why = QUESTION, PREDICT, WHY
    series = (permute.PLAIN, permute.PERMUTED)
    default_epochs = permute.DEFAULTS.epochs

    def build_setup(self) -> QWidget:
        self.plain_strip = ImageStrip("Plain test digits")
        self.permuted_strip = ImageStrip("The same digits, pixels permuted (what the nets see)")
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plain_strip.plot)
        layout.addWidget(self.permuted_strip.plot)
        return box

    def show_preview(self, preview) -> None:
        plain, scrambled = preview["permute"]
        self.plain_strip.show(plain)
        self.permuted_strip.show(scrambled)

    def build_result_view(self) -> QWidget:
        plot = accuracy_plot("Final test accuracy: plain pixels (solid) and permuted (light)",
                             x_label="", legend=False)
        plot.setObjectName("permuteBars")
        self.bars = GroupedBars(plot, self.series)
        return plot

    def show_result_view(self, result) -> None:
        self.bars.show({k: (m["accuracy"], m["permuted_accuracy"])
                        for k, m in result.models.items()})
