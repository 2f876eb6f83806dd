"""The tabs under the views: pixel inspector with the sliding window, histogram, translation lab,
speed. Only the visible tab follows each result, so hidden ones cost nothing while the user drags.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QScrollArea, QSplitter, QTabWidget, QWidget

from cnnviz.lab.conv import PlaygroundResult
from ui.playground.panels import SpeedPanel, ValueHistogram
from ui.playground.pixel_inspector import PixelInspector
from ui.playground.slide_animation import SlideAnimation
from ui.playground.translation_lab import TranslationLab

__all__ = ["PanelTabs"]


class PanelTabs(QTabWidget):
    """``playgroundPanels``: its pages are the attributes ``inspector`` and ``animation`` (one
    page, ``inspector_page``), ``histogram``, ``translation_lab`` (in ``translation_page``) and
    ``speed``.

    Signals
    -------
    sigStatus(str)
        A message for the status bar (settings the translation lab cannot use).
    """

    sigStatus = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("playgroundPanels")
        self.inspector = PixelInspector()
        self.animation = SlideAnimation()
        self.histogram = ValueHistogram()
        self.speed = SpeedPanel()
        self.translation_lab = TranslationLab()
        # In a scroll area: the lab needs ~310 px of height, more than a 700 px window can spare.
        self.translation_page = QScrollArea()
        self.translation_page.setWidget(self.translation_lab)
        self.translation_page.setWidgetResizable(True)
        self._result: PlaygroundResult | None = None
        self._levels: tuple[float, float] | None = None
        self.inspector_page = self._build_inspector_page()
        self.addTab(self.inspector_page, "Pixel inspector && sliding window")
        self.addTab(self.histogram, "Histogram")
        self.addTab(self.translation_page, "Translation lab")
        self.addTab(self.speed, "Speed")
        self.currentChanged.connect(self._update_current)

    def _build_inspector_page(self) -> QSplitter:
        # The animation drives the inspector (each step shows its multiply-and-sum): one page.
        page = QSplitter(Qt.Orientation.Horizontal)
        page.setObjectName("inspectorPage")
        page.addWidget(self.inspector)
        # Scrolls rather than squeezing its wrapped notes on top of each other in a short window.
        animation_scroll = QScrollArea()
        animation_scroll.setWidget(self.animation)
        animation_scroll.setWidgetResizable(True)
        animation_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        animation_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scrollbar = animation_scroll.verticalScrollBar().sizeHint().width()
        animation_scroll.setMinimumWidth(self.animation.minimumSizeHint().width() + scrollbar)
        page.addWidget(animation_scroll)
        page.setStretchFactor(0, 3)
        page.setStretchFactor(1, 1)
        page.setChildrenCollapsible(False)
        return page


    def show_result(
        self, result: PlaygroundResult, levels: tuple[float, float] | None = None
    ) -> None:
        """Follow ``result`` in the visible tab; ``levels`` are where the colour scale ends, in
        output values (the histogram marks them)."""
        self._result, self._levels = result, levels
        self._update_current()

    @Slot()
    def _update_current(self, *_args) -> None:
        result = self._result
        if result is None:
            return
        current = self.currentWidget()
        if current is self.histogram:
            self.histogram.set_values(result.output, levels=self._levels)
        elif current is self.translation_page:
            try:
                self.translation_lab.set_inputs(
                    result.image, result.kernel, result.settings, result
                )
            except ValueError as exc:  # the lab reports impossible settings itself; never crash
                self.sigStatus.emit(str(exc))
