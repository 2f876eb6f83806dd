"""Softmax cross-entropy: correct values and gradient, stable for extreme logits."""

import numpy as np
import pytest

from cnnviz.nn.losses import log_softmax, softmax, softmax_cross_entropy


def test_loss_is_the_mean_negative_log_probability_of_the_label():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss, _ = softmax_cross_entropy(logits, np.array([2, 0]))
    assert loss == pytest.approx(-(np.log(p[0, 2]) + np.log(p[1, 0])) / 2)


def test_gradient_is_probabilities_minus_onehot_over_batch_size():
    logits = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    _, d = softmax_cross_entropy(logits, np.array([2, 0]))
    expected = softmax(logits)
    expected[[0, 1], [2, 0]] -= 1
    np.testing.assert_allclose(d, expected / 2)


def test_huge_logits_neither_overflow_nor_give_infinite_loss():
    logits = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]], np.float32)
    loss, d = softmax_cross_entropy(logits, np.array([1, 1]))
    assert loss == pytest.approx(1000.0, rel=1e-6)
    assert np.all(np.isfinite(d))
    assert np.all(np.isfinite(log_softmax(logits)))


def test_float32_logits_give_a_float32_gradient():
    _, d = softmax_cross_entropy(np.zeros((2, 3), np.float32), np.array([0, 1]))
    assert d.dtype == np.float32


def test_nan_logits_give_a_nan_loss_instead_of_raising():
    loss, _ = softmax_cross_entropy(np.array([[np.inf, 1.0]]), np.array([1]))
    assert np.isnan(loss)


def test_softmax_rows_sum_to_one():
    np.testing.assert_allclose(softmax(np.random.default_rng(0).normal(size=(5, 4))).sum(1), 1)


@pytest.mark.parametrize(("logits", "labels", "words"), [
    (np.zeros((2, 3)), np.array([0, 3]), "label 3 is out of range: with 3 classes"),
    (np.zeros((2, 3)), np.array([0]), r"labels must have shape \(2,\)"),
    (np.zeros(3), np.array([0]), r"logits must have shape \(N, K\)"),
    (np.zeros((1, 3)), np.array([0.5]), "whole class indices"),
])
def test_bad_labels_or_logits_are_explained(logits, labels, words):
    with pytest.raises(ValueError, match=words):
        softmax_cross_entropy(logits, labels)
