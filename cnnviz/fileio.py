"""Writing files safely: the one atomic save every part of the app uses (models, exports, CSV).

A save writes a temporary file in the target's own folder, flushes it to disk (``fsync``) and then
renames it over the target (``os.replace``), so a crash, a kill or a full disk mid-save never
leaves a half-written file where the user's file was: they find the old file or the new one.

Temporary files are named ``.cnnviz-tmp-<random>.part``, short whatever the target's name (a
254-character file name still works) and recognisable: a save removes the stale ones an earlier
crashed save of this app left in the same folder. The finished file gets the permissions the
user's umask gives a new file (``-rw-r--r--`` usually), not the owner-only mode of a temp file.
Errors name the user's file, never the temporary one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["TEMP_PREFIX", "TEMP_SUFFIX", "atomic_write", "write_bytes_atomic", "remove_stale_temps",
           "check_writable"]

TEMP_PREFIX = ".cnnviz-tmp-"
TEMP_SUFFIX = ".part"
# A temp file this old cannot belong to a save still in progress (saves take seconds at most).
_STALE_AFTER_S = 60.0


def _umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temps(folder: Path, older_than_s: float = _STALE_AFTER_S) -> int:
    """Delete this app's leftover temporary files in ``folder``; returns how many went.

    Only regular files named like this module's temporaries and older than ``older_than_s``
    seconds are touched, so a save running at the same moment in another window is safe.
    """
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and \
                    now - entry.stat(follow_symlinks=False).st_mtime > older_than_s:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def _explain(exc: OSError, path: Path) -> OSError:
    """The same error, worded for the user's file (not the temporary one)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        message = f"not enough space to save {path.name} in {path.parent}"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        message = f"cannot save {path.name}: the folder {path.parent} is not writable"
    elif exc.errno == errno.ENOENT:
        message = f"cannot save {path.name}: the folder {path.parent} does not exist"
    elif exc.errno == errno.ENAMETOOLONG:
        message = f"cannot save {path.name}: the name is too long for this file system"
    else:
        message = f"cannot save {path.name}: {exc.strerror or exc}"
    return OSError(exc.errno, message, str(path))


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb",
                 newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path`` atomically.

    Parameters
    ----------
    path : str or path-like
        The file to create or replace.
    mode : {"wb", "w"}
        Binary or text.
    newline : str, optional
        Passed to :func:`open` in text mode (``""`` for :mod:`csv`).

    Yields
    ------
    file object
        Write the whole content to it. If the block raises, the target is left untouched and the
        temporary file is removed.

    Raises
    ------
    OSError
        With a sentence naming ``path``: a missing or read-only folder, a full disk, a name too
        long, or ``path`` being a folder.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write opens files for writing ('wb' or 'w'), not {mode!r}")
    path = Path(path).expanduser()
    folder = path.parent
    if path.is_dir():
        raise OSError(errno.EISDIR, f"cannot save {path.name}: it is a folder", str(path))
    remove_stale_temps(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise _explain(exc, path) from None
    try:
        with os.fdopen(fd, mode, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise _explain(exc, path) from None
    except BaseException:
        _unlink_quietly(tmp)
        raise


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Make sure a later :func:`atomic_write` to ``path`` can succeed, before the work behind it.

    The folder must exist and accept a new file: a temporary file like those of a real save is
    created and removed (asking ``os.access`` is not enough: it says yes to root on a read-only
    file system, and knows nothing of quotas). The name must fit the file system too.

    Returns
    -------
    Path
        ``path``, expanded.

    Raises
    ------
    OSError
        Worded for ``path``, as :func:`atomic_write` would raise it.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise OSError(errno.EISDIR, f"cannot save {path.name}: it is a folder", str(path))
    try:
        max_name = os.pathconf(path.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        max_name = 255
    if len(os.fsencode(path.name)) > max_name:
        raise _explain(OSError(errno.ENAMETOOLONG, "name too long"), path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise _explain(exc, path) from None
    os.close(fd)
    _unlink_quietly(tmp)
    return path


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through :func:`atomic_write`; returns the path."""
    with atomic_write(path, "wb") as f:
        f.write(data)
    return Path(path).expanduser()


def _unlink_quietly(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)
