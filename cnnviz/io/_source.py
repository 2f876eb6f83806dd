"""Reading a model file's bytes safely, and parsing its JSON without trusting it.

Every model reader starts here: the path must name a *regular* file (``os.stat`` before ``open``,
so a FIFO called ``model.npz`` is refused instead of blocking the thread forever), no larger than
:data:`cnnviz.limits.MAX_FILE_BYTES`; it is opened with ``O_NONBLOCK`` and checked again with
``fstat`` on the open descriptor, so a file swapped for a pipe between the two checks is refused
too. Pickles (``.pt``, ``.pth``, or pickle bytes under any name) are refused with how to convert.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from cnnviz.limits import MAX_FILE_BYTES, MAX_HEADER_BYTES, MAX_JSON_DEPTH, describe_bytes

__all__ = ["read_model_bytes", "parse_json", "refuse_pickle", "PICKLE_SUFFIXES", "short_list"]

PICKLE_SUFFIXES = (".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".bin")
_CONVERT_HINT = ("save the weights as safetensors instead: in PyTorch, "
                 "`from safetensors.torch import save_file; save_file(model.state_dict(), "
                 "'model.safetensors')`, or export the model with `torch.onnx.export`")


def refuse_pickle(name: str) -> ValueError:
    """The error for a pickle-based PyTorch file: why it is refused and how to convert it."""
    return ValueError(f"{name} is a PyTorch pickle (.pt/.pth). Opening a pickle can run any code "
                      f"it contains, so cnnviz never does; {_CONVERT_HINT}")


def _looks_like_pickle(head: bytes) -> bool:
    # protocol 2+ pickles start with PROTO (0x80) and the protocol number; torch.save writes a zip
    # whose first member is "<name>/data.pkl" (checked by the callers that accept zips)
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def short_list(names, limit: int = 4) -> str:
    """At most ``limit`` names, then "and N more": messages stay short whatever a file holds."""
    names = [str(n)[:60] for n in names]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _stat_regular(path: Path) -> os.stat_result:
    name = path.name
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ValueError(f"{name} does not exist") from None
    except OSError as exc:
        raise ValueError(f"{name} cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(f"{name} is a folder, not a model file")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{name} is not a regular file (a pipe, socket or device); only model "
                         f"files saved on disk can be opened")
    return info


def read_model_bytes(path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The whole content of the regular file ``path``, refused early if it is too large.

    Raises
    ------
    ValueError
        Missing, a folder, a FIFO/device/socket, larger than ``max_bytes``, or unreadable.
    """
    path = Path(path).expanduser()
    name = path.name
    info = _stat_regular(path)
    if info.st_size > max_bytes:
        raise ValueError(f"{name} is {describe_bytes(info.st_size)}, more than the "
                         f"{describe_bytes(max_bytes)} limit for model files; it was not opened")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ValueError(f"{name} cannot be read: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for a pipe after the first look
            raise ValueError(f"{name} is not a regular file; only model files can be opened")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise ValueError(f"{name} grew past the {describe_bytes(max_bytes)} limit while "
                                 f"being read; it was not opened")
            chunks.append(chunk)
    except OSError as exc:
        raise ValueError(f"{name} cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if _looks_like_pickle(data[:2]):
        raise refuse_pickle(name)
    return data


def _depth(text: str) -> int:
    """Deepest bracket nesting of JSON ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_json(text, what: str, max_chars: int = MAX_HEADER_BYTES):
    """Parse untrusted JSON ``text`` (str or bytes) with size and nesting limits.

    Parameters
    ----------
    what : str
        How messages name it, e.g. "m.npz's architecture".

    Raises
    ------
    ValueError
        Too long, nested deeper than :data:`cnnviz.limits.MAX_JSON_DEPTH`, not UTF-8, or bad JSON.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{what} is not UTF-8 text; the file is damaged") from None
    if len(text) > max_chars:
        raise ValueError(f"{what} is {len(text):,} characters long, more than the "
                         f"{max_chars:,} allowed")
    if _depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep; the file is "
                         f"damaged or hostile")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{what} is damaged (bad JSON: {str(exc)[:120]})") from None
