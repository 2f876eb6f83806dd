"""Where the playground's input image comes from: bundled photos, patterns, files, drawings, arrays.

:class:`SourceMenu` owns ``imageSourceCombo`` and the two lines under it (what the image is, and
why a file could not be used). Whatever the source, an image that can be used is announced once,
by ``sigImageChosen``; one that cannot leaves the current image and the menu's choice in place.
In RGB mode (:meth:`SourceMenu.set_channels`) photos and files keep their three colour channels
and grey sources (patterns, drawings) become three equal channels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel

from cnnviz.data.bundled import SAMPLE_PHOTOS, asset_path
from cnnviz.data.images import to_grey
from cnnviz.lab import patterns
from ui.widgets.colour_image import header_notes, load_colour_image
from ui.widgets.draw_dialog import DrawDialog
from ui.widgets.image_io import IMAGE_FILE_FILTER, load_grey_image

__all__ = ["SourceMenu", "DEFAULT_SOURCE", "OPEN_ITEM", "DRAW_ITEM", "PATTERN_SIZE"]

OPEN_ITEM = "Open image..."
DRAW_ITEM = "Draw..."
PATTERN_SIZE = 128
DEFAULT_SOURCE = SAMPLE_PHOTOS[0][0]
_SOURCE_KEY = "playground/source"
_FILE_KEY = "playground/sourceFile"  # the file behind a "File: ..." source
_DIR_KEY = "playground/lastDir"


class SourceMenu(QObject):
    """The input-image menu: ``combo`` lists the sources, ``info`` and ``message`` report on them.

    Each combo entry carries ``(kind, value)``: ``("photo", file)``, ``("pattern", name)``,
    ``("file", path)``, ``("array" | "drawing", None)`` (brought back from memory), or the
    actions ``("open", None)`` and ``("draw", None)``.

    Signals
    -------
    sigImageChosen(object, str)
        A usable input: float32 ndarray in [0, 1], shape (H, W) in grey mode or (3, H, W) in
        RGB mode, and its name.
    sigStatus(str)
        A message for the status bar (a refused file, a scaled-down image).
    """

    sigImageChosen = Signal(object, str)
    sigStatus = Signal(str)

    def __init__(
        self, combo: QComboBox, info: QLabel, message: QLabel, parent: QObject | None = None
    ):
        super().__init__(parent)
        self._combo, self._info, self._message = combo, info, message
        # The latest drawing and use_array() array, so their menu entries can bring them back.
        self._kept: dict[str, tuple[np.ndarray, str]] = {}
        self._index = 0  # the entry of the image in use, to go back to after a failed choice
        self._channels = "grey"
        self._populate()
        combo.activated.connect(self.activate)

    def _populate(self) -> None:
        combo = self._combo
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

    # -- public API -------------------------------------------------------------------------------
    def restore(self) -> None:
        """Choose the source of the last session: its file if it still opens, else its photo or
        pattern, else the default photo."""
        store = QSettings()
        source = str(store.value(_SOURCE_KEY, DEFAULT_SOURCE))
        if source.startswith("File: "):
            path = str(store.value(_FILE_KEY, ""))
            if path and Path(path).is_file() and self.load_file(path):
                return
        combo = self._combo
        index = combo.findText(source)
        if index < 0 or (combo.itemData(index) or ("",))[0] not in ("photo", "pattern"):
            index = combo.findText(DEFAULT_SOURCE)
        combo.setCurrentIndex(index)
        self.activate(index)

    def channels(self) -> str:
        """``"grey"`` or ``"rgb"``: what the images announced look like."""
        return self._channels

    def set_channels(self, mode: str) -> None:
        """Announce images in ``"grey"`` (H, W) or ``"rgb"`` (3, H, W); the current source is
        offered again in the new mode."""
        if mode not in ("grey", "rgb"):
            raise ValueError(f"channels must be 'grey' or 'rgb', not {mode!r}")
        if mode != self._channels:
            self._channels = mode
            self.activate(self._index)

    def use_array(self, array: np.ndarray, name: str = "image") -> bool:
        """Use an array in [0, 1]: grey (H, W) or colour (3, H, W); the menu names it
        ``Array: name``. False (with a message) if it is not an image of finite numbers."""
        if self._offer(array, name) is None:
            return False
        # the array as given: a mode switch converts it afresh, never a conversion of one
        self._kept["array"] = (np.clip(np.asarray(array, dtype=np.float32), 0.0, 1.0), name)
        self._select_custom(f"Array: {name}", ("array", None))
        return True

    def load_file(self, path) -> bool:
        """Open an image file; on failure keep the current image and say why."""
        if not self._load_path(path):
            return False
        label = f"File: {Path(path).name}"
        self._select_custom(label, ("file", str(path)))
        store = QSettings()
        store.setValue(_SOURCE_KEY, label)
        store.setValue(_FILE_KEY, str(path))
        return True

    @Slot(str)
    def choose_pattern(self, name: str) -> None:
        """Use the pattern called ``name`` (an example asks for the one it is made for)."""
        combo = self._combo
        index = next((i for i in range(combo.count()) if combo.itemData(i) == ("pattern", name)),
                     -1)
        if index >= 0 and index != self._index:
            combo.setCurrentIndex(index)
            self.activate(index)

    @Slot(int)
    def activate(self, index: int) -> None:
        """Use the source of entry ``index`` (what a user's choice in the menu does)."""
        kind, value = self._combo.itemData(index) or (None, None)
        ok = True
        if kind == "photo":
            ok = self._load_path(asset_path(value))
        elif kind == "pattern":
            ok = self._offer(patterns.pattern(value, PATTERN_SIZE), value) is not None
        elif kind in ("array", "drawing"):
            # Back to an earlier drawing or array: the menu entry must bring its image back.
            ok = kind in self._kept and self._offer(*self._kept[kind]) is not None
        elif kind == "file":
            ok = self.load_file(value)
        elif kind == "open":
            ok = self._open_file_dialog()
        elif kind == "draw":
            ok = self._draw_image()
        if ok and kind in ("photo", "pattern", "file"):
            self._index = self._combo.currentIndex()
            QSettings().setValue(_SOURCE_KEY, self._combo.currentText())
        elif ok and kind in ("array", "drawing"):
            self._index = self._combo.currentIndex()
        elif not ok or kind in ("open", "draw"):
            self._select(self._index)

    # -- the image ------------------------------------------------------------------------------
    def _offer(self, array: np.ndarray, name: str) -> np.ndarray | None:
        """Announce ``array`` (grey (H, W) or colour (3, H, W)) as the input, in the current
        channel mode, if it is usable; the image used, or None."""
        a = np.asarray(array, dtype=np.float32)
        colour = a.ndim == 3 and a.shape[0] == 3
        if (a.ndim != 2 and not colour) or a.size == 0 or not np.all(np.isfinite(a)):
            self._show_problem(f"Cannot use {name}: it must be a 2-D (grey) or 3 x H x W "
                               "(colour) array of finite numbers.")
            return None
        image = np.clip(a, 0.0, 1.0)
        if self._channels == "grey" and colour:
            image = to_grey(np.moveaxis(image, 0, -1))  # BT.601 luma, as for colour files
        elif self._channels == "rgb" and not colour:
            image = np.repeat(image[None], 3, axis=0)  # grey: three equal channels
        self._message.hide()
        h, w = image.shape[-2:]
        kind = ", 3 channels (R, G, B)" if image.ndim == 3 else ""
        self._info.setText(f"{name}: {w}x{h} pixels{kind}")
        self.sigImageChosen.emit(image, name)
        return image

    def _load_path(self, path) -> bool:
        try:
            if self._channels == "rgb":
                image, note = load_colour_image(path)
            else:
                image, note = load_grey_image(path)
                note = "; ".join([*header_notes(path), *([note] if note else [])]) or None
        except (ValueError, OSError) as exc:
            self._show_problem(str(exc))
            return False
        name = Path(path).name
        self._offer(image, name)
        if note:
            self._info.setText(f"{name}: {note}")
            self.sigStatus.emit(f"Opened {name}: {note}.")
        return True

    def _show_problem(self, message: str) -> None:
        self._message.setText(message)
        self._message.show()
        self.sigStatus.emit(message)

    # -- the menu -------------------------------------------------------------------------------
    def _select(self, index: int) -> None:
        self._combo.setCurrentIndex(index)
        self._index = index

    def _select_custom(self, label: str, data) -> None:
        combo = self._combo
        index = combo.findData(data)
        if index < 0:
            index = combo.findData(("open", None))
            combo.insertItem(index, label, data)
        combo.setItemText(index, label)  # one "Array: ..." entry, named after the latest array
        self._select(index)

    def _open_file_dialog(self) -> bool:
        start = str(QSettings().value(_DIR_KEY, str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(
            self._combo.window(), "Open an image", start, IMAGE_FILE_FILTER
        )
        if not path:
            return False
        QSettings().setValue(_DIR_KEY, str(Path(path).parent))
        return self.load_file(path)

    def _draw_image(self) -> bool:
        dialog = DrawDialog(self._combo.window())
        if dialog.exec() != DrawDialog.DialogCode.Accepted:
            return False
        drawing = dialog.image()
        if self._offer(drawing, "Drawing") is None:
            return False
        self._kept["drawing"] = (np.asarray(drawing, dtype=np.float32), "Drawing")
        self._select_custom("Drawing", ("drawing", None))
        return True
