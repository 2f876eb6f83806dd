"""The engine's Qt-free colour tables are the theme's maps, and its PNGs open in Qt."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage

from cnnviz.explain import render
from cnnviz.png import write_png
from ui.theme import DIVERGING, HEAT


def test_the_tables_sample_the_theme_colour_maps():
    for table, name in ((render.HEAT, HEAT), (render.DIVERGING, DIVERGING)):
        lut = pg.colormap.get(name).getLookupTable(0.0, 1.0, len(table))
        np.testing.assert_allclose(table, lut[:, :3], atol=1)


def test_qt_reads_the_engines_png_pixel_for_pixel(tmp_path):
    pixels = np.random.default_rng(2).integers(0, 256, (6, 9, 3), dtype=np.uint8)
    path = write_png(tmp_path / "x.png", pixels)
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert (image.width(), image.height()) == (9, 6)
    raw = np.frombuffer(image.constBits(), np.uint8).reshape(6, image.bytesPerLine())
    np.testing.assert_array_equal(raw[:, :27].reshape(6, 9, 3), pixels)
