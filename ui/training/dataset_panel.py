"""Choose the training data (``datasetCombo``) and preview it: samples, class counts, the split.

MNIST files and image folders are read off the GUI thread by a
:class:`~ui.widgets.tasks.TaskRunner` (slot ``"dataset"``), so opening a large file leaves the
window responsive; a newer choice supersedes a load still running. The small built-in sets load at
once. Every loader raises ``ValueError`` with a sentence; that sentence is shown in place and the
previous data set stays selected.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.data import Dataset, from_arrays, load_dataset
from ui.theme import SMALL_TEXT_STYLE
from ui.widgets.tasks import TaskRunner
from ui.widgets.text import literal_markup, plain_label

BUILTINS = (
    ("Lines: vertical vs horizontal (8x8)", "lines"),
    ("Shapes: 5 classes (28x28)", "shapes"),
    ("Handwritten digits (8x8, real)", "digits"),
    ("Coloured shapes: colour decides (20x20 RGB)", "colour-shapes"),
    ("MNIST digits (28x28, real, 5,000)", "mnist"),
)
OPEN_MNIST = "Open MNIST files..."
OPEN_FOLDER = "Open image folder..."
MNIST_FILTER = "MNIST (*.npz *ubyte *ubyte.gz *.gz);;All files (*)"
PREVIEW_COLUMNS = 10
PREVIEW_ROWS = 3


def grey_pixmap(image: np.ndarray, side: int = 56) -> QPixmap:
    """A QPixmap of a [0, 1] image whose longer side is about ``side`` pixels.

    Small images are enlarged by a whole factor with visible pixels (an 8x8 digit stays crisp);
    large ones are shrunk smoothly.

    Parameters
    ----------
    image : ndarray, shape (H, W) grey, or (1, H, W) or (3, H, W) (colour), values in [0, 1]
    side : int
    """
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 3:  # colour planes -> packed RGB rows
        data = np.ascontiguousarray(np.moveaxis(np.clip(a, 0, 1) * 255, 0, -1), dtype=np.uint8)
        h, w = data.shape[:2]
        qimage = QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    else:
        data = np.ascontiguousarray(np.clip(a, 0, 1) * 255, dtype=np.uint8)
        h, w = data.shape
        qimage = QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8)
    pixmap = QPixmap.fromImage(qimage.copy())
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


def read_builtin(_task, key: str, seed: int) -> tuple[Dataset, str]:
    """The built-in set ``key`` ("lines", "shapes", "digits", "mnist") and an empty note."""
    return load_dataset(key, seed), ""


def _cancel_event(task):
    return None if task is None else task.cancel_event


def read_data_file(task, path: str, seed: int) -> tuple[Dataset, str]:
    """An MNIST ``.npz`` or IDX file (a background task; NumPy only) and an empty note.

    The read polls the task's cancel flag, so closing the app or choosing other data stops it
    within one chunk (milliseconds) instead of after the whole file.
    """
    return load_dataset(path, seed, cancel=_cancel_event(task)), ""


def read_image_folder(task, path: str, size: int, seed: int,
                      colour: bool = False) -> tuple[Dataset, str]:
    """A folder with one sub-folder of images per class, grey or (``colour``) with 3 channels (a
    background task: Qt's image readers are safe off the GUI thread; pixmaps are not, and none is
    made here), and a note saying what was loaded and skipped."""
    from ui.widgets.image_io import load_image_folder

    cancel = _cancel_event(task)
    folder = load_image_folder(path, size=(size, size), cancel=cancel, colour=colour)
    dataset = from_arrays(folder.images, folder.labels, folder.class_names, seed=seed,
                          name=Path(path).name, cancel=cancel)
    return dataset, folder.note() + ("; in colour (3 channels)" if colour else "")


def given_dataset(_task, dataset: Dataset, note: str = "") -> tuple[Dataset, str]:
    """A data set that was made elsewhere, handed back as if read (for choosing it again)."""
    return dataset, note


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
        self._current_index = 0
        self._sources: dict[str, tuple] = {}  # combo key of a file -> (reader, args) to read it
        self._pending_index: int | None = None
        self._pending_call: tuple = (read_builtin, ())
        self._folder: tuple[str, int] | None = None  # the last image folder chosen
        self.tasks = TaskRunner(self)
        self.tasks.sigResult.connect(self._on_read)
        self.tasks.sigError.connect(self._on_read_error)
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
        self.colour_check = QCheckBox("Folders in colour (3 channels)")
        self.colour_check.setObjectName("colourCheck")
        self.colour_check.setToolTip(
            "Image folders: keep the red, green and blue channels, so the first layer gets a "
            "3 x k x k slice per filter and can learn colour. Off: images are turned grey.")
        self.colour_check.toggled.connect(self._on_colour_toggled)
        self.status_label = plain_label()  # file and folder names come from the user
        self.status_label.setObjectName("datasetStatus")
        self.status_label.setWordWrap(True)

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
        """True while a file or folder is being read in the background."""
        return self.tasks.is_busy("dataset")

    def load_builtin(self, key: str, seed: int = 0) -> bool:
        """Load a built-in set ("lines", "shapes", "digits", "mnist", "colour-shapes") now; False,
        with a message, on error. A file still loading is abandoned."""
        index = self.combo.findData(key)
        if index < 0:
            return False
        self._set_combo_index(index)
        return self._load_now(read_builtin, (key, seed), index)

    def load_path(self, path: str, seed: int = 0) -> None:
        """Read an MNIST ``.npz``/IDX file in the background."""
        self._start(read_data_file, (str(path), seed))

    def load_folder(self, path: str, seed: int = 0) -> None:
        """Read an image folder (one sub-folder per class) in the background, in colour when
        ``colourCheck`` is on."""
        self._folder = (str(path), seed)
        self._start(read_image_folder, (str(path), self.folder_size_spin.value(), seed,
                                        self.colour_check.isChecked()))

    @Slot(bool)
    def _on_colour_toggled(self, _colour: bool) -> None:
        # The folder in use is read again, in the new mode (a built-in set keeps its channels).
        fn = self._pending_call[0]
        if fn is read_image_folder and self._folder is not None:
            self.load_folder(*self._folder)

    def _load_now(self, fn, args: tuple, index: int) -> bool:
        self.tasks.cancel("dataset")  # a slower, older choice must not land after this one
        self._pending_call = (fn, args)
        return self._finish(self._call(fn, *args), index)

    def show_dataset(self, dataset: Dataset, label: str | None = None, note: str = "") -> None:
        """Use a data set made elsewhere (an experiment's canvases, a loaded model's stand-in
        images), listed in the combo as ``label`` (default ``"File: <name>"``) so it can be
        chosen again; a file still loading is abandoned."""
        self.tasks.cancel("dataset")
        self._pending_call = (given_dataset, (dataset, note))
        self._finish((dataset, note), None, label)

    def shutdown(self) -> None:
        """Abandon a background read and wait for its thread (a later read starts a new one)."""
        self.tasks.shutdown()

    @Slot(int)
    def _on_index_changed(self, index: int) -> None:
        key = self.combo.itemData(index)
        if index == self._current_index or key in ("open-mnist", "open-folder"):
            return
        if key in self._sources:  # a file loaded earlier in this session
            self._start(*self._sources[key], index=index)
        elif key is not None:  # built-ins are generated or read in well under a second
            self._load_now(read_builtin, (key, 0), index)

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

    def _start(self, fn, args: tuple, index: int | None = None) -> None:
        self._pending_index = index
        self._pending_call = (fn, args)
        self.status_label.setText("Loading…")
        self.tasks.start("dataset", fn, *args)

    @Slot(str, object)
    def _on_read(self, _slot: str, result) -> None:
        self._finish(result, self._pending_index)

    @Slot(str, str)
    def _on_read_error(self, _slot: str, message: str) -> None:
        self._finish(ValueError(message), self._pending_index)

    @staticmethod
    def _call(fn, *args):
        try:
            return fn(None, *args)
        except (ValueError, OSError) as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - a reader bug must not kill the app
            return ValueError(f"could not read that data: {exc}")

    def _finish(self, result, index: int | None, label: str | None = None) -> bool:
        """Show a read's outcome: a (Dataset, note) pair, or the exception that explains why not."""
        if isinstance(result, Exception):
            message = f"Could not load the data: {result}"
            self.status_label.setText(message)
            self.sigStatus.emit(message)
            self._restore_combo()
            return False
        dataset, note = result
        if dataset.warning():
            note = "; ".join(filter(None, (note, dataset.warning())))
        if index is None:  # a file: remember it in the combo so it can be chosen again
            label = label or f"File: {dataset.name}"
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
        self._dataset = dataset
        self._show(dataset, note)
        self.sigDatasetChanged.emit(dataset)
        if dataset.warning():
            self.sigStatus.emit(dataset.warning())
        return True

    # ----- preview -------------------------------------------------------------------------------
    def _show(self, ds: Dataset, note: str) -> None:
        c, h, w = ds.input_shape
        train, test = ds.class_counts("train"), ds.class_counts("test")
        self.status_label.setText(
            f"{ds.name}: {len(ds.y_train)} train / {len(ds.y_test)} test, {ds.n_classes} classes, "
            f"{h}x{w} px" + (f" ({note})" if note else "")
        )
        # Class and data-set names are folder and file names: escaped, a folder named "<!--"
        # would otherwise hide the table.
        rows = "".join(f"<tr><td>{escape(name)}</td><td align=right>{a}</td>"
                       f"<td align=right>{b}</td></tr>"
                       for name, a, b in zip(ds.class_names, train, test, strict=True))
        self.summary_label.setText(
            f"<b>{escape(ds.name)}</b> — {h}x{w} pixels, {c} channel(s). Train/test split "
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
            cell.setPixmap(grey_pixmap(ds.x_train[i]))
            cell.setToolTip(literal_markup(f"training sample {i}: {ds.class_names[ds.y_train[i]]}"))
            caption = plain_label(ds.class_names[ds.y_train[i]])
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            caption.setStyleSheet(SMALL_TEXT_STYLE)
            box = QVBoxLayout()
            box.setSpacing(0)
            box.addWidget(cell, 0, Qt.AlignmentFlag.AlignHCenter)
            box.addWidget(caption)
            holder = QWidget()
            holder.setLayout(box)
            self.grid.addWidget(holder, n // PREVIEW_COLUMNS, n % PREVIEW_COLUMNS)
