"""The pictures the method views share: an image with an optional heat layer, and a grid of tiles
with a caption on each.

Images are (C, H, W) in [0, 1] with 1 or 3 channels; grey ones use the theme's grey map, colour
ones show as RGB. Heat (attributions, Grad-CAM) uses the theme's heat map over the image; signed
maps (perturbations, integrated gradients) the diverging map centred on zero.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ui.theme import HEAT, HIGHLIGHT, LEGEND_BACKING, SMALL_TEXT, TILE_GAP, colormap
from ui.widgets.image_views import image_view, show_grey, show_image, show_signed, symmetric_levels
from ui.widgets.tiling import tile

__all__ = ["ImagePanel", "TileGrid", "show_image", "tile_images"]


def tile_images(images: np.ndarray, columns: int) -> np.ndarray:
    """Tile (N, C, H, W) images: (rows, cols) for grey with NaN gaps, (rows, cols, 4) RGBA for
    colour with transparent gaps."""
    images = np.asarray(images, dtype=np.float64)
    if images.shape[1] == 3:
        rgb = np.stack([tile(images[:, c], columns) for c in range(3)], axis=-1)
        alpha = np.isfinite(rgb).all(axis=-1, keepdims=True).astype(np.float64)
        return np.concatenate([np.nan_to_num(rgb), alpha], axis=-1)
    return tile(images[:, 0] if images.ndim == 4 else images, columns)


class ImagePanel:
    """One image view (:attr:`plot`) with an image and, above it, a heat or signed layer."""

    def __init__(self, title: str, min_size: int = 90):
        self.plot, self.base = image_view(None, min_size)
        self.layer = pg.ImageItem()
        self.plot.addItem(self.layer)
        self.set_title(title)

    def set_title(self, text: str) -> None:
        self.plot.setTitle(text, size=SMALL_TEXT)

    def image(self, x: np.ndarray) -> None:
        """Only the image, shape (C, H, W)."""
        show_image(self.base, x)
        self.base.setVisible(True)
        self.layer.setVisible(False)

    def heat(self, x: np.ndarray | None, heat: np.ndarray, opacity: float = 0.6) -> None:
        """``heat`` (H, W), from 0 to its maximum, over the image ``x`` (or alone if None)."""
        self.base.setVisible(x is not None)
        if x is not None:
            show_image(self.base, x)
        heat = np.asarray(heat, dtype=np.float64)
        lut = colormap(HEAT).getLookupTable(0.0, 1.0, 256, alpha=True)
        if x is not None:  # no evidence is see-through: the image stays readable under it
            lut[:, 3] = np.linspace(0, 255 * opacity, 256).astype(lut.dtype)
        self.layer.setLookupTable(lut)
        self.layer.setImage(heat, levels=(0.0, max(float(np.nanmax(heat)), 1e-12)),
                            autoLevels=False)
        self.layer.setOpacity(1.0)
        self.layer.setVisible(True)

    def signed(self, values: np.ndarray, levels: tuple | None = None) -> None:
        """A signed map (H, W) on the diverging scale (``levels`` default: symmetric)."""
        self.base.setVisible(False)
        self.layer.setLookupTable(None)
        show_signed(self.layer, values)
        if levels is not None:
            self.layer.setLevels(levels)
        self.layer.setOpacity(1.0)
        self.layer.setVisible(True)


class TileGrid:
    """Many equally sized tiles in one image (fast to paint), each with a caption.

    :attr:`plot` is the widget. ``mode`` "image" draws (N, C, H, W) images as they are, "signed"
    draws (N, H, W) maps on the diverging scale shared by all tiles, "heat" draws (N, H, W)
    maps on the heat scale, each tile scaled to its own maximum.
    """

    def __init__(self, title: str | None = None, min_size: int = 160):
        self.plot, self.item = image_view(title, min_size)
        self.plot.setBackground(TILE_GAP)  # gaps and padding (NaN) show through
        self._labels: list[pg.TextItem] = []
        self.shown: np.ndarray | None = None

    def set_tiles(self, tiles: np.ndarray, captions: list[str] | None = None,
                  columns: int | None = None, mode: str = "image") -> None:
        """Show ``tiles`` (see the class) with ``captions``; ``columns`` default: whatever makes
        the tiles largest in the widget's current shape."""
        tiles = np.asarray(tiles, dtype=np.float64)
        n = len(tiles)
        columns = max(1, min(columns or self._best_columns(n, tiles.shape[-2:]), n))
        if mode == "signed":
            picture = tile(tiles, columns)
            show_signed(self.item, picture)
            self.item.setLevels(symmetric_levels(tiles))
        elif mode == "heat":
            tops = np.nanmax(tiles.reshape(n, -1), axis=1)
            picture = tile(tiles / np.where(tops > 0, tops, 1.0)[:, None, None], columns)
            self.item.setColorMap(colormap(HEAT))
            self.item.setImage(picture, levels=(0.0, 1.0), autoLevels=False)
        else:
            picture = tile_images(tiles, columns)
            if picture.ndim == 3:
                self.item.setLookupTable(None)  # RGBA pixels need no colour map
                self.item.setImage(picture, levels=(0.0, 1.0), autoLevels=False)
            else:
                show_grey(self.item, picture)
        self.shown = picture
        self._caption(captions or [], tiles.shape[-2:], columns)
        self.plot.autoRange(padding=0.01)

    def _best_columns(self, n: int, size) -> int:
        width, height = max(self.plot.width(), 1), max(self.plot.height() - 30, 1)
        h, w = size

        def scale(c: int) -> float:
            return min(width / (c * (w + 1)), height / (-(-n // c) * (h + 1)))

        return max(range(1, n + 1), key=scale)

    def clear(self) -> None:
        self.item.clear()
        self.shown = None
        self._caption([], (1, 1), 1)

    def _caption(self, captions: list[str], size, columns: int) -> None:
        for label in self._labels:
            self.plot.removeItem(label)
        self._labels = []
        h, w = size
        for i, text in enumerate(captions):
            r, c = divmod(i, columns)
            label = pg.TextItem(text, color=HIGHLIGHT, anchor=(0, 0), fill=LEGEND_BACKING)
            label.setPos(c * (w + 1), r * (h + 1))
            self.plot.addItem(label)
            self._labels.append(label)
