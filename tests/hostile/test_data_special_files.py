"""Issue 9, item 5 (data sets): only regular files are opened. A named pipe used to block the
loader (and then the app's close) for ever; a device never ends."""

import os

import pytest
from conftest import run_cases, run_limited

SETUP = """
import os
import numpy as np
from cnnviz import data
from makers import idx_bytes, scratch, write
def pipe(name):
    path = os.path.join(scratch(), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.mkfifo(path)
    return path
"""

CASES = {
    "FIFO named model.npz": """
        return data.load_dataset(pipe("model.npz")).n_classes
    """,
    "FIFO named train-images-idx3-ubyte": """
        write("p/train-labels-idx1-ubyte", idx_bytes(np.zeros(5, np.uint8)))
        return data.load_dataset(pipe("p/train-images-idx3-ubyte")).n_classes
    """,
    "FIFO images in an MNIST folder": """
        write("q/train-labels-idx1-ubyte", idx_bytes(np.zeros(5, np.uint8)))
        pipe("q/train-images-idx3-ubyte")
        return data.load_dataset(os.path.join(scratch(), "q")).n_classes
    """,
    "/dev/zero named data.npz": """
        os.symlink("/dev/zero", os.path.join(scratch(), "zero.npz"))
        return data.load_dataset(os.path.join(scratch(), "zero.npz")).n_classes
    """,
    "/dev/zero named train-images-idx3-ubyte": """
        write("d/train-labels-idx1-ubyte", idx_bytes(np.zeros(5, np.uint8)))
        os.symlink("/dev/zero", os.path.join(scratch(), "d", "train-images-idx3-ubyte"))
        return data.load_dataset(os.path.join(scratch(), "d")).n_classes
    """,
}

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                                reason="needs named pipes and /dev/zero (POSIX)")


@pytest.fixture(scope="module")
def outcomes():
    return run_cases(SETUP, CASES, timeout=20)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_special_file_is_refused_at_once_with_what_it_is(outcomes, case):
    got = outcomes[case]
    assert got.refused(), (got.raised, got.message)
    assert "named pipe" in got.message or "a device" in got.message
    assert "only ordinary files" in got.message and got.seconds < 1


def test_the_cli_refuses_a_named_pipe_as_data_set_without_hanging():
    run = run_limited("""
        import os, runpy, sys
        from makers import scratch
        path = os.path.join(scratch(), "pipe.npz")
        os.mkfifo(path)
        sys.argv = ["cnnviz", "train", "--dataset", path]
        runpy.run_module("cnnviz", run_name="__main__")
    """, timeout=20)
    assert not run.timed_out
    assert run.returncode == 2 and "named pipe" in run.stderr and "Traceback" not in run.stderr


