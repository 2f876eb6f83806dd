"""Softmax and the softmax cross-entropy loss, computed stably from logits.

Subtracting each row's maximum before ``exp`` keeps every exponent <= 0, so large logits never
overflow; the loss uses ``log(sum(exp(z))) - z[y]`` rather than ``log(softmax)``, which would give
``log(0) = -inf`` for a confidently wrong prediction.
"""

from __future__ import annotations

import numpy as np

__all__ = ["softmax", "log_softmax", "softmax_cross_entropy"]


def _floating(values) -> np.ndarray:
    """``values`` as an array, converted to float64 unless it already is floating."""
    z = np.asarray(values)
    return z if z.dtype.kind == "f" else z.astype(np.float64)


def softmax(logits, axis: int = -1) -> np.ndarray:
    """Probabilities from scores.

    Parameters
    ----------
    logits : ndarray, shape (N, K) (any shape; normalised along ``axis``)

    Returns
    -------
    ndarray, same shape, non-negative, summing to 1 along ``axis``
    """
    z = _floating(logits)
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    """``log(softmax(logits))`` without the underflow of taking the log of a tiny probability."""
    z = _floating(logits)
    with np.errstate(invalid="ignore", over="ignore"):
        z = z - z.max(axis=axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _check(logits, y):
    logits = np.asarray(logits)
    y = np.asarray(y)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, K), one row of class scores per sample; "
                         f"got shape {logits.shape}")
    if y.shape != (logits.shape[0],):
        raise ValueError(f"labels must have shape ({logits.shape[0]},), one class index per row "
                         f"of logits; got shape {y.shape}")
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"labels must be whole class indices, got dtype {y.dtype}")
    # one reduction checks both ends: viewed as unsigned, negative labels become huge
    if y.size and y.view(y.dtype.str.replace("i", "u")).max() >= logits.shape[1]:
        bad = y.min() if y.min() < 0 else y.max()
        raise ValueError(f"label {bad} is out of range: with {logits.shape[1]} classes labels "
                         f"must be 0..{logits.shape[1] - 1}")
    return _floating(logits), y


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of the softmax of ``logits`` against integer labels, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (N, K)
    y : ndarray of int, shape (N,), values in ``0 .. K-1``

    Returns
    -------
    loss : float
        ``mean(log(sum_k exp(logits[n, k])) - logits[n, y[n]])``; nan or inf if the logits are
        (the trainer reports that as divergence).
    dlogits : ndarray, shape (N, K), same dtype as ``logits``
        ``(softmax(logits) - onehot(y)) / N``.
    """
    logits, y = _check(logits, y)
    n = logits.shape[0]
    rows = np.arange(n)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        total = e.sum(axis=1, keepdims=True)
        loss = float(np.log(total).sum() - z[rows, y].sum()) / n
        e /= total
        e[rows, y] -= 1.0
        e /= n
    return loss, e
