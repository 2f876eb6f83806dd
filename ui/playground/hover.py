"""Which pixel the playground explains, and showing it: hover, click to pin, animation frames.

:class:`HoverController` owns the hovered and pinned feature-map pixels. It outlines a pixel's
window on the views at once and fills the inspector's tables once the mouse rests (they take
~15 ms to lay out), so moving the mouse or editing the kernel never waits for them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel

from cnnviz.lab.conv import PlaygroundResult
from cnnviz.lab.pixel import (
    partial_maps,
    pool_argmax,
    pool_window,
    pooled_receptive_field,
    receptive_window,
)
from ui.playground.conv_views import ConvViews
from ui.playground.pixel_inspector import PixelInspector
from ui.playground.slide_animation import SlideAnimation

__all__ = ["HoverController"]

INSPECTOR_DELAY_MS = 60


class HoverController(QObject):
    """Explains the pixel under the mouse, the pinned one, or the animation's current one.

    Parameters
    ----------
    views : ConvViews
        Where the windows are outlined (and animation frames drawn).
    inspector : PixelInspector
        Shows the multiply-and-sum (or the pool window) of the explained pixel.
    animation : SlideAnimation
        While it runs, the mouse does not move the explanation.
    label : QLabel
        One line with the value under the mouse (``hoverLabel``).

    Signals
    -------
    sigStatus(str)
        A message for the status bar (pinning a pixel).
    """

    sigStatus = Signal(str)

    def __init__(
        self,
        views: ConvViews,
        inspector: PixelInspector,
        animation: SlideAnimation,
        label: QLabel,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._views, self._inspector, self._animation, self._label = (
            views, inspector, animation, label,
        )
        self._result: PlaygroundResult | None = None
        self._pinned: tuple[int, int] | None = None
        self._hovered: tuple[int, int] | None = None
        self._inspector_timer = QTimer(self)
        self._inspector_timer.setSingleShot(True)
        self._inspector_timer.setInterval(INSPECTOR_DELAY_MS)
        self._inspector_timer.timeout.connect(self._refresh_inspector)

    # -- state ------------------------------------------------------------------------------------
    def pinned(self) -> tuple[int, int] | None:
        """The (row, col) of the feature-map pixel clicked to keep it explained, or None."""
        return self._pinned

    def set_result(self, result: PlaygroundResult) -> None:
        """A new result is displayed: explain the same pixel in it, once edits pause."""
        self._result = result
        self._inspector_timer.start()

    def forget(self) -> None:
        """A new input image: the old hovered and pinned pixels mean nothing in it."""
        self._pinned = self._hovered = None

    # -- slots for the views and the animation ----------------------------------------------------
    @Slot(int, int)
    def hover_output(self, row: int, col: int) -> None:
        """The mouse is over feature-map pixel (row, col); (-1, -1) when it left the map."""
        if self._pinned is not None or self._animation.active():
            return
        if row < 0:
            self._hovered = None
            self._views.overlays.clear()
            self._label.clear()
            return
        self._hovered = (row, col)
        self._explain_output(row, col, inspector=False)  # outlines now, tables once it rests
        self._inspector_timer.start()

    @Slot(int, int)
    def click_output(self, row: int, col: int) -> None:
        """Pin feature-map pixel (row, col), or unpin it when it is the pinned one."""
        self._pinned = None if self._pinned == (row, col) else (row, col)
        self._explain_output(row, col)
        if self._pinned is not None:
            self.sigStatus.emit(
                f"Pinned feature-map pixel ({row}, {col}); click it again to unpin."
            )

    @Slot(int, int)
    def hover_pooled(self, row: int, col: int) -> None:
        """The mouse is over pooled pixel (row, col): outline its window and input region."""
        result = self._result
        if result is None or result.pooled is None or row < 0:
            self._views.overlays.show_pool_window(None, None, None)
            return
        window = pool_window(row, col, result.settings)
        field = pooled_receptive_field(row, col, result.kernel.shape[0], result.settings)
        self._views.overlays.show_pool_window(
            window, pool_argmax(result, row, col), (row, col), field
        )
        self._inspector.explain_pooled(result, row, col)
        self._label.setText(f"pooled ({row}, {col}) = {result.pooled[row, col]:.4f}")

    @Slot(int, int)
    def hover_input(self, row: int, col: int) -> None:
        """The mouse is over input pixel (row, col): show its value."""
        if self._result is not None and row >= 0 and self._pinned is None:
            self._label.setText(f"input ({row}, {col}) = {self._result.image[row, col]:.3f}")

    @Slot(int)
    def show_frame(self, filled: int) -> None:
        """Animation frame: the first ``filled`` output pixels are drawn, the window on the last."""
        result = self._result
        if result is None or result.output is None:
            return
        output, pooled = partial_maps(result, filled)
        self._views.show_result(result, output, pooled)
        self._explain_output(*divmod(filled - 1, result.output.shape[1]))

    # -- explaining -------------------------------------------------------------------------------
    def _explain_output(self, row: int, col: int, inspector: bool = True) -> None:
        result = self._result
        if result is None or result.output is None:
            return
        ho, wo = result.output.shape
        if not (0 <= row < ho and 0 <= col < wo):
            self._pinned = self._hovered = None
            self._views.overlays.clear()
            return
        k = result.kernel.shape[0]
        self._views.overlays.show_window(
            receptive_window(row, col, k, result.settings), result.image.shape, (row, col)
        )
        if inspector:
            self._inspector.explain(result, row, col)
        self._label.setText(f"feature map ({row}, {col}) = {result.output[row, col]:.4f}")

    @Slot()
    def _refresh_inspector(self) -> None:
        result = self._result
        focus = self._pinned or self._hovered
        if result is None or self._animation.active():
            return
        if focus is not None:
            self._explain_output(*focus)
        elif result.output is not None:
            # Nothing pointed at: explain the centre pixel, so the sum is visible from the start.
            ho, wo = result.output.shape
            self._inspector.explain(result, ho // 2, wo // 2)
        else:
            self._inspector.explain(result, 0, 0)  # says why there is nothing to explain
