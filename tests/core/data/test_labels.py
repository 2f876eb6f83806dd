"""Labels become classes 0..K-1 with K bounded; one-class data is flagged."""

import numpy as np
import pytest

from cnnviz import data, limits
from cnnviz.data import class_labels


def test_small_labels_keep_their_numbers_as_class_indices():
    (a, b), names = class_labels(np.array([0, 2, 2]), np.array([1], np.uint8))
    assert a.tolist() == [0, 2, 2] and b.tolist() == [1] and names == ["0", "1", "2"]


def test_a_huge_sparse_label_is_mapped_to_a_dense_class_named_after_it():
    (a, b), names = class_labels(np.array([7, 2_000_000_000, 7]), np.array([2_000_000_000]))
    assert names == ["7", "2000000000"] and a.tolist() == [0, 1, 0] and b.tolist() == [1]


def test_mixed_signed_and_unsigned_labels_keep_every_digit():
    big = np.array([2**63 + 5], np.uint64)
    (_, b), names = class_labels(np.array([1000]), big)
    assert names == ["1000", str(2**63 + 5)] and b.tolist() == [1]


def test_more_distinct_labels_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CLASSES", 10)
    with pytest.raises(ValueError, match="11 different classes; a data set may have at most 10"):
        class_labels(np.arange(11) * 1000)


def test_from_arrays_maps_string_labels_and_refuses_too_many(monkeypatch):
    ds = data.from_arrays(np.zeros((4, 2, 2)), ["cat", "dog", "cat", "dog"], test_fraction=0.5)
    assert ds.class_names == ["cat", "dog"]
    monkeypatch.setattr(limits, "MAX_CLASSES", 3)
    with pytest.raises(ValueError, match="4 different classes"):
        data.from_arrays(np.zeros((8, 2, 2)), list("abcdabcd"))


def test_a_dataset_with_more_class_names_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CLASSES", 2)
    x = np.zeros((2, 1, 2, 2), np.float32)
    with pytest.raises(ValueError, match="3 classes are more than the 2"):
        data.Dataset("d", x, [0, 1], x, [0, 1], ["a", "b", "c"])


def test_one_class_data_carries_a_warning_that_accuracy_means_nothing():
    one = data.from_arrays(np.random.default_rng(0).random((10, 2, 2)), np.zeros(10, int))
    assert "accuracy means nothing" in one.warning() and "'0'" in one.warning()
    assert data.make_lines(n=20).warning() is None


def test_conversion_stops_when_cancelled():
    import threading

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(data.Cancelled):
        data.from_arrays(np.zeros((4, 2, 2), np.uint8), [0, 1, 0, 1], cancel=cancel)


def test_chunked_conversion_matches_the_whole_array_formula(monkeypatch):
    monkeypatch.setattr(limits, "READ_CHUNK_BYTES", 64)  # many chunks
    x = np.random.default_rng(1).normal(size=(50, 4, 4)) * 7 - 3
    got = data.dataset.to_unit(x)
    expected = (x.astype(np.float32) - np.float32(x.min())) / np.float32(x.max() - x.min())
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
