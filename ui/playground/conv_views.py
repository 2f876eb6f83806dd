"""The three pixel-exact views (input, feature map, pooled map) with one colour bar and linked zoom.

The feature map and pooled map are drawn in *input* coordinates (:mod:`ui.playground.map_geometry`),
so the three views share zoom and pan (:mod:`ui.playground.view_link`: one scale, a map pixel has
the same size in every view, so pooling visibly halves the map); :mod:`ui.playground.overlays`
draws the windows over them and :mod:`ui.playground.colour_scale` decides the colours.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from cnnviz.lab.conv import PlaygroundResult
from cnnviz.lab.pixel_follow import output_field
from ui.playground.colour_scale import COLOUR_MAP_NAMES, display_levels, range_text, value_levels
from ui.playground.image_panel import ImagePanel
from ui.playground.map_geometry import output_rect, pooled_rect
from ui.playground.output_map import MAP_CHOICES, levels_for, map_name_for, sign_of
from ui.playground.overlays import ViewOverlays
from ui.playground.stack_views import StackViews
from ui.playground.view_link import ViewLink
from ui.theme import GREY, NOTE_GREY, colormap

__all__ = ["ConvViews"]


def pixel_sizes(result: PlaygroundResult) -> tuple[float, float, float]:
    """How many input pixels one pixel of the input, the feature map and the pooled map spans."""
    jump = output_field(result.kernel_size, result.settings).jump
    return 1.0, float(jump), float(jump * result.settings.pool_stride)


class ConvViews(QWidget):
    """``inputView``, ``outputView`` and ``pooledView`` side by side; linked zoom, a colour bar.

    Signals
    -------
    sigModeChanged(str)
        The colour mode (a key of :data:`~ui.playground.colour_scale.COLOUR_MODES`) changed.
    sigStackShown()
        The row for channels, filters and layer 2 appeared for the first time.
    sigMapChanged(str)
        The colour map drawn changed (a :mod:`ui.theme` name): a new choice, mode or kernel sign.
    """

    sigModeChanged = Signal(str)
    sigStackShown = Signal()
    sigMapChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.input_view = ImagePanel("inputView", "Input (grey, 0..1)")
        self.output_view = ImagePanel("outputView", "Feature map (conv + bias, ReLU)")
        self.pooled_view = ImagePanel("pooledView", "Pooled map")
        self.input_view.image_item.setColorMap(colormap(GREY))
        self.input_view.image_item.setLevels((0.0, 1.0))
        self.colour_bar = pg.ColorBarItem(
            values=(-1, 1), colorMap=colormap(COLOUR_MAP_NAMES["signed"]), interactive=False,
            width=12,
        )
        self.colour_bar.setImageItem(
            [self.output_view.image_item, self.pooled_view.image_item],
            insert_in=self.output_view.getPlotItem(),
        )
        # Major and minor ticks only: the axis is laid out again whenever an edit moves the scale,
        # and the third tick level made that 1.1 instead of 0.7 ms of a click (measured in X).
        self.colour_bar.axis.setStyle(maxTickLevel=1)
        self.mode = "signed"
        self.map_choice = "auto"  # auto | diverging | grey, for the signed colour modes
        self.output_sign = "signed"  # of the maps shown (cnnviz.lab.output_sign)
        self._map_name = COLOUR_MAP_NAMES["signed"]
        self._levels: tuple[float, float] | None = None
        self._scaled_for: tuple[PlaygroundResult | None, str] = (None, "")  # what _levels is for
        self.overlays = ViewOverlays(self.input_view, self.output_view, self.pooled_view)
        # Impossible settings: the explanation appears in place of the map it prevents.
        self.message = self.output_view.message_label("convErrorLabel")
        self.pooled_message = self.pooled_view.message_label("poolErrorLabel")
        self.range_label = self._build_range_label()
        # A new label text re-lays out the views below it (~3 ms): done once edits pause.
        self._range_timer = QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(60)
        self._range_timer.timeout.connect(self._update_range_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for view in self._views():
            splitter.addWidget(view)
        splitter.setChildrenCollapsible(False)
        # Channels, the bank and layer 2 get a row of their own under the main views.
        self.stack = StackViews()
        self.rows = QSplitter(Qt.Orientation.Vertical)
        self.rows.setObjectName("viewRows")
        self.rows.addWidget(splitter)
        self.rows.addWidget(self.stack)
        self.rows.setChildrenCollapsible(False)
        self._stack_sized = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.rows, 1)
        layout.addWidget(self.range_label)
        self._result: PlaygroundResult | None = None
        self._colour = False
        self._fitted_shape: tuple[int, int] | None = None
        # Keep the whole image in view on resizes until the user zooms or pans themselves; then
        # the other views follow that zoom, at one scale: one map pixel, one screen size.
        self._auto_fit = True
        self.link = ViewLink([view.getPlotItem().getViewBox() for view in self._views()], self)
        self.link.sigUserMoved.connect(self._user_moved)
        self._fit_timer = QTimer(self)  # a burst of view resizes (a splitter drag) fits once
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_if_auto)
        for view in self._views():
            view.sigDoubleClicked.connect(self.show_all)
            view.getPlotItem().getViewBox().sigResized.connect(self._fit_timer.start)

    @staticmethod
    def _build_range_label() -> QLabel:
        # The colour bar shows the scale; this line says what the scale is and the exact extremes,
        # since the default scale lets the rare strongest values saturate.
        label = QLabel()
        label.setObjectName("rangeLabel")
        label.setStyleSheet(f"color: {NOTE_GREY};")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Never widen the window for it: in a narrow window the end of the line is cut instead.
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setToolTip(
            "What the colour bar spans, and the exact smallest and largest values of the maps"
        )
        return label

    def _views(self) -> tuple[ImagePanel, ImagePanel, ImagePanel]:
        return self.input_view, self.output_view, self.pooled_view

    def _user_moved(self) -> None:
        self._auto_fit = False

    def _fit_if_auto(self) -> None:
        if self._auto_fit:
            self.fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit_timer.start()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._fit_timer.start()

    def forget_pointer(self) -> None:
        """The maps changed under the mouse: each view reports its pixel at the next move."""
        for view in self._views():
            view.forget_pointer()

    # -- display ------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """Colour the maps in ``mode`` (a key of ``COLOUR_MODES``); emits ``sigModeChanged``."""
        if mode not in COLOUR_MAP_NAMES:
            raise ValueError(f"unknown colour mode {mode!r}; use one of {list(COLOUR_MAP_NAMES)}")
        changed = mode != self.mode
        self.mode = mode
        self._apply_map()
        if self._result is not None:
            self.show_result(self._result)
        if changed:
            self.sigModeChanged.emit(mode)

    def set_map_choice(self, choice: str) -> None:
        """``"auto"`` (grey for non-negative maps, diverging for signed ones), ``"diverging"`` or
        ``"grey"``: the colour map of the signed colour modes."""
        if choice not in MAP_CHOICES:
            raise ValueError(f"unknown colour map choice {choice!r}; "
                             f"use one of {list(MAP_CHOICES)}")
        self.map_choice = choice
        self._scaled_for = (None, "")  # the levels depend on the map: recompute them
        self._apply_map()
        if self._result is not None:
            self.show_result(self._result)

    def map_name(self) -> str:
        """The colour map the feature and pooled maps are drawn with (a :mod:`ui.theme` name)."""
        return self._map_name

    def _apply_map(self) -> None:
        name = map_name_for(self.mode, self.map_choice, self.output_sign)
        if name != self._map_name:
            self._map_name = name
            self.colour_bar.setColorMap(colormap(name))
            self.sigMapChanged.emit(name)

    def show_result(
        self,
        result: PlaygroundResult,
        output_override: np.ndarray | None = None,
        pooled_override: np.ndarray | None = None,
    ) -> None:
        """Display ``result``; the overrides (partly filled maps, shapes as ``result.output`` and
        ``result.pooled``) replace what is drawn."""
        self._result = result
        sign = sign_of(result)
        if sign != self.output_sign:
            self.output_sign = sign
            self._scaled_for = (None, "")
            self._apply_map()
        self._colour_input(result.image.ndim == 3)
        self.input_view.show_array(result.image)
        self.link.set_pixel_sizes(pixel_sizes(result))
        self._fit_new_geometry(result)
        self.overlays.show_borders(result.spatial_shape, result.settings.padding)
        output = result.output if output_override is None else output_override
        shown = None if output is None else (np.abs(output) if self.mode == "abs" else output)
        self.output_view.show_array(shown, None if output is None else output_rect(result))
        pooled = result.pooled if pooled_override is None else pooled_override
        if pooled is not None and self.mode == "abs":
            pooled = np.abs(pooled)
        self.pooled_view.show_array(pooled, None if pooled is None else pooled_rect(result))
        self._update_scale(result)
        self._show_stack(result)
        self._range_timer.start()  # the text waits for a burst of edits to end: never slows one
        pooled_shown = result.settings.pool != "none"
        if pooled_shown != self.pooled_view.isVisibleTo(self):
            self.pooled_view.setVisible(pooled_shown)
            self._fit_timer.start()  # the other views widen or narrow: fit them again
        self.set_titles(result)
        self._show_messages(result)

    def _colour_input(self, colour: bool) -> None:
        if colour != self._colour:
            self._colour = colour
            if not colour:  # a colour image dropped the grey colour map
                self.input_view.image_item.setColorMap(colormap(GREY))
            self.input_view.image_item.setLevels((0.0, 1.0))

    def _show_stack(self, result: PlaygroundResult) -> None:
        wanted = StackViews.wanted(result)
        if wanted:
            self.stack.show_result(result, self._levels, self.mode, self._map_name)
        else:
            self.stack.hide()
        if wanted and not self._stack_sized:  # first shown: give it a fair share of the height
            total = sum(self.rows.sizes())
            if total > 0:
                self._stack_sized = True
                self.rows.setSizes([total // 2, total - total // 2])
                self.sigStackShown.emit()

    def _fit_new_geometry(self, result: PlaygroundResult) -> None:
        key = (result.spatial_shape, result.settings.padding, pixel_sizes(result))
        if key != self._fitted_shape:
            if key[0] != (self._fitted_shape or (None,))[0]:
                self._auto_fit = True  # a new image: show all of it
            self._fitted_shape = key
            if self._auto_fit:
                self.fit()

    def _update_scale(self, result: PlaygroundResult) -> None:
        # One scale for feature map and pooled map, so equal colours mean equal values. Animation
        # frames re-show the same result: its scale is computed once per result and mode.
        scaled_result, scaled_mode = self._scaled_for
        if scaled_result is not result or scaled_mode != self.mode:  # `is`: results hold arrays
            self._scaled_for = (result, self.mode)
            # one scale for every filter's map: equal colours, equal responses
            maps = result.output if result.n_filters == 1 else result.outputs
            levels = levels_for(display_levels(maps, self.mode), self.mode, self._map_name,
                                self.output_sign)
            if levels != self._levels:  # new levels re-draw the colour bar's axis: only if needed
                self._levels = levels
                self.colour_bar.setLevels(levels)

    def _show_messages(self, result: PlaygroundResult) -> None:
        conv_failed = result.output is None
        self.message.setText(result.error or "" if conv_failed else "")
        self.message.setVisible(conv_failed)
        pool_failed = not conv_failed and result.error is not None
        self.pooled_message.setText(result.error or "" if pool_failed else "")
        self.pooled_message.setVisible(pool_failed)

    def levels(self) -> tuple[float, float] | None:
        """The colour scale's (low, high) for the feature and pooled maps, in displayed units."""
        return self._levels

    def value_levels(self) -> tuple[float, float] | None:
        """Where the colour scale ends in the maps' own values (|x| mode: mirrored about 0)."""
        return None if self._levels is None else value_levels(self._levels, self.mode)

    def _update_range_label(self) -> None:
        if self._result is not None and self._levels is not None:
            self.range_label.setText(range_text(self._result, self.mode, self._levels))

    def show_all(self) -> None:
        """Zoom out to the whole image and keep it whole on resizes again."""
        self._auto_fit = True
        self.fit()

    def fit(self) -> None:
        """Zoom so the whole input (and its padding) is visible; the other views follow."""
        if self._result is None:
            return
        h, w = self._result.spatial_shape
        p = self._result.settings.padding
        pooled = self._result.settings.pool != "none"
        self.link.fit(QRectF(-p, -p, w + 2 * p, h + 2 * p), (True, True, pooled))

    def set_titles(self, result: PlaygroundResult) -> None:
        """Name each view with its shape (and ReLU, the pooling kind and size)."""
        s = result.settings
        h, w = result.spatial_shape
        colour = " RGB (3 channels)" if result.image.ndim == 3 else ""
        self.input_view.set_title_text(f"Input {h}x{w}{colour}")
        out = "Feature map"
        if result.n_filters > 1:
            out = f"Filter {result.selected + 1} of {result.n_filters}:"
        if result.output is not None:
            out += f" {result.output.shape[0]}x{result.output.shape[1]}"
        self.output_view.set_title_text(out + (" (ReLU)" if s.relu else ""))
        pooled = f"{s.pool.capitalize()} pool {s.pool_size}x{s.pool_size}"
        if result.pooled is not None:
            pooled += f" → {result.pooled.shape[0]}x{result.pooled.shape[1]}"
        self.pooled_view.set_title_text(pooled)
