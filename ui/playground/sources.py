"""Where the playground's input image comes from: bundled photos, patterns, files, drawings, arrays.

:class:`SourceMenu` owns ``imageSourceCombo`` and the two lines under it (what the image is, and
why a file could not be used). Whatever the source, an image that can be used is announced once,
by ``sigImageChosen``; one that cannot leaves the current image and the menu's choice in place.

A user's file (Open, drag and drop, ``--image``, the file remembered from the last session) is
decoded off the GUI thread by a :class:`~ui.widgets.tasks.TaskRunner`, with a time limit
(:data:`cnnviz.limits.IMAGE_DECODE_SECONDS`): a slow or hostile file can neither freeze the
window nor, being remembered, lock out the next start. The remembered file is reopened only if
it opened cleanly last time; its state (``ok``, ``opening``, ``failed``) is saved before the
attempt, so a crash or a kill during it also counts as a failure.

In RGB mode (:meth:`SourceMenu.set_channels`) photos and files keep their three colour channels
and grey sources (patterns, drawings) become three equal channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel

from cnnviz.data.bundled import SAMPLE_PHOTOS, asset_path
from cnnviz.data.images import to_grey
from cnnviz.lab import patterns
from cnnviz.limits import IMAGE_DECODE_SECONDS
from ui.widgets.colour_image import header_notes, load_colour_image
from ui.widgets.draw_dialog import DrawDialog
from ui.widgets.image_io import IMAGE_FILE_FILTER, load_grey_image
from ui.widgets.settings import note, read_setting, sync_settings, write_setting
from ui.widgets.tasks import TaskRunner

__all__ = ["SourceMenu", "DEFAULT_SOURCE", "OPEN_ITEM", "DRAW_ITEM", "PATTERN_SIZE"]

OPEN_ITEM = "Open image..."
DRAW_ITEM = "Draw..."
PATTERN_SIZE = 128
DEFAULT_SOURCE = SAMPLE_PHOTOS[0][0]
_SOURCE_KEY = "playground/source"
_FILE_KEY = "playground/sourceFile"  # the file behind a "File: ..." source
_DIR_KEY = "playground/lastDir"
_STATE_KEY = "playground/sourceFileState"  # "ok", "opening" (or crashed opening) or "failed"
_STATES = ("ok", "opening", "failed")


def decode_image_file(_task, path: str, colour: bool = False):
    """A background task: the playground's input from ``path`` and a note on what was done.

    Grey (H, W) through :func:`ui.widgets.image_io.load_grey_image`, or with ``colour`` three
    planes (3, H, W) through :func:`ui.widgets.colour_image.load_colour_image`.
    """
    if colour:
        return load_colour_image(path)
    image, note_text = load_grey_image(path)
    notes = [*header_notes(path), *([note_text] if note_text else [])]
    return image, "; ".join(notes) or None


@dataclass
class _Request:
    """One file being decoded: where from, whether it is the remembered file, how it ended."""

    path: str
    remembered: bool = False
    outcome: bool | None = None
    loop: QEventLoop | None = None


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
        self._info_text = ""  # what the info line says about the image in use
        self._request: _Request | None = None
        self.tasks = TaskRunner(self)
        self.tasks.sigResult.connect(self._on_decoded)
        self.tasks.sigError.connect(self._on_decode_failed)
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
        """Choose the source of the last session: its photo or pattern at once; its file in the
        background (the default photo shows meanwhile), unless that file failed, took too long
        or was being opened when the app last ended."""
        source = read_setting(_SOURCE_KEY, DEFAULT_SOURCE, str)
        combo = self._combo
        index = combo.findText(source)
        if index < 0 or (combo.itemData(index) or ("",))[0] not in ("photo", "pattern"):
            index = combo.findText(DEFAULT_SOURCE)
        combo.setCurrentIndex(index)
        # Meanwhile the default shows; the remembered source stays the file until it fails.
        self._use_entry(index, remember=not source.startswith("File: "))
        if source.startswith("File: "):
            path = read_setting(_FILE_KEY, "", str)
            if not path or not Path(path).exists():
                return  # moved or deleted since: nothing to reopen, nothing to warn about
            if read_setting(_STATE_KEY, "ok", str, choices=_STATES) == "ok":
                write_setting(_STATE_KEY, "opening")
                sync_settings()  # on disk before decoding: a crash now must not repeat
                self.load_file(path, wait=False, remembered=True)
            else:
                note(f"{Path(path).name} was not reopened: it failed or took too long last time. "
                     "Choose it with Open image... to try again.")

    def shutdown(self) -> None:
        """Abandon a decode in progress and wait for its thread."""
        self.tasks.shutdown()
        self._finish(self._request, False)

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

    def load_file(self, path, wait: bool = True, remembered: bool = False) -> bool:
        """Open an image file, decoded off the GUI thread within the time limit.

        With ``wait`` (the default) this returns when the file is in use (True) or refused (False,
        with the reason shown); the window keeps repainting meanwhile. Without, it returns True at
        once and the outcome follows. On failure the current image stays.
        """
        self._finish(self._request, False)  # a newer choice supersedes a decode in progress
        request = _Request(str(path), remembered)
        self._request = request
        self._info.setText(f"Opening {Path(path).name}…")
        self.tasks.start("image", decode_image_file, str(path), self._channels == "rgb",
                         time_limit=IMAGE_DECODE_SECONDS)
        if not wait:
            return True
        if request.outcome is None:
            request.loop = QEventLoop()
            request.loop.exec()
        return bool(request.outcome)

    def _finish(self, request: _Request | None, ok: bool) -> None:
        if request is None or request.outcome is not None:
            return
        request.outcome = ok
        if request is self._request:
            self._request = None
        if request.loop is not None:
            request.loop.quit()

    @Slot(str, object)
    def _on_decoded(self, _slot: str, result) -> None:
        request = self._request
        if request is None:
            return
        image, note_text = result
        path = request.path
        self._use_decoded(image, note_text, Path(path).name)
        label = f"File: {Path(path).name}"
        self._select_custom(label, ("file", path))
        write_setting(_SOURCE_KEY, label)
        write_setting(_FILE_KEY, path)
        write_setting(_STATE_KEY, "ok")
        self._finish(request, True)

    @Slot(str, str)
    def _on_decode_failed(self, _slot: str, message: str) -> None:
        request = self._request
        if request is None:
            return
        name = Path(request.path).name
        self._restore_info()
        self._show_problem(message if name in message else f"Could not open {name}: {message}")
        if request.remembered:
            write_setting(_STATE_KEY, "failed")
        self._finish(request, False)

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
        self._use_entry(index, remember=True)

    def _use_entry(self, index: int, remember: bool) -> None:
        """Use entry ``index``; ``remember`` it as the next session's source if it is a photo or
        a pattern."""
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
            self.load_file(value, wait=False)
            ok = False  # the entry is selected once the file has decoded
        elif kind == "open":
            ok = self._open_file_dialog()
        elif kind == "draw":
            ok = self._draw_image()
        if ok and kind in ("photo", "pattern"):
            self._index = self._combo.currentIndex()
            if remember:
                write_setting(_SOURCE_KEY, self._combo.currentText())
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
        self._info_text = self._info.text()
        self.sigImageChosen.emit(image, name)
        return image

    def _restore_info(self) -> None:
        self._info.setText(self._info_text)

    def _load_path(self, path) -> bool:
        """A bundled photo, decoded at once (the app's own small files), in the channel mode."""
        try:
            image, note_text = decode_image_file(None, str(path), self._channels == "rgb")
        except (ValueError, OSError) as exc:
            self._show_problem(str(exc))
            return False
        self._use_decoded(image, note_text, Path(path).name)
        return True

    def _use_decoded(self, image: np.ndarray, note_text: str | None, name: str) -> None:
        self._offer(image, name)
        if note_text:
            self._info.setText(f"{name}: {note_text}")
            self._info_text = self._info.text()
            self.sigStatus.emit(f"Opened {name}: {note_text}.")

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
        start = read_setting(_DIR_KEY, "", str) or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self._combo.window(), "Open an image", start, IMAGE_FILE_FILTER
        )
        if not path:
            return False
        write_setting(_DIR_KEY, str(Path(path).parent))
        self.load_file(path, wait=False)
        return False  # the menu shows the file once it has decoded

    def _draw_image(self) -> bool:
        dialog = DrawDialog(self._combo.window())
        if dialog.exec() != DrawDialog.DialogCode.Accepted:
            return False
        image = self._offer(dialog.image(), "Drawing")
        if image is None:
            return False
        self._kept["drawing"] = (image, "Drawing")
        self._select_custom("Drawing", ("drawing", None))
        return True
