"""One atomic save for models, exports and CSV: all or nothing, the user's umask, clear errors."""

import errno
import os
import stat
import time

import pytest

from cnnviz import fileio
from cnnviz.fileio import TEMP_PREFIX, TEMP_SUFFIX, atomic_write, write_bytes_atomic


def _temps(folder):
    return [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_a_clean_save_replaces_the_target_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "model.npz"
    target.write_bytes(b"old")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert _temps(tmp_path) == []


def test_a_failed_save_keeps_the_old_file_and_removes_its_temporary_file(tmp_path):
    target = tmp_path / "model.npz"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as f:
        f.write(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert _temps(tmp_path) == []


def test_the_saved_file_gets_the_users_umask_not_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_bytes_atomic(tmp_path / "map.png", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_stricter_umask_is_respected_too(tmp_path):
    old = os.umask(0o077)
    try:
        path = write_bytes_atomic(tmp_path / "map.png", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_254_character_file_name_can_be_saved(tmp_path):
    target = tmp_path / ("m" * 250 + ".npz")
    write_bytes_atomic(target, b"ok")
    assert target.read_bytes() == b"ok"


def test_stale_temporary_files_of_earlier_crashed_saves_are_removed_on_the_next_save(tmp_path):
    stale = tmp_path / f"{TEMP_PREFIX}abc{TEMP_SUFFIX}"
    stale.write_bytes(b"x" * 100)
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    fresh = tmp_path / f"{TEMP_PREFIX}def{TEMP_SUFFIX}"   # maybe a save running right now
    fresh.write_bytes(b"x")
    unrelated = tmp_path / ".model.npz.tmp"
    unrelated.write_bytes(b"not ours")
    os.utime(unrelated, (an_hour_ago, an_hour_ago))
    write_bytes_atomic(tmp_path / "model.npz", b"new")
    assert not stale.exists()
    assert fresh.exists() and unrelated.exists()


def test_a_full_disk_says_not_enough_space_and_names_the_users_file(tmp_path, monkeypatch):
    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    target = tmp_path / "model.npz"
    with pytest.raises(OSError, match="not enough space to save model.npz") as info:
        write_bytes_atomic(target, b"data")
    assert TEMP_PREFIX not in str(info.value)
    assert _temps(tmp_path) == []


def test_a_missing_folder_is_an_oserror_that_names_the_file_and_folder(tmp_path):
    with pytest.raises(OSError, match="cannot save model.npz: the folder .* does not exist"):
        write_bytes_atomic(tmp_path / "missing" / "model.npz", b"data")


def test_saving_over_a_folder_is_refused_with_a_sentence(tmp_path):
    (tmp_path / "model.npz").mkdir()
    with pytest.raises(OSError, match="it is a folder"):
        write_bytes_atomic(tmp_path / "model.npz", b"data")


def test_text_mode_writes_text(tmp_path):
    with atomic_write(tmp_path / "history.csv", "w", newline="") as f:
        f.write("step,loss\r\n1,0.5\r\n")
    assert (tmp_path / "history.csv").read_bytes() == b"step,loss\r\n1,0.5\r\n"


LONG_NAME = "m" * 250 + ".npz"  # 254 characters: within every common file system's 255


def test_check_writable_creates_and_removes_a_probe_file(tmp_path):
    assert fileio.check_writable(tmp_path / "model.npz") == tmp_path / "model.npz"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, fragment", [
    ("missing/model.npz", "does not exist"), ("m" * 300 + ".npz", "too long"), ("", "folder"),
])
def test_check_writable_says_what_would_stop_the_save(tmp_path, name, fragment):
    with pytest.raises(OSError, match=fragment):
        fileio.check_writable(tmp_path / name)


def test_a_254_character_name_saves_a_model(tmp_path):
    from cnnviz.io import load_model, save_model
    from cnnviz.nn import architecture

    model = architecture.build_model(architecture.default_architecture("lines", (1, 8, 8), 2),
                                     (1, 8, 8), 2)
    fileio.check_writable(tmp_path / LONG_NAME)
    path = save_model(model, tmp_path / LONG_NAME)
    assert path.name == LONG_NAME and load_model(path).state_dict().keys()
    assert _temps(tmp_path) == []
