"""Where the kernel grid's cells go and how they are painted: one k x k grid per channel.

Pure layout arithmetic plus one paint function, so :mod:`ui.playground.kernel_grid` keeps only the
editing behaviour.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QStaticText, QTransform

from ui.theme import CELL_BORDER, DIVERGING, NOTE_GREY, colormap, text_colour_on

__all__ = ["GAP", "LABEL_HEIGHT", "format_weight", "layout_counts", "grid_geometry",
           "paint_kernels"]

GAP = 8  # pixels between the grids of two channels
LABEL_HEIGHT = 14  # a channel's caption above its grid
_LUT = colormap(DIVERGING).getLookupTable(nPts=256)
# A cell's fill and text colour per LUT entry, and laid-out numbers: the grid repaints on every
# edit, and laying its 49 numbers out again each time was 1.6 ms of a click (measured in X).
_CELL_COLOURS: dict[int, tuple[QColor, QColor]] = {}
_TEXTS: dict[tuple[str, str], QStaticText] = {}
_MAX_TEXTS = 4096


def _cell_colours(index: int) -> tuple[QColor, QColor]:
    colours = _CELL_COLOURS.get(index)
    if colours is None:
        r, g, b = (int(c) for c in _LUT[index][:3])
        colours = _CELL_COLOURS[index] = (QColor(r, g, b), QColor(text_colour_on(r, g, b)))
    return colours


def _laid_out(text: str, font: QFont) -> QStaticText:
    key = (text, font.key())
    static = _TEXTS.get(key)
    if static is None:
        if len(_TEXTS) >= _MAX_TEXTS:  # random weights would grow it without end
            _TEXTS.clear()
        static = QStaticText(text)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare(QTransform(), font)
        _TEXTS[key] = static
    return static


def format_weight(value: float) -> str:
    """Short text for a cell: integers as such, otherwise 2 decimals (3 below 0.1)."""
    if abs(value) >= 1e4:  # keep huge values short enough for a cell
        return f"{value:.3g}"
    if value == round(value):
        return str(int(round(value)))
    digits = 2 if abs(value) >= 0.1 else 3
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def layout_counts(channels: int, per_row: int) -> tuple[int, int]:
    """(columns, rows) of channel grids: at most ``per_row`` side by side."""
    cols = min(channels, per_row)
    return cols, math.ceil(channels / cols)


def grid_geometry(width: float, height: float, k: int, channels: int, per_row: int,
                  label: int) -> tuple[float, list[tuple[float, float]]]:
    """Cell side and the top-left corner of each channel's k x k grid, centred in the widget."""
    cols, rows = layout_counts(channels, per_row)
    side = min((width - (cols - 1) * GAP) / (cols * k),
               (height - (rows - 1) * GAP - rows * label) / (rows * k))
    side = max(4.0, side)
    block_w, block_h = side * k, side * k + label
    x_start = (width - (cols * block_w + (cols - 1) * GAP)) / 2
    y_start = (height - (rows * block_h + (rows - 1) * GAP)) / 2
    origins = []
    for c in range(channels):
        r, q = divmod(c, cols)
        origins.append((x_start + q * (block_w + GAP), y_start + r * (block_h + GAP) + label))
    return side, origins


def paint_kernels(painter: QPainter, kernel: np.ndarray, side: float, origins, labels,
                  font: QFont) -> None:
    """Paint ``kernel`` (C, k, k): each weight's number on its diverging colour, one colour scale
    (the largest |weight| of all channels) so the channels compare."""
    scale = max(float(np.max(np.abs(kernel))), 1e-12)
    cell_font = QFont(font)
    cell_font.setPixelSize(max(8, int(side * 0.36)))
    border = QPen(QColor(CELL_BORDER), 1)
    k = kernel.shape[-1]
    for channel, (x0, y0) in enumerate(origins):
        if labels:
            painter.setFont(font)
            painter.setPen(QColor(NOTE_GREY))
            caption = QRect(int(x0), int(y0 - LABEL_HEIGHT), int(side * k), LABEL_HEIGHT)
            painter.drawText(caption, Qt.AlignmentFlag.AlignCenter, labels[channel])
        painter.setFont(cell_font)
        for row in range(k):
            for col in range(k):
                value = float(kernel[channel, row, col])
                idx = int(round((value / scale * 0.5 + 0.5) * 255))
                fill, ink = _cell_colours(min(max(idx, 0), 255))
                rect = QRect(int(x0 + col * side), int(y0 + row * side), int(side), int(side))
                painter.fillRect(rect, fill)
                painter.setPen(border)
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
                painter.setPen(ink)
                text = _laid_out(format_weight(value), cell_font)
                size = text.size()
                painter.drawStaticText(QPointF(rect.x() + (rect.width() - size.width()) / 2,
                                               rect.y() + (rect.height() - size.height()) / 2),
                                       text)
