"""The three pixel-exact views (input, feature map, pooled map) with one colour bar and linked zoom.

The feature map and pooled map are drawn in *input* coordinates (:mod:`ui.playground.map_geometry`),
so the three views share zoom and pan; :mod:`ui.playground.overlays` draws the windows over them
and :mod:`ui.playground.colour_scale` decides the colours.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from cnnviz.lab.conv import PlaygroundResult
from ui.playground.colour_scale import COLOUR_MAP_NAMES, display_levels, range_text, value_levels
from ui.playground.image_panel import ImagePanel
from ui.playground.map_geometry import output_rect, pooled_rect
from ui.playground.overlays import ViewOverlays
from ui.playground.stack_views import StackViews
from ui.theme import GREY, NOTE_GREY, colormap

__all__ = ["ConvViews"]


class ConvViews(QWidget):
    """``inputView``, ``outputView`` and ``pooledView`` side by side; linked zoom, a colour bar.

    Signals
    -------
    sigModeChanged(str)
        The colour mode (a key of :data:`~ui.playground.colour_scale.COLOUR_MODES`) changed.
    sigStackShown()
        The row for channels, filters and layer 2 appeared for the first time.
    """

    sigModeChanged = Signal(str)
    sigStackShown = Signal()

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
        self.mode = "signed"
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
        # the other views follow that zoom. (Qt's axis links would crop views of another aspect.)
        self._auto_fit = True
        for view in self._views():
            box = view.getPlotItem().getViewBox()
            box.sigRangeChangedManually.connect(lambda _mask, v=view: self._follow(v))
            view.sigDoubleClicked.connect(self.show_all)

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

    def _follow(self, leader: ImagePanel) -> None:
        self._auto_fit = False
        rect = leader.getPlotItem().getViewBox().viewRect()
        for view in self._views():
            if view is not leader:
                view.getPlotItem().getViewBox().setRange(rect, padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self._auto_fit:
            QTimer.singleShot(0, self.fit)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._auto_fit:
            QTimer.singleShot(0, self.fit)

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
        self.colour_bar.setColorMap(colormap(COLOUR_MAP_NAMES[mode]))
        if self._result is not None:
            self.show_result(self._result)
        if changed:
            self.sigModeChanged.emit(mode)

    def show_result(
        self,
        result: PlaygroundResult,
        output_override: np.ndarray | None = None,
        pooled_override: np.ndarray | None = None,
    ) -> None:
        """Display ``result``; the overrides (partly filled maps, shapes as ``result.output`` and
        ``result.pooled``) replace what is drawn."""
        self._result = result
        self._colour_input(result.image.ndim == 3)
        self.input_view.show_array(result.image)
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
        self.pooled_view.setVisible(result.settings.pool != "none")
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
            self.stack.show_result(result, self._levels, self.mode)
        else:
            self.stack.hide()
        if wanted and not self._stack_sized:  # first shown: give it a fair share of the height
            total = sum(self.rows.sizes())
            if total > 0:
                self._stack_sized = True
                self.rows.setSizes([total // 2, total - total // 2])
                self.sigStackShown.emit()

    def _fit_new_geometry(self, result: PlaygroundResult) -> None:
        key = (result.spatial_shape, result.settings.padding)
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
            levels = display_levels(maps, self.mode)
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
        for view in self._views():
            view.getPlotItem().getViewBox().setRange(
                xRange=(-p, w + p), yRange=(-p, h + p), padding=0.02
            )

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
