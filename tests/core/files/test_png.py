"""The Qt-free PNG encoder: valid chunks, pixels that decode back exactly, clear refusals."""

import struct
import zlib

import numpy as np
import pytest

from cnnviz.png import encode_png, write_png


def decode(data: bytes) -> tuple[dict, np.ndarray]:
    """Read back what encode_png writes (8-bit, filter 0 on every row), checking every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks.append((kind, body))
        pos += 12 + length
    assert [k for k, _ in chunks][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    w, h, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[0][1])
    channels = {0: 1, 2: 3, 6: 4}[colour]
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    rows = np.frombuffer(raw, np.uint8).reshape(h, 1 + w * channels)
    assert np.all(rows[:, 0] == 0)
    return {"width": w, "height": h, "depth": depth, "channels": channels}, \
        rows[:, 1:].reshape(h, w, channels)


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (5, 7, 4)])
def test_pixels_decode_back_exactly(shape):
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    info, back = decode(encode_png(pixels))
    assert (info["width"], info["height"], info["depth"]) == (7, 5, 8)
    np.testing.assert_array_equal(back.reshape(pixels.shape), pixels)


def test_write_png_writes_the_encoded_file(tmp_path):
    pixels = np.full((2, 3, 3), 200, np.uint8)
    path = write_png(tmp_path / "a.png", pixels)
    assert path.read_bytes() == encode_png(pixels)


@pytest.mark.parametrize("pixels, message", [
    (np.zeros((4, 4), np.float32), "must be uint8"),
    (np.zeros((4, 4, 2), np.uint8), "must have shape"),
    (np.zeros((0, 4), np.uint8), "must have shape"),
])
def test_unwritable_pixels_are_refused_with_a_reason(pixels, message):
    with pytest.raises(ValueError, match=message):
        encode_png(pixels)
