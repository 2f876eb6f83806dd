"""The guarded readers every data loader uses: regular files only, running byte limits, .npy
headers checked before allocating, cancellation between chunks."""

import io
import os
import threading

import numpy as np
import pytest

from cnnviz import limits
from cnnviz.data import guarded
from cnnviz.data.files import load_idx
from cnnviz.limits import Cancelled


def npy(array, **kw):
    buffer = io.BytesIO()
    np.save(buffer, array, **kw)
    return buffer.getvalue()


def npz(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    pipe = tmp_path / "data.npz"
    os.mkfifo(pipe)
    with pytest.raises(ValueError, match="data.npz is a named pipe .*only ordinary files"):
        guarded.open_regular(pipe)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_even_through_a_symlink(tmp_path):
    (tmp_path / "zero.npz").symlink_to("/dev/zero")
    with pytest.raises(ValueError, match="zero.npz is a device"):
        guarded.open_regular(tmp_path / "zero.npz")


def test_a_folder_and_a_missing_file_are_named(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        guarded.open_regular(tmp_path)
    with pytest.raises(ValueError, match="gone.npz: no such file"):
        guarded.open_regular(tmp_path / "gone.npz")


def test_read_limited_refuses_a_stream_longer_than_its_limit():
    with pytest.raises(ValueError, match="at least 101 bytes unpacked, more than the 100 bytes"):
        guarded.read_limited(io.BytesIO(bytes(1000)), "x.gz", limit=100)
    assert guarded.read_limited(io.BytesIO(bytes(100)), "x.gz", limit=100) == bytes(100)


def test_read_bytes_gunzips_and_counts_the_unpacked_bytes(tmp_path, monkeypatch):
    import gzip

    path = tmp_path / "z.gz"
    path.write_bytes(gzip.compress(bytes(5000)))
    assert len(guarded.read_bytes(path)) == 5000
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 4096)
    with pytest.raises(ValueError, match="z.gz would need at least"):
        guarded.read_bytes(path)


def test_read_npy_returns_the_array_it_declares():
    a = np.arange(12, dtype=np.int16).reshape(3, 4)
    np.testing.assert_array_equal(guarded.read_npy(io.BytesIO(npy(a)), "a"), a)
    f = np.asfortranarray(a)
    np.testing.assert_array_equal(guarded.read_npy(io.BytesIO(npy(f)), "f"), a)


def test_read_npy_refuses_a_size_over_the_budget_before_reading(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 100)
    with pytest.raises(ValueError, match="would need 800 bytes once decoded, more than the 100"):
        guarded.read_npy(io.BytesIO(npy(np.zeros(100))), "big")


def test_read_npy_counts_elements_at_the_size_they_will_be_converted_to(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 300)
    guarded.read_npy(io.BytesIO(npy(np.zeros(100, np.uint8))), "u8")
    with pytest.raises(ValueError, match="400 bytes"):
        guarded.read_npy(io.BytesIO(npy(np.zeros(100, np.uint8))), "u8", scale=4)


def test_read_npy_refuses_a_header_that_promises_more_than_the_member_holds():
    data = npy(np.zeros(1000, np.uint8))
    with pytest.raises(ValueError, match="truncated: its header promises shape"):
        guarded.read_npy(io.BytesIO(data[:200]), "cut", size=200)


@pytest.mark.parametrize("array, fragment", [
    (np.array([{"a": 1}], dtype=object), "pickled Python objects"),
    (np.array(["text"]), "only numbers"),
    (np.zeros(3, complex), "only numbers"),
    (np.zeros(3, [("a", "i4")]), "only numbers"),
])
def test_read_npy_loads_numbers_only(array, fragment):
    with pytest.raises(ValueError, match=fragment):
        guarded.read_npy(io.BytesIO(npy(array, allow_pickle=True)), "odd")


def test_a_garbled_npy_header_is_a_value_error_not_a_token_error():
    raw = bytearray(npy(np.zeros(3)))
    raw[raw.index(b"'descr'")] = ord('"')  # an unterminated string for NumPy's tokenizer
    with pytest.raises(ValueError, match="not a valid .npy array"):
        guarded.read_npy(io.BytesIO(bytes(raw)), "bad")


def test_read_npz_arrays_reads_only_what_is_asked(tmp_path):
    path = npz(tmp_path / "m.npz", a=np.arange(3), b=np.ones(2))
    arrays = guarded.read_npz_arrays(path, ("a",))
    assert list(arrays) == ["a"] and arrays["a"].tolist() == [0, 1, 2]


def test_read_npz_arrays_names_a_missing_array(tmp_path):
    with pytest.raises(ValueError, match=r"lacks the arrays \['b'\]"):
        guarded.read_npz_arrays(npz(tmp_path / "m.npz", a=np.arange(3)), ("a", "b"))


def test_read_npz_arrays_shares_one_budget_between_its_arrays(tmp_path, monkeypatch):
    path = npz(tmp_path / "m.npz", a=np.zeros(60, np.uint8), b=np.zeros(60, np.uint8))
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 100)
    guarded.read_npz_arrays(path, ("a",))
    with pytest.raises(ValueError, match="m.npz: b would need 120 bytes"):
        guarded.read_npz_arrays(path, ("a", "b"))


def test_an_archive_with_too_many_members_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ARCHIVE_MEMBERS", 3)
    path = npz(tmp_path / "m.npz", **{f"a{i}": np.zeros(1) for i in range(5)})
    with pytest.raises(ValueError, match="archive of 5 members"):
        guarded.read_npz_arrays(path, ("a0",))


def test_a_set_cancel_event_stops_a_read_at_its_next_chunk(tmp_path, monkeypatch):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 1]) + (4096).to_bytes(4, "big") + bytes(4096))
    monkeypatch.setattr(limits, "READ_CHUNK_BYTES", 1024)
    cancel = threading.Event()
    assert load_idx(path, cancel).size == 4096
    cancel.set()
    with pytest.raises(Cancelled):
        load_idx(path, cancel)


@pytest.mark.parametrize("n, text", [(100, "100 bytes"), (2048, "2 KiB"), (12 << 30, "12 GiB"),
                                     (3 << 19, "1.5 MiB"), (8 << 40, "8 TiB"),
                                     ((2**32 - 1) ** 3, "about 10^28 bytes")])
def test_sizes_in_messages_are_short_and_readable(n, text):
    assert limits.describe_bytes(n) == text
