"""safetensors files: what PyTorch users save ``state_dict`` s in, read and written with the
``safetensors`` package (imported only here, when such a file is used).

A safetensors file is an 8-byte header length, a JSON header (every tensor's dtype, shape and
byte range, plus string ``__metadata__``) and the raw tensor bytes. cnnviz writes its architecture
into the metadata (key ``cnnviz``), so such a file opens on its own; a bare ``state_dict`` needs an
architecture to be matched to (:func:`read_weights_into`).

The header is checked here before the package sees the bytes: its length against the file, every
declared tensor size against :data:`cnnviz.limits.MAX_ARRAY_BYTES` and against its byte range,
and the byte ranges against the file. A lying header is refused, never trusted.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from cnnviz.io._assemble import assemble
from cnnviz.io._matching import match_state
from cnnviz.io._source import parse_json, read_model_bytes, short_list
from cnnviz.io.npz import FORMAT, header_text
from cnnviz.limits import MAX_ARRAY_BYTES, MAX_HEADER_BYTES, MAX_LAYERS, describe_bytes
from cnnviz.nn.model import Sequential

__all__ = ["read_safetensors", "read_weights_into", "write_safetensors", "read_tensors",
           "METADATA_KEY"]

METADATA_KEY = "cnnviz"
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4",
           "I16": "<i2", "I8": "i1", "U8": "u1"}


def _package():
    try:
        import safetensors
    except ImportError:  # a run-time dependency, but say what to do if it is missing
        raise ValueError("reading or writing .safetensors needs the 'safetensors' package: "
                         "pip install safetensors") from None
    return safetensors


def _entry(key: str, entry, body: int, name: str) -> tuple[int, int]:
    """Check one tensor's header entry; returns its byte range within the data section."""
    bad = f"{name}: the header entry for tensor {key[:60]!r}"
    if not isinstance(entry, dict) or entry.get("dtype") not in _DTYPES:
        raise ValueError(f"{bad} has an unsupported dtype "
                         f"{str(entry.get('dtype') if isinstance(entry, dict) else entry)[:20]}")
    shape, offsets = entry.get("shape"), entry.get("data_offsets")
    if not (isinstance(shape, list) and len(shape) <= 8 and all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape)):
        raise ValueError(f"{bad} has an invalid shape {str(shape)[:60]}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(
            isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            and 0 <= offsets[0] <= offsets[1]):
        raise ValueError(f"{bad} has invalid byte offsets {str(offsets)[:60]}")
    count = 1
    for s in shape:
        count *= s
    declared = count * np.dtype(_DTYPES[entry["dtype"]]).itemsize
    if declared > MAX_ARRAY_BYTES:
        raise ValueError(f"{name}: tensor {key[:60]!r} declares {describe_bytes(declared)}, more "
                         f"than the {describe_bytes(MAX_ARRAY_BYTES)} limit for one array; it "
                         f"was not loaded")
    if offsets[1] - offsets[0] != declared:
        raise ValueError(f"{bad} declares shape {shape} ({declared:,} bytes) but a byte range of "
                         f"{offsets[1] - offsets[0]:,}: the shapes do not fit the data")
    if offsets[1] > body:
        raise ValueError(f"{name} is truncated or its header lies: tensor {key[:60]!r} ends at "
                         f"byte {offsets[1]:,} of a data section of {body:,}")
    return offsets[0], offsets[1]


def _header(data: bytes, name: str) -> tuple[dict, dict]:
    """(tensor entries, string metadata) of a safetensors file, checked against its length."""
    if len(data) < 8:
        raise ValueError(f"{name} is too short to be a safetensors file")
    (length,) = struct.unpack_from("<Q", data, 0)
    if length > MAX_HEADER_BYTES or 8 + length > len(data):
        raise ValueError(f"{name}: its header claims {length:,} bytes but the file has only "
                         f"{len(data) - 8:,} after the length field: the header length lies, or "
                         f"the file is truncated or not safetensors")
    header = parse_json(data[8:8 + length], f"{name}'s header", MAX_HEADER_BYTES)
    if not isinstance(header, dict):
        raise ValueError(f"{name}'s header is not a JSON object; not a safetensors file")
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise ValueError(f"{name}'s __metadata__ must map names to strings")
    if len(header) > 4 * MAX_LAYERS:
        raise ValueError(f"{name} holds {len(header):,} tensors, more than a model can use")
    body = len(data) - 8 - length
    ranges = sorted(_entry(k, v, body, name) for k, v in header.items())
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        if start < end:
            raise ValueError(f"{name}: two tensors claim the same bytes; the header is damaged")
    return header, meta


def _array(dtype: str, raw, shape) -> np.ndarray:
    array = np.frombuffer(bytes(raw), dtype=_DTYPES[dtype]).reshape(shape)
    if dtype == "BF16":  # bfloat16 is the top half of a float32
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array.copy()


def read_tensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every tensor of a safetensors file by name, and its string metadata (checked first)."""
    name = path.name
    data = read_model_bytes(path)
    meta = _header(data, name)[1]
    safetensors = _package()
    try:
        items = safetensors.deserialize(data)
    except Exception as exc:  # noqa: BLE001 - SafetensorError and friends: the file is bad
        raise ValueError(f"{name} is not a valid safetensors file ({str(exc)[:120]})") from None
    tensors = {key: _array(item["dtype"], item["data"], item["shape"]) for key, item in items}
    return tensors, meta


def read_safetensors(path: Path) -> Sequential:
    """A model from a safetensors file that carries cnnviz's architecture in its metadata."""
    name = path.name
    tensors, meta = read_tensors(path)
    text = meta.get(METADATA_KEY)
    if text is None:
        raise ValueError(
            f"{name} holds {len(tensors)} weight tensors ({short_list(sorted(tensors), 3)}) but "
            f"no cnnviz architecture. Build the matching network in the studio's Network tab "
            f"and use File > Load weights into network..., or "
            f"cnnviz.io.load_weights(path, model)")
    header = parse_json(text, f"{name}'s cnnviz metadata")
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{name}'s cnnviz metadata is not a cnnviz architecture")
    metadata = header.get("metadata") if isinstance(header.get("metadata"), dict) else {}
    model = assemble(header.get("architecture"), tensors, metadata, name)
    model.metadata.setdefault("source_format", "safetensors")
    return model


def read_weights_into(path: Path, model: Sequential) -> Sequential:
    """A copy of ``model`` holding the tensors of ``path``, matched by layer order and shape."""
    name = path.name
    tensors, _ = read_tensors(path)
    state = match_state(model, tensors, name)
    metadata = dict(model.metadata)
    metadata.setdefault("source_format", "safetensors")
    return assemble(model.config(), state, metadata, name)


def write_safetensors(model: Sequential, path: Path, metadata: dict) -> Path:
    """Write the weights (``"0.weight"`` names, as ``torch.nn.Sequential`` uses) and, in the
    metadata, cnnviz's architecture: the file opens in cnnviz and in PyTorch alike."""
    from cnnviz.fileio import write_bytes_atomic

    _package()
    from safetensors.numpy import save

    state = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in model.state_dict().items()}
    meta = {METADATA_KEY: header_text(model, metadata), "format": "pt"}
    return write_bytes_atomic(path, save(state, metadata=meta))
