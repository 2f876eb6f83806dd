"""Edit the network as a list of layers and see every layer's shape, cost and receptive field live.

Why (idea 14): a CNN is a pipeline of shape changes; watching the table update as you add a pool or
change a stride makes the arithmetic concrete, and the "dense equivalent" column shows how many
parameters weight sharing saves. Invalid stacks are explained in place and Start stays disabled.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cnnviz.nn import architecture as arch
from cnnviz.nn.summary import summarize, totals
from ui.theme import ERROR_STYLE
from ui.training.receptive_field_view import ReceptiveFieldView
from ui.widgets.buttons import named_button
from ui.widgets.text import plain_label
from ui.widgets.why import WhyLabel

TYPE_LABELS = {"conv": "Conv", "relu": "ReLU", "maxpool": "MaxPool", "avgpool": "AvgPool",
               "globalavgpool": "GlobalAvgPool", "globalmaxpool": "GlobalMaxPool",
               "flatten": "Flatten", "dense": "Dense"}
PARAM_LABELS = {"out_channels": ("Filters", 1, 256), "kernel_size": ("Kernel size", 1, 15),
                "stride": ("Stride", 1, 8), "padding": ("Padding", 0, 8),
                "dilation": ("Dilation", 1, 8), "out_features": ("Units", 1, 4096)}
TABLE_ROWS = 6  # the summary table always shows this many rows
ROW_HEIGHT = 20  # px per table row: 9 pt text with a little air
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
COLUMNS = ("layer", "output", "params", "RF", "FLOPs", "dense eq.")
COLUMN_TIPS = ("layer number, type and settings", "output shape for one input (C×H×W)",
               "trainable weights and biases",
               "receptive field: side of the input window one output pixel sees",
               "floating-point operations for one input",
               "parameters a fully-connected layer would need for the same input and output sizes")
WHY = (
    "Why: each row shows what one layer does to the data's shape and what it costs. Compare "
    "'params' with 'dense equivalent': a conv layer reuses one small kernel at every position "
    "(weight sharing), so it needs a tiny fraction of the weights a fully-connected layer would."
)


def _fmt_shape(shape) -> str:
    return "×".join(str(s) for s in shape)


class ArchitectureEditor(QWidget):
    """Layer list + parameter form + live summary table + receptive-field view.

    Signals
    -------
    sigValidityChanged(bool)
        Emitted whenever the spec is re-checked; True when it can be built for the data set.
    sigSpecChanged()
        The spec was edited.
    """

    sigValidityChanged = Signal(bool)
    sigSpecChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._spec: list[dict] = arch.preset("Classic small net", 2)
        self._input_shape = (1, 8, 8)
        self._n_classes = 2
        self._valid = False
        self._error: str | None = None
        self._rows = []
        self._editing = True

        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("presetCombo")
        self.preset_combo.addItem("Preset…")
        self.preset_combo.addItems(list(arch.PRESETS))
        self.preset_combo.activated.connect(self._on_preset)
        self.layer_list = QListWidget()
        self.layer_list.setObjectName("layerList")
        self.layer_list.currentRowChanged.connect(self._on_row_changed)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("addLayerTypeCombo")
        for key in arch.LAYER_TYPES:
            self.type_combo.addItem(TYPE_LABELS[key], key)
        b = named_button
        self.add_button = b("Add", "addLayerButton", "Insert a layer after the selected one")
        self.remove_button = b("Remove", "removeLayerButton", "Delete the selected layer")
        self.up_button = b("Up", "moveLayerUpButton", "Move the selected layer earlier")
        self.down_button = b("Down", "moveLayerDownButton", "Move the selected layer later")
        self.add_button.clicked.connect(self._on_add)
        self.remove_button.clicked.connect(self._on_remove)
        self.up_button.clicked.connect(self._on_up)
        self.down_button.clicked.connect(self._on_down)
        # Two parameters a row: a conv layer's five fit in three rows, so the whole editor fits
        # the short tab a 700 px window leaves.
        self.form = QGridLayout()
        self.form.setContentsMargins(0, 0, 0, 0)
        self._spins: dict[str, QSpinBox] = {}

        self.error_label = plain_label()
        self.error_label.setObjectName("architectureError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("summaryTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for c, tip in enumerate(COLUMN_TIPS):
            self.table.horizontalHeaderItem(c).setToolTip(tip)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        # Rows scroll, but at least TABLE_ROWS show (with the header), even in a 700 px window.
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + TABLE_ROWS * ROW_HEIGHT + 2 * self.table.frameWidth() + 2
                                    # a narrow window scrolls the columns sideways
                                    + self.table.horizontalScrollBar().sizeHint().height())
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.table.itemSelectionChanged.connect(self._on_table_selection)
        self.table.setToolTip("Receptive field: the side of the input window one output pixel "
                              "sees. Select a row to highlight it on the sample at the right.")
        self.rf_view = ReceptiveFieldView()
        # Behind its "why?" link: expanded, the paragraph took the height the table needs.
        why = WhyLabel(WHY)

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        preset_row = QHBoxLayout()
        preset_row.addWidget(self.preset_combo, 1)
        preset_row.addWidget(why)
        left.addLayout(preset_row)
        left.addWidget(self.layer_list, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.type_combo, 1)
        add_row.addWidget(self.add_button)
        left.addLayout(add_row)
        move_row = QHBoxLayout()
        for b in (self.remove_button, self.up_button, self.down_button):
            move_row.addWidget(b)
        left.addLayout(move_row)
        left.addLayout(self.form)
        right = QVBoxLayout()
        right.setSpacing(4)
        right.addWidget(self.error_label)
        right.addWidget(self.table, 1)
        # The whole width: its caption wraps to two lines, not four, and leaves the table rows.
        right.addWidget(self.rf_view, 1)
        top = QHBoxLayout(self)
        top.setContentsMargins(2, 2, 2, 2)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setMaximumWidth(230)  # the table needs the width more than the spin boxes do
        top.addWidget(left_box, 2)
        top.addLayout(right, 5)
        self._refresh_list(0)

    # ----- public API ----------------------------------------------------------------------------
    def spec(self) -> list[dict]:
        """A copy of the layer dicts being edited."""
        return copy.deepcopy(self._spec)

    def set_spec(self, spec: list[dict]) -> None:
        """Replace the whole network (presets, loaded models)."""
        self._spec = copy.deepcopy(list(spec))
        self._refresh_list(0)
        self.sigSpecChanged.emit()

    def set_input(self, input_shape, n_classes: int, sample=None) -> None:
        """Tell the editor what one input looks like ``(C, H, W)`` and how many classes there are.

        Parameters
        ----------
        input_shape : tuple (C, H, W)
        n_classes : int
        sample : ndarray, shape (H, W) or (3, H, W), optional
            Shown under the receptive-field highlight.
        """
        self._input_shape = tuple(int(s) for s in input_shape)
        self._n_classes = int(n_classes)
        self.rf_view.set_sample(sample, self._input_shape)
        self._revalidate()

    def set_editing_enabled(self, enabled: bool) -> None:
        """Lock the layer list and its controls (while training); the table and the
        receptive-field view stay usable."""
        for w in (self.preset_combo, self.layer_list, self.type_combo, self.add_button,
                  self.remove_button, self.up_button, self.down_button, *self._spins.values()):
            w.setEnabled(enabled)
        self._editing = enabled

    def is_valid(self) -> bool:
        """True when the spec builds a model for the current input and class count."""
        return self._valid

    def error(self) -> str | None:
        """The in-place explanation of why the spec is invalid, or None."""
        return self._error

    def summary_rows(self) -> list:
        """The :class:`cnnviz.nn.summary.LayerSummary` rows shown (empty when invalid)."""
        return list(self._rows)

    def select_layer(self, index: int) -> None:
        """Select layer ``index`` (0-based) in the list and the table (highlights its field)."""
        self.layer_list.setCurrentRow(index)
        if index < len(self._rows):
            self.table.selectRow(index)

    # ----- editing -------------------------------------------------------------------------------
    def _current(self) -> int:
        return self.layer_list.currentRow()

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        if index <= 0:
            return
        self.set_spec(arch.preset(self.preset_combo.itemText(index), self._n_classes))
        self.preset_combo.setCurrentIndex(0)

    @Slot()
    def _on_add(self) -> None:
        at = self._current() + 1 if self._current() >= 0 else len(self._spec)
        self._spec.insert(at, arch.default_layer(self.type_combo.currentData()))
        self._edited(at)

    @Slot()
    def _on_remove(self) -> None:
        i = self._current()
        if 0 <= i < len(self._spec):
            del self._spec[i]
            self._edited(min(i, len(self._spec) - 1))

    @Slot()
    def _on_up(self) -> None:
        self._move(-1)

    @Slot()
    def _on_down(self) -> None:
        self._move(+1)

    def _move(self, delta: int) -> None:
        i = self._current()
        j = i + delta
        if 0 <= i < len(self._spec) and 0 <= j < len(self._spec):
            self._spec[i], self._spec[j] = self._spec[j], self._spec[i]
            self._edited(j)

    def _edited(self, select: int) -> None:
        self._refresh_list(select)
        self.sigSpecChanged.emit()

    def _refresh_list(self, select: int) -> None:
        self.layer_list.blockSignals(True)
        self.layer_list.clear()
        for i, layer in enumerate(self._spec, start=1):
            self.layer_list.addItem(f"{i}. {arch.layer_name(layer)}")
        self.layer_list.blockSignals(False)
        if self._spec:
            self.layer_list.setCurrentRow(max(0, min(select, len(self._spec) - 1)))
        self._rebuild_form()
        self._revalidate()

    @Slot(int)
    def _on_row_changed(self, _row: int) -> None:
        self._rebuild_form()
        if 0 <= _row < self.table.rowCount() - 1:
            self.table.selectRow(_row)

    def _rebuild_form(self) -> None:
        while self.form.count():
            widget = self.form.takeAt(0).widget()
            if widget is not None:
                widget.setParent(None)  # gone now, so findChild never meets an old spin box
                widget.deleteLater()
        self._spins = {}
        i = self._current()
        if not 0 <= i < len(self._spec):
            return
        layer = self._spec[i]
        for key in arch.default_layer(layer["type"]):
            if key not in PARAM_LABELS:
                continue
            label, low, high = PARAM_LABELS[key]
            spin = QSpinBox()
            spin.setObjectName(f"param_{key}")
            spin.setRange(low, high)
            spin.setValue(int(layer.get(key, arch.default_layer(layer["type"])[key])))
            spin.setProperty("paramKey", key)
            spin.valueChanged.connect(self._on_param)
            spin.setEnabled(self._editing)
            self._spins[key] = spin
            row, column = divmod(len(self._spins) - 1, 2)
            self.form.addWidget(QLabel(label), row, 2 * column)
            self.form.addWidget(spin, row, 2 * column + 1)

    @Slot(int)
    def _on_param(self, value: int) -> None:
        i = self._current()
        key = self.sender().property("paramKey")
        if 0 <= i < len(self._spec) and key:
            self._spec[i][key] = int(value)
            self.layer_list.item(i).setText(f"{i + 1}. {arch.layer_name(self._spec[i])}")
            self._revalidate()
            self.sigSpecChanged.emit()

    def set_param(self, key: str, value: int) -> None:
        """Set a parameter of the selected layer through its spin box (as a user would)."""
        self._spins[key].setValue(int(value))

    # ----- validation and the table --------------------------------------------------------------
    def _revalidate(self) -> None:
        error = None
        rows = []
        try:
            rows = summarize(self._spec, self._input_shape)
            last = self._spec[-1]
            if last.get("type") != "dense" or rows[-1].output_shape != (self._n_classes,):
                error = (f"The last layer must be Dense {self._n_classes}: one output per class "
                         f"of this data set (it is {arch.layer_name(last)}).")
        except ValueError as exc:
            error = str(exc)[:1].upper() + str(exc)[1:]
        self._rows = rows
        self._error = error
        self._valid = error is None
        self.error_label.setText(error or "")
        self.error_label.setVisible(error is not None)
        self._fill_table(rows)
        self.rf_view.set_spec(self._spec if rows else None, rows)
        self.sigValidityChanged.emit(self._valid)

    def _fill_table(self, rows) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows) + (1 if rows else 0))
        for r, row in enumerate(rows):
            rf = f"{row.receptive_field}×{row.receptive_field}"
            cells = (f"{row.index}. {row.name}", _fmt_shape(row.output_shape), f"{row.params:,}",
                     rf, f"{row.flops:,}",
                     f"{row.dense_equivalent_params:,}" if row.dense_equivalent_params else "–")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c > 1:
                    item.setTextAlignment(RIGHT)
                self.table.setItem(r, c, item)
        if rows:
            tot = totals(rows)
            cells = ("total", f"in {_fmt_shape(self._input_shape)}", f"{tot['params']:,}", "",
                     f"{tot['flops']:,}", f"{tot['dense_equivalent_params']:,}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                self.table.setItem(len(rows), c, item)
        self.table.blockSignals(False)

    @Slot()
    def _on_table_selection(self) -> None:
        selected = self.table.selectionModel().selectedRows()
        if selected and selected[0].row() < len(self._rows):
            self.rf_view.set_layer(selected[0].row())
