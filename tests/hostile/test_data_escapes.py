"""Issue 9, item 6 (data sets): a loader raises only ValueError or OSError with a message.

These once escaped as ``tokenize.TokenError`` (one flipped byte in an .npy header),
``AttributeError`` (a zip member that is not an .npy), ``MemoryError`` and ``TypeError``.
"""

import pytest
from conftest import run_cases

SETUP = """
import numpy as np
from cnnviz import data
from makers import keras_npz, npy_bytes, npy_header, npz_bytes, write
def load(name, **members):
    return data.load_dataset(write(name, keras_npz(**members))).n_classes
"""

CASES = {
    # Found by fuzzing: one byte (the header's "{" turned to NUL) makes NumPy's header parser
    # raise tokenize.TokenError.
    "TokenError in an npy header": """
        header = bytearray(npy_bytes(np.zeros((40, 8, 8), np.uint8)))
        header[bytes(header).index(b"{")] = 0
        return load("t.npz", x_train=bytes(header))
    """,
    "zip member not an .npy": """
        members = {"x_train": b"hello", "y_train.npy": npy_bytes(np.arange(4) % 2),
                   "x_test.npy": npy_bytes(np.zeros((1, 2, 2), np.uint8)),
                   "y_test.npy": npy_bytes(np.zeros(1, np.int64))}
        return data.load_dataset(write("a.npz", npz_bytes(members))).n_classes
    """,
    "object array (pickle)": """
        return load("p.npz", y_train=npy_bytes(np.array([{"a": 1}] * 40, dtype=object), True))
    """,
    "string pixels": """
        return load("s.npz", x_train=npy_bytes(np.full((40, 8, 8), "a")))
    """,
    "complex pixels": """
        return load("c.npz", x_train=npy_bytes(np.zeros((40, 8, 8), complex)))
    """,
    "structured labels": """
        return load("r.npz", y_train=npy_bytes(np.zeros(40, [("a", "i4")])))
    """,
    "header nested too deeply": """
        deep = npy_header("|u1", (1,))
        body = b"{'descr': " + b"(" * 1500 + b")" * 1500 + b"}"
        return load("n.npz", x_train=deep[:8] + len(body).to_bytes(2, "little") + body)
    """,
    "float labels": """
        return load("f.npz", y_train=npy_bytes(np.linspace(0, 1, 40)))
    """,
    "images without pixels": """
        return load("e.npz", x_train=npy_bytes(np.zeros((40, 0, 8), np.uint8)))
    """,
}


@pytest.fixture(scope="module")
def outcomes():
    return run_cases(SETUP, CASES, timeout=30)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_malformed_data_set_raises_only_value_error_with_a_message(outcomes, case):
    got = outcomes[case]
    assert got.refused(), (got.raised, got.message)


def test_pickled_objects_are_named_as_the_reason(outcomes):
    assert "pickled" in outcomes["object array (pickle)"].message


def test_a_member_that_is_not_an_npy_array_is_named(outcomes):
    assert "'x_train' is not an .npy array" in outcomes["zip member not an .npy"].message
