"""The kernel playground: edit a kernel and watch it convolve (and pool) an image, live.

Every edit only *schedules* a recomputation on a 0-ms single-shot timer, so a burst of edits in
one event-loop turn (dragging, spinning the wheel) is computed and drawn once, never queued.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz import kernels, patterns
from cnnviz.assets import SAMPLE_PHOTOS, asset_path
from cnnviz.playground import PlaygroundResult, compute, pool_argmax, pool_window, receptive_window
from ui import pyside_refcount_fix  # noqa: F401  (must run before signals are emitted)
from ui.conv_views import ConvViews, ValueHistogram
from ui.pixel_inspector import PixelInspector
from ui.playground_controls import WHY, ControlsPanel, WhyLabel
from ui.playground_extras import ExtrasMixin
from ui.playground_panels import SpeedPanel, params_text, shapes_text
from ui.slide_animation import SlideAnimation

__all__ = ["PlaygroundWidget", "OPEN_ITEM", "DRAW_ITEM"]

OPEN_ITEM = "Open image..."
DRAW_ITEM = "Draw..."
PATTERN_SIZE = 128
DEFAULT_SOURCE = SAMPLE_PHOTOS[0][0]


class PlaygroundWidget(ExtrasMixin, QWidget):
    """The Playground tab. Works standalone; ``sigStatus(str)`` carries status-bar messages."""

    sigStatus = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._image = patterns.pattern("Disc", PATTERN_SIZE)
        self._image_name = "Disc"
        self._result: PlaygroundResult | None = None
        self._pinned: tuple[int, int] | None = None
        self._source_index = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._refresh)

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
        self.tabs.addTab(self.inspector, "Pixel inspector")
        self.tabs.addTab(self.animation, "Sliding window")
        self.tabs.addTab(self.histogram, "Histogram")
        self._add_translation_tab()
        self.tabs.addTab(self.speed, "Speed")

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.tabs)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setChildrenCollapsible(False)
        right.setSizes([600, 240])
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

    def _populate_sources(self) -> None:
        combo = self.controls.image_combo
        for label, filename in SAMPLE_PHOTOS:
            combo.addItem(label, ("photo", filename))
        combo.insertSeparator(combo.count())
        for name in patterns.names():
            combo.addItem(name, ("pattern", name))
            combo.setItemData(
                combo.count() - 1, patterns.DESCRIPTIONS.get(name, ""), Qt.ItemDataRole.ToolTipRole
            )
        combo.insertSeparator(combo.count())
        combo.addItem(OPEN_ITEM, ("open", None))
        combo.addItem(DRAW_ITEM, ("draw", None))

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
        self.views.output_view.sigHover.connect(self._on_output_hover)
        self.views.output_view.sigClicked.connect(self._on_output_clicked)
        self.views.pooled_view.sigHover.connect(self._on_pooled_hover)
        self.views.input_view.sigHover.connect(self._on_input_hover)
        self.animation.sigFrame.connect(self._on_animation_frame)
        self.animation.sigFinished.connect(self._redraw)
        self.speed.button.clicked.connect(lambda: self.speed.run(self.current_result()))
        self.tabs.currentChanged.connect(self._update_secondary)

    # -- public API -------------------------------------------------------------------------------
    def current_result(self) -> PlaygroundResult:
        """What is displayed now (a pending recomputation is done first)."""
        if self._timer.isActive() or self._result is None:
            self._timer.stop()
            self._refresh()
        return self._result

    def settings(self):
        """The current :class:`cnnviz.playground.ConvSettings`."""
        return self.controls.settings()

    def set_image(self, array: np.ndarray, name: str = "image") -> bool:
        """Use a grey (H, W) array in [0, 1] as the input; False (with a message) if unusable."""
        a = np.asarray(array, dtype=np.float32)
        if a.ndim != 2 or a.size == 0 or not np.all(np.isfinite(a)):
            self._show_image_message(
                f"Cannot use {name}: it must be a 2-D array of finite numbers."
            )
            return False
        self._image = np.clip(a, 0.0, 1.0)
        self._image_name = name
        self.controls.image_message.hide()
        self.controls.image_info.setText(f"{name}: {a.shape[1]}x{a.shape[0]} pixels")
        self._pinned = None
        self._schedule()
        return True

    def load_image(self, path) -> bool:
        """Open an image file as the input; on failure keep the current image and say why."""
        if not self._load_path(path):
            return False
        self._select_custom_source(f"File: {Path(path).name}", ("file", str(path)))
        return True

    def _load_path(self, path) -> bool:
        try:
            from ui.image_io import load_grey_image

            image, note = load_grey_image(path)
        except (ValueError, OSError) as exc:
            self._show_image_message(str(exc))
            return False
        name = Path(path).name
        self.set_image(image, name)
        if note:
            self.controls.image_info.setText(f"{name}: {note}")
            self.sigStatus.emit(f"{name} was {note} to keep the playground live.")
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
        spin = self.controls.kernel_size_spin
        spin.blockSignals(True)
        spin.setValue(k.shape[0])
        spin.blockSignals(False)
        self._update_padding_range()
        self._set_preset_label("Custom")
        self.kernel_grid.set_kernel(k)
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
        if self._pinned is not None:
            self._explain_output(*self._pinned)
        self._update_secondary()

    @Slot()
    def _update_secondary(self, *_args) -> None:
        # Only the visible panel is updated: hidden panels cost nothing while the user drags.
        current = self.tabs.currentWidget()
        result = self._result
        if result is None:
            return
        if current is self.histogram:
            self.histogram.set_values(result.output)
        elif current is self.translation_lab:
            self._update_translation_lab()

    # -- kernel editing -----------------------------------------------------------------------
    @Slot()
    def _on_kernel_edited(self) -> None:
        self.controls.kernel_message.hide()
        if self.sender() is self.kernel_grid and not self._applying_preset:
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
            self._on_preset(0)
            return
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

    # -- hover, click, animation --------------------------------------------------------------
    def _explain_output(self, row: int, col: int) -> None:
        result = self._result
        if result is None or result.output is None:
            return
        ho, wo = result.output.shape
        if not (0 <= row < ho and 0 <= col < wo):
            self._pinned = None
            return
        k = result.kernel.shape[0]
        self.views.show_window(
            receptive_window(row, col, k, result.settings), result.image.shape, (row, col)
        )
        self.inspector.explain(result, row, col)
        self.hover_label.setText(f"feature map ({row}, {col}) = {result.output[row, col]:.4f}")

    @Slot(int, int)
    def _on_output_hover(self, row: int, col: int) -> None:
        if self._pinned is not None or self.animation.active():
            return
        if row < 0:
            self.views.clear_overlays()
            self.hover_label.clear()
            return
        self._explain_output(row, col)

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
        self.views.show_pool_window(window, pool_argmax(result, row, col), (row, col))
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
        partial = result.output.astype(np.float32).ravel()
        partial[filled:] = np.nan
        self.views.show_result(result, output_override=partial.reshape(result.output.shape))
        self._explain_output(*divmod(filled - 1, result.output.shape[1]))

    # -- image sources ------------------------------------------------------------------------
    @Slot(int)
    def _on_source_activated(self, index: int) -> None:
        kind, value = self.controls.image_combo.itemData(index) or (None, None)
        ok = True
        if kind == "photo":
            ok = self._load_path(asset_path(value))
        elif kind == "pattern":
            ok = self.set_image(patterns.pattern(value, PATTERN_SIZE), value)
        elif kind == "file":
            ok = self.load_image(value)
        elif kind == "open":
            ok = self._open_file_dialog()
        elif kind == "draw":
            ok = self._draw_image()
        if ok and kind in ("photo", "pattern", "file"):
            self._source_index = self.controls.image_combo.currentIndex()
            QSettings().setValue("playground/source", self.controls.image_combo.currentText())
        elif not ok or kind in ("open", "draw"):
            self._select_source_index(self._source_index)

    def _select_source_index(self, index: int) -> None:
        self.controls.image_combo.setCurrentIndex(index)
        self._source_index = index

    def _select_custom_source(self, label: str, data) -> None:
        combo = self.controls.image_combo
        index = combo.findData(data)
        if index < 0:
            index = combo.findData(("open", None))
            combo.insertItem(index, label, data)
        self._select_source_index(index)

    def _open_file_dialog(self) -> bool:
        from ui.image_io import IMAGE_FILE_FILTER

        start = str(QSettings().value("playground/lastDir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", start, IMAGE_FILE_FILTER)
        if not path:
            return False
        QSettings().setValue("playground/lastDir", str(Path(path).parent))
        if self.load_image(path):
            QSettings().setValue("playground/source", self.controls.image_combo.currentText())
            return True
        return False

    def _draw_image(self) -> bool:
        from ui.draw_dialog import DrawDialog

        dialog = DrawDialog(self)
        if dialog.exec() != DrawDialog.DialogCode.Accepted:
            return False
        self.set_image(dialog.image(), "Drawing")
        self._select_custom_source("Drawing", ("drawing", None))
        return True

    def _show_image_message(self, message: str) -> None:
        self.controls.image_message.setText(message)
        self.controls.image_message.show()
        self.sigStatus.emit(message)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            self.load_image(files[0])
            event.acceptProposedAction()

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
        index = combo.findText(source)
        if index < 0 or (combo.itemData(index) or ("",))[0] not in ("photo", "pattern"):
            index = combo.findText(DEFAULT_SOURCE)
        combo.setCurrentIndex(index)
        self._on_source_activated(index)
