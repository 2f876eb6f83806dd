"""Choose the training data (``datasetCombo``) and preview it: samples, class counts, the split.

MNIST files are read in a background Python thread (NumPy only, never a widget there) and polled
from a ``QTimer``, so opening a large file leaves the window responsive; image folders are decoded
with Qt on the GUI thread (see :meth:`DatasetPanel.load_folder`). Every loader raises
``ValueError`` with a sentence; that sentence is shown in place and the previous data set stays
selected.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.data import Dataset, from_arrays, load_dataset

BUILTINS = (
    ("Lines: vertical vs horizontal (8x8)", "lines"),
    ("Shapes: 5 classes (28x28)", "shapes"),
    ("Handwritten digits (8x8, real)", "digits"),
)
OPEN_MNIST = "Open MNIST files..."
OPEN_FOLDER = "Open image folder..."
MNIST_FILTER = "MNIST (*.npz *ubyte *ubyte.gz *.gz);;All files (*)"
PREVIEW_COLUMNS = 10
PREVIEW_ROWS = 3


def grey_pixmap(image: np.ndarray, side: int = 56) -> QPixmap:
    """A QPixmap of a [0, 1] grey image whose longer side is about ``side`` pixels.

    Small images are enlarged by a whole factor with visible pixels (an 8x8 digit stays crisp);
    large ones are shrunk smoothly.

    Parameters
    ----------
    image : ndarray, shape (H, W), values in [0, 1]
    side : int
    """
    data = np.ascontiguousarray(np.clip(image, 0, 1) * 255, dtype=np.uint8)
    h, w = data.shape
    pixmap = QPixmap.fromImage(QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy())
    factor = side / max(h, w)
    if factor >= 1:
        k = int(factor)
        return pixmap.scaled(w * k, h * k, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.FastTransformation)
    return pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)


def preview_indices(labels: np.ndarray, n_classes: int, count: int) -> list[int]:
    """Indices of up to ``count`` samples, cycling through the classes so each one appears.

    Parameters
    ----------
    labels : ndarray, shape (N,)
    n_classes : int
    count : int
    """
    per_class = [list(np.flatnonzero(labels == k)) for k in range(n_classes)]
    picked: list[int] = []
    depth = 0
    while len(picked) < count and any(depth < len(p) for p in per_class):
        for members in per_class:
            if depth < len(members) and len(picked) < count:
                picked.append(int(members[depth]))
        depth += 1
    return picked


def _load_folder(path: str, size: int, seed: int) -> Dataset:
    from ui.widgets.image_io import load_image_folder

    folder = load_image_folder(path, size=(size, size))
    dataset = from_arrays(folder.images, folder.labels, folder.class_names, seed=seed,
                          name=Path(path).name)
    dataset.note = folder.note()
    return dataset


class DatasetPanel(QWidget):
    """The preview tab; :attr:`combo` (``datasetCombo``) is placed in the studio's control column.

    Signals
    -------
    sigDatasetChanged(object)
        The new :class:`cnnviz.data.Dataset` after a successful load.
    sigStatus(str)
        A message for the status bar (errors included).
    """

    sigDatasetChanged = Signal(object)
    sigStatus = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._dataset: Dataset | None = None
        self._executor: ThreadPoolExecutor | None = None  # created on the first file read
        self._future: Future | None = None
        self._current_index = 0
        self._sources: dict[str, tuple] = {}
        self._pending_index: int | None = None
        self._pending_call: tuple = (load_dataset, ())
        self.combo = QComboBox()
        self.combo.setObjectName("datasetCombo")
        for label, key in BUILTINS:
            self.combo.addItem(label, key)
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(OPEN_MNIST, "open-mnist")
        self.combo.addItem(OPEN_FOLDER, "open-folder")
        self.combo.setToolTip("Lines is the quickest demo (seconds); digits are real handwriting.")
        # A built-in choice loads whenever the index changes (by the user or by code); the
        # "Open..." entries need a dialog, so only a user's pick (activated) opens them.
        self.combo.currentIndexChanged.connect(self._on_index_changed)
        self.combo.activated.connect(self._on_activated)
        self.folder_size_spin = QSpinBox()
        self.folder_size_spin.setObjectName("folderImageSizeSpin")
        self.folder_size_spin.setRange(4, 128)
        self.folder_size_spin.setValue(28)
        self.folder_size_spin.setSuffix(" px")
        self.folder_size_spin.setToolTip("Images from a folder are resized to this square size.")
        self.status_label = QLabel("")
        self.status_label.setObjectName("datasetStatus")
        self.status_label.setWordWrap(True)
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._check_future)

        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addLayout(self.grid)
        layout.addStretch(1)

    # ----- loading -------------------------------------------------------------------------------
    def dataset(self) -> Dataset | None:
        """The data set currently selected."""
        return self._dataset

    def is_loading(self) -> bool:
        """True while a file is being read in the background."""
        return self._future is not None

    def load_builtin(self, key: str, seed: int = 0) -> bool:
        """Load "lines", "shapes" or "digits" now (they are small); False, with a message, on
        error."""
        index = self.combo.findData(key)
        if index < 0:
            return False
        self._set_combo_index(index)
        return self._finish(self._call(load_dataset, key, seed), index)

    def load_path(self, path: str, seed: int = 0) -> None:
        """Read an MNIST ``.npz``/IDX file or folder in the background."""
        self._start(load_dataset, str(path), seed)

    def load_folder(self, path: str, seed: int = 0) -> bool:
        """Read an image folder (one sub-folder per class) now, on the GUI thread.

        Decoding goes through Qt (QImageReader); doing that in a Python worker thread hung the
        test suite twice in about fifty runs, so unlike the NumPy-only MNIST readers it is not
        moved off the GUI thread. A wait cursor shows while it reads.
        """
        if self._future is not None:
            self.sigStatus.emit("Still reading the previous data set; try again in a moment.")
            return False
        return self._load_now(_load_folder, (str(path), self.folder_size_spin.value(), seed))

    def _load_now(self, fn, args: tuple, index: int | None = None) -> bool:
        self._pending_call = (fn, args)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = self._call(fn, *args)
        finally:
            QApplication.restoreOverrideCursor()
        return self._finish(result, index)

    def shutdown(self) -> None:
        """Let a running background read finish and close the reader thread (a later read
        starts a new one)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    @Slot(int)
    def _on_index_changed(self, index: int) -> None:
        key = self.combo.itemData(index)
        if index == self._current_index or key in ("open-mnist", "open-folder"):
            return
        if key in self._sources:  # a file loaded earlier in this session
            fn, args = self._sources[key]
            if fn is _load_folder:
                self._load_now(fn, args, index)
            else:
                self._start(fn, *args, index=index)
        elif key is not None:  # built-ins are generated or read in well under a second
            self._load_now(load_dataset, (key, 0), index)

    @Slot(int)
    def _on_activated(self, index: int) -> None:
        key = self.combo.itemData(index)
        if key == "open-mnist":
            path, _ = QFileDialog.getOpenFileName(self, "Open MNIST (.npz or IDX images file)",
                                                  "", MNIST_FILTER)
            self._restore_combo()
            if path:
                self.load_path(path)
        elif key == "open-folder":
            path = QFileDialog.getExistingDirectory(
                self, "Open a folder with one sub-folder per class")
            self._restore_combo()
            if path:
                self.load_folder(path)

    def _set_combo_index(self, index: int) -> None:
        """Show ``index`` without triggering another load."""
        blocker = QSignalBlocker(self.combo)
        self.combo.setCurrentIndex(index)
        del blocker

    def _restore_combo(self) -> None:
        self._set_combo_index(self._current_index)

    def _start(self, fn, *args, index: int | None = None) -> None:
        if self._future is not None:
            self.sigStatus.emit("Still reading the previous data set; try again in a moment.")
            self._restore_combo()
            return
        self._pending_index = index
        self._pending_call = (fn, args)
        self.status_label.setText("Loading…")
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnnviz-data")
        self._future = self._executor.submit(fn, *args)
        self._poll.start()

    @Slot()
    def _check_future(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._poll.stop()
        self._future = None
        try:
            result = future.result()
        except ValueError as exc:
            result = exc
        except Exception as exc:  # noqa: BLE001 - a reader bug must not kill the app
            result = ValueError(f"could not read that data: {exc}")
        self._finish(result, self._pending_index)

    @staticmethod
    def _call(fn, *args):
        try:
            return fn(*args)
        except ValueError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - a reader bug must not kill the app
            return ValueError(f"could not read that data: {exc}")

    def _finish(self, result, index: int | None) -> bool:
        if isinstance(result, Exception):
            message = f"Could not load the data: {result}"
            self.status_label.setText(message)
            self.sigStatus.emit(message)
            self._restore_combo()
            return False
        if index is None:  # a file: remember it in the combo so it can be chosen again
            label = f"File: {result.name}"
            key = f"file:{label}"
            self._sources[key] = self._pending_call
            index = self.combo.findData(key)
            if index < 0:
                index = self.combo.count() - 3  # before the separator and the two Open... entries
                blocker = QSignalBlocker(self.combo)
                self.combo.insertItem(index, label, key)
                del blocker
        self._current_index = index
        self._set_combo_index(index)
        self._dataset = result
        self._show(result)
        self.sigDatasetChanged.emit(result)
        return True

    # ----- preview -------------------------------------------------------------------------------
    def _show(self, ds: Dataset) -> None:
        c, h, w = ds.input_shape
        train, test = ds.class_counts("train"), ds.class_counts("test")
        note = getattr(ds, "note", "")
        self.status_label.setText(
            f"{ds.name}: {len(ds.y_train)} train / {len(ds.y_test)} test, {ds.n_classes} classes, "
            f"{h}x{w} px" + (f" ({note})" if note else "")
        )
        rows = "".join(f"<tr><td>{name}</td><td align=right>{a}</td><td align=right>{b}</td></tr>"
                       for name, a, b in zip(ds.class_names, train, test, strict=True))
        self.summary_label.setText(
            f"<b>{ds.name}</b> — {h}x{w} pixels, {c} channel(s). Train/test split "
            f"{len(ds.y_train)} / {len(ds.y_test)} (the test images are never trained on, so test "
            "accuracy measures generalisation).<table cellspacing=6><tr><th align=left>class</th>"
            f"<th>train</th><th>test</th></tr>{rows}</table>"
        )
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        picks = preview_indices(ds.y_train, ds.n_classes, PREVIEW_COLUMNS * PREVIEW_ROWS)
        for n, i in enumerate(picks):
            cell = QLabel()
            cell.setPixmap(grey_pixmap(ds.x_train[i, 0]))
            cell.setToolTip(f"training sample {i}: {ds.class_names[ds.y_train[i]]}")
            caption = QLabel(ds.class_names[ds.y_train[i]])
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            caption.setStyleSheet("font-size: 8pt;")
            box = QVBoxLayout()
            box.setSpacing(0)
            box.addWidget(cell, 0, Qt.AlignmentFlag.AlignHCenter)
            box.addWidget(caption)
            holder = QWidget()
            holder.setLayout(box)
            self.grid.addWidget(holder, n // PREVIEW_COLUMNS, n % PREVIEW_COLUMNS)
