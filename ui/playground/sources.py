"""Where the playground's input image comes from: bundled photos, patterns, files, drawings.

A mixin for :class:`ui.playground.widget.PlaygroundWidget` (kept apart so each file stays small). It
uses
``self.controls``, ``self._use_image()``, ``self._source_index`` and ``self.sigStatus``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtWidgets import QFileDialog

from cnnviz.data.bundled import SAMPLE_PHOTOS, asset_path
from cnnviz.lab import patterns

__all__ = ["SourcesMixin", "OPEN_ITEM", "DRAW_ITEM", "PATTERN_SIZE"]

OPEN_ITEM = "Open image..."
DRAW_ITEM = "Draw..."
PATTERN_SIZE = 128


class SourcesMixin:
    def _populate_sources(self) -> None:
        combo = self.controls.image_combo
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

    def _load_path(self, path) -> bool:
        try:
            from ui.widgets.image_io import load_grey_image

            image, note = load_grey_image(path)
        except (ValueError, OSError) as exc:
            self._show_image_message(str(exc))
            return False
        name = Path(path).name
        self._use_image(image, name)
        if note:
            self.controls.image_info.setText(f"{name}: {note}")
            self.sigStatus.emit(f"{name} was {note} to keep the playground live.")
        return True

    @Slot(int)
    def _on_source_activated(self, index: int) -> None:
        kind, value = self.controls.image_combo.itemData(index) or (None, None)
        ok = True
        if kind == "photo":
            ok = self._load_path(asset_path(value))
        elif kind == "pattern":
            ok = self._use_image(patterns.pattern(value, PATTERN_SIZE), value)
        elif kind in ("array", "drawing"):
            # Back to an earlier drawing or array: the menu entry must bring its image back.
            ok = kind in self._kept_images and self._use_image(*self._kept_images[kind])
        elif kind == "file":
            ok = self.load_image(value)
        elif kind == "open":
            ok = self._open_file_dialog()
        elif kind == "draw":
            ok = self._draw_image()
        if ok and kind in ("photo", "pattern", "file"):
            self._source_index = self.controls.image_combo.currentIndex()
            QSettings().setValue("playground/source", self.controls.image_combo.currentText())
        elif ok and kind in ("array", "drawing"):
            self._source_index = self.controls.image_combo.currentIndex()
        elif not ok or kind in ("open", "draw"):
            self._select_source_index(self._source_index)

    def _select_source_index(self, index: int) -> None:
        self.controls.image_combo.setCurrentIndex(index)
        self._source_index = index

    def _select_custom_source(self, label: str, data) -> None:
        combo = self.controls.image_combo
        index = combo.findData(data)
        if index < 0:
            index = combo.findData(("open", None))
            combo.insertItem(index, label, data)
        combo.setItemText(index, label)  # one "Array: ..." entry, named after the latest array
        self._select_source_index(index)

    def _open_file_dialog(self) -> bool:
        from ui.widgets.image_io import IMAGE_FILE_FILTER

        start = str(QSettings().value("playground/lastDir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", start, IMAGE_FILE_FILTER)
        if not path:
            return False
        QSettings().setValue("playground/lastDir", str(Path(path).parent))
        return self.load_image(path)

    def _draw_image(self) -> bool:
        from ui.widgets.draw_dialog import DrawDialog

        dialog = DrawDialog(self)
        if dialog.exec() != DrawDialog.DialogCode.Accepted:
            return False
        if not self._use_image(dialog.image(), "Drawing"):
            return False
        self._kept_images["drawing"] = (self._image, "Drawing")
        self._select_custom_source("Drawing", ("drawing", None))
        return True

    def _show_image_message(self, message: str) -> None:
        self.controls.image_message.setText(message)
        self.controls.image_message.show()
        self.sigStatus.emit(message)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            self.load_image(files[0])
            event.acceptProposedAction()
