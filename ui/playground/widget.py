"""The kernel playground: edit a kernel and watch it convolve (and pool) an image, live.

:class:`PlaygroundWidget` composes small parts, each owning its own state and saying what
changed by signals: the :class:`~ui.playground.sources.SourceMenu` (the input image), the
:class:`~ui.playground.kernel_editor.KernelEditor` (the kernel), the
:class:`~ui.playground.controls.ControlsPanel` (the settings), the
:class:`~ui.playground.conv_views.ConvViews` and :class:`~ui.playground.colour_mode.ColourModeCombo`
(what is shown, and how), the :class:`~ui.playground.hover.HoverController` (which pixel is
explained), the :class:`~ui.playground.export_menu.ExportMenu` and the
:class:`~ui.playground.panel_tabs.PanelTabs`. The channel mode, the bank of filters and
layer 2 are bound by the :class:`~ui.playground.bank_editor.BankEditor` and
:class:`~ui.playground.layer2_editor.Layer2Editor`; a :class:`~cnnviz.lab.bank.LayerCache`
recomputes only the maps an edit changed. The widget itself only wires them and runs the
compute -> display flow.

Every edit only *schedules* a recomputation on a 0-ms single-shot timer, so a burst of edits in
one event-loop turn (dragging, spinning the wheel) is computed and drawn once, never queued.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QVBoxLayout, QWidget

from cnnviz.lab import patterns
from cnnviz.lab.bank import LayerCache
from cnnviz.lab.conv import ConvSettings, PlaygroundResult, compute
from ui.playground.bank_editor import BankEditor
from ui.playground.colour_mode import ColourModeCombo
from ui.playground.controls import ControlsPanel
from ui.playground.controls_scroll import ControlsScroll
from ui.playground.conv_views import ConvViews
from ui.playground.export_menu import ExportMenu
from ui.playground.header import ResultHeader
from ui.playground.hover import HoverController
from ui.playground.kernel_editor import KernelEditor
from ui.playground.layer2_editor import Layer2Editor
from ui.playground.output_map import OutputColourMap
from ui.playground.panel_tabs import PanelTabs
from ui.playground.sources import PATTERN_SIZE, SourceMenu
from ui.playground.state import PlaygroundState
from ui.playground.undo import KernelHistory

__all__ = ["PlaygroundWidget"]


class PlaygroundWidget(QWidget):
    """The Playground tab. Works standalone.

    Signals
    -------
    sigStatus(str)
        Status-bar messages from every part.
    sigResultChanged(object)
        A new :class:`~cnnviz.lab.conv.PlaygroundResult` was computed and displayed.
    """

    sigStatus = Signal(str)
    sigResultChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._image = patterns.pattern("Disc", PATTERN_SIZE)  # until the sources choose one
        self._result: PlaygroundResult | None = None
        self._cache = LayerCache()
        self._sized = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._refresh)

        self.controls = ControlsPanel()
        self.kernel_grid = self.controls.kernel_grid
        self.kernel_editor = KernelEditor(self.controls, self)
        self.bank = BankEditor(self.controls, self)
        self.layer2_editor = Layer2Editor(self.controls, self.bank, self)
        self.sources = SourceMenu(
            self.controls.image_combo, self.controls.image_info, self.controls.image_message, self
        )
        self.views = ConvViews()
        self.colour_combo = ColourModeCombo(self.views)
        self.export_menu = ExportMenu(self.views, self.current_result)
        self.output_map = OutputColourMap(self.views)
        self.header = ResultHeader(self.colour_combo, self.export_menu, output_map=self.output_map)
        self.shapes_label = self.header.shapes_label
        self.params_label = self.header.params_label
        self.hover_label = self.header.hover_label
        self.tabs = PanelTabs()
        self.inspector, self.animation = self.tabs.inspector, self.tabs.animation
        self.histogram, self.speed = self.tabs.histogram, self.tabs.speed
        self.translation_lab, self.translation_page = (
            self.tabs.translation_lab, self.tabs.translation_page,
        )
        self.hover = HoverController(
            self.views, self.inspector, self.animation, self.hover_label, self
        )
        self._build_layout()
        self._connect()
        self._restore_settings()
        # Built last: what the last session left is the start of the history, not a step in it.
        self.history = KernelHistory(self.kernel_grid, self.kernel_editor, self)
        self.kernel_editor.set_labeller(self.history.labelled)
        self.undo_stack = self.history.stack
        self._refresh()

    # -- construction -------------------------------------------------------------------------
    def _build_layout(self) -> None:
        scroll = ControlsScroll()
        scroll.setObjectName("playgroundControls")
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.header)
        top_layout.addWidget(self.views, 1)
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
        # What is computed: the image, the kernel and the settings.
        self.sources.sigImageChosen.connect(self._on_image_chosen)
        self.kernel_grid.sigKernelChanged.connect(self._schedule)
        self.controls.sigSettingsChanged.connect(self._schedule)
        self.kernel_editor.sigSizeChanged.connect(self.controls.padding_spin.setMaximum)
        self.kernel_grid.sigSelectionChanged.connect(self._schedule)
        self.bank.sigChanged.connect(self._schedule)
        self.bank.sigChannelsChanged.connect(self.sources.set_channels)
        self.layer2_editor.sigChanged.connect(self._schedule)
        self.layer2_editor.sigPatternWanted.connect(self.sources.choose_pattern)
        # How it is shown and explained.
        views, hover = self.views, self.hover
        views.output_view.sigHover.connect(hover.hover_output)
        views.output_view.sigClicked.connect(hover.click_output)
        views.pooled_view.sigHover.connect(hover.hover_pooled)
        views.input_view.sigHover.connect(hover.hover_input)
        stack = views.stack
        stack.strip.sigHover.connect(hover.hover_output)
        stack.bank.sigHover.connect(hover.hover_bank)
        stack.bank.sigSelect.connect(self.kernel_grid.select)
        stack.layer2.sigHover.connect(hover.hover_layer2)
        views.sigModeChanged.connect(self._update_panels)  # the histogram marks the new scale
        views.sigStackShown.connect(self._give_views_room)
        self.animation.sigFrame.connect(hover.show_frame)
        self.animation.sigFinished.connect(self._redraw)
        self.speed.button.clicked.connect(self._time_convolution)
        # Explanations and messages.
        self.header.sigWhy.connect(self.controls.sigWhy)  # pinned beside the controls
        self.inspector.why_label.sigClicked.connect(self.controls.sigWhy)
        self.controls.sigWhy.connect(self.sigStatus)
        for part in (self.sources, self.kernel_editor, self.hover, self.export_menu, self.tabs,
                     self.bank, self.layer2_editor):
            part.sigStatus.connect(self.sigStatus)

    def _restore_settings(self) -> None:
        self.kernel_editor.restore()
        self.colour_combo.restore()
        self.output_map.restore()
        self.controls.pool_type_combo.setCurrentText("max")
        self.controls.preset_combo.setCurrentText("Sobel x")
        # The defaults are what the controls hold now; then the last session's playground
        # (before the image, so it opens in the remembered channel mode).
        self.state = PlaygroundState(self.controls, self.kernel_editor, self.bank)
        self.state.restore()
        self.sources.restore()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._initial_split)

    def _initial_split(self) -> None:
        # Give the views about 60% of the height once the real size is known.
        total = sum(self._right_splitter.sizes())
        if total > 0:
            views = int(total * 0.62)
            self._right_splitter.setSizes([views, total - views])

    @Slot()
    def _give_views_room(self) -> None:
        # Two rows of maps need more of the height than one: about 70% instead of 62%.
        total = sum(self._right_splitter.sizes())
        if total > 0 and self._sized:
            views = int(total * 0.7)
            self._right_splitter.setSizes([views, total - views])

    # -- public API -------------------------------------------------------------------------------
    def current_result(self) -> PlaygroundResult:
        """What is displayed now (a pending recomputation is done first)."""
        if self._timer.isActive() or self._result is None:
            self._timer.stop()
            self._refresh()
        return self._result

    def settings(self) -> ConvSettings:
        """The current :class:`cnnviz.lab.conv.ConvSettings`."""
        return self.controls.settings()

    def set_image(self, array: np.ndarray, name: str = "image") -> bool:
        """Use an array in [0, 1] as the input, grey (H, W) or colour (3, H, W) (converted to the
        channel mode); False (with a message) if unusable.

        ``imageSourceCombo`` then names it, so the menu never claims another source.
        """
        return self.sources.use_array(array, name)

    def set_channel_mode(self, mode: str) -> None:
        """``"grey"`` or ``"rgb"``, as ``channelModeCombo`` does."""
        self.bank.set_channels(mode)

    def load_image(self, path, wait: bool = True) -> bool:
        """Open an image file as the input; on failure keep the current image and say why.

        The file is decoded off the GUI thread, within a time limit. By default this waits for
        the outcome (True: the image is in use); with ``wait=False`` it returns at once and the
        image appears when decoded (drag and drop, ``--image``).
        """
        return self.sources.load_file(path, wait=wait)

    def save_state(self) -> None:
        """Remember the kernel and every setting for the next launch (see ``state.py``)."""
        self.state.save()

    def reset_to_defaults(self) -> None:
        """Forget the remembered playground and show the first-launch one; the kernel part is
        one undo step."""
        with self.history.labelled("Reset Playground to defaults"):
            self.state.reset()
        self.sigStatus.emit("The playground is back to its defaults."
                            + (" Ctrl+Z brings the kernel back." if self.undo_stack.canUndo()
                               else ""))

    def shutdown(self) -> None:
        """Abandon an image decode in progress and wait for its thread (closing the app)."""
        self.sources.shutdown()

    def set_kernel(self, kernel: np.ndarray) -> bool:
        """Load a square kernel (k = 1..9), resizing ``kernelSizeSpin``, into the selected
        filter; False (says why) if not. A colour kernel (3, k, k) switches to RGB first."""
        kernel = np.asarray(kernel)
        if kernel.ndim == 3 and kernel.shape[0] == 3 and self.kernel_grid.channels() != 3:
            self.set_channel_mode("rgb")
        return self.kernel_editor.load(kernel)

    def export_map(self, which: str, path: str | None = None) -> str | None:
        """Save the ``"output"`` or ``"pooled"`` map (see :meth:`ExportMenu.export_map`)."""
        return self.export_menu.export_map(which, path)

    # -- compute -> display -----------------------------------------------------------------------
    @Slot(object, str)
    def _on_image_chosen(self, image: np.ndarray, _name: str) -> None:
        self._image = image
        self.hover.forget()
        self._schedule()

    @Slot()
    def _schedule(self) -> None:
        # Starting an already active 0-ms timer restarts it; either way one compute per loop turn.
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _refresh(self) -> None:
        grid = self.kernel_grid
        self._result = compute(
            self._image, grid.kernels(), self.controls.settings(), self.bank.biases(),
            grid.selected(), self.layer2_editor.layer2(), self._cache,
        )
        self._redraw()
        self.sigResultChanged.emit(self._result)

    @Slot()
    def _redraw(self) -> None:
        result = self._result
        self.views.show_result(result)
        self.header.show_result(result)
        self.animation.set_total(0 if result.output is None else result.output.size)
        self.hover.set_result(result)
        self.layer2_editor.show_result(result)
        self._update_panels()

    @Slot()
    def _update_panels(self, *_args) -> None:
        if self._result is not None:
            self.tabs.show_result(self._result, self.views.value_levels())

    @Slot()
    def _time_convolution(self) -> None:
        self.speed.run(self.current_result())

    # -- drag and drop ----------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            self.load_image(files[0], wait=False)  # the drop returns at once; decoding follows
            event.acceptProposedAction()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.shutdown()
        super().closeEvent(event)
