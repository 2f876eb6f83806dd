"""Zoom and pan shared by the input, feature-map and pooled views, at one scale.

Each map is drawn in *input* pixel coordinates (:mod:`ui.playground.map_geometry`: a stride-2
map's pixel is 2 input pixels wide), so the same input place has the same coordinates in every
view. pyqtgraph's ``setXLink``/``setYLink`` would then give every view the same range, and a
255x255 pooled map would look as big as the 510x510 feature map, or bigger, in a wider view. Here
the views share a centre (in input coordinates) and the on-screen size of *one pixel of their own
map*: a map with half as many pixels looks half as big, as pooling does to it. The link keeps
that state itself, so resizing one view (a splitter drag) re-places only that view.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Signal

__all__ = ["ViewLink"]

FIT_MARGIN = 1.04  # the whole image plus 2% on each side


class ViewLink(QObject):
    """Links pyqtgraph ViewBoxes whose pixels are ``pixel_sizes`` input pixels wide.

    Parameters
    ----------
    boxes : sequence of pyqtgraph.ViewBox
        The views, each showing its map in input coordinates.

    Signals
    -------
    sigUserMoved()
        The user zoomed or panned one of the views (the others have followed).
    """

    sigUserMoved = Signal()

    def __init__(self, boxes, parent: QObject | None = None):
        super().__init__(parent)
        self._boxes = list(boxes)
        self._sizes = [1.0] * len(self._boxes)
        self._centre = QPointF(0.0, 0.0)
        self._pixel = 1.0  # screen pixels per map pixel, the same in every view
        for index, box in enumerate(self._boxes):
            box.sigRangeChangedManually.connect(lambda _mask, i=index: self._follow(i))
            box.sigResized.connect(lambda _box, i=index: self._place(i))

    # -- state ------------------------------------------------------------------------------------
    def pixel_size(self) -> float:
        """Screen pixels one pixel of any view's map takes."""
        return self._pixel

    def centre(self) -> QPointF:
        """The input coordinates at the centre of every view."""
        return QPointF(self._centre)

    def scale(self, index: int) -> float:
        """Screen pixels per input pixel in view ``index``."""
        return self._pixel / self._sizes[index]

    def set_pixel_sizes(self, sizes) -> None:
        """How many input pixels wide one pixel of each view's map is (1 for the input, the
        stride for the feature map, stride x pool stride for the pooled map)."""
        sizes = [float(s) for s in sizes]
        if sizes != self._sizes:
            self._sizes = sizes
            self.place_all()

    # -- placing ----------------------------------------------------------------------------------
    def fit(self, extent: QRectF, visible=None) -> None:
        """The largest common scale at which ``extent`` (input coordinates: the image and its
        padding) fits every visible view, centred on it."""
        visible = [True] * len(self._boxes) if visible is None else list(visible)
        scales = []
        for box, size, shown in zip(self._boxes, self._sizes, visible, strict=True):
            if shown and box.width() > 0 and box.height() > 0:
                fit = min(box.width() / extent.width(), box.height() / extent.height())
                scales.append(fit * size / FIT_MARGIN)
        if scales:
            self._pixel = min(scales)
        self._centre = extent.center()
        self.place_all()

    def place_all(self) -> None:
        """Show the shared centre at the shared scale in every view."""
        for index in range(len(self._boxes)):
            self._place(index)

    def _place(self, index: int) -> None:
        box = self._boxes[index]
        if box.width() <= 0 or box.height() <= 0:
            return
        k = self.scale(index)
        w, h = box.width() / k, box.height() / k
        box.setRange(QRectF(self._centre.x() - w / 2, self._centre.y() - h / 2, w, h),
                     padding=0)

    def _follow(self, leader: int) -> None:
        # The user moved one view: its centre and scale become everyone's.
        box = self._boxes[leader]
        rect = box.viewRect()
        if rect.width() <= 0 or box.width() <= 0:
            return
        self._centre = rect.center()
        self._pixel = box.width() / rect.width() * self._sizes[leader]
        for index in range(len(self._boxes)):
            if index != leader:
                self._place(index)
        self.sigUserMoved.emit()
