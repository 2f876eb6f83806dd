"""The kernel playground: edit a kernel and watch it convolve (and pool) an image, live.

Every edit only *schedules* a recomputation on a 0-ms single-shot timer, so a burst of edits in
one event-loop turn (dragging, spinning the wheel) is computed and drawn once, never queued.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz.data.bundled import SAMPLE_PHOTOS
from cnnviz.lab import kernels, patterns
from cnnviz.lab.conv import MAX_WEIGHT, PlaygroundResult, compute
from ui.playground.controls import WHY, ControlsPanel
from ui.playground.conv_views import ConvViews
from ui.playground.extras import ExtrasMixin
from ui.playground.hover import HoverMixin
from ui.playground.panels import SpeedPanel, ValueHistogram, params_text, shapes_text
from ui.playground.pixel_inspector import PixelInspector
from ui.playground.slide_animation import SlideAnimation
from ui.playground.sources import DRAW_ITEM, OPEN_ITEM, PATTERN_SIZE, SourcesMixin
from ui.widgets.why import WhyLabel

__all__ = ["PlaygroundWidget", "OPEN_ITEM", "DRAW_ITEM"]

DEFAULT_SOURCE = SAMPLE_PHOTOS[0][0]


class PlaygroundWidget(SourcesMixin, HoverMixin, ExtrasMixin, QWidget):
    """The Playground tab. Works standalone; ``sigStatus(str)`` carries status-bar messages."""

    sigStatus = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._image = patterns.pattern("Disc", PATTERN_SIZE)
        self._image_name = "Disc"
        # The latest drawing and set_image() array, so their menu entries can bring them back.
        self._kept_images: dict[str, tuple[np.ndarray, str]] = {}
        self._result: PlaygroundResult | None = None
        self._pinned: tuple[int, int] | None = None
        self._hovered: tuple[int, int] | None = None
        self._source_index = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._refresh)
        self._inspector_timer = QTimer(self)
        self._inspector_timer.setSingleShot(True)
        self._inspector_timer.setInterval(60)
        self._inspector_timer.timeout.connect(self._refresh_inspector)

        self.controls = ControlsPanel()
        self.kernel_grid = self.controls.kernel_grid
        self.views = ConvViews()
        self.inspector = PixelInspector()
        self.animation = SlideAnimation()
        self.histogram = ValueHistogram()
        self.speed = SpeedPanel()
        self._build_layout()
        self._populate_sources()
        self._connect()
        self._restore_settings()
        self._refresh()

    # -- construction -------------------------------------------------------------------------
    def _build_layout(self) -> None:
        scroll = QScrollArea()
        scroll.setObjectName("playgroundControls")
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)

        self.shapes_label = QLabel()
        self.shapes_label.setObjectName("shapesLabel")
        self.shapes_label.setWordWrap(True)
        self.shapes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.params_label = QLabel()
        self.params_label.setObjectName("paramsLabel")
        self.params_label.setWordWrap(True)
        params_why = WhyLabel(WHY["params"])
        params_why.sigClicked.connect(self.controls.sigWhy)
        colour_why = WhyLabel(WHY["colour"])
        colour_why.sigClicked.connect(self.controls.sigWhy)
        header = QWidget()
        grid = QVBoxLayout(header)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setSpacing(2)
        grid.addWidget(self.shapes_label)
        params_row = QHBoxLayout()
        params_row.addWidget(self.params_label, 1)
        params_row.addWidget(params_why)
        grid.addLayout(params_row)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Colours:"))
        tools.addWidget(self._build_colour_combo())
        tools.addWidget(colour_why)
        tools.addStretch(1)
        self.hover_label = QLabel()
        self.hover_label.setObjectName("hoverLabel")
        tools.addWidget(self.hover_label)
        tools.addWidget(self._build_export_button())
        grid.addLayout(tools)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(header)
        top_layout.addWidget(self.views, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("playgroundPanels")
        # The animation drives the inspector (each step shows its multiply-and-sum): one page.
        self.inspector_page = QSplitter(Qt.Orientation.Horizontal)
        self.inspector_page.setObjectName("inspectorPage")
        self.inspector_page.addWidget(self.inspector)
        # Scrolls rather than squeezing its wrapped notes on top of each other in a short window.
        animation_scroll = QScrollArea()
        animation_scroll.setWidget(self.animation)
        animation_scroll.setWidgetResizable(True)
        animation_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        animation_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scrollbar = animation_scroll.verticalScrollBar().sizeHint().width()
        animation_scroll.setMinimumWidth(self.animation.minimumSizeHint().width() + scrollbar)
        self.inspector_page.addWidget(animation_scroll)
        self.inspector_page.setStretchFactor(0, 3)
        self.inspector_page.setStretchFactor(1, 1)
        self.inspector_page.setChildrenCollapsible(False)
        self.tabs.addTab(self.inspector_page, "Pixel inspector && sliding window")
        self.tabs.addTab(self.histogram, "Histogram")
        self._add_translation_tab()
        self.tabs.addTab(self.speed, "Speed")

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.tabs)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setChildrenCollapsible(False)
        self._right_splitter = right
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.setObjectName("playgroundSplitter")
        outer.addWidget(scroll)
        outer.addWidget(right)
        outer.setStretchFactor(1, 1)
        outer.setChildrenCollapsible(False)
        outer.setSizes([320, 1000])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(outer)

    def _connect(self) -> None:
        c = self.controls
        for spin in (
            c.stride_spin,
            c.padding_spin,
            c.dilation_spin,
            c.pool_size_spin,
            c.pool_stride_spin,
        ):
            spin.valueChanged.connect(self._schedule)
        c.bias_spin.valueChanged.connect(self._schedule)
        c.padding_mode_combo.currentIndexChanged.connect(self._schedule)
        c.pool_type_combo.currentIndexChanged.connect(self._schedule)
        c.relu_check.toggled.connect(self._schedule)
        c.kernel_size_spin.valueChanged.connect(self._on_kernel_size)
        c.preset_combo.currentIndexChanged.connect(self._on_preset)
        c.step_combo.currentIndexChanged.connect(self._on_step)
        c.image_combo.activated.connect(self._on_source_activated)
        self.kernel_grid.sigKernelChanged.connect(self._on_kernel_edited)
        self.kernel_grid.sigMessage.connect(self._show_kernel_message)
        for name, button in c.kernel_buttons.items():
            button.clicked.connect(lambda _checked=False, n=name: self._kernel_action(n))
        c.sigWhy.connect(self.sigStatus)
        self.inspector.why_label.sigClicked.connect(c.sigWhy)
        self.views.output_view.sigHover.connect(self._on_output_hover)
        self.views.output_view.sigClicked.connect(self._on_output_clicked)
        self.views.pooled_view.sigHover.connect(self._on_pooled_hover)
        self.views.input_view.sigHover.connect(self._on_input_hover)
        self.animation.sigFrame.connect(self._on_animation_frame)
        self.animation.sigFinished.connect(self._redraw)
        self.speed.button.clicked.connect(lambda: self.speed.run(self.current_result()))
        self.tabs.currentChanged.connect(self._update_secondary)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            QTimer.singleShot(0, self._initial_split)

    def _initial_split(self) -> None:
        # Give the views about 60% of the height once the real size is known.
        total = sum(self._right_splitter.sizes())
        if total > 0:
            views = int(total * 0.62)
            self._right_splitter.setSizes([views, total - views])

    # -- public API -------------------------------------------------------------------------------
    def current_result(self) -> PlaygroundResult:
        """What is displayed now (a pending recomputation is done first)."""
        if self._timer.isActive() or self._result is None:
            self._timer.stop()
            self._refresh()
        return self._result

    def settings(self):
        """The current :class:`cnnviz.lab.conv.ConvSettings`."""
        return self.controls.settings()

    def set_image(self, array: np.ndarray, name: str = "image") -> bool:
        """Use a grey (H, W) array in [0, 1] as the input; False (with a message) if unusable.

        ``imageSourceCombo`` then names it, so the menu never claims another source.
        """
        if not self._use_image(array, name):
            return False
        self._kept_images["array"] = (self._image, name)
        self._select_custom_source(f"Array: {name}", ("array", None))
        return True

    def _use_image(self, array: np.ndarray, name: str) -> bool:
        a = np.asarray(array, dtype=np.float32)
        if a.ndim != 2 or a.size == 0 or not np.all(np.isfinite(a)):
            self._show_image_message(
                f"Cannot use {name}: it must be a 2-D array of finite numbers."
            )
            return False
        self._image = np.clip(a, 0.0, 1.0)
        self._image_name = name
        self._pinned = self._hovered = None
        self.controls.image_message.hide()
        self.controls.image_info.setText(f"{name}: {a.shape[1]}x{a.shape[0]} pixels")
        self._schedule()
        return True

    def load_image(self, path) -> bool:
        """Open an image file as the input; on failure keep the current image and say why."""
        if not self._load_path(path):
            return False
        label = f"File: {Path(path).name}"
        self._select_custom_source(label, ("file", str(path)))
        store = QSettings()
        store.setValue("playground/source", label)
        store.setValue("playground/sourceFile", str(path))
        return True

    def set_kernel(self, kernel: np.ndarray) -> bool:
        """Load a square kernel (k = 1..9), resizing ``kernelSizeSpin``; False (says why) if not."""
        k = np.asarray(kernel, dtype=float)
        if k.ndim != 2 or k.shape[0] != k.shape[1] or not 1 <= k.shape[0] <= 9:
            self._show_kernel_message(f"A kernel must be square, 1x1 to 9x9; got shape {k.shape}.")
            return False
        if not np.all(np.isfinite(k)):
            self._show_kernel_message("A kernel must contain finite numbers only.")
            return False
        if np.abs(k).max() > MAX_WEIGHT:
            self._show_kernel_message(
                f"Kernel weights must lie between -{MAX_WEIGHT:,.0f} and {MAX_WEIGHT:,.0f}; "
                f"this one reaches {np.abs(k).max():.3g}. The kernel was not changed."
            )
            return False
        self.kernel_grid.set_kernel(k)  # the size spin follows in _on_kernel_edited
        return True

    # -- scheduling ---------------------------------------------------------------------------
    @Slot()
    def _schedule(self) -> None:
        # Starting an already active 0-ms timer restarts it; either way one compute per loop turn.
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _refresh(self) -> None:
        self._result = compute(self._image, self.kernel_grid.kernel(), self.controls.settings())
        self._redraw()

    def _redraw(self) -> None:
        result = self._result
        self.views.show_result(result)
        self.shapes_label.setText(shapes_text(result))
        self.params_label.setText(params_text(result))
        self.animation.set_total(0 if result.output is None else result.output.size)
        # The inspector's tables take ~15 ms to lay out: refresh them just after a burst of edits
        # so they never delay the maps.
        self._inspector_timer.start()
        self._update_secondary()

    @Slot()
    def _refresh_inspector(self) -> None:
        result = self._result
        focus = self._pinned or self._hovered
        if result is None or self.animation.active():
            return
        if focus is not None:
            self._explain_output(*focus)
        elif result.output is not None:
            # Nothing pointed at: explain the centre pixel, so the sum is visible from the start.
            ho, wo = result.output.shape
            self.inspector.explain(result, ho // 2, wo // 2)
        else:
            self.inspector.explain(result, 0, 0)  # says why there is nothing to explain

    @Slot()
    def _update_secondary(self, *_args) -> None:
        # Only the visible panel is updated: hidden panels cost nothing while the user drags.
        current = self.tabs.currentWidget()
        result = self._result
        if result is None:
            return
        if current is self.histogram:
            levels = self.views.levels()
            if levels is not None and self.views.mode == "abs":  # |x| beyond m saturates too
                levels = (-levels[1], levels[1])
            self.histogram.set_values(result.output, levels=levels)
        elif current is self.translation_page:
            self._update_translation_lab()

    # -- kernel editing -----------------------------------------------------------------------
    @Slot()
    def _on_kernel_edited(self) -> None:
        self.controls.kernel_message.hide()
        size = self.kernel_grid.size_k()
        spin = self.controls.kernel_size_spin
        if size != spin.value():  # someone called kernel_grid.set_kernel with another size
            spin.blockSignals(True)
            spin.setValue(size)
            spin.blockSignals(False)
            self._update_padding_range()
        if not self._applying_preset:
            self._set_preset_label("Custom")
        self._schedule()

    _applying_preset = False

    def _set_preset_label(self, name: str) -> None:
        combo = self.controls.preset_combo
        combo.blockSignals(True)
        combo.setCurrentText(name)
        combo.blockSignals(False)
        self.controls.preset_description.setText(kernels.DESCRIPTIONS.get(name, ""))

    @Slot(int)
    def _on_preset(self, _index: int) -> None:
        name = self.controls.preset_combo.currentText()
        self.controls.preset_description.setText(kernels.DESCRIPTIONS.get(name, ""))
        if name in kernels.PRESETS:
            self._applying_preset = True
            try:
                self.kernel_grid.set_kernel(
                    kernels.preset(name, self.controls.kernel_size_spin.value())
                )
            finally:
                self._applying_preset = False

    @Slot(int)
    def _on_kernel_size(self, size: int) -> None:
        self._update_padding_range()
        name = self.controls.preset_combo.currentText()
        if name in kernels.PRESETS:
            if kernels.preset(name, size).shape[0] == size:
                self._on_preset(0)
                return
            # Fixed 3x3 operators have no smaller version: crop them, and say so.
            self.sigStatus.emit(f"{name} is 3x3: at {size}x{size} only its centre is kept.")
        # Keep the centre of a hand-made kernel: crop or pad symmetrically.
        old = self.kernel_grid.kernel()
        new = np.zeros((size, size))
        n = min(size, old.shape[0])
        o_old, o_new = (old.shape[0] - n) // 2, (size - n) // 2
        new[o_new : o_new + n, o_new : o_new + n] = old[o_old : o_old + n, o_old : o_old + n]
        self.kernel_grid.set_kernel(new)

    def _update_padding_range(self) -> None:
        self.controls.padding_spin.setMaximum(self.controls.kernel_size_spin.value())

    def _kernel_action(self, name: str) -> None:
        k = self.kernel_grid.kernel()
        actions = {
            "Normalise": kernels.normalise,
            "Random": lambda a: kernels.random_kernel(a.shape[0]),
            "Flip": kernels.flip,
            "Rotate": kernels.rotate,
            "Zero": np.zeros_like,
        }
        if name == "Normalise" and abs(k.sum()) < 1e-12:
            self.sigStatus.emit(
                "This kernel sums to zero (an edge detector): nothing to divide by."
            )
        self.kernel_grid.set_kernel(actions[name](k))

    @Slot(int)
    def _on_step(self, _index: int) -> None:
        self.kernel_grid.set_step(float(self.controls.step_combo.currentData()))
        QSettings().setValue("playground/step", self.controls.step_combo.currentIndex())

    @Slot(str)
    def _show_kernel_message(self, message: str) -> None:
        self.controls.kernel_message.setText(message)
        self.controls.kernel_message.show()
        self.sigStatus.emit(message)

    # -- preferences --------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        store = QSettings()
        combo = self.controls.image_combo
        step_index = int(store.value("playground/step", self.controls.step_combo.currentIndex()))
        if 0 <= step_index < self.controls.step_combo.count():
            self.controls.step_combo.setCurrentIndex(step_index)
        self._on_step(0)
        self._restore_colour_mode(store)
        self.controls.pool_type_combo.setCurrentText("max")
        self.controls.preset_combo.setCurrentText("Sobel x")
        source = str(store.value("playground/source", DEFAULT_SOURCE))
        if source.startswith("File: "):
            path = str(store.value("playground/sourceFile", ""))
            if path and Path(path).is_file() and self.load_image(path):
                return
        index = combo.findText(source)
        if index < 0 or (combo.itemData(index) or ("",))[0] not in ("photo", "pattern"):
            index = combo.findText(DEFAULT_SOURCE)
        combo.setCurrentIndex(index)
        self._on_source_activated(index)
