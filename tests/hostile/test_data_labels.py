"""Issue 9, item 1: a huge label must never build one class name per number up to it.

Labels become classes 0..K-1 with K at most ``cnnviz.limits.MAX_CLASSES``: sparse labels are
mapped to dense ones (keeping their numbers as names), too many distinct ones are refused.
"""

import pytest
from conftest import run_cases

SETUP = """
import numpy as np
from cnnviz import data
from makers import idx_bytes, keras_npz, npy_bytes, write
def classes(ds):
    return [ds.n_classes, ds.class_names[-1], int(ds.y_train.max()), int(ds.y_train.min())]
"""

CASES = {
    "idx label 2e9": """
        x = np.zeros((200, 4, 4), np.uint8)
        y = (np.arange(200) % 2).astype(np.uint32)
        y[0] = 2_000_000_000
        images = write("l/train-images-idx3-ubyte", idx_bytes(x))
        write("l/train-labels-idx1-ubyte", idx_bytes(y, 0x0C))
        return classes(data.load_dataset(images))
    """,
    "npz y_train 1e12": """
        y = np.arange(40) % 2
        y[3] = 10**12
        return classes(data.load_dataset(write("m.npz", keras_npz(y_train=npy_bytes(y)))))
    """,
    "npz y uint64 2^63+5": """
        y = (np.arange(40) % 2).astype(np.uint64)
        y[3] = 2**63 + 5
        return classes(data.load_dataset(write("u.npz", keras_npz(y_train=npy_bytes(y)))))
    """,
    "5000 distinct labels": """
        return classes(data.from_arrays(np.zeros((10000, 2, 2)), np.arange(10000) % 5000))
    """,
}


@pytest.fixture(scope="module")
def outcomes():
    return run_cases(SETUP, CASES)


def test_one_label_of_two_billion_in_an_idx_file_gives_three_classes_not_two_billion(outcomes):
    got = outcomes["idx label 2e9"]
    assert got.raised is None, got.message
    assert got.value == [3, "2000000000", 2, 0] and got.seconds < 5


def test_a_label_of_ten_to_the_twelve_in_an_npz_is_mapped_to_a_dense_class(outcomes):
    got = outcomes["npz y_train 1e12"]
    assert got.raised is None, got.message
    assert got.value[0] == 3 and got.value[1] == str(10**12)


def test_an_unsigned_label_beyond_int64_does_not_wrap_negative(outcomes):
    got = outcomes["npz y uint64 2^63+5"]
    assert got.raised is None, got.message
    assert got.value == [3, str(2**63 + 5), 2, 0]


def test_more_distinct_labels_than_the_class_limit_are_refused_with_the_limit(outcomes):
    got = outcomes["5000 distinct labels"]
    assert got.refused() and "5,000 different classes" in got.message and "1,000" in got.message
