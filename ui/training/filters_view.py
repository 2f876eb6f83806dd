"""Every first-layer filter as a small image on one shared diverging scale, with a timeline.

Filters over a colour input (3 channels) are drawn as small RGB images: each weight's sign and
size become how much of that colour the pixel has (grey = 0), on one symmetric scale for all
filters, so a filter that looks for red looks red. ``filterChannelsCheck`` shows the R, G and B
slices one by one on the diverging scale instead.

Why (idea 15): the first layer starts as random noise; watching the same filters turn into edge and
stroke detectors while the loss falls shows that the network *learns* its features rather than
being given them. A shared, zero-centred scale keeps positive and negative weights comparable
across filters.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from cnnviz.filter_grid import grid_for
from ui.theme import DIVERGING, SELECTION, colormap
from ui.training.filter_hover import FilterHover
from ui.training.filter_images import filter_images, montage_of, rgb_filter_images
from ui.training.first_vs_now import FirstVsNowView
from ui.widgets.image_views import image_view, symmetric_levels
from ui.widgets.why import WhyLabel

REPLAY_MS = 50
MAX_FRAMES = 240  # timeline length; older frames are thinned (every other dropped) past this
WHY = (
    "Why: these are the first layer's weights. They start as noise and become edge and stroke "
    "detectors as training lowers the loss: the network learns its features. Blue = negative, "
    "red = positive, on one shared scale. On colour data each filter is drawn in colour: grey "
    "is zero, and a filter that looks for red turns red."
)


class FiltersView(QWidget):
    """``filtersView``: a grid of filters, a weights/gradients toggle and a timeline slider.

    Signals
    -------
    sigOpenInPlayground(object)
        A copy of the chosen filter, ndarray shape (kh, kw), float64.
    sigFramesChanged(int)
        The number of timeline frames changed (none after :meth:`clear`).
    """

    sigOpenInPlayground = Signal(object)
    sigFramesChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("filtersView")
        self._frames: list[tuple[int, np.ndarray, np.ndarray | None]] = []
        self._live = True  # slider at its right end follows new frames
        self._replay_stride = 1
        self._selected = 0
        self._dirty = False

        # One image of all filters tiled (not one view per filter): a single item paints fast,
        # which keeps the GUI thread free while training redraws it 10 times a second.
        self.graphics, self.image_item = image_view()
        self.graphics.setMinimumSize(160, 120)
        self.image_item.setColorMap(colormap(DIVERGING))
        self.selection = QGraphicsRectItem()
        self.selection.setPen(pg.mkPen(SELECTION, width=2, cosmetic=True))
        self.graphics.addItem(self.selection)
        self.graphics.scene().sigMouseClicked.connect(self._on_scene_click)
        # The grid is chosen for the view's size: a resize may call for other columns.
        self.graphics.getViewBox().sigResized.connect(self._on_resized)
        self._grid = (0, 1, 1, 1)  # count, columns, kh, kw of the montage shown
        self._view_size = (0, 0)
        self.hover = FilterHover(self)
        self.gradients_check = QCheckBox("Show gradients")
        self.gradients_check.setObjectName("filterGradientsCheck")
        self.gradients_check.setToolTip(
            "Show d loss / d weight instead of the weights: where the last batch pushed each "
            "filter."
        )
        self.gradients_check.toggled.connect(self._mark_dirty)
        self.channels_check = QCheckBox("R, G, B slices")
        self.channels_check.setObjectName("filterChannelsCheck")
        self.channels_check.setToolTip(
            "Colour filters: show each filter's red, green and blue slices one by one (blue < 0 < "
            "red) instead of one colour picture per filter.")
        self.channels_check.toggled.connect(self._mark_dirty)
        self.channels_check.hide()
        self.first_vs_now_check = QCheckBox("First step vs now")
        self.first_vs_now_check.setObjectName("firstVsNowCheck")
        self.first_vs_now_check.setToolTip(
            "Show the filters after the first step beside the current ones, on one colour "
            "scale: how far training moved them.")
        self.first_vs_now_check.toggled.connect(self._on_first_vs_now)
        self.first_vs_now = FirstVsNowView()
        self.first_vs_now.hide()
        self._first: tuple[int, np.ndarray, np.ndarray | None] | None = None
        self.open_button = QPushButton("Open in playground")
        self.open_button.setObjectName("openInPlaygroundButton")
        self.open_button.setToolTip(
            "Load the selected learned filter into the playground's kernel grid and apply it to a "
            "photo (right-click a filter does the same)."
        )
        self.open_button.clicked.connect(self._open_selected)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("filterTimelineSlider")
        self.slider.setToolTip("Scrub back through how the filters formed; the right end is live.")
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._on_slider)
        self.frame_label = QLabel("no filters yet")
        self.scale_label = QLabel("")
        why = WhyLabel(WHY, expanded=True)

        top = QHBoxLayout()
        top.addWidget(self.gradients_check)
        top.addWidget(self.channels_check)
        top.addWidget(self.first_vs_now_check)
        top.addWidget(self.scale_label, 1)
        top.addWidget(self.open_button)
        self.replay_button = QPushButton("Replay")
        self.replay_button.setObjectName("replayFiltersButton")
        self.replay_button.setToolTip("Play back how the filters formed, from the first frame.")
        self.replay_button.clicked.connect(self.replay)
        self._replay_timer = QTimer(self)
        self._replay_timer.setInterval(REPLAY_MS)
        self._replay_timer.timeout.connect(self._replay_step)
        timeline = QHBoxLayout()
        timeline.addWidget(self.replay_button)
        timeline.addWidget(self.slider, 1)
        timeline.addWidget(self.frame_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.first_vs_now, 1)
        layout.addLayout(timeline)
        layout.addWidget(why)

    # ----- data in -------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget the timeline (a new run starts)."""
        self._replay_timer.stop()
        self._frames.clear()
        self._first = None
        self._live = True
        self.slider.blockSignals(True)
        self.slider.setRange(0, 0)
        self.slider.blockSignals(False)
        self._dirty = True
        self.sigFramesChanged.emit(0)

    def add_frame(self, step: int, filters: np.ndarray, grads: np.ndarray | None = None) -> None:
        """Record the filters at a step (copies are taken); drawn at the next :meth:`refresh`."""
        if filters is None:
            return
        count = len(self._frames)
        frame = (int(step), np.array(filters, dtype=np.float64),
                 None if grads is None else np.array(grads, dtype=np.float64))
        if self._frames and self._frames[-1][0] == frame[0]:
            self._frames[-1] = frame
        else:
            self._frames.append(frame)
        # Kept apart from the timeline, whose thinning may drop its first frame.
        if self._first is None or self._first[0] == frame[0]:
            self._first = frame
        if len(self._frames) > MAX_FRAMES:
            self._frames = self._frames[::2] if len(self._frames) % 2 else self._frames[1::2]
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self._frames) - 1)
        if self._live:
            self.slider.setValue(len(self._frames) - 1)
        self.slider.blockSignals(False)
        self._dirty = True
        if len(self._frames) != count:
            self.sigFramesChanged.emit(len(self._frames))

    def frame_count(self) -> int:
        """Number of timeline frames recorded."""
        return len(self._frames)

    def current_frame(self) -> tuple[int, np.ndarray, np.ndarray | None] | None:
        """(step, filters, grads) of the frame the slider shows, or None before any frame."""
        if not self._frames:
            return None
        return self._frames[min(self.slider.value(), len(self._frames) - 1)]

    def shown_array(self) -> np.ndarray | None:
        """The (F, C, kh, kw) array shown: weights or gradients, per the toggle."""
        frame = self.current_frame()
        if frame is None:
            return None
        _, weights, grads = frame
        return grads if (self.gradients_check.isChecked() and grads is not None) else weights

    def in_colour(self) -> bool:
        """True when each filter is drawn as one RGB picture (3 input channels, no slices)."""
        source = self.shown_array()
        return source is not None and source.shape[1] == 3 and not self.channels_check.isChecked()

    def displayed_images(self) -> list[np.ndarray]:
        """The images currently shown: one (kh, kw, 3) RGB picture per colour filter, else one
        2-D array per (filter, channel)."""
        source = self.shown_array()
        if source is None:
            return []
        if self.in_colour():
            bound = symmetric_levels(source)[1]
            return list(np.moveaxis(rgb_filter_images(source, bound), 1, -1))
        return filter_images(source)

    @Slot()
    def replay(self) -> None:
        """Scrub the timeline from the first frame to the newest, about 3 seconds in all."""
        if len(self._frames) < 2:
            return
        self._replay_stride = max(1, len(self._frames) // (3000 // REPLAY_MS))
        self.slider.setValue(0)
        self._replay_timer.start()

    @Slot()
    def _replay_step(self) -> None:
        value = min(self.slider.value() + self._replay_stride, self.slider.maximum())
        self.slider.setValue(value)
        if value >= self.slider.maximum():
            self._replay_timer.stop()

    # ----- drawing -------------------------------------------------------------------------------
    @Slot()
    def _mark_dirty(self, *_args) -> None:
        self._dirty = True
        self.refresh()

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        self._live = value >= self.slider.maximum()
        self._dirty = True
        self.refresh()

    def refresh(self) -> None:
        """Redraw if anything changed (called by the GUI's redraw timer)."""
        if not self._dirty:
            return
        self._dirty = False
        images = self.displayed_images()
        source = self.shown_array()
        self.channels_check.setVisible(source is not None and source.shape[1] == 3)
        self._refresh_comparison()
        if not images:
            self.image_item.clear()
            self.selection.setVisible(False)
            self._grid = (0, 1, 1, 1)
            self.frame_label.setText("no filters yet")
            self.scale_label.setText("")  # a scale of no filters would be the last run's
            self.scale_label.setToolTip("")
            return
        bound = symmetric_levels(source)[1]
        count, (kh, kw) = len(images), images[0].shape[:2]
        cols = self._columns(count, kh, kw)
        montage = montage_of(images, cols)
        size = self._area()
        if self._grid != (count, cols, kh, kw) or self._view_size != size:
            self._grid = (count, cols, kh, kw)
            self._view_size = size
            self.graphics.setRange(xRange=(-0.6, montage.shape[1] + 0.6),
                                   yRange=(-0.6, montage.shape[0] + 0.6), padding=0.0)
        if montage.ndim == 3:
            self.image_item.setLookupTable(None)
            self.image_item.setImage(montage, levels=(0.0, 1.0), autoLevels=False)
        else:
            self.image_item.setColorMap(colormap(DIVERGING))
            self.image_item.setImage(montage, levels=(-bound, bound), autoLevels=False)
        self._selected = min(self._selected, count - 1)
        r, c = divmod(self._selected, cols)
        self.selection.setRect(QRectF(c * (kw + 1) - 0.5, r * (kh + 1) - 0.5, kw + 1, kh + 1))
        self.selection.setVisible(True)
        step = self.current_frame()[0]
        what = "gradients" if self.gradients_check.isChecked() else "weights"
        self.frame_label.setText(f"step {step}" + (" (live)" if self._live else ""))
        self.scale_label.setText(f"{what}: ±{bound:.3g}")
        self.scale_label.setToolTip(f"All filters share one colour scale, -{bound:.3g} (blue) to "
                                    f"+{bound:.3g} (red), so they can be compared.")

    def first_frame(self) -> tuple[int, np.ndarray, np.ndarray | None] | None:
        """(step, filters, grads) of the run's first frame (after its first step), or None."""
        return self._first

    @Slot(bool)
    def _on_first_vs_now(self, on: bool) -> None:
        self.graphics.setVisible(not on)
        self.first_vs_now.setVisible(on)
        self._mark_dirty()

    def _refresh_comparison(self) -> None:
        if self.first_vs_now_check.isChecked():
            self.first_vs_now.show_frames(self._first, self.current_frame(),
                                          sliced=self.channels_check.isChecked())

    def _area(self) -> tuple[int, int]:
        """The view box's size in screen pixels (what the montage is fitted into)."""
        rect = self.graphics.getViewBox().boundingRect()
        return int(rect.width()), int(rect.height())

    def _columns(self, count: int, kh: int, kw: int) -> int:
        """The columns that make the thumbnails largest in the view (see cnnviz.filter_grid)."""
        width, height = self._area()
        if width < 10 or height < 10:  # not laid out yet
            return int(np.ceil(np.sqrt(count * 1.5)))
        return grid_for(count, width, height, kh, kw, gap=1).columns

    def grid(self) -> tuple[int, int, int, int]:
        """(count, columns, kh, kw) of the montage shown."""
        return self._grid

    def thumbnail_size(self) -> float:
        """One thumbnail's width on screen, in pixels (0 before any filters)."""
        vb, kw = self.graphics.getViewBox(), self._grid[3] if self._grid[0] else 0
        return float(vb.mapViewToDevice(pg.Point(kw, 0)).x() - vb.mapViewToDevice(pg.Point()).x())

    @Slot()
    def _on_resized(self, *_args) -> None:
        self._dirty = True
        self.refresh()

    # ----- selection and the playground bridge ---------------------------------------------------
    def index_at(self, scene_pos) -> int | None:
        """The filter image under a scene position, or None."""
        count, cols, kh, kw = self._grid
        if count == 0:
            return None
        pos = self.graphics.getPlotItem().vb.mapSceneToView(scene_pos)
        c, r = int(np.floor(pos.x() / (kw + 1))), int(np.floor(pos.y() / (kh + 1)))
        index = r * cols + c
        return index if 0 <= c < cols and r >= 0 and index < count else None

    def hover_filter(self, index: int) -> str:
        """Frame filter image ``index`` and show its values in a tooltip (what hovering it
        does); returns the tooltip's text."""
        return self.hover.show(index)

    def hover_text(self) -> str:
        """The values last shown for a hovered filter ("" if none)."""
        return self.hover.text()

    def filter_values_text(self, index: int) -> str:
        """Filter image ``index`` 's values as shown (3 significant digits), as rich text."""
        return self.hover.values_text(index)

    @Slot(object)
    def _on_scene_click(self, event) -> None:
        index = self.index_at(event.scenePos())
        if index is None:
            return
        self.select(index)
        if event.button() == Qt.MouseButton.RightButton:
            menu = QMenu(self)
            action = menu.addAction("Open in playground")
            if menu.exec(event.screenPos().toPoint()) is action:
                self.open_in_playground(index)

    def select(self, index: int) -> None:
        """Make filter ``index`` the one the "Open in playground" button sends."""
        self._selected = int(index)
        self._dirty = True
        self.refresh()

    def selected_index(self) -> int:
        """Index of the selected filter image."""
        return self._selected

    @Slot()
    def _open_selected(self) -> None:
        self.open_in_playground(self._selected)

    def open_in_playground(self, index: int) -> None:
        """Emit ``sigOpenInPlayground`` with a copy of filter image ``index`` (its weights): a
        (3, kh, kw) kernel for a colour filter drawn in colour, else a (kh, kw) slice."""
        frame = self.current_frame()
        if frame is None:
            return
        if self.in_colour():
            if 0 <= index < len(frame[1]):
                self.sigOpenInPlayground.emit(np.array(frame[1][index], dtype=np.float64))
            return
        images = filter_images(frame[1])
        if 0 <= index < len(images):
            self.sigOpenInPlayground.emit(images[index].copy())
