"""The thread split of a batch, and how the compiled kernels are found, cached and switched off."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cnnviz.nn import _jit, _parallel, kernels


def test_every_chunk_runs_exactly_once():
    seen, lock = [], threading.Lock()

    def chunk(lo, hi):
        with lock:
            seen.append((lo, hi))

    bounds = _parallel.chunk_bounds(103, 10)
    _parallel.run_chunks(chunk, bounds)
    assert sorted(seen) == bounds and bounds[-1] == (100, 103)


def test_a_chunk_error_reaches_the_caller():
    def chunk(lo, hi):
        if lo == 20:
            raise ValueError("bad chunk")

    with pytest.raises(ValueError, match="bad chunk"):
        _parallel.run_chunks(chunk, _parallel.chunk_bounds(50, 10))


def test_several_threads_can_split_batches_at_the_same_time():
    totals = {}

    def caller(name):
        parts = []
        _parallel.run_chunks(lambda lo, hi: parts.append(sum(range(lo, hi))),
                             _parallel.chunk_bounds(1000, 7))
        totals[name] = sum(parts)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert totals == {i: sum(range(1000)) for i in range(4)}


def test_one_thread_means_everything_runs_in_the_caller(monkeypatch):
    monkeypatch.setenv("CNNVIZ_THREADS", "1")
    where = set()
    _parallel.run_chunks(lambda lo, hi: where.add(threading.get_ident()),
                         _parallel.chunk_bounds(40, 5))
    assert where == {threading.get_ident()}


def test_source_folder_is_the_cache_when_writable(tmp_path):
    assert _jit.cache_dir(tmp_path, {}, writable=lambda p: True) is None


def test_a_read_only_package_caches_in_numba_cache_dir(tmp_path):
    where = _jit.cache_dir(tmp_path / "pkg", {"NUMBA_CACHE_DIR": str(tmp_path / "c")},
                           writable=lambda p: "pkg" not in str(p))
    assert where == tmp_path / "c"


def test_a_read_only_package_falls_back_to_the_user_cache_then_tmp(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    user = _jit.cache_dir(tmp_path / "pkg", env, writable=lambda p: "pkg" not in str(p))
    assert user == tmp_path / "xdg" / "cnnviz" / "numba"
    tmp = _jit.cache_dir(tmp_path / "pkg", env,
                         writable=lambda p: "pkg" not in str(p) and "xdg" not in str(p))
    assert tmp.name.startswith("cnnviz-numba-")
    assert _jit.cache_dir(tmp_path / "pkg", env, writable=lambda p: False) == Path()


def test_cnnviz_no_jit_selects_the_numpy_engine():
    probe = "from cnnviz.nn import kernels; print(kernels.backend())"
    env = dict(os.environ, CNNVIZ_NO_JIT="1")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "numpy (CNNVIZ_NO_JIT)", done.stderr


def test_importing_the_engine_does_not_load_numba():
    probe = ("import sys, cnnviz.nn, cnnviz.nn.functional, cnnviz.train; "
             "print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_warm_up_in_the_background_ends_ready():
    if _jit.kernels() is None:
        pytest.skip(f"compiled kernels unavailable: {_jit.backend()}")
    thread = kernels.warm_up(background=True)
    if thread is not None:
        thread.join(timeout=600)
    assert kernels.ready() and kernels.backend().startswith("numba")


def test_prepare_says_once_that_it_compiles_when_that_is_slow(monkeypatch):
    slow = threading.Thread(target=time.sleep, args=(0.3,))
    monkeypatch.setattr(kernels, "warm_up", lambda background: slow.start() or slow)
    said = []
    kernels.prepare(said.append, patience=0.05)
    assert len(said) == 1 and "compile" in said[0] and not slow.is_alive()


def test_prepare_is_silent_when_the_kernels_load_quickly(monkeypatch):
    monkeypatch.setattr(kernels, "warm_up", lambda background: None)
    said = []
    kernels.prepare(said.append)
    assert said == []


def test_after_helpers_were_late_twice_the_caller_works_alone_for_a_while(monkeypatch):
    monkeypatch.setenv("CNNVIZ_THREADS", "2")
    monkeypatch.setattr(_parallel, "_alone", {"until": 0.0, "late": 0})
    _parallel._note_wait(0.5, 0.01)
    assert _parallel._alone["until"] == 0.0  # once may be chance
    _parallel._note_wait(0.5, 0.01)
    assert _parallel._alone["until"] > time.monotonic()
    where = set()
    _parallel.run_chunks(lambda lo, hi: where.add(threading.get_ident()),
                         _parallel.chunk_bounds(40, 5))
    assert where == {threading.get_ident()}


def test_helpers_on_time_keep_the_split():
    state = {"until": 0.0, "late": 1}
    _parallel._alone.update(state)
    _parallel._note_wait(0.0001, 0.01)
    assert _parallel._alone == {"until": 0.0, "late": 0}
