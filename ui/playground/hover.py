"""Playground reactions to the mouse over the views, and the sliding-window animation frames.

A mixin for :class:`ui.playground.widget.PlaygroundWidget` (kept apart so each file stays small). It
uses
``self._result``, ``self._pinned``, ``self._hovered``, ``self.views``, ``self.inspector``,
``self.animation``, ``self.hover_label``, ``self._inspector_timer`` and ``self.sigStatus``.
"""

from __future__ import annotations

from PySide6.QtCore import Slot

from cnnviz.lab.pixel import (
    partial_maps,
    pool_argmax,
    pool_window,
    pooled_receptive_field,
    receptive_window,
)

__all__ = ["HoverMixin"]


class HoverMixin:
    # -- hover, click, animation --------------------------------------------------------------
    def _explain_output(self, row: int, col: int, inspector: bool = True) -> None:
        result = self._result
        if result is None or result.output is None:
            return
        ho, wo = result.output.shape
        if not (0 <= row < ho and 0 <= col < wo):
            self._pinned = self._hovered = None
            self.views.clear_overlays()
            return
        k = result.kernel.shape[0]
        self.views.show_window(
            receptive_window(row, col, k, result.settings), result.image.shape, (row, col)
        )
        if inspector:
            self.inspector.explain(result, row, col)
        self.hover_label.setText(f"feature map ({row}, {col}) = {result.output[row, col]:.4f}")

    @Slot(int, int)
    def _on_output_hover(self, row: int, col: int) -> None:
        if self._pinned is not None or self.animation.active():
            return
        if row < 0:
            self._hovered = None
            self.views.clear_overlays()
            self.hover_label.clear()
            return
        self._hovered = (row, col)
        self._explain_output(row, col, inspector=False)  # outlines now, tables once it rests
        self._inspector_timer.start()

    @Slot(int, int)
    def _on_output_clicked(self, row: int, col: int) -> None:
        self._pinned = None if self._pinned == (row, col) else (row, col)
        self._explain_output(row, col)
        if self._pinned is not None:
            self.sigStatus.emit(
                f"Pinned feature-map pixel ({row}, {col}); click it again to unpin."
            )

    @Slot(int, int)
    def _on_pooled_hover(self, row: int, col: int) -> None:
        result = self._result
        if result is None or result.pooled is None or row < 0:
            self.views.show_pool_window(None, None, None)
            return
        window = pool_window(row, col, result.settings)
        field = pooled_receptive_field(row, col, result.kernel.shape[0], result.settings)
        self.views.show_pool_window(window, pool_argmax(result, row, col), (row, col), field)
        self.inspector.explain_pooled(result, row, col)
        self.hover_label.setText(f"pooled ({row}, {col}) = {result.pooled[row, col]:.4f}")

    @Slot(int, int)
    def _on_input_hover(self, row: int, col: int) -> None:
        if row >= 0 and self._pinned is None:
            self.hover_label.setText(f"input ({row}, {col}) = {self._image[row, col]:.3f}")

    @Slot(int)
    def _on_animation_frame(self, filled: int) -> None:
        result = self._result
        if result is None or result.output is None:
            return
        output, pooled = partial_maps(result, filled)
        self.views.show_result(result, output, pooled)
        self._explain_output(*divmod(filled - 1, result.output.shape[1]))
