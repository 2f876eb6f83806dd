"""cnnviz's own model files: ``.npz`` archives holding the weights plus a JSON architecture.

Reading never executes anything from the file and never trusts a size it declares:

* the archive's member count is read from its end record before the zip directory is parsed,
  so a file with 100,000 members is refused in microseconds;
* every member must be ``__cnnviz__.npy`` or ``param/<name>.npy`` (unknown members are refused);
* each ``.npy`` header is parsed here with a strict pattern (not ``ast.literal_eval``, which
  raises ``tokenize.TokenError`` on one flipped byte) and its declared size is checked against
  :data:`cnnviz.limits.MAX_ARRAY_BYTES` and against the member's size *before* it is read;
* only numeric dtypes and the one text header are accepted: object arrays (pickles) never load;
* the architecture is checked layer by layer and against the stored arrays before anything is
  built (see :mod:`cnnviz.io._checks`).
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from cnnviz.data.guarded import check_member_compression, check_zip_directory
from cnnviz.fileio import atomic_write
from cnnviz.io._checks import checked_architecture, parameter_shapes
from cnnviz.io._source import parse_json, read_model_bytes, refuse_pickle, short_list
from cnnviz.limits import MAX_ARRAY_BYTES, MAX_FILE_BYTES, describe_bytes
from cnnviz.nn.model import Sequential

__all__ = ["FORMAT", "FORMAT_VERSION", "save_npz", "read_npz", "plain_json"]

FORMAT = "cnnviz-model"
# 2: layer types in the architecture-spec vocabulary ("conv", "dense", ...); version 1 files
# named them after the classes ("Conv2D", "Dense", ...) and still load.
FORMAT_VERSION = 2
VERSION_1_TYPES = {"Conv2D": "conv", "ReLU": "relu", "MaxPool2D": "maxpool",
                   "AvgPool2D": "avgpool", "Flatten": "flatten", "Dense": "dense"}
HEADER_KEY = "__cnnviz__"
WEIGHT_PREFIX = "param/"
_NPY_MAGIC = b"\x93NUMPY"
_NPY_HEADER = re.compile(
    r"\{'descr': *'(?P<descr>[<>|=]?[a-zA-Z]\d{0,8})', *"
    r"'fortran_order': *(?P<fortran>True|False), *"
    r"'shape': *\((?P<shape>[0-9, ]{0,200})\),? *\} *\n?")
_WEIGHT_KINDS = "fiu"


def plain_json(value):
    """JSON fallback for NumPy values in metadata (e.g. an input shape of np.int64)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def header_text(model: Sequential, metadata: dict) -> str:
    """The JSON header (format, version, architecture, metadata) saved with a model."""
    header = {"format": FORMAT, "version": FORMAT_VERSION, "architecture": model.config(),
              "metadata": metadata}
    try:
        return json.dumps(header, allow_nan=False, default=plain_json)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the model metadata cannot be saved as JSON: {exc}") from None


def save_npz(model: Sequential, path: Path, metadata: dict) -> Path:
    """Write ``model`` with ``metadata`` as a cnnviz ``.npz`` (atomically)."""
    arrays = {HEADER_KEY: np.array(header_text(model, metadata))}
    arrays.update({WEIGHT_PREFIX + k: v for k, v in model.state_dict().items()})
    with atomic_write(path) as f:
        np.savez(f, **arrays)
    return path


def _parse_npy_header(raw: bytes, member: str, name: str) -> tuple[np.dtype, tuple, bool, int]:
    """(dtype, shape, fortran_order, data offset) of one ``.npy`` member, strictly."""
    bad = ValueError(f"{name}: member {member[:60]} is not a valid NumPy array")
    if not raw.startswith(_NPY_MAGIC) or len(raw) < 10:
        raise bad
    major = raw[6]
    if major == 1:
        (length,), start = struct.unpack_from("<H", raw, 8), 10
    elif major in (2, 3) and len(raw) >= 12:
        (length,), start = struct.unpack_from("<I", raw, 8), 12
    else:
        raise bad
    if length > 65_536 or start + length > len(raw):
        raise bad
    text = raw[start:start + length].decode("latin1").rstrip(" \n")
    match = _NPY_HEADER.fullmatch(text + "\n") or _NPY_HEADER.fullmatch(text)
    if match is None:
        raise bad
    try:
        dtype = np.dtype(match["descr"])
        shape = tuple(int(s) for s in match["shape"].replace(" ", "").split(",") if s)
    except (TypeError, ValueError):
        raise bad from None
    return dtype, shape, match["fortran"] == "True", start + length


def _array_from_member(raw: bytes, member: str, name: str) -> np.ndarray:
    dtype, shape, fortran, offset = _parse_npy_header(raw, member, name)
    if dtype.kind == "O":
        raise ValueError(f"{name} contains pickled Python objects, which could run code; it was "
                         f"not loaded. Only cnnviz model files can be opened")
    if dtype.kind not in _WEIGHT_KINDS and not (member == HEADER_KEY and dtype.kind == "U"):
        raise ValueError(f"{name}: member {member[:60]} holds {dtype} data, not numbers; only "
                         f"numeric weights are loaded (never pickled objects)")
    count = 1
    for s in shape:
        count *= s
    declared = count * dtype.itemsize
    if declared > MAX_ARRAY_BYTES:
        raise ValueError(f"{name}: member {member[:60]} declares {describe_bytes(declared)}, "
                         f"more than the {describe_bytes(MAX_ARRAY_BYTES)} limit for one array")
    if len(raw) - offset != declared:
        raise ValueError(f"{name} is damaged or truncated: member {member[:60]} declares "
                         f"{declared:,} bytes of data but holds {len(raw) - offset:,}")
    if dtype.kind == "U":  # the architecture text: decoded strictly (bad code points refused)
        if shape != ():
            raise ValueError(f"{name} has a malformed architecture entry")
        codec = "utf-32-be" if dtype.byteorder == ">" else "utf-32-le"
        try:
            return np.array(raw[offset:].decode(codec).rstrip("\0"))
        except UnicodeDecodeError:
            raise ValueError(f"{name}'s architecture is not valid text; the file is damaged") \
                from None
    array = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
    return array.reshape(shape, order="F" if fortran else "C").copy()


def _check_member_names(infos: list[zipfile.ZipInfo], name: str) -> None:
    if any(i.filename.endswith("data.pkl") for i in infos):
        raise refuse_pickle(name)
    if not any(i.filename == HEADER_KEY + ".npy" for i in infos):
        raise ValueError(f"{name} is an .npz file but not a cnnviz model (it has no "
                         f"architecture); save models with cnnviz")
    unknown = [i.filename for i in infos if not i.filename.endswith(".npy") or not (
        i.filename == HEADER_KEY + ".npy" or i.filename.startswith(WEIGHT_PREFIX))]
    if unknown:
        raise ValueError(f"{name} holds members that are not part of a cnnviz model "
                         f"({short_list(unknown)}); it was not loaded")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_FILE_BYTES:  # a decompression bomb: refused before inflating anything
        raise ValueError(f"{name} would unpack to {describe_bytes(unpacked)}, more than the "
                         f"{describe_bytes(MAX_FILE_BYTES)} limit for model files; it was not "
                         f"loaded")
    big = [i for i in infos if i.file_size > MAX_ARRAY_BYTES + 65_536]
    if big:
        raise ValueError(f"{name}: member {big[0].filename[:60]} would unpack to "
                         f"{describe_bytes(big[0].file_size)}, more than the "
                         f"{describe_bytes(MAX_ARRAY_BYTES)} limit for one array")


def read_npz(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The parsed JSON header and the weight arrays (``"0.weight"`` ...) of a cnnviz ``.npz``.

    Raises
    ------
    ValueError
        For anything that is not a sound cnnviz model archive within :mod:`cnnviz.limits`.
    """
    name = path.name
    data = read_model_bytes(path)
    if data.startswith(_NPY_MAGIC):
        raise ValueError(f"{name} holds a single array, not a cnnviz model (.npz)")
    if not data.startswith(b"PK"):  # every .npz is a zip archive
        raise ValueError(f"{name} is not a cnnviz model file (not an .npz archive)")
    check_zip_directory(data[-65_557:], name, "a model file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_member_names(infos, name)
            for info in infos:
                check_member_compression(info, name)
            by_name = {i.filename[:-len(".npy")]: i for i in infos}
            header = _header(_read_member(archive, by_name.pop(HEADER_KEY), HEADER_KEY, name),
                             name)
            _check_used(header, by_name, name)
            state = {key[len(WEIGHT_PREFIX):]: _read_member(archive, info, key, name)
                     for key, info in by_name.items()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError, RuntimeError,
            NotImplementedError, zlib.error, struct.error, UnicodeDecodeError) as exc:
        raise ValueError(f"{name} is damaged or truncated and cannot be read "
                         f"({str(exc)[:100]})") from None
    return header, state


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str,
                 name: str) -> np.ndarray:
    with archive.open(info) as f:
        raw = f.read(info.file_size + 1)
    return _array_from_member(raw, key, name)


def _check_used(header: dict, members: dict, name: str) -> None:
    """Refuse members the architecture does not use, before reading any of them: an unused
    array must never "pay" for a network (or cost memory)."""
    configs = checked_architecture(header.get("architecture"), name)
    expected = {WEIGHT_PREFIX + k for k in parameter_shapes(configs)}
    unused = sorted(set(members) - expected)
    if unused:
        raise ValueError(f"{name} holds arrays its architecture does not use "
                         f"({short_list(k[len(WEIGHT_PREFIX):] for k in unused)}); it was not "
                         f"loaded")


def _header(raw, name: str) -> dict:
    if raw is None:
        raise ValueError(f"{name} is an .npz file but not a cnnviz model (it has no "
                         f"architecture); save models with cnnviz")
    if raw.dtype.kind != "U" or raw.ndim != 0:
        raise ValueError(f"{name} has a malformed architecture entry")
    header = parse_json(str(raw), f"{name}'s architecture")
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{name} is not a cnnviz model file")
    version = header.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"{name} has no valid format version")
    if version > FORMAT_VERSION:
        raise ValueError(f"{name} was saved by a newer cnnviz (format version {version}); "
                         f"update cnnviz to open it")
    architecture = header.get("architecture")
    if version < 2 and isinstance(architecture, list):
        header["architecture"] = [_version_1_layer(c) for c in architecture]
    return header


def _version_1_layer(config):
    """A version-1 layer config (class names as types) in today's vocabulary."""
    if not isinstance(config, dict) or not isinstance(config.get("type"), str):
        return config
    return {**config, "type": VERSION_1_TYPES.get(config["type"], config["type"])}
