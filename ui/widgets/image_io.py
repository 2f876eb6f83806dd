"""Read image files with Qt into grey NumPy arrays; bad files get a sentence, not a traceback.

Decoding goes through :class:`QImageReader`, which reads the header first: an absurd size is refused
*before* any pixel memory is allocated (a 100000 x 100000 PNG is a few hundred bytes on disk and
40 GB in memory). Colour is converted to grey with :func:`cnnviz.data.images.to_grey` (BT.601 luma).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageReader

from cnnviz.data.images import downscale_to, resize_area, to_grey

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

# Beyond these the file is either a mistake or a decompression bomb; nothing we show needs it.
MAX_SIDE_PIXELS = 20_000
MAX_PIXELS = 100_000_000


def _check_file(path: Path) -> None:
    name = path.name or str(path)
    if not path.exists():
        raise ValueError(f"{name}: no such file ({path})")
    if path.is_dir():
        raise ValueError(f"{name} is a folder, not an image file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValueError(f"{name} cannot be read: {exc.strerror or exc}") from exc
    if size == 0:
        raise ValueError(f"{name} is empty (0 bytes), so it holds no image")
    if not os.access(path, os.R_OK):
        raise ValueError(f"{name} cannot be read: permission denied")


def _header_size(path: Path) -> tuple[int, int] | None:
    """Width and height from a PNG, BMP or GIF header, for when Qt's reader will not say.

    Qt's BMP handler, for one, reports no size before decoding; reading the few header bytes
    ourselves keeps the "too large" check ahead of any allocation.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(32)
    except OSError:
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    if head.startswith(b"BM") and len(head) >= 26:
        w, h = struct.unpack("<ii", head[18:26])
        return abs(w), abs(h)  # negative height means top-down rows
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    return None


def _check_dimensions(name: str, w: int, h: int) -> None:
    if w > MAX_SIDE_PIXELS or h > MAX_SIDE_PIXELS or w * h > MAX_PIXELS:
        raise ValueError(
            f"{name} claims to be {w} x {h} pixels, too large to open safely "
            f"(limit {MAX_SIDE_PIXELS} px a side and {MAX_PIXELS // 1_000_000} megapixels); "
            "shrink it in an image editor first"
        )
    if w == 0 or h == 0:
        raise ValueError(f"{name} claims to be {w} x {h} pixels: an image with no pixels")


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


def _open(path: str | os.PathLike[str]) -> tuple[QImageReader, str, tuple[int, int] | None]:
    """Check the file and its claimed size; return a reader positioned before decoding."""
    path = Path(path)
    _check_file(path)
    name = path.name
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # honour the EXIF orientation of phone photos
    if not reader.canRead():
        raise ValueError(
            f"{name} is not an image Qt can read (supported: PNG, JPEG, BMP and GIF)"
        )
    size = reader.size()
    dims = (size.width(), size.height()) if size.isValid() else _header_size(path)
    if dims is not None:
        _check_dimensions(name, *dims)
    return reader, name, dims


def _decode(reader: QImageReader, name: str, dims: tuple[int, int] | None,
            convert=None) -> np.ndarray:
    """Read the pixels; ``convert`` (QImage -> array) defaults to grey."""
    image = reader.read()
    if image.isNull():
        reason = reader.errorString() or "unknown error"
        if dims is not None and dims[0] * dims[1] * 4 > QImageReader.allocationLimit() * 2**20:
            raise ValueError(
                f"{name} ({dims[0]} x {dims[1]} pixels) is too large to decode in memory "
                f"(Qt's limit is {QImageReader.allocationLimit()} MB); shrink it first"
            )
        raise ValueError(f"{name} is damaged or not an image Qt can read ({reason})")
    return (convert or _qimage_to_grey)(image)


def read_grey_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Decode an image file at its full size as grey float32 (H, W) in [0, 1].

    Raises
    ------
    ValueError
        For a missing, empty, unreadable, corrupt or non-image file, or one whose header claims more
        than 20000 px a side or 100 megapixels. The message names the file and says what is wrong.
    """
    return _decode(*_open(path))


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
    reader, name, dims = _open(path)
    if dims is not None and max(dims) > 2 * max_side:
        # Let the decoder shrink big photos on the way in (libjpeg scales in the DCT domain):
        # much faster and lighter than decoding 12 megapixels to throw most away. Stopping at
        # twice the target keeps the final area-average in charge of the quality.
        factor = 2 * max_side / max(dims)
        w, h = (max(1, round(d * factor)) for d in dims)
        reader.setScaledSize(QSize(w, h))
    decoded = _decode(reader, name, dims)
    image, scaled = downscale_to(decoded, max_side)
    note = None
    if scaled or decoded.shape[::-1] != tuple(dims or decoded.shape[::-1]):
        w, h = dims if dims is not None else decoded.shape[::-1]
        note = f"scaled from {w}x{h} to {image.shape[1]}x{image.shape[0]}"
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


def _class_folders(root: Path) -> list[Path]:
    """The visible sub-folders of ``root``, by name; a sentence if there are none."""
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
    return class_dirs


def _decode_class_folder(class_dir: Path, rows: int, cols: int,
                         skipped: list[tuple[Path, str]], colour: bool = False) -> list[np.ndarray]:
    """Every readable image of one class folder as a (rows, cols) grey array, or (3, rows, cols)
    with ``colour``; failures go to ``skipped`` as (file, reason)."""
    decoded = []
    files = sorted(f for f in class_dir.iterdir() if f.is_file() and not f.name.startswith("."))
    for file in files:
        try:
            reader, name, dims = _open(file)
            if dims is not None and (dims[0] > 2 * cols or dims[1] > 2 * rows):
                reader.setScaledSize(QSize(min(dims[0], 2 * cols), min(dims[1], 2 * rows)))
            if colour:  # colour folders: ui.widgets.colour_image converts, channel by channel
                from ui.widgets.colour_image import qimage_to_planes, resize_planes

                planes = _decode(reader, name, dims, qimage_to_planes)
                decoded.append(resize_planes(planes, (rows, cols)))
            else:
                decoded.append(resize_area(_decode(reader, name, dims), (rows, cols)))
        except ValueError as exc:
            skipped.append((file, str(exc)))
    return decoded


def load_image_folder(
    path: str | os.PathLike[str], size: tuple[int, int] = (28, 28), colour: bool = False
) -> ImageFolder:
    """Read a classification data set laid out as ``path/<class name>/<image files>``.

    Every image is decoded with Qt, turned grey (or kept in colour, 3 channels, with ``colour``)
    and resized to ``size`` (rows, cols) by area averaging (the aspect ratio is not kept, as with
    torchvision's ``Resize((h, w))``). Hidden files are ignored; files that fail to decode are
    skipped and listed in ``skipped``.

    Returns
    -------
    ImageFolder
        ``images`` (N, H, W) float32 ((N, 3, H, W) with ``colour``), ``labels`` (N,) int64,
        ``class_names``, ``skipped``.

    Raises
    ------
    ValueError
        If ``path`` is not a folder, has no class sub-folders, or fewer than two of them hold a
        readable image (a classifier needs at least two classes).
    """
    root = Path(path)
    rows, cols = (int(s) for s in size)
    if not (1 <= rows <= 512 and 1 <= cols <= 512):
        raise ValueError(f"image size must be between 1 and 512 pixels a side, not {cols}x{rows}")
    images: list[np.ndarray] = []
    labels: list[int] = []
    names: list[str] = []
    skipped: list[tuple[Path, str]] = []
    empty: list[str] = []
    for class_dir in _class_folders(root):
        decoded = _decode_class_folder(class_dir, rows, cols, skipped, colour)
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
