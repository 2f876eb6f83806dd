"""The playground's left-hand column: input, kernel and arithmetic controls, each with a "why?".

This module builds and lays out the controls (with the objectNames that acceptance checks use)
and reads the arithmetic ones as a :class:`~cnnviz.lab.conv.ConvSettings`; the parts of
:mod:`ui.playground` (kernel editor, source menu) bind the others.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.lab import kernels
from cnnviz.lab.conv import PADDING_MODES, POOL_TYPES, ConvSettings
from ui.playground.kernel_grid import KernelGrid
from ui.playground.stack_controls import ChannelsGroup, Layer2Group
from ui.theme import ERROR_RED, NOTE_GREY, PINNED_NOTE_STYLE
from ui.widgets.text import plain_label
from ui.widgets.why import WhyLabel

__all__ = ["WHY", "ControlsPanel", "STEP_SIZES"]

STEP_SIZES = (0.1, 0.25, 0.5, 1.0, 2.0)

# The transform buttons under the kernel grid (the kernel editor applies them), with their tips.
_KERNEL_BUTTONS = (
    ("Normalise", "Divide by the sum (when it is not zero) so flat areas keep their brightness"),
    ("Random", "Random weights in [-1, 1]: what an untrained network starts from"),
    ("Flip", "Rotate by 180 degrees: turns cross-correlation into textbook convolution"),
    ("Rotate", "A quarter turn clockwise"),
    ("Zero", "All weights to zero"),
)

# Our own short explanations, one per idea of CONCEPTS.md, shown beside the control that shows it.
COMPACT_GRID_HEIGHT = 130  # px: a 3x3 grid's cells stay over 40 px, easy to click
COMPACT_CELL = 24          # px a cell a big kernel's compact grid may grow to
COMPACT_SPARE_FROM = 640   # controls taller than this can spare the rest for a big grid

WHY = {
    "kernel": (
        "A kernel is one small pattern detector. The same few weights are slid over every "
        "position of the image, so a feature is found wherever it appears."
    ),
    "size": (
        "Small kernels (3x3) only see edges and fine texture; big ones (7x7, 9x9) respond to "
        "broad shapes but need more weights. Networks stack small kernels to see far cheaply."
    ),
    "preset": (
        "Classic hand-made kernels. A CNN learns kernels like these (edge detectors, blurs) "
        "by itself during training."
    ),
    "bias": (
        "Added to every output pixel. With ReLU it acts as a threshold: only responses above "
        "-bias survive."
    ),
    "stride": (
        "Stride s moves the window s pixels at a time: stride 2 halves each side of the map "
        "and quarters the work, at the cost of detail."
    ),
    "padding": (
        "Padding adds a border so the window can sit over the edges: with padding (k-1)/2 and"
        " stride 1 the output keeps the input size. Without it the map shrinks by k-1."
    ),
    "mode": (
        "What the border holds: zeros (dark frame, can create fake edges), reflect (mirror "
        "image) or replicate (repeat the edge pixel). Hover an output pixel at the border to see "
        "the padded values it used."
    ),
    "dilation": (
        "Dilation spreads the kernel's taps apart: a 3x3 kernel with dilation 2 covers 5x5 "
        "pixels with still only 9 weights, so the receptive field grows for free."
    ),
    "relu": (
        "ReLU keeps positive responses and sets negatives to zero. Without such a "
        "non-linearity, stacked conv layers collapse into one linear filter."
    ),
    "pool": (
        "Pooling summarises each window by its max (or mean): 2x2 with stride 2 halves each "
        "side. Max pooling keeps 'was the feature somewhere here', so small shifts change "
        "little."
    ),
    "pool_size": (
        "The pool window's side: each pooled pixel summarises a size x size block of the "
        "feature map. Bigger windows forgive bigger shifts but throw away more detail about "
        "where the feature was."
    ),
    "pool_stride": (
        "How far the pool window moves: stride 2 halves each side of the map (a quarter of "
        "the pixels for the next layer). A stride smaller than the size overlaps the windows; "
        "a larger one skips feature-map pixels entirely."
    ),
    "colour": (
        "Convolution outputs are signed. A diverging map centred on zero shows negative "
        "responses in blue instead of clamping them to black. The scale spans 99% of the "
        "values, so ordinary edges are strongly coloured; 'full range' shows the extremes too."
    ),
    "params": (
        "Weight sharing: a conv layer needs k*k weights + 1 bias whatever the image size. A "
        "dense layer from 28x28 inputs to 128 units needs 100,480; sixteen 3x3 filters need "
        "160."
    ),
}


class ControlsPanel(QWidget):
    """All playground controls. Attributes are the widgets; ``settings()`` reads them.

    Signals
    -------
    sigWhy(str)
        A *why?* link was clicked; the explanation is also pinned in ``whyNote``.
    sigSettingsChanged()
        A control that :meth:`settings` reads changed.
    """

    sigWhy = Signal(str)
    sigSettingsChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._input_group())
        # Channels, the bank and layer 2 (ui.playground.stack_controls): one control each.
        self.channels_group = ChannelsGroup()
        self.channels_group.sigWhy.connect(self.sigWhy)
        self.channel_combo = self.channels_group.channel_combo
        self.filter_spin = self.channels_group.filter_spin
        self.filter_tabs = self.channels_group.filter_tabs
        layout.addWidget(self.channels_group)
        layout.addWidget(self._kernel_group())
        layout.addWidget(self._arithmetic_group())
        layout.addWidget(self._pooling_group())
        self.layer2_group = Layer2Group()
        self.layer2_group.sigWhy.connect(self.sigWhy)
        self.layer2_check = self.layer2_group.check
        layout.addWidget(self.layer2_group)
        self.why_note = QLabel("Click any <i>why?</i> for a short explanation.")
        self.why_note.setObjectName("whyNote")
        self.why_note.setWordWrap(True)
        self.why_note.setStyleSheet(PINNED_NOTE_STYLE)
        layout.addWidget(self.why_note)
        layout.addStretch(1)
        self.sigWhy.connect(self.why_note.setText)
        self.compact = False
        self._full_height = 0
        self._height = 0
        self.kernel_size_spin.valueChanged.connect(self._cap_grid)
        self.kernel_grid.sigKernelChanged.connect(self._cap_grid)  # set_kernel, presets
        for spin in (
            self.stride_spin,
            self.padding_spin,
            self.dilation_spin,
            self.pool_size_spin,
            self.pool_stride_spin,
            self.bias_spin,
        ):
            spin.valueChanged.connect(self.sigSettingsChanged)
        for combo in (self.padding_mode_combo, self.pool_type_combo):
            combo.currentIndexChanged.connect(self.sigSettingsChanged)
        self.relu_check.toggled.connect(self.sigSettingsChanged)

    def _why(self, key: str) -> WhyLabel:
        label = WhyLabel(WHY[key])
        label.sigClicked.connect(self.sigWhy)
        return label

    def set_preset_description(self, text: str) -> None:
        """Describe the loaded preset, below the combo or (compact) in its tooltip."""
        self.preset_description.setText(text)
        if self.compact:
            self.preset_combo.setToolTip(text)

    # -- short windows ----------------------------------------------------------------------------
    def fit_height(self, height: int) -> None:
        """Compact the kernel group when the full column is taller than ``height`` pixels, so
        stride and padding stay on screen (a 1024x700 window): the preset's description and
        the grid's mouse hint move into tooltips, and the grid is at most
        ``COMPACT_GRID_HEIGHT`` high. Back to full when it fits again."""
        self._height = height
        if self.compact:
            self._cap_grid()
        if not self.compact:
            full = self.sizeHint().height()
            if full > height:
                self._full_height = full
                self._set_compact(True)
        elif self._full_height <= height:
            self._set_compact(False)

    def _set_compact(self, compact: bool) -> None:
        self.compact = compact
        for label in (self.preset_description, self.kernel_hint):
            label.setVisible(not compact)
        self.preset_combo.setToolTip(self.preset_description.text() if compact else "")
        self.kernel_grid.setToolTip(self.kernel_hint.text() if compact else "")
        if compact:
            self._cap_grid()
        else:
            self.kernel_grid.setMaximumHeight(16777215)

    def _cap_grid(self, *_args) -> None:
        # A 9x9 grid in 130 px has unreadable 14 px cells: big kernels get the height a taller
        # window can spare, up to COMPACT_CELL px a cell.
        if not self.compact:
            return
        k = self.kernel_grid.size_k()
        spare = max(0, self._height - COMPACT_SPARE_FROM)
        wanted = min(COMPACT_CELL * k, COMPACT_GRID_HEIGHT + spare)
        self.kernel_grid.setMaximumHeight(max(COMPACT_GRID_HEIGHT, wanted))

    def _row(self, form: QFormLayout, text: str, widget: QWidget, why: str | None) -> None:
        row = QHBoxLayout()
        row.addWidget(widget, 1)
        if why:
            row.addWidget(self._why(why))
        form.addRow(text, row)

    # -- groups -------------------------------------------------------------------------------
    def _input_group(self) -> QGroupBox:
        box = QGroupBox("Input image")
        self.image_combo = QComboBox()
        self.image_combo.setObjectName("imageSourceCombo")
        self.image_combo.setToolTip(
            "A photo, a synthetic pattern, your own file, or a drawing. "
            "You can also drop an image file on the playground."
        )
        self.image_info = plain_label()  # file names come from the user
        self.image_info.setObjectName("imageInfoLabel")
        self.image_info.setWordWrap(True)
        self.image_message = plain_label()
        self.image_message.setObjectName("imageMessageLabel")
        self.image_message.setWordWrap(True)
        self.image_message.setStyleSheet(f"color: {ERROR_RED};")
        self.image_message.hide()
        v = QVBoxLayout(box)
        v.addWidget(self.image_combo)
        v.addWidget(self.image_info)
        v.addWidget(self.image_message)
        return box

    def _kernel_group(self) -> QGroupBox:
        box = QGroupBox("Kernel")
        v = QVBoxLayout(box)
        top = QHBoxLayout()
        self.kernel_size_spin = QSpinBox()
        self.kernel_size_spin.setObjectName("kernelSizeSpin")
        self.kernel_size_spin.setRange(1, 9)
        self.kernel_size_spin.setValue(3)
        self.kernel_size_spin.setPrefix("size ")
        self.kernel_size_spin.setToolTip("Kernel side k (1..9)")
        top.addWidget(self.kernel_size_spin)
        top.addWidget(self._why("size"))
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("kernelPresetCombo")
        self.preset_combo.addItem("Custom")
        for name in kernels.names():
            self.preset_combo.addItem(name)
            self.preset_combo.setItemData(
                self.preset_combo.count() - 1,
                kernels.DESCRIPTIONS[name],
                Qt.ItemDataRole.ToolTipRole,
            )
        top.addWidget(self.preset_combo, 1)
        top.addWidget(self._why("preset"))
        v.addLayout(top)
        self.preset_description = QLabel()
        self.preset_description.setObjectName("presetDescription")
        self.preset_description.setWordWrap(True)
        self.preset_description.setStyleSheet(f"color: {NOTE_GREY};")
        v.addWidget(self.preset_description)
        grid_row = QHBoxLayout()
        self.kernel_grid = KernelGrid()
        grid_row.addWidget(self.kernel_grid, 1)
        grid_row.addWidget(self._why("kernel"), 0, Qt.AlignmentFlag.AlignTop)
        v.addLayout(grid_row)
        self.kernel_message = plain_label()
        self.kernel_message.setObjectName("kernelMessageLabel")
        self.kernel_message.setWordWrap(True)
        self.kernel_message.setStyleSheet(f"color: {ERROR_RED};")
        self.kernel_message.hide()
        v.addWidget(self.kernel_message)
        hint = QLabel(
            "Click: +step, right click: -step, drag up/down: scrub, wheel: nudge, "
            "double click: type a value."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {NOTE_GREY};")
        self.kernel_hint = hint
        v.addWidget(hint)
        step_row = QHBoxLayout()
        step_row.addWidget(QLabel("Step"))
        self.step_combo = QComboBox()
        self.step_combo.setObjectName("kernelStepCombo")
        for step in STEP_SIZES:
            self.step_combo.addItem(f"{step:g}", step)
        self.step_combo.setCurrentIndex(STEP_SIZES.index(1.0))
        step_row.addWidget(self.step_combo)
        step_row.addWidget(QLabel("Bias"))
        self.bias_spin = QDoubleSpinBox()
        self.bias_spin.setObjectName("biasSpin")
        self.bias_spin.setRange(-100.0, 100.0)
        self.bias_spin.setDecimals(2)
        self.bias_spin.setSingleStep(0.1)
        step_row.addWidget(self.bias_spin, 1)
        step_row.addWidget(self._why("bias"))
        v.addLayout(step_row)
        v.addLayout(self._kernel_buttons())
        return box

    def _kernel_buttons(self) -> QGridLayout:
        buttons = QGridLayout()
        buttons.setSpacing(2)
        self.kernel_buttons = {}
        for name, tip in _KERNEL_BUTTONS:
            button = QPushButton(name)
            button.setObjectName(f"kernel{name}Button")
            button.setToolTip(tip)
            buttons.addWidget(button, len(self.kernel_buttons) // 3, len(self.kernel_buttons) % 3)
            self.kernel_buttons[name] = button
        return buttons

    def _arithmetic_group(self) -> QGroupBox:
        box = QGroupBox("Convolution arithmetic")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.stride_spin = QSpinBox()
        self.stride_spin.setObjectName("strideSpin")
        self.stride_spin.setRange(1, 8)
        self._row(form, "Stride", self.stride_spin, "stride")
        self.padding_spin = QSpinBox()
        self.padding_spin.setObjectName("paddingSpin")
        self.padding_spin.setRange(0, 3)
        self._row(form, "Padding", self.padding_spin, "padding")
        self.padding_mode_combo = QComboBox()
        self.padding_mode_combo.setObjectName("paddingModeCombo")
        self.padding_mode_combo.addItems(list(PADDING_MODES))
        self._row(form, "Pad mode", self.padding_mode_combo, "mode")
        self.dilation_spin = QSpinBox()
        self.dilation_spin.setObjectName("dilationSpin")
        self.dilation_spin.setRange(1, 5)
        self._row(form, "Dilation", self.dilation_spin, "dilation")
        return box

    def _pooling_group(self) -> QGroupBox:
        box = QGroupBox("Non-linearity and pooling")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.relu_check = QCheckBox("ReLU (negatives to 0)")
        self.relu_check.setObjectName("reluCheck")
        self._row(form, "", self.relu_check, "relu")
        self.pool_type_combo = QComboBox()
        self.pool_type_combo.setObjectName("poolTypeCombo")
        self.pool_type_combo.addItems(list(POOL_TYPES))
        self._row(form, "Pooling", self.pool_type_combo, "pool")
        self.pool_size_spin = QSpinBox()
        self.pool_size_spin.setObjectName("poolSizeSpin")
        self.pool_size_spin.setRange(1, 8)
        self.pool_size_spin.setValue(2)
        self._row(form, "Pool size", self.pool_size_spin, "pool_size")
        self.pool_stride_spin = QSpinBox()
        self.pool_stride_spin.setObjectName("poolStrideSpin")
        self.pool_stride_spin.setRange(1, 8)
        self.pool_stride_spin.setValue(2)
        self._row(form, "Pool stride", self.pool_stride_spin, "pool_stride")
        return box

    def settings(self) -> ConvSettings:
        """The current settings as the pure model sees them."""
        return ConvSettings(
            stride=self.stride_spin.value(),
            padding=self.padding_spin.value(),
            padding_mode=self.padding_mode_combo.currentText(),
            dilation=self.dilation_spin.value(),
            relu=self.relu_check.isChecked(),
            pool=self.pool_type_combo.currentText(),
            pool_size=self.pool_size_spin.value(),
            pool_stride=self.pool_stride_spin.value(),
            bias=self.bias_spin.value(),
        )
