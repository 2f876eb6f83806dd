"""The app's look, in one place: colour maps, note and error colours, fonts.

Every view takes its colour maps from here, so "signed values are blue < 0 < red" means the same
thing in the playground, the filters view, the exports and the experiments.
"""

from __future__ import annotations

import pyqtgraph as pg

from cnnviz.data.images import BT601

__all__ = [
    "BT601", "DIVERGING", "ERROR_RED", "ERROR_STYLE", "GREY", "HEAT", "HIGHLIGHT",
    "LEGEND_BACKING", "MAGNITUDE", "NOTE_GREY", "NOTE_STYLE", "PLOT_BACKGROUND", "PROBABILITY",
    "SELECTION", "SEQUENTIAL", "SMALL_TEXT", "SMALL_TEXT_STYLE", "TEST_CURVE", "TILE_GAP",
    "TRAIN_CURVE",
    "TRAIN_CURVE_LIGHT", "TRUE_CLASS", "colormap", "text_colour_on",
    # the playground's overlays, messages and panels
    "CELL_BORDER", "FOCUS_ORANGE", "HISTOGRAM_FILL", "IMAGE_OUTLINE", "OUTPUT_GREEN",
    "PADDING_MAGENTA", "PADDING_TEXT", "PINNED_NOTE_STYLE", "POOL_CYAN", "REGION_OUTLINE",
    "SCALE_END_GREY", "TABLE_BORDER", "VIEW_MESSAGE_STYLE", "WINDOW_YELLOW", "ZERO_LINE_RED",
    # colour input: one tint per channel, the receptive field of layer 2
    "CHANNEL_TINTS", "FIELD_ORANGE", "channel_colormap",
    # the Why CNNs tab
    "MODEL_COLOURS", "CONCLUSION_STYLE", "QUESTION_STYLE",
    # the single-step view
    "STAGE_DONE_STYLE", "STAGE_NOW_STYLE",
]

# Colour maps (pyqtgraph's colorcet names). Signed maps are centred on zero: negatives stay visible.
DIVERGING = "CET-D1"        # blue < 0 < red: convolution outputs, kernels, filters, gradients
GREY = "CET-L1"             # black .. white: images in [0, 1]
MAGNITUDE = "CET-L3"        # |x|
SEQUENTIAL = "CET-L12"      # counts and rates (the confusion matrix)
HEAT = "inferno"            # attributions laid over an image (saliency, Grad-CAM)

NOTE_GREY = "#555555"       # explanations ("why?" notes, hints)
ERROR_RED = "#b00020"       # messages about bad input
NOTE_STYLE = f"color: {NOTE_GREY}; font-size: 9pt;"
ERROR_STYLE = f"color: {ERROR_RED}; font-weight: bold;"
SMALL_TEXT = "8pt"          # captions under small maps, pyqtgraph labels
SMALL_TEXT_STYLE = f"font-size: {SMALL_TEXT};"

# Plot colours, (r, g, b) in 0..255: each has one meaning in every plot of the app.
PLOT_BACKGROUND = "w"
TRAIN_CURVE = (30, 60, 200)         # training curves (smoothed loss, train accuracy)
TRAIN_CURVE_LIGHT = (150, 170, 220)  # the raw per-step loss behind its smoothed curve
TEST_CURVE = (220, 100, 0)          # measurements on the test set
PROBABILITY = (90, 120, 200)        # class-probability bars
TRUE_CLASS = (40, 160, 60)          # the true class's bar
HIGHLIGHT = (230, 60, 20)           # a region pointed at (the receptive-field window)
SELECTION = (0, 0, 0)               # the frame around a selected item
LEGEND_BACKING = (255, 255, 255, 200)  # a legend stays readable where a curve passes behind it
TILE_GAP = (175, 185, 200)          # behind a grid of image tiles: neither black nor white ink

# The playground. Overlays are bright so they read on grey photos and on blue/red maps alike;
# one colour per idea: yellow = the kernel's window, magenta = padding (and the pool's maximum),
# green = the output pixel explained, cyan = pooling.
WINDOW_YELLOW = "#ffd200"   # the taps that fall inside the image
PADDING_MAGENTA = "#ff3cff" # taps in the padding, the padding's outline, the pool window's max
OUTPUT_GREEN = "#00e000"    # the feature-map pixel being explained
POOL_CYAN = "#00e0ff"       # a pool window and the input region a pooled pixel depends on
IMAGE_OUTLINE = "#707070"   # the input's own border (a dark image must not vanish)
REGION_OUTLINE = "#282828"  # the translation lab's comparable interior (dashed)
PADDING_TEXT = "#b000b0"    # padding values in the inspector's tables (magenta on white)
TABLE_BORDER = "#999999"
CELL_BORDER = "#5a5a5a"     # between kernel-grid cells
FOCUS_ORANGE = "#ffaa00"    # the kernel grid's keyboard-selected cell
ZERO_LINE_RED = "#c00000"   # the histogram's x = 0
SCALE_END_GREY = "#808080"  # the histogram's colour-scale ends (dashed)
HISTOGRAM_FILL = (80, 120, 220, 160)
VIEW_MESSAGE_STYLE = (      # an explanation drawn over a map it replaces
    "color: #ffb0b0; background: rgba(40, 0, 0, 220); font-weight: bold; padding: 12px;"
)
# The single-step view's stage panels: the one just run, and the ones already run.
STAGE_NOW_STYLE = ("QGroupBox { border: 3px solid #e63c14; border-radius: 4px; margin-top: 1.2em; "
                   "font-weight: bold; background: #fff4ee; } QGroupBox::title { color: #e63c14; "
                   "subcontrol-origin: margin; left: 8px; }")
STAGE_DONE_STYLE = ("QGroupBox { border: 1px solid #9c9; border-radius: 4px; margin-top: 1.2em; } "
                    "QGroupBox::title { color: #2a7a2a; subcontrol-origin: margin; left: 8px; }")
PINNED_NOTE_STYLE = "background: #fff8dc; border: 1px solid #e0d090; padding: 4px;"
# Colour input: each channel drawn black -> its own colour, so "R" reads as red light.
CHANNEL_TINTS = ((255, 40, 40), (40, 220, 40), (60, 110, 255))
FIELD_ORANGE = "#ff8c00"    # layer 2's receptive field on the input (dashed)

# The Why CNNs tab: one colour per model on every page, curve and bar (Okabe-Ito colours, told
# apart with the common colour-vision deficiencies); the test set a curve measures is its line
# style (solid: the images like the training ones; dashed: the changed ones).
MODEL_COLOURS = {
    "mlp": (213, 94, 0),          # vermilion: the dense network
    "cnn": (0, 114, 178),         # blue: the CNN with a flatten + dense head
    "cnn_global": (0, 158, 115),  # bluish green: the CNN ending in a global pool
    "deep_cnn": (204, 121, 167),  # reddish purple: the receptive-field experiment's deep CNN
}
QUESTION_STYLE = "font-size: 10.5pt;"
CONCLUSION_STYLE = "background: #eef6ee; border: 1px solid #9c9; padding: 6px; font-size: 10pt;"


def colormap(name: str) -> pg.ColorMap:
    """The pyqtgraph colour map called ``name`` (one of the constants above)."""
    return pg.colormap.get(name)


def text_colour_on(r: float, g: float, b: float) -> str:
    """``"black"`` or ``"white"``, whichever reads better on the colour (r, g, b) in 0..255."""
    luma = BT601[0] * r + BT601[1] * g + BT601[2] * b
    return "black" if luma > 140 else "white"


def channel_colormap(channel: int) -> pg.ColorMap:
    """Black to the tint of colour channel ``channel`` (0 = R, 1 = G, 2 = B)."""
    return pg.ColorMap([0.0, 1.0], [(0, 0, 0), CHANNEL_TINTS[channel]])
