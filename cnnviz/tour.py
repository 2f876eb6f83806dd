"""The guided tour (Help > Tour): twelve stops, each a set-up of the app and two sentences.

Plain data, no Qt: a stop names the tab it shows, the settings it applies (see
:data:`SETTING_KEYS` for what each key means) and the control it points at. ``ui.tour`` turns a
stop into widget calls; the tests read these stops to check that the app ends up as they say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["TourStop", "TOUR", "SETTING_KEYS", "TABS", "sentences", "heading"]

TABS = ("playground", "training", "why")

# What a stop's settings may say, and what it means for the app (ui/tour/apply.py does it).
SETTING_KEYS = {
    # playground
    "image": "the entry of imageSourceCombo to show (a photo or a pattern)",
    "channels": "'grey' or 'rgb' (channelModeCombo)",
    "filters": "filterCountSpin: how many filters the layer has",
    "layer2": "layer2Check",
    "kernel_size": "kernelSizeSpin, set before the preset",
    "preset": "the entry of kernelPresetCombo (a named kernel)",
    "bias": "biasSpin",
    "stride": "strideSpin",
    "padding": "paddingSpin",
    "padding_mode": "paddingModeCombo",
    "dilation": "dilationSpin",
    "relu": "reluCheck",
    "pool": "poolTypeCombo: none, max or average",
    "pool_size": "poolSizeSpin",
    "pool_stride": "poolStrideSpin",
    "pin": "True pins a strongly responding feature-map pixel, None unpins",
    "panel": "the playground's lower tab: 'inspector' or 'translation'",
    "shift": "(dy, dx) of the translation lab, in input pixels",
    # why
    "why_page": "the Why CNNs page to show (an experiment name)",
    "run": "run the page's experiment now (only for one that needs no training)",
    "quick": "tick the page's Quick box, so Run gives a result in seconds",
    # training
    "dataset": "the built-in data set of datasetCombo (its key, e.g. 'lines')",
    "studio_page": "the title of the studio's lower tab to show",
    "studio_split": "the share of trainingSplitter's height given to the lower tabs (0..1)",
    "train": "press Start unless the studio already has weights for this data set",
    "method": "the Inspect tab's method (a view key, e.g. 'gradCamLayers')",
}

_PLAYGROUND = MappingProxyType({
    "image": "Camera man (photo)", "channels": "grey", "filters": 1, "layer2": False,
    "kernel_size": 3, "preset": "Sobel x", "bias": 0.0, "stride": 1, "padding": 1,
    "padding_mode": "zeros", "dilation": 1, "relu": False, "pool": "none", "pool_size": 2,
    "pool_stride": 2, "pin": None, "panel": "inspector",
})


def _playground(**changes) -> dict:
    """A full playground set-up: every stop says every setting, so any stop can come first."""
    return {**_PLAYGROUND, **changes}


@dataclass(frozen=True)
class TourStop:
    """One stop of the tour.

    Attributes
    ----------
    title : str
        A few words ("Padding and stride").
    text : str
        Two sentences: what to look at, and why it matters.
    tab : str
        ``"playground"``, ``"training"`` or ``"why"``.
    settings : Mapping
        What to set (keys of :data:`SETTING_KEYS`); read-only.
    highlight : str
        The objectName of the control the stop is about, outlined briefly; ``"a/b"`` means the
        child ``b`` inside ``a`` (names repeated on several pages). Empty for none.
    """

    title: str
    text: str
    tab: str
    settings: Mapping = field(default_factory=dict)
    highlight: str = ""

    def __post_init__(self) -> None:
        if self.tab not in TABS:
            raise ValueError(f"a tour stop shows one of the tabs {', '.join(TABS)}, not "
                             f"{self.tab!r}")
        unknown = sorted(set(self.settings) - set(SETTING_KEYS))
        if unknown:
            raise ValueError(f"tour stop {self.title!r} has unknown settings: "
                             f"{', '.join(unknown)}")
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def sentences(text: str) -> int:
    """How many sentences ``text`` has: full stops, ! and ? that end a word (not 0.5 or 3x3)."""
    return len(_SENTENCE_END.findall(text.strip()))


def heading(index: int) -> str:
    """``"3 of 12: Padding and stride"`` for stop ``index`` (from 0)."""
    return f"{index + 1} of {len(TOUR)}: {TOUR[index].title}"


TOUR: tuple[TourStop, ...] = (
    TourStop(
        "A kernel on a photo",
        "The 3×3 Sobel x kernel on the left is slid over every position of the photo, and the "
        "feature map shows its answer: red where the right side is brighter, blue where the left "
        "side is. One small detector with nine weights finds vertical edges anywhere in the "
        "image, and that is all a convolution is.",
        "playground", _playground(), "kernelGrid",
    ),
    TourStop(
        "Hovering a pixel",
        "The tour pinned a feature-map pixel on a strong edge: the inspector below shows the 3×3 "
        "patch of the photo under it, the kernel, and the nine products whose sum is its value. "
        "Click it again to unpin, then hover other pixels: each one depends only on a small, "
        "local patch of the input.",
        "playground", _playground(pin=True), "pixelInspector",
    ),
    TourStop(
        "Padding and stride",
        "With stride 2 the window jumps two pixels at a time, so the feature map has half the "
        "rows and columns; padding 1 adds a border so the window can also sit over the edges. "
        "The line above the maps works the output size out with the current numbers, "
        "out = floor((n + 2p − d(k−1) − 1)/s) + 1.",
        "playground", _playground(stride=2, padding=1), "strideSpin",
    ),
    TourStop(
        "Dilation",
        "Dilation 2 spreads the kernel's nine taps two pixels apart, so the same nine weights "
        "now cover a 5×5 window, and padding 2 keeps the map the size of the photo. The "
        "receptive field grows without a single extra weight: hover an output pixel to see the "
        "spread-out patch it reads.",
        "playground", _playground(padding=2, dilation=2), "dilationSpin",
    ),
    TourStop(
        "ReLU",
        "With ReLU on, every negative (blue) response becomes zero, so only the edges where the "
        "right side is brighter survive. Toggle it off and on: without such a non-linearity, "
        "stacked convolutions would collapse into one linear filter.",
        "playground", _playground(relu=True), "reluCheck",
    ),
    TourStop(
        "Pooling",
        "Max pooling 2×2 with stride 2 keeps the strongest response of each window, so the "
        "pooled map has half the rows and columns of the feature map. It keeps whether an edge "
        "was somewhere nearby and forgets exactly where, so small shifts of the input matter "
        "less.",
        "playground", _playground(relu=True, pool="max"), "poolTypeCombo",
    ),
    TourStop(
        "Translation",
        "The translation lab moves the photo 1 pixel right: moved back by that pixel, the "
        "feature map is identical (equivariance), and after max pooling it changes less than "
        "before. Try dx = 2, a whole pooling step: the pooled map then simply moves as well, "
        "because pooling only absorbs shifts smaller than its window.",
        "playground", _playground(relu=True, pool="max", panel="translation", shift=(0, 1)),
        "translationLab",
    ),
    TourStop(
        "Parameters against a dense layer",
        "A dense layer from a 28×28 digit to 128 units needs 100,480 weights, and 16 conv "
        "filters of 3×3 need 160, because each filter's weights are shared by every position. "
        "The plot shows the dense count growing with the image while the conv count stays "
        "flat: change the sizes on the left to try your own.",
        "why", {"why_page": "params", "run": True}, "paramsPage/resultTable",
    ),
    TourStop(
        "Training lines",
        "The tour pressed Start: a small CNN is learning to tell vertical from horizontal lines "
        "in 8×8 images, one batch at a time. Watch the loss fall and the accuracy climb as its "
        "guesses improve, and press Start again for a fresh run from new random weights.",
        "training", {"dataset": "lines", "studio_page": "Data", "studio_split": 0.5,
                     "train": True},
        "lossPlot",
    ),
    TourStop(
        "Filters forming",
        "The first layer's filters began as random noise, and every batch pulls them towards "
        "the vertical and horizontal strokes the data contains. Drag the timeline slider under "
        "them to replay how they changed, or open one in the playground to see what it does to "
        "a photo.",
        "training", {"dataset": "lines", "studio_page": "Network", "studio_split": 0.5,
         "train": True},
        "filtersView",
    ),
    TourStop(
        "Grad-CAM",
        "The tour started training a CNN on five shapes; Grad-CAM colours the parts of a test "
        "image that pushed it towards its answer, at every conv layer. The heat should sit on "
        "the shape, not on the background: a model that is right for the wrong reasons shows "
        "it here.",
        "training",
        {"dataset": "shapes", "studio_page": "Inspect a sample", "studio_split": 0.7,
         "train": True, "method": "gradCamLayers"},
        "gradCamLayersView",
    ),
    TourStop(
        "Why CNNs: the experiments",
        "Read the question and guess which network still recognises a digit drawn where no "
        "digit was seen in training, then press Run (Quick is ticked, so it takes seconds). The "
        "result shows which part of a CNN buys that, and the other pages test shifts, shuffled "
        "pixels and receptive fields the same way.",
        "why", {"why_page": "position", "quick": True}, "positionPage/runExperimentButton",
    ),
)
