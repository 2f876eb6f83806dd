"""Hovering a filter thumbnail frames it and shows its weights (3 significant digits).

Why: the colours say which weights are positive or negative; the numbers say by how much, so a
learner can check that a vertical-edge filter really is about (-1, 0, 1) across.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPoint, QRectF, Slot
from PySide6.QtWidgets import QGraphicsRectItem, QToolTip

from ui.theme import HIGHLIGHT


def values_table(title: str, blocks: list[tuple[str, np.ndarray]]) -> str:
    """Rich text: a bold title, then each 2-D block's rows, 3 significant digits a value.

    Parameters
    ----------
    title : str
    blocks : list of (str, ndarray shape (kh, kw))
        A caption ("" for none) and the values.
    """
    lines = []
    for name, values in blocks:
        if name:
            lines.append(name)
        lines.extend(" ".join(f"{v:>8.3g}" for v in row) for row in np.asarray(values))
    body = "\n".join(lines)
    return f"<b>{title}</b><pre style='margin:0'>{body}</pre>"


class FilterHover(QObject):
    """Follows the pointer over a :class:`~ui.training.filters_view.FiltersView`'s grid."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self._view = view
        self._index: int | None = None
        self._text = ""
        self.frame = QGraphicsRectItem()
        self.frame.setPen(pg.mkPen(HIGHLIGHT, width=2, cosmetic=True))
        self.frame.setVisible(False)
        view.graphics.addItem(self.frame)
        view.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def text(self) -> str:
        return self._text

    @Slot(object)
    def _on_mouse_moved(self, scene_pos) -> None:
        index = self._view.index_at(scene_pos)
        if index is None:
            self.hide()
        elif index != self._index:
            self.show(index)

    def hide(self) -> None:
        self._index = None
        self.frame.setVisible(False)
        QToolTip.hideText()

    def show(self, index: int) -> str:
        """Frame image ``index`` and show its values next to it; returns the text."""
        count, cols, kh, kw = self._view.grid()
        if not 0 <= index < count:
            self.hide()
            return ""
        self._index = index
        r, c = divmod(index, cols)
        self.frame.setRect(QRectF(c * (kw + 1) - 0.5, r * (kh + 1) - 0.5, kw + 1, kh + 1))
        self.frame.setVisible(True)
        self._text = self.values_text(index)
        graphics = self._view.graphics
        # Below the thumbnail (Qt moves a tip that would leave the screen, so beside it, at the
        # right edge, it would be pushed back over the thumbnail it explains).
        corner = graphics.getViewBox().mapViewToScene(pg.Point(c * (kw + 1) - 0.5,
                                                               r * (kh + 1) + kh - 0.5))
        at = graphics.viewport().mapToGlobal(graphics.mapFromScene(corner)) + QPoint(0, 4)
        QToolTip.showText(at, self._text, graphics)
        return self._text

    def values_text(self, index: int) -> str:
        """Image ``index`` 's values (weights or gradients, as shown) as rich text."""
        view = self._view
        source = view.shown_array()
        if source is None:
            return ""
        what = "gradients" if view.gradients_check.isChecked() else "weights"
        step = view.current_frame()[0]
        if view.in_colour():
            f = index
            blocks = [(name, source[index, ch]) for ch, name in
                      enumerate(("red", "green", "blue"))]
        else:
            f, ch = divmod(index, source.shape[1])
            blocks = [(f"channel {ch}" if source.shape[1] > 1 else "", source[f, ch])]
        return values_table(f"filter {f + 1} · {what} at step {step}", blocks)
