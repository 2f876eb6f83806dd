"""Small builders of hostile files, made on the fly (nothing binary is committed).

Each returns bytes (or writes a file and returns its path): the smallest file that shows one
attack class of issue 9. Imported by the tests and by the subprocesses they start.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import zipfile
import zlib

import numpy as np

__all__ = ["idx_bytes", "idx_header", "npy_bytes", "npy_header", "npz_bytes", "keras_npz",
           "nested_use_svg", "png_header_only", "write", "scratch"]


def scratch() -> str:
    """The child's temporary folder (``HOSTILE_DIR``), or the current folder."""
    return os.environ.get("HOSTILE_DIR", ".")


def write(name: str, data: bytes) -> str:
    """Write ``data`` to ``scratch()/name`` (creating folders); returns the path."""
    path = os.path.join(scratch(), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def idx_header(type_code: int, dims: tuple[int, ...]) -> bytes:
    """An IDX header: magic (0, 0, type, ndim) and big-endian 32-bit dimensions."""
    return bytes([0, 0, type_code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """A whole IDX file for ``array`` (uint8 by default; 0x0C for int32)."""
    big = array.astype(array.dtype.newbyteorder(">"))
    return idx_header(type_code, array.shape) + big.tobytes()


def npy_bytes(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def npy_header(descr: str, shape: tuple[int, ...]) -> bytes:
    """Only an .npy header, declaring ``shape`` of ``descr`` (the data is up to the caller)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def npz_bytes(members: dict[str, bytes], compress: bool = True) -> bytes:
    """A zip archive of raw members (names as given, e.g. ``"x_train.npy"``)."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def keras_npz(**replace: bytes) -> bytes:
    """A valid little Keras-style mnist.npz (40 + 10 images of 8x8, two classes), with any of
    its members (``x_train=...`` as raw .npy bytes) replaced."""
    rng = np.random.default_rng(0)
    members = {
        "x_train": npy_bytes(rng.integers(0, 255, (40, 8, 8), dtype=np.uint8)),
        "y_train": npy_bytes(np.arange(40) % 2),
        "x_test": npy_bytes(rng.integers(0, 255, (10, 8, 8), dtype=np.uint8)),
        "y_test": npy_bytes(np.arange(10) % 2),
    }
    members.update(replace)
    return npz_bytes({f"{k}.npy" if "." not in k else k: v for k, v in members.items()})


def nested_use_svg(depth: int = 8, fan_out: int = 10) -> bytes:
    """2 KB of SVG whose ``<use>`` elements nest ``fan_out ** depth`` rectangles: Qt's renderer
    never finishes it."""
    groups = "".join(
        f'<g id="a{i}">' + f'<use xlink:href="#a{i - 1}"/>' * fan_out + "</g>"
        for i in range(1, depth + 1))
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            f'<defs><rect id="a0" width="1" height="1"/>{groups}</defs>'
            f'<use xlink:href="#a{depth}"/></svg>').encode()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int, bit_depth: int = 8) -> bytes:
    """A PNG that declares ``width`` x ``height`` RGBA pixels but holds one row of data."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 6, 0, 0, 0)
    row = zlib.compress(b"\0" * (1 + 4 * min(width, 4096)))
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", row)
            + _png_chunk(b"IEND", b""))


def gzip_of_zeros(header: bytes, zero_bytes: int) -> bytes:
    """``header`` followed by ``zero_bytes`` zeros, gzipped (a megabyte per gigabyte)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6) as f:
        f.write(header)
        block = b"\0" * (1 << 20)
        for _ in range(zero_bytes >> 20):
            f.write(block)
    return out.getvalue()


def many_member_zip(count: int) -> bytes:
    """A valid zip archive of ``count`` empty stored members, built directly (zipfile would take
    seconds for 100,000)."""
    local, central = bytearray(), bytearray()
    for i in range(count):
        name = f"{i}.npy".encode()
        offset = len(local)
        local += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0,
                             len(name), 0) + name
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0,
                               len(name), 0, 0, 0, 0, 0, offset) + name
    total = min(count, 0xFFFF)
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, total, total, len(central), len(local), 0)
    return bytes(local + central + end)
