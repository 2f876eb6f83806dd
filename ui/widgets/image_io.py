"""Read image files with Qt into grey NumPy arrays; bad files get a sentence, not a traceback.

Safety comes before decoding, in :func:`_open`: the file must be a regular file (a named pipe
would block for ever), its bytes are read within :data:`cnnviz.limits.MAX_DECODED_BYTES`, its
real format is sniffed from those bytes (:mod:`cnnviz.data.image_headers`) and only the raster
formats the app names are decoded, with Qt's format auto-detection off: an SVG renamed ``.png``
never reaches Qt's SVG renderer. The size the header declares is checked before any pixel memory
is allocated (a 100000 x 100000 PNG is a few hundred bytes on disk and 40 GB in memory). The UI
calls these functions off the GUI thread (:mod:`ui.widgets.tasks`), with a time limit. Colour is
converted to grey with :func:`cnnviz.data.images.to_grey` (BT.601 luma).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QImage, QImageReader

from cnnviz import limits
from cnnviz.data.guarded import open_regular, read_limited
from cnnviz.data.image_headers import FORMAT_NAMES, ImageHeader, read_header
from cnnviz.data.images import downscale_to, resize_area, to_grey
from cnnviz.limits import check_budget, check_cancel

__all__ = [
    "IMAGE_FILE_FILTER",
    "IMAGE_SUFFIXES",
    "MAX_SIDE_PIXELS",
    "MAX_PIXELS",
    "load_grey_image",
    "read_grey_image",
    "ImageFolder",
    "load_image_folder",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
IMAGE_FILE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif);;All files (*)"

# Beyond these the file is either a mistake or a decompression bomb (see cnnviz.limits).
MAX_SIDE_PIXELS = limits.MAX_IMAGE_SIDE
MAX_PIXELS = limits.MAX_IMAGE_PIXELS


@dataclass
class _Source:
    """One image file read into memory and checked, with a Qt reader over its bytes.

    The byte array and the buffer are kept here because the reader only borrows them.
    """

    name: str
    header: ImageHeader
    data: QByteArray
    buffer: QBuffer
    reader: QImageReader

    @property
    def dims(self) -> tuple[int, int]:
        return self.header.width, self.header.height


def _read_file(path: Path) -> bytes:
    name = path.name or str(path)
    limit = limits.MAX_IMAGE_FILE_BYTES
    with open_regular(path, "image file") as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:  # from the size alone: nothing is read
            raise ValueError(f"{name} takes {limits.describe_bytes(size)}; an image file may "
                             f"take at most {limits.describe_bytes(limit)}")
        try:
            data = read_limited(f, name, limit)  # a file that grows while read stops here too
        except MemoryError:
            raise ValueError(f"there is not enough memory to read {name} "
                             f"({limits.describe_bytes(size)})") from None
    if not data:
        raise ValueError(f"{name} is empty (0 bytes), so it holds no image")
    return data


def _qimage_to_grey(image: QImage) -> np.ndarray:
    """Pixels of a decoded QImage as grey float32 (H, W) in [0, 1]."""
    if image.format() in (QImage.Format.Format_Grayscale8, QImage.Format.Format_Grayscale16):
        eight_bit = image.format() == QImage.Format.Format_Grayscale8
        dtype, channels = (np.uint8 if eight_bit else np.uint16), 1
    else:
        image = image.convertToFormat(QImage.Format.Format_RGBA8888)
        dtype, channels = np.uint8, 4
    h, w = image.height(), image.width()
    itemsize = np.dtype(dtype).itemsize
    # rows are padded to 4 bytes: reshape by bytesPerLine, then drop the padding
    row_items = image.bytesPerLine() // itemsize
    buf = np.frombuffer(image.constBits(), dtype=dtype, count=row_items * h)
    pixels = buf.reshape(h, row_items)[:, : w * channels]
    if channels == 4:
        pixels = pixels.reshape(h, w, 4)
    return to_grey(pixels.copy())


def _open(path: str | os.PathLike[str]) -> _Source:
    """Read and check the file, its real format and its claimed size; return a reader over its
    bytes, positioned before decoding."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path.name or path} is a folder, not an image file")
    data = _read_file(path)
    name = path.name
    header = read_header(data, name)
    array = QByteArray(data)
    del data
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, header.format.encode())
    reader.setAutoDetectImageFormat(False)  # only the sniffed format's decoder may run
    reader.setAutoTransform(True)  # honour the EXIF orientation of phone photos
    if not reader.canRead():
        raise ValueError(f"{name} is damaged or not an image Qt can read "
                         f"(supported: {FORMAT_NAMES})")
    return _Source(name, header, array, buffer, reader)


def _decode(source: _Source, convert=None) -> np.ndarray:
    """Read the pixels; ``convert`` (QImage -> array) defaults to grey (H, W)."""
    reader, name, (w, h) = source.reader, source.name, source.dims
    image = reader.read()
    if image.isNull():
        reason = reader.errorString() or "unknown error"
        if w * h * source.header.bytes_per_pixel > QImageReader.allocationLimit() * 2**20:
            raise ValueError(
                f"{name} ({w} x {h} pixels) is too large to decode in memory "
                f"(Qt's limit is {QImageReader.allocationLimit()} MB); shrink it first"
            )
        raise ValueError(f"{name} is damaged or not an image Qt can read ({reason})")
    try:
        return (convert or _qimage_to_grey)(image)
    except MemoryError:
        raise ValueError(f"there is not enough memory to convert {name} ({w} x {h} pixels)") \
            from None


def read_grey_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Decode an image file at its full size as grey float32 (H, W) in [0, 1].

    Raises
    ------
    ValueError
        For a missing, empty, unreadable, corrupt or non-image file, or one whose header claims more
        than 20000 px a side or 100 megapixels. The message names the file and the failed limit.
    """
    return _decode(_open(path))


def load_grey_image(
    path: str | os.PathLike[str], max_side: int = 512
) -> tuple[np.ndarray, str | None]:
    """Open an image file as the playground's grey input, shrunk to at most ``max_side`` px.

    Parameters
    ----------
    path : str or path-like
        A PNG, JPEG, BMP or GIF file (the first frame of an animated GIF).
    max_side : int
        Longest side allowed; bigger images are area-averaged down, keeping the aspect ratio.

    Returns
    -------
    image : ndarray, shape (H, W), float32 in [0, 1]
    note : str or None
        For the status bar when the image was shrunk, e.g. ``"scaled from 1024x768 to 512x384"``.

    Raises
    ------
    ValueError
        See :func:`read_grey_image`.
    """
    source = _open(path)
    dims = source.dims
    if max(dims) > 2 * max_side:
        # Let the decoder shrink big photos on the way in (libjpeg scales in the DCT domain):
        # much faster and lighter than decoding 12 megapixels to throw most away. Stopping at
        # twice the target keeps the final area-average in charge of the quality.
        factor = 2 * max_side / max(dims)
        w, h = (max(1, round(d * factor)) for d in dims)
        source.reader.setScaledSize(QSize(w, h))
    decoded = _decode(source)
    image, scaled = downscale_to(decoded, max_side)
    note = None
    if scaled or decoded.shape[::-1] != dims:
        note = f"scaled from {dims[0]}x{dims[1]} to {image.shape[1]}x{image.shape[0]}"
    return image, note


@dataclass
class ImageFolder:
    """A labelled image set read from a folder with one sub-folder per class.

    Unpacks like a tuple: ``images, labels, class_names = load_image_folder(path)``.

    Attributes
    ----------
    images : ndarray, shape (N, H, W) (grey) or (N, 3, H, W) (colour), float32 in [0, 1]
    labels : ndarray, shape (N,), int64
        Index into ``class_names``.
    class_names : list of str
        Sub-folder names, sorted; only folders that gave at least one image.
    skipped : list of (Path, str)
        Files that could not be decoded, with the reason, so the UI can say how many were left out.
    empty_classes : list of str
        Sub-folders without a single readable image (left out of ``class_names``).
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: list[str]
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    empty_classes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator:
        return iter((self.images, self.labels, self.class_names))

    def note(self) -> str:
        """One line for the status bar: what was loaded and what was left out."""
        text = f"{len(self.labels)} images in {len(self.class_names)} classes"
        if self.skipped:
            text += f"; skipped {len(self.skipped)} unreadable file(s)"
        if self.empty_classes:
            text += f"; no images in {', '.join(self.empty_classes)}"
        return text


def _class_folders(root: Path) -> list[tuple[Path, list[Path]]]:
    """The visible sub-folders of ``root`` by name, each with its visible files by name.

    Counted before anything is decoded: too many classes or files is refused at once.
    """
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder; choose a folder with one sub-folder per class")
    class_dirs = sorted(
        (d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")),
        key=lambda d: d.name,
    )
    if not class_dirs:
        raise ValueError(
            f"{root.name or root} has no sub-folders; put each class's images in its own "
            "sub-folder (e.g. cats/ and dogs/)"
        )
    if len(class_dirs) > limits.MAX_CLASSES:
        raise ValueError(f"{root.name or root} has {len(class_dirs):,} sub-folders; a data set "
                         f"may have at most {limits.MAX_CLASSES:,} classes")
    listed, total = [], 0
    for class_dir in class_dirs:
        # Not is_file(): a named pipe is listed, then refused with a reason when opened.
        files = sorted(f for f in class_dir.iterdir()
                       if not f.name.startswith(".") and not f.is_dir())
        total += len(files)
        if total > limits.MAX_FOLDER_FILES:
            raise ValueError(f"{root.name or root} holds more than {limits.MAX_FOLDER_FILES:,} "
                             "files; a data set folder may hold at most that many")
        listed.append((class_dir, files))
    return listed


def _decode_thumbnail(file: Path, rows: int, cols: int, colour: bool = False) -> np.ndarray:
    """One image file as a (rows, cols) grey array, or (3, rows, cols) with ``colour`` (the
    decoder shrinks big ones on the way)."""
    source = _open(file)
    w, h = source.dims
    if w > 2 * cols or h > 2 * rows:
        source.reader.setScaledSize(QSize(min(w, 2 * cols), min(h, 2 * rows)))
    if colour:  # colour folders: ui.widgets.colour_image converts, channel by channel
        from ui.widgets.colour_image import qimage_to_planes, resize_planes

        return resize_planes(_decode(source, qimage_to_planes), (rows, cols))
    return resize_area(_decode(source), (rows, cols))


def _decode_class_folder(files: list[Path], rows: int, cols: int,
                         skipped: list[tuple[Path, str]],
                         cancel: threading.Event | None,
                         colour: bool = False) -> list[np.ndarray]:
    """Every readable image of one class folder as a (rows, cols) grey array, or (3, rows, cols)
    with ``colour``; failures go to ``skipped`` as (file, reason).

    Raises
    ------
    ValueError
        If one file took longer than :data:`cnnviz.limits.IMAGE_DECODE_SECONDS` to decode: the
        folder is not worth waiting for.
    """
    decoded = []
    for file in files:
        check_cancel(cancel)
        start = time.monotonic()
        try:
            decoded.append(_decode_thumbnail(file, rows, cols, colour))
        except (ValueError, OSError) as exc:
            skipped.append((file, str(exc)))
        if time.monotonic() - start > limits.IMAGE_DECODE_SECONDS:
            raise ValueError(f"{file.name} took longer than {limits.IMAGE_DECODE_SECONDS:g} s to "
                             "decode, so reading the folder was stopped; remove that file")
    return decoded


def load_image_folder(
    path: str | os.PathLike[str], size: tuple[int, int] = (28, 28),
    cancel: threading.Event | None = None, colour: bool = False,
) -> ImageFolder:
    """Read a classification data set laid out as ``path/<class name>/<image files>``.

    Every image is decoded with Qt, turned grey (or kept in colour, 3 channels, with ``colour``)
    and resized to ``size`` (rows, cols) by area averaging (the aspect ratio is not kept, as with
    torchvision's ``Resize((h, w))``). Hidden files are ignored; files that fail to decode (or are
    not regular files) are skipped and listed in ``skipped``. ``cancel`` (a ``threading.Event``)
    is polled between files.

    Returns
    -------
    ImageFolder
        ``images`` (N, H, W) float32 ((N, 3, H, W) with ``colour``), ``labels`` (N,) int64,
        ``class_names``, ``skipped``.

    Raises
    ------
    ValueError
        If ``path`` is not a folder, has no class sub-folders, or fewer than two of them hold a
        readable image (a classifier needs at least two classes); if it has more classes or
        files than :mod:`cnnviz.limits` allows, or its images would not fit the budget.
    """
    root = Path(path)
    rows, cols = (int(s) for s in size)
    if not (1 <= rows <= 512 and 1 <= cols <= 512):
        raise ValueError(f"image size must be between 1 and 512 pixels a side, not {cols}x{rows}")
    listed = _class_folders(root)
    check_budget(sum(len(f) for _, f in listed) * rows * cols * 4, root.name or str(root))
    images: list[np.ndarray] = []
    labels: list[int] = []
    names: list[str] = []
    skipped: list[tuple[Path, str]] = []
    empty: list[str] = []
    for class_dir, files in listed:
        decoded = _decode_class_folder(files, rows, cols, skipped, cancel, colour)
        if not decoded:
            empty.append(class_dir.name)
            continue
        labels.extend([len(names)] * len(decoded))
        names.append(class_dir.name)
        images.extend(decoded)
    if len(names) < 2:
        found = f"only {names[0]!r} holds" if names else "none of its sub-folders hold"
        raise ValueError(
            f"{root.name or root}: {found} readable images; a classifier needs at least two "
            f"class folders with images (skipped {len(skipped)} unreadable file(s))"
        )
    return ImageFolder(
        images=np.stack(images).astype(np.float32),
        labels=np.asarray(labels, dtype=np.int64),
        class_names=names,
        skipped=skipped,
        empty_classes=empty,
    )
