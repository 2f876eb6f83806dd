"""The Qt (PySide6) + pyqtgraph user interface. Imports :mod:`cnnviz`, never the reverse."""

import pyqtgraph as pg

# Row-major once, for the whole app: (rows, cols) arrays display without transposes.
pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
