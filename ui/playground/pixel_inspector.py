"""The multiply-and-sum behind one output pixel, one pooled pixel, or one layer-2 pixel.

Shows the input patch under the kernel (padding cells marked), the kernel, their element-wise
products and the sum: sum of products + bias = the value before ReLU, and the value displayed.
With a colour input there is one patch, kernel slice and product table per channel, each with its
partial sum; layer 2 has one per layer-1 map.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cnnviz.lab.conv import PlaygroundResult
from cnnviz.lab.number_format import format_column, format_number
from cnnviz.lab.pixel import pixel_explanation, pool_argmax, pool_window, pooled_receptive_field
from cnnviz.lab.stack import layer2_explanation
from ui.theme import PADDING_TEXT, TABLE_BORDER
from ui.widgets.why import WhyLabel

__all__ = ["PixelInspector"]

WHY = (
    "Why: every output pixel is the same small weighted sum, computed from a small local patch "
    "(locality) with the same weights everywhere (weight sharing). That is all a conv layer does."
)


def _number(value: float) -> str:
    """One number of a sentence: three significant digits (never "-0")."""
    return format_number(float(value))


def _table(values: np.ndarray, padding: np.ndarray | None = None, texts=None) -> str:
    """An HTML table of ``values`` (k, k); ``texts`` (same shape) overrides their format."""
    texts = format_column(values) if texts is None else texts
    rows = []
    for i in range(values.shape[0]):
        cells = []
        for j in range(values.shape[1]):
            text = texts[i, j]
            if padding is not None and padding[i, j]:
                cells.append(f"<td style='color:{PADDING_TEXT}'><i>{text}</i></td>")
            else:
                cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table cellspacing='0' cellpadding='2' border='1' style='border-color:{TABLE_BORDER}; "
        "font-family:monospace; font-size:9pt'>" + "".join(rows) + "</table>"
    )


def _tables(values: np.ndarray, names, padding: np.ndarray | None = None, sums=None) -> str:
    """One table per slice of ``values`` (n, k, k), each under its name (and over its sum)."""
    parts = []
    texts = format_column(values)  # one format for the column's every slice
    for i, name in enumerate(names):
        tail = "" if sums is None else f"<br>Σ = {_number(float(sums[i]))}"
        parts.append(f"<b>{name}</b>{_table(values[i], padding, texts[i])}{tail}")
    return "<br>".join(parts)


def _sum_text(partials, names, bias: float, total: float, relu: bool, value: float) -> str:
    """``R 1.2 + G -0.3 + B 0.1 = 1.0; + bias 0.5 = 1.5 -> ReLU ...; displayed value``."""
    terms = " + ".join(f"{n} {_number(p)}" for n, p in zip(names, partials, strict=True))
    text = (f"{terms} = {_number(np.sum(partials))}; + bias {_number(bias)} "
            f"= {_number(total)}")
    if relu:
        text += f" &rarr; ReLU: max(0, {_number(total)}) = {_number(max(total, 0.0))}"
    return text + f"<br><b>displayed value = {_displayed(value)}</b>"


def _displayed(value: float) -> str:
    # The exact value, as the hover label shows it, so the two can be compared digit by digit.
    return f"{float(value):.4f}"


class PixelInspector(QWidget):
    """Text panel explaining the pixel under the mouse (or the one clicked)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pixelInspector")
        self.heading = QLabel("Hover over (or click) a pixel of the feature map or the pooled map.")
        self.heading.setObjectName("inspectorHeading")
        self.heading.setWordWrap(True)
        self.patch_label, self.kernel_label, self.products_label = QLabel(), QLabel(), QLabel()
        tables = QWidget()
        grid = QGridLayout(tables)
        grid.setContentsMargins(0, 0, 0, 0)
        self.tables_layout = grid
        self.captions: list[QLabel] = []
        self._columns: list[QWidget] = []
        for title, label in (
            ("patch (input)", self.patch_label),
            ("x kernel", self.kernel_label),
            ("= products", self.products_label),
        ):
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            caption = QLabel(f"<b>{title}</b>")
            self.captions.append(caption)
            column.addWidget(caption)
            label.setTextFormat(Qt.TextFormat.RichText)
            column.addWidget(label)
            column.addStretch(1)
            self._columns.append(holder)
        self._places: tuple | None = None
        self._place_columns(((0, 0), (0, 1), (0, 2)))
        self.sum_label = QLabel()
        self.sum_label.setObjectName("inspectorSum")
        self.sum_label.setWordWrap(True)
        self.sum_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A "why?" link rather than a paragraph: the tables need the height.
        self.why_label = WhyLabel(WHY)
        content = QWidget()
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.why_label, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.sum_label)
        column.addWidget(tables, 1)
        # One scroll area for all of it: in a short window the wrapped sentences scroll with the
        # tables instead of being squeezed on top of each other.
        scroll = QScrollArea()
        self.scroll_area = scroll
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        self.explanation = None

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Patch, kernel and products side by side when they fit the width, else the products
        under the patch, else one under the other: a 9x9 kernel's three tables are wider than
        the panel, and scrolling sideways to find the products hides how they add up."""
        spacing = max(self.tables_layout.horizontalSpacing(), 0)
        widths = [column.sizeHint().width() for column in self._columns]
        # The viewport's width, less a vertical scroll bar that stacking may bring.
        area = self.scroll_area
        available = area.viewport().width() - area.verticalScrollBar().sizeHint().width()
        if sum(widths) + 2 * spacing <= available:
            places = ((0, 0), (0, 1), (0, 2))  # patch x kernel = products, in one row
        elif widths[0] + widths[1] + spacing <= available:
            places = ((0, 0), (0, 1), (1, 0))  # the products under the patch
        else:
            places = ((0, 0), (1, 0), (2, 0))
        self._place_columns(places)

    def _place_columns(self, places) -> None:
        if places == self._places:
            return
        self._places = places
        grid = self.tables_layout
        for column in self._columns:
            grid.removeWidget(column)
        for column, (r, c) in zip(self._columns, places, strict=True):
            grid.addWidget(column, r, c, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for c in range(4):
            grid.setColumnStretch(c, 0)
        grid.setColumnStretch(3, 1)  # spare width to the right, not between the tables

    def clear(self) -> None:
        self.explanation = None
        for label in (self.patch_label, self.kernel_label, self.products_label, self.sum_label):
            label.clear()

    def explain(self, result: PlaygroundResult, row: int, col: int) -> None:
        """Show how output pixel (row, col) of ``result`` was computed."""
        try:
            ex = pixel_explanation(result, row, col)
        except ValueError as exc:
            self.clear()
            self.heading.setText(str(exc))
            return
        self.explanation = ex
        k = ex.kernel.shape[0]
        r0, c0 = ex.taps[0]
        r1, c1 = ex.taps[-1]
        pad_note = ""
        if ex.in_padding.any():
            pad_note = (
                f" {int(ex.in_padding.sum())} tap(s) fall in the {result.settings.padding_mode} "
                "padding (magenta, italic)."
            )
        which = f" of filter {result.selected + 1}" if result.n_filters > 1 else ""
        self.heading.setText(
            f"<b>Feature-map pixel ({row}, {col}){which}</b> looks at input rows {r0}..{r1}, "
            f"columns {c0}..{c1}: {k}x{k} taps.{html.escape(pad_note)}"
        )
        self._set_captions("patch (input)", "x kernel", "= products")
        if ex.patch.ndim == 3:  # one table per colour channel, each with its partial sum
            names = ("R", "G", "B")
            self.patch_label.setText(_tables(ex.patch, names, ex.in_padding))
            self.kernel_label.setText(_tables(ex.kernel, names))
            self.products_label.setText(_tables(ex.products, names, sums=ex.partial_sums))
            self.sum_label.setText(_sum_text(ex.partial_sums, names, ex.bias, ex.total,
                                             result.settings.relu, ex.value))
            self._arrange()
            return
        self.patch_label.setText(_table(ex.patch, ex.in_padding))
        self.kernel_label.setText(_table(ex.kernel))
        self.products_label.setText(_table(ex.products))
        relu = ""
        if result.settings.relu:
            relu = (
                f" &rarr; ReLU: max(0, {_number(ex.total)}) = "
                f"{_number(max(ex.total, 0.0))}"
            )
        self.sum_label.setText(
            f"sum of products = {_number(ex.products.sum())}; + bias {_number(ex.bias)} "
            f"= {_number(ex.total)}"
            f"{relu}"
            f"<br><b>displayed value = {_displayed(ex.value)}</b>"
        )
        self._arrange()

    def explain_pooled(self, result: PlaygroundResult, row: int, col: int) -> None:
        """Describe pooled pixel (row, col): its feature-map window and how it was reduced."""
        if result.pooled is None:
            return
        self.clear()
        top, left, bottom, right = pool_window(row, col, result.settings)
        window = result.output[top:bottom, left:right]
        value = float(result.pooled[row, col])
        if result.settings.pool == "max":
            r, c = pool_argmax(result, row, col)
            how = (
                f"max of the {window.shape[0]}x{window.shape[1]} window = {value:.4f}, found at "
                f"feature-map pixel ({r}, {c}) (magenta). Only that pixel matters; small shifts "
                "inside the window leave the result unchanged."
            )
        else:
            how = (
                f"mean of the {window.shape[0]}x{window.shape[1]} window = {value:.4f} "
                f"(sum {float(window.sum()):.4f} / {window.size})."
            )
        k = result.kernel.shape[0]
        f_top, f_left, f_bottom, f_right = pooled_receptive_field(row, col, k, result.settings)
        self.heading.setText(
            f"<b>Pooled pixel ({row}, {col})</b> covers feature-map rows {top}..{bottom - 1}, "
            f"columns {left}..{right - 1} (cyan outline), so it depends on a "
            f"{f_bottom - f_top}x{f_right - f_left} input region (dashed cyan) although each "
            f"feature-map pixel sees only {k}x{k} taps: pooling widens the receptive field."
        )
        self.sum_label.setText(html.escape(how))
        self._set_captions("feature-map window", "", "")
        self.patch_label.setText(_table(window))
        self._arrange()

    def _set_captions(self, *texts: str) -> None:
        for caption, text in zip(self.captions, texts, strict=True):
            caption.setText(f"<b>{text}</b>")

    def explain_layer2(self, result: PlaygroundResult, row: int, col: int) -> None:
        """Show how layer-2 pixel (row, col) adds up its window of every layer-1 map."""
        try:
            ex = layer2_explanation(result, row, col)
        except ValueError as exc:
            self.clear()
            self.heading.setText(str(exc))
            return
        self.explanation = ex
        t, left, b, r = ex.window
        ft, fl, fb, fr = ex.feature_window
        it, il, ib, ir = ex.input_field
        k2 = ex.kernel.shape[-1]
        maps = "pooled maps" if result.settings.pool != "none" else "feature maps"
        self.heading.setText(
            f"<b>Layer-2 pixel ({row}, {col})</b> reads rows {t}..{b - 1}, columns "
            f"{left}..{r - 1} ({k2}x{k2}) of each of the {len(ex.patch)} layer-1 {maps}; they "
            f"depend on feature-map rows {ft}..{fb - 1}, columns {fl}..{fr - 1} (cyan) and so on "
            f"input rows {it}..{ib - 1}, columns {il}..{ir - 1}: a <b>{ex.field_size}x"
            f"{ex.field_size} receptive field</b> (dashed orange), larger than layer 1's "
            f"{result.kernel_size}x{result.kernel_size}."
        )
        names = [f"map {f + 1}" for f in range(len(ex.patch))]
        self._set_captions("layer-1 maps (after ReLU, pooling)", "x layer-2 kernel",
                           "= products")
        self.patch_label.setText(_tables(ex.patch, names, ex.in_padding))
        self.kernel_label.setText(_tables(ex.kernel, names))
        self.products_label.setText(_tables(ex.products, names, sums=ex.partial_sums))
        relu = result.layer2 is not None and result.layer2.relu
        self.sum_label.setText(_sum_text(ex.partial_sums, names, ex.bias, ex.total, relu,
                                         ex.value))
        self._arrange()
