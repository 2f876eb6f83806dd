"""Which pixel the playground explains, and showing it: hover, click to pin, animation frames.

:class:`HoverController` owns the explained pixel: the one pinned on the feature map, or the one
under the mouse on the feature map, a partial map, a filter of the bank, the pooled map or layer
2's map. It outlines that pixel's window on the views at once and fills the inspector's tables
once the mouse rests (they take 15 ms to lay out for a small grey kernel, over 100 ms for a 7x7
colour one: the pause awaited is twice the last one's cost), so moving the mouse or editing the
kernel never waits for them. Every new result redraws the outlines for the pixel explained, or
removes them when it no longer exists (a mode switch, layer 2 turned off): no outline is ever left
stale.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel

from cnnviz.lab.bank import result_for_filter
from cnnviz.lab.conv import PlaygroundResult
from cnnviz.lab.pixel import (
    partial_maps,
    pool_argmax,
    pool_window,
    pooled_receptive_field,
    receptive_window,
)
from cnnviz.lab.pixel_follow import follow_output_pixel
from cnnviz.lab.stack import layer2_explanation
from ui.playground.conv_views import ConvViews
from ui.playground.pixel_inspector import PixelInspector
from ui.playground.slide_animation import SlideAnimation

__all__ = ["HoverController"]

INSPECTOR_DELAY_MS = 60
MAX_INSPECTOR_DELAY_MS = 400


def _inside(shape, row: int, col: int) -> bool:
    return 0 <= row < shape[0] and 0 <= col < shape[1]


def _geometry(result: PlaygroundResult) -> tuple:
    """What decides where each output pixel looks on the input."""
    s = result.settings
    return result.spatial_shape, result.kernel_size, s.stride, s.padding, s.dilation


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
        # what the mouse is over: ("output" | "pooled" | "layer2", row, col) or ("bank", f, r, c)
        self._hovered: tuple | None = None
        self._marked = True  # whether any outline may be drawn (cleared once, then tracked)
        self._inspector_timer = QTimer(self)
        self._inspector_timer.setSingleShot(True)
        self._inspector_timer.setInterval(INSPECTOR_DELAY_MS)
        self._inspector_timer.timeout.connect(self._refresh_inspector)
        self._clock = QElapsedTimer()
        self._measure = QTimer(self)  # fires once the inspector's tables are laid out and drawn
        self._measure.setSingleShot(True)
        self._measure.setInterval(0)
        self._measure.timeout.connect(self._measured)

    # -- state ------------------------------------------------------------------------------------
    def pinned(self) -> tuple[int, int] | None:
        """The (row, col) of the feature-map pixel clicked to keep it explained, or None."""
        return self._pinned

    def focus(self) -> tuple | None:
        """What is explained: ``("output", row, col)`` (pinned or hovered), ``("pooled", ...)``,
        ``("layer2", ...)``, ``("bank", filter, row, col)``, or None."""
        hovered = self._hovered
        if hovered is not None and (self._pinned is None or hovered[0] in ("pooled", "layer2")):
            return hovered
        return ("output", *self._pinned) if self._pinned is not None else None

    def set_result(self, result: PlaygroundResult) -> None:
        """A new result is displayed: outline the same pixel in it now (or nothing, if it is
        gone), fill the inspector once edits pause.

        A new kernel size, stride, padding or dilation moves the pinned (or hovered) feature-map
        pixel to the one looking at the same input pixel; a hovered pooled or layer-2 pixel is
        dropped until the mouse moves again.
        """
        old, self._result = self._result, result
        if old is not None and _geometry(old) != _geometry(result):
            self._follow(old, result)
        if not self._animation.active():
            self._show_focus(inspector=False)
        self._inspector_timer.start()

    def forget(self) -> None:
        """A new input image: the old hovered and pinned pixels mean nothing in it.

        The old result is dropped too: a mouse move before the new image is computed (closing
        the draw dialog sends one) must not explain the old image's values.
        """
        self._pinned = self._hovered = None
        self._result = None
        self._marked = True  # clear everything, whatever was drawn
        self._clear_marks()
        self._views.forget_pointer()

    def _follow(self, old: PlaygroundResult, new: PlaygroundResult) -> None:
        def follow(row: int, col: int) -> tuple[int, int] | None:
            if new.output is None:
                return None
            return follow_output_pixel(row, col, old.kernel_size, old.settings,
                                       new.kernel_size, new.settings, new.output.shape)

        if self._pinned is not None:
            self._pinned = follow(*self._pinned)
        hovered = self._hovered
        if hovered is not None and hovered[0] in ("output", "bank"):
            where = follow(*hovered[-2:])
            self._hovered = None if where is None else (*hovered[:-2], *where)
        elif hovered is not None:
            self._hovered = None
        self._views.forget_pointer()  # the pixel under a resting mouse is reported again

    # -- slots for the views and the animation ----------------------------------------------------
    @Slot(int, int)
    def hover_output(self, row: int, col: int) -> None:
        """The mouse is over feature-map pixel (row, col); (-1, -1) when it left the map."""
        if self._pinned is not None or self._animation.active():
            return
        self._hover(None if row < 0 else ("output", row, col))

    @Slot(int, int, int)
    def hover_bank(self, index: int, row: int, col: int) -> None:
        """The mouse is over pixel (row, col) of filter ``index``'s map in the bank."""
        if self._pinned is not None or self._animation.active():
            return
        self._hover(None if row < 0 else ("bank", index, row, col))

    @Slot(int, int)
    def hover_pooled(self, row: int, col: int) -> None:
        """The mouse is over pooled pixel (row, col): outline its window and input region."""
        if self._animation.active():
            return
        self._hovered = None if row < 0 else ("pooled", row, col)
        self._show_focus(inspector=True)  # one small table: explained at once

    @Slot(int, int)
    def hover_layer2(self, row: int, col: int) -> None:
        """The mouse is over layer-2 pixel (row, col): outline what it depends on."""
        if self._animation.active():
            return
        self._hover(None if row < 0 else ("layer2", row, col))

    @Slot(int, int)
    def click_output(self, row: int, col: int) -> None:
        """Pin feature-map pixel (row, col), or unpin it when it is the pinned one."""
        self._pinned = None if self._pinned == (row, col) else (row, col)
        self._hovered = None if self._pinned is not None else ("output", row, col)
        self._show_focus(inspector=True)
        if self._pinned is not None:
            self.sigStatus.emit(
                f"Pinned feature-map pixel ({row}, {col}); click it again to unpin."
            )

    @Slot(int, int)
    def hover_input(self, row: int, col: int) -> None:
        """The mouse is over input pixel (row, col): show its value."""
        result = self._result
        if result is not None and row >= 0 and self._pinned is None:
            value = result.image[..., row, col]
            text = (f"{float(value):.3f}" if value.ndim == 0 else
                    "(" + ", ".join(f"{float(v):.3f}" for v in value) + ") RGB")
            self._label.setText(f"input ({row}, {col}) = {text}")

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
    def _hover(self, target: tuple | None) -> None:
        self._hovered = target
        self._show_focus(inspector=False)  # outlines now, tables once the mouse rests
        self._inspector_timer.start()

    def _show_focus(self, inspector: bool) -> None:
        focus = self.focus()
        if focus is None:
            self._clear_marks()
            return
        kind, *where = focus
        shown = {"output": self._explain_output, "bank": self._explain_bank,
                 "pooled": self._explain_pooled, "layer2": self._explain_layer2}[kind](
            *where, inspector=inspector)
        if not shown:  # the pixel is gone (a new size, layer 2 off ...): nothing stays outlined
            self._pinned = self._hovered = None
            self._clear_marks()

    def _clear_marks(self) -> None:
        # Only when something is outlined: clearing repaints the views, which costs an edit time.
        if self._marked:
            self._marked = False
            self._views.overlays.clear()
            self._views.stack.clear_marks()
            self._label.clear()

    def _explain_output(self, row: int, col: int, inspector: bool = True,
                        result: PlaygroundResult | None = None) -> bool:
        result = result or self._result
        if result is None or result.output is None or not _inside(result.output.shape, row, col):
            return False
        taps = receptive_window(row, col, result.kernel_size, result.settings)
        self._marked = True
        self._views.overlays.show_window(taps, result.spatial_shape, (row, col))
        rows, cols = [r for r, _ in taps], [c for _, c in taps]
        stack = self._views.stack
        stack.strip.mark((row, col), (min(rows), min(cols), max(rows) + 1, max(cols) + 1))
        stack.bank.mark((row, col))
        stack.layer2.mark(None)
        if inspector:
            self._timed(self._inspector.explain, result, row, col)
        name = "feature map" if result.n_filters == 1 else f"filter {result.selected + 1}"
        self._label.setText(f"{name} ({row}, {col}) = {result.output[row, col]:.4f}")
        return True

    def _explain_bank(self, index: int, row: int, col: int, inspector: bool = True) -> bool:
        result = self._result
        if result is None or result.outputs is None or index >= result.n_filters:
            return False
        return self._explain_output(row, col, inspector, result_for_filter(result, index))

    def _explain_pooled(self, row: int, col: int, inspector: bool = True) -> bool:
        result = self._result
        if result is None or result.pooled is None or not _inside(result.pooled.shape, row, col):
            return False
        window = pool_window(row, col, result.settings)
        field = pooled_receptive_field(row, col, result.kernel_size, result.settings)
        self._views.overlays.clear()
        self._views.stack.clear_marks()
        self._marked = True
        self._views.overlays.show_pool_window(
            window, pool_argmax(result, row, col), (row, col), field
        )
        if inspector:
            self._timed(self._inspector.explain_pooled, result, row, col)
        self._label.setText(f"pooled ({row}, {col}) = {result.pooled[row, col]:.4f}")
        return True

    def _explain_layer2(self, row: int, col: int, inspector: bool = True) -> bool:
        result = self._result
        out = None if result is None else result.layer2_output
        if out is None or not _inside(out.shape, row, col):
            return False
        ex = layer2_explanation(result, row, col)
        pooled = ex.window if result.settings.pool != "none" else None
        self._marked = True
        self._views.overlays.show_layer2(ex.input_field, ex.feature_window, pooled)
        stack = self._views.stack
        stack.strip.mark(None, ex.input_field)
        stack.bank.mark(None, ex.feature_window)
        stack.layer2.mark((row, col))
        if inspector:
            self._timed(self._inspector.explain_layer2, result, row, col)
        self._label.setText(f"layer 2 ({row}, {col}) = {out[row, col]:.4f}")
        return True

    @Slot()
    def _refresh_inspector(self) -> None:
        result = self._result
        if result is None or self._animation.active():
            return
        if self.focus() is not None:
            self._show_focus(inspector=True)
        elif result.output is not None:
            # Nothing pointed at: explain the centre pixel, so the sum is visible from the start.
            ho, wo = result.output.shape
            self._timed(self._inspector.explain, result, ho // 2, wo // 2)
        else:
            self._inspector.explain(result, 0, 0)  # says why there is nothing to explain

    def _timed(self, explain, *args) -> None:
        """Fill the inspector and measure how long that takes until it is on screen."""
        self._clock.start()
        explain(*args)
        self._measure.start()

    @Slot()
    def _measured(self) -> None:
        # Wait twice as long as the inspector takes before filling it again: a burst of edits
        # then never waits for tables it would replace at once.
        cost = self._clock.elapsed()
        self._inspector_timer.setInterval(min(max(INSPECTOR_DELAY_MS, 2 * cost),
                                              MAX_INSPECTOR_DELAY_MS))
