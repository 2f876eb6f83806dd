"""The controls for channels, the bank of filters and layer 2, with the objectNames checks use.

Only widgets live here: :class:`~ui.playground.bank_editor.BankEditor` and
:class:`~ui.playground.layer2_editor.Layer2Editor` bind them to the kernel grids.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from cnnviz.lab.kernels import CHANNEL_FILLS
from cnnviz.lab.stacks import STACK_PRESETS
from ui.playground.kernel_grid import KernelGrid
from ui.theme import ERROR_RED, NOTE_GREY
from ui.widgets.why import WhyLabel

__all__ = ["CHANNEL_MODES", "MAX_FILTERS", "STACK_WHY", "ChannelsGroup", "Layer2Group"]

CHANNEL_MODES = (("Grey", "grey"), ("RGB", "rgb"))
MAX_FILTERS = 8

STACK_WHY = {
    "channels": (
        "A colour image is three maps: red, green and blue. A filter then has one k x k slice "
        "per channel; each slice makes a partial map from its channel, and the filter's output "
        "is the sum of the partial maps plus one bias."
    ),
    "filters": (
        "A conv layer is a bank of filters: each finds its own pattern everywhere, so F filters "
        "give F feature maps, at F x (C x k x k + 1) parameters whatever the image size."
    ),
    "fill": (
        "How a 2-D preset fills a colour filter's three slices: the same in each (reacts to the "
        "pattern in any colour), weighted like brightness (luma: sees the grey photo), or one "
        "channel only (sees that colour only)."
    ),
    "layer2": (
        "Layer 2 is a second conv layer whose input channels are layer 1's F maps. Combining "
        "features turns edges into corners and lines into crossings, and each of its pixels sees "
        "a larger part of the photo: receptive fields grow with depth."
    ),
}


def _why(key: str, sink) -> WhyLabel:
    label = WhyLabel(STACK_WHY[key])
    label.sigClicked.connect(sink)
    return label


def _narrow(combo: QComboBox, letters: int = 12) -> QComboBox:
    """Let ``combo`` be narrower than its longest entry (the column is ~300 px wide)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(letters)
    return combo


def _row(form: QFormLayout, text: str, widget: QWidget, why: WhyLabel | None = None) -> None:
    row = QHBoxLayout()
    row.addWidget(widget, 1)
    if why is not None:
        row.addWidget(why)
    form.addRow(text, row)


class ChannelsGroup(QGroupBox):
    """``channelModeCombo``, ``filterCountSpin``, the filter tabs and the channel options.

    ``sigWhy(str)`` carries the explanation of a clicked *why?*.
    """

    sigWhy = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Channels and filters", parent)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channelModeCombo")
        for label, key in CHANNEL_MODES:
            self.channel_combo.addItem(label, key)
        self.channel_combo.setToolTip("Grey: one channel. RGB: the photo's three colour channels, "
                                      "and a kernel slice for each.")
        _row(form, "Input", self.channel_combo, _why("channels", self.sigWhy))
        self.filter_spin = QSpinBox()
        self.filter_spin.setObjectName("filterCountSpin")
        self.filter_spin.setRange(1, MAX_FILTERS)
        self.filter_spin.setSuffix(" filter(s)")
        self.filter_spin.setToolTip("How many filters the layer has: one feature map each")
        _row(form, "Layer 1", self.filter_spin, _why("filters", self.sigWhy))
        self.filter_tabs = QTabBar()
        self.filter_tabs.setObjectName("filterTabs")
        self.filter_tabs.setExpanding(False)
        self.filter_tabs.setDrawBase(False)
        self.filter_tabs.setToolTip("Which filter the kernel grid, the preset and the bias edit")
        self.filter_tabs.addTab("1")
        self.filter_tabs.hide()
        form.addRow(self.filter_tabs)
        self.same_check = QCheckBox("Same for all channels")
        self.same_check.setObjectName("sameChannelsCheck")
        self.same_check.setToolTip("An edit changes that weight in the R, G and B slices at once")
        self.fill_combo = QComboBox()
        self.fill_combo.setObjectName("channelFillCombo")
        for key, label, tip in CHANNEL_FILLS:
            self.fill_combo.addItem(label, key)
            self.fill_combo.setItemData(self.fill_combo.count() - 1, tip,
                                        Qt.ItemDataRole.ToolTipRole)
        # The R, G, B options only make sense for a colour input: shown in RGB mode only.
        self.colour_options = QWidget()
        options = QFormLayout(self.colour_options)
        options.setContentsMargins(0, 0, 0, 0)
        options.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        options.addRow(self.same_check)
        _row(options, "Presets fill", _narrow(self.fill_combo), _why("fill", self.sigWhy))
        form.addRow(self.colour_options)
        self.colour_options.setVisible(False)


class Layer2Group(QGroupBox):
    """``layer2Check`` and, while it is on, layer 2's kernel (``layer2Grid``) and settings."""

    sigWhy = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Layer 2, stacked by hand", parent)
        v = QVBoxLayout(self)
        top = QHBoxLayout()
        self.check = QCheckBox("Add layer 2 over the maps")
        self.check.setObjectName("layer2Check")
        self.check.setToolTip("Layer 2 reads layer 1's maps after ReLU and pooling and makes one "
                              "map of its own")
        top.addWidget(self.check, 1)
        top.addWidget(_why("layer2", self.sigWhy))
        v.addLayout(top)
        examples = QFormLayout()  # an example switches layer 2 on: reachable while it is off
        examples.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        v.addLayout(examples)
        self.body = QWidget()
        form = QFormLayout(self.body)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("stackPresetCombo")
        self.preset_combo.addItem("Custom")
        for name, preset in STACK_PRESETS.items():
            self.preset_combo.addItem(name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, preset.description,
                                          Qt.ItemDataRole.ToolTipRole)
        examples.addRow("Example", _narrow(self.preset_combo))
        self.description = QLabel()
        self.description.setObjectName("stackPresetDescription")
        self.description.setWordWrap(True)
        self.description.setStyleSheet(f"color: {NOTE_GREY};")
        examples.addRow(self.description)
        sizes = QHBoxLayout()
        self.size_spin = QSpinBox()
        self.size_spin.setObjectName("layer2SizeSpin")
        self.size_spin.setRange(1, 7)
        self.size_spin.setValue(3)
        self.size_spin.setPrefix("size ")
        self.padding_spin = QSpinBox()
        self.padding_spin.setObjectName("layer2PaddingSpin")
        self.padding_spin.setRange(0, 3)
        self.padding_spin.setValue(1)
        self.padding_spin.setPrefix("padding ")
        sizes.addWidget(self.size_spin)
        sizes.addWidget(self.padding_spin)
        form.addRow("Kernel", sizes)
        bias = QHBoxLayout()
        self.bias_spin = QDoubleSpinBox()
        self.bias_spin.setObjectName("layer2BiasSpin")
        self.bias_spin.setRange(-1000.0, 1000.0)
        self.bias_spin.setDecimals(2)
        self.relu_check = QCheckBox("ReLU")
        self.relu_check.setObjectName("layer2ReluCheck")
        self.relu_check.setChecked(True)
        bias.addWidget(self.bias_spin, 1)
        bias.addWidget(self.relu_check)
        form.addRow("Bias", bias)
        self.grid = KernelGrid(per_row=4)
        self.grid.setObjectName("layer2Grid")
        self.grid.setToolTip("Layer 2's kernel: one slice per layer-1 map (edited like the "
                             "kernel above)")
        form.addRow(self.grid)
        self.field_label = QLabel()
        self.field_label.setObjectName("layer2FieldLabel")
        self.field_label.setWordWrap(True)
        form.addRow(self.field_label)
        self.message = QLabel()
        self.message.setObjectName("layer2MessageLabel")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_RED};")
        self.message.hide()
        form.addRow(self.message)
        v.addWidget(self.body)
        self.body.setVisible(False)
        self.check.toggled.connect(self.body.setVisible)
        self.description.hide()
