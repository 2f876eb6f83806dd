"""Reading untrusted files within a budget: regular files only, running byte limits, safe .npy.

Every reader here follows the same rules, so the data-set loaders (and anyone else reading a file
a user chose) inherit them:

* Only regular files are opened. A named pipe would block ``open()`` forever and ``/dev/zero``
  never ends, so :func:`open_regular` opens without blocking and checks ``fstat`` before reading.
* Sizes a file declares are checked against :data:`cnnviz.limits.MAX_DECODED_BYTES` before
  anything is allocated, with Python integers (no overflow), and compressed streams are read with
  a running count that stops at the limit.
* Reads happen in :data:`~cnnviz.limits.READ_CHUNK_BYTES` pieces that poll an optional
  ``threading.Event``; once it is set they raise :class:`cnnviz.limits.Cancelled`.
* Whatever goes wrong, the caller gets a ``ValueError`` with a sentence naming the file (or the
  ``OSError`` of the disk), never a ``TokenError``, ``AttributeError`` or ``MemoryError``.
"""

from __future__ import annotations

import contextlib
import gzip
import math
import os
import stat
import threading
import tokenize
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from cnnviz import limits
from cnnviz.limits import check_budget, check_cancel, describe_bytes

__all__ = ["open_regular", "read_limited", "read_bytes", "read_into", "open_stream",
           "read_npy", "read_npz_arrays", "NUMERIC_KINDS"]

GZIP_MAGIC = b"\x1f\x8b"
# dtype kinds an array of numbers may have: bool, signed and unsigned integers, floats.
NUMERIC_KINDS = "biuf"
# What a damaged archive or compressed stream can raise from zipfile, gzip and zlib: a flipped
# flag bit gives NotImplementedError ("compressed patched data") or RuntimeError ("encrypted").
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                   KeyError, gzip.BadGzipFile, OverflowError)
# What NumPy's .npy header parser can raise on hostile bytes (it tokenizes and literal_evals).
_HEADER_ERRORS = (ValueError, SyntaxError, TypeError, KeyError, IndexError, OverflowError,
                  RecursionError, MemoryError, tokenize.TokenError, UnicodeDecodeError)
_KINDS = {stat.S_ISFIFO: "a named pipe (FIFO)", stat.S_ISCHR: "a device",
          stat.S_ISBLK: "a device", stat.S_ISSOCK: "a socket", stat.S_ISDIR: "a folder"}


def _kind_of(mode: int) -> str:
    return next((kind for test, kind in _KINDS.items() if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike[str], what: str = "file") -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file (a symlink to one is fine).

    Opened with ``O_NONBLOCK`` so a named pipe cannot block, then checked with ``fstat``: the
    check and the read are on the same open file, so nothing can be swapped in between.

    Raises
    ------
    ValueError
        For a missing path, a folder, a named pipe, a device or a socket, naming the file.
    OSError
        For a file the disk or the permissions refuse (with the file's name).
    """
    path = Path(path)
    name = path.name or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ValueError(f"{name}: no such file ({path})") from None
    except IsADirectoryError:
        raise ValueError(f"{name} is a folder, not a {what}") from None
    except OSError as exc:
        raise OSError(exc.errno, f"{name} cannot be read: {exc.strerror or exc}",
                      str(path)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"{name} is {_kind_of(mode)}, not a {what}; only ordinary files "
                             "can be opened")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_into(stream: BinaryIO, out: np.ndarray, name: str,
              cancel: threading.Event | None = None) -> None:
    """Fill the contiguous array ``out`` with exactly ``out.nbytes`` bytes from ``stream``.

    Raises
    ------
    ValueError
        If the stream ends first ("truncated").
    Cancelled
        If ``cancel`` is set between chunks.
    """
    view = memoryview(out.reshape(-1).view(np.uint8))
    done = 0
    while done < len(view):
        check_cancel(cancel)
        chunk = view[done:done + limits.READ_CHUNK_BYTES]
        got = stream.readinto(chunk)
        if not got:
            raise ValueError(f"{name} is truncated: {describe_bytes(len(view))} of data were "
                             f"promised but only {describe_bytes(done)} follow")
        done += got


def read_limited(stream: BinaryIO, name: str, limit: int | None = None,
                 cancel: threading.Event | None = None) -> bytes:
    """All remaining bytes of ``stream``, refusing (ValueError) once more than ``limit`` arrive.

    The count runs as the bytes come, so a gzip stream that inflates without end stops at the
    limit (default :data:`~cnnviz.limits.MAX_DECODED_BYTES`) instead of filling the memory.
    """
    limit = limits.MAX_DECODED_BYTES if limit is None else limit
    parts, total = [], 0
    while True:
        check_cancel(cancel)
        part = stream.read(min(limits.READ_CHUNK_BYTES, limit + 1 - total))
        if not part:
            return b"".join(parts)
        parts.append(part)
        total += len(part)
        if total > limit:
            check_budget(total, name, "unpacked", limit)


@contextlib.contextmanager
def open_stream(path: str | os.PathLike[str], what: str = "file") -> Iterator[BinaryIO]:
    """A regular file's content as a stream, gunzipped when it starts with the gzip magic.

    Damaged gzip data raises ``ValueError`` naming the file (from the ``with`` block too).
    """
    path = Path(path)
    with open_regular(path, what) as raw:
        try:
            stream = gzip.GzipFile(fileobj=raw, mode="rb") if raw.read(2) == GZIP_MAGIC else raw
            raw.seek(0)
            yield stream
        except (OSError, *_ARCHIVE_ERRORS) as exc:
            raise ValueError(f"{path.name} could not be read ({exc}); is the download "
                             "complete?") from None


def read_bytes(path: str | os.PathLike[str], limit: int | None = None,
               cancel: threading.Event | None = None, what: str = "file") -> bytes:
    """A regular file's whole content (gunzipped if it is gzip), at most ``limit`` bytes."""
    name = Path(path).name
    with open_stream(path, what) as stream:
        return read_limited(stream, name, limit, cancel)


# ----- .npy and .npz ---------------------------------------------------------------------------
def _npy_header(stream: BinaryIO, name: str) -> tuple[np.dtype, tuple[int, ...], bool]:
    """dtype, shape and Fortran order from an .npy header, or a ValueError saying why not."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(
                stream, max_header_size=limits.MAX_NPY_HEADER_BYTES)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(
                stream, max_header_size=limits.MAX_NPY_HEADER_BYTES)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except _HEADER_ERRORS as exc:
        raise ValueError(f"{name} is not a valid .npy array ({str(exc)[:200]})") from None
    except (OSError, *_ARCHIVE_ERRORS) as exc:
        raise ValueError(f"{name} is damaged ({str(exc)[:200]})") from None
    if dtype.hasobject:
        raise ValueError(f"{name} holds pickled Python objects, which are not loaded because "
                         "they could run code")
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"{name} holds {dtype} values; only numbers (integers, floats or "
                         "booleans) can be loaded")
    return dtype, tuple(int(s) for s in shape), bool(fortran)


def read_npy(stream: BinaryIO, name: str, size: int | None = None,
             cancel: threading.Event | None = None, already: int = 0,
             scale: int = 1) -> np.ndarray:
    """Read one .npy array from ``stream`` after checking its declared size.

    Parameters
    ----------
    stream : binary file object, positioned at the array's magic bytes
    name : str
        For messages ("mnist.npz: x_train").
    size : int, optional
        The stream's total length when known (a zip member's declared size): a header promising
        more data than that is refused before allocating.
    already : int
        Budget bytes the same file's earlier arrays took.
    scale : int
        Bytes each element will take once the caller converts it (4 for float32 images); the
        array counts ``elements * max(itemsize, scale)`` against the budget.

    Returns
    -------
    ndarray
        Of the declared shape and dtype (numbers only; object arrays are refused).
    """
    dtype, shape, fortran = _npy_header(stream, name)
    count = math.prod(shape)
    check_budget(already + count * max(dtype.itemsize, scale), name)
    nbytes = count * dtype.itemsize
    if size is not None:
        available = size - stream.tell()
        if available < nbytes:
            raise ValueError(f"{name} is truncated: its header promises shape {shape} "
                             f"({describe_bytes(nbytes)}) but only "
                             f"{describe_bytes(max(available, 0))} follow")
    try:
        flat = np.empty(count, dtype)
    except MemoryError:
        raise ValueError(f"{name}: not enough memory for {describe_bytes(nbytes)}") from None
    read_into(stream, flat, name, cancel)
    return flat.reshape(shape, order="F" if fortran else "C")


# A central-directory entry is 46 bytes plus its name, extra field and comment; numpy writes
# names of a few dozen bytes. More than this per allowed member is a directory that lies about
# its member count (zipfile parses the whole directory by its size, whatever the count says).
_DIRECTORY_BYTES_PER_MEMBER = 1024


def check_zip_directory(tail: bytes, name: str, what: str) -> None:
    """Refuse an archive whose end record announces too many members or too large a central
    directory, before :mod:`zipfile` parses that directory.

    Parameters
    ----------
    tail : bytes
        The last 64 KiB + 22 bytes of the file (or all of it), where the end record is.
    name : str
        The file's name, for the message.
    what : str
        What the file should be ("a data set", "a model file"), for the message.
    """
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise ValueError(f"{name} is damaged or truncated (no zip directory at its end)")
    total = int.from_bytes(tail[at + 10:at + 12], "little")
    directory = int.from_bytes(tail[at + 12:at + 16], "little")
    limit = limits.MAX_ARCHIVE_MEMBERS
    if total == 0xFFFF or directory == 0xFFFFFFFF:
        raise ValueError(f"{name} is a ZIP64 archive (over 65,535 members or 4 GiB); {what} has "
                         f"at most {limit:,} members")
    if total > limit:
        raise ValueError(f"{name} is an archive of {total:,} members; {what} has at most "
                         f"{limit:,}")
    if directory > limit * _DIRECTORY_BYTES_PER_MEMBER:
        raise ValueError(f"{name}'s zip directory takes {describe_bytes(directory)}, far more "
                         f"than its {total:,} members need; it was not read")


def check_member_compression(info: zipfile.ZipInfo, name: str) -> None:
    """Refuse a member compressed other than stored or deflated (what numpy writes): zipfile
    inflates bzip2 and LZMA data in one call with no output limit, past every size check."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"{name}: the member {info.filename[:60]!r} is compressed with method "
                         f"{info.compress_type} (only stored and deflated members, as numpy "
                         f"writes them, are read)")


def _count_members(raw: BinaryIO, name: str) -> None:
    """Refuse an archive with too many members from its end record, before zipfile parses it."""
    raw.seek(0, os.SEEK_END)
    end = raw.tell()
    raw.seek(max(0, end - (1 << 16) - 22))
    tail = raw.read()
    raw.seek(0)
    check_zip_directory(tail, name, "a data set")


def _npz_members(archive: zipfile.ZipFile, name: str, wanted: tuple[str, ...]) -> dict:
    infos = archive.infolist()
    if len(infos) > limits.MAX_ARCHIVE_MEMBERS:
        raise ValueError(f"{name} is an archive of {len(infos):,} members; a data set has a few "
                         f"(at most {limits.MAX_ARCHIVE_MEMBERS})")
    by_key = {}
    for info in infos:
        key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        if key in wanted:
            if not info.filename.endswith(".npy"):
                raise ValueError(f"{name}: the member {info.filename!r} is not an .npy array")
            check_member_compression(info, name)
            by_key[key] = info
    missing = [k for k in wanted if k not in by_key]
    if missing:
        raise ValueError(f"{name} lacks the arrays {sorted(missing)}")
    return by_key


def read_npz_arrays(path: str | os.PathLike[str], wanted: tuple[str, ...],
                    cancel: threading.Event | None = None,
                    scale: int = 1) -> dict[str, np.ndarray]:
    """Read the arrays ``wanted`` from an .npz archive, never unpickling, within the budget.

    Parameters
    ----------
    path : str or path-like
    wanted : tuple of str
        Array names (without ".npy"); other members are ignored, unread.
    scale : int
        Bytes each element will take once the caller converts it (4 for float32 images): the
        sum of ``elements * max(itemsize, scale)`` over ``wanted`` must fit the budget.

    Raises
    ------
    ValueError
        For a missing or non-.npy member, an archive that is damaged, truncated, encrypted or
        has too many members, object (pickled) or non-numeric arrays, or sizes over the budget.
    """
    path = Path(path)
    name = path.name
    with open_regular(path, "data-set file") as raw:
        if raw.read(2) != b"PK":
            raise ValueError(f"{name} is not a valid .npz file (not a zip archive)")
        _count_members(raw, name)
        try:
            with zipfile.ZipFile(raw) as archive:
                return _read_members(archive, name, wanted, cancel, scale)
        except (OSError, *_ARCHIVE_ERRORS) as exc:
            raise ValueError(f"{name} is not a valid .npz file ({str(exc)[:200]})") from None


def _read_members(archive: zipfile.ZipFile, name: str, wanted: tuple[str, ...],
                  cancel: threading.Event | None, scale: int) -> dict[str, np.ndarray]:
    members = _npz_members(archive, name, wanted)
    arrays, used = {}, 0
    for key in wanted:
        info = members[key]
        with archive.open(info) as stream:
            array = read_npy(stream, f"{name}: {key}", info.file_size, cancel, used, scale)
        arrays[key] = array
        used += array.size * max(array.itemsize, scale)
    return arrays
