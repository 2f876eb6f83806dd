"""Why frameworks exist: the same convolution timed as vectorised NumPy and as textbook loops.

Importable from :mod:`cnnviz.lab.conv` too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from cnnviz.lab.conv import ConvSettings
from cnnviz.nn import functional as F
from cnnviz.nn import reference

__all__ = ["SpeedComparison", "time_vectorised_vs_loops"]


@dataclass(frozen=True)
class SpeedComparison:
    """Vectorised engine versus textbook loops on the same convolution.

    ``loops_seconds`` is an extrapolation from a crop when ``estimated`` is True.
    """

    vectorised_seconds: float
    loops_seconds: float
    estimated: bool
    crop_shape: tuple[int, int] | None

    @property
    def ratio(self) -> float:
        """How many times faster the vectorised version is."""
        return self.loops_seconds / max(self.vectorised_seconds, 1e-9)


def _best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def time_vectorised_vs_loops(
    image: np.ndarray, kernel: np.ndarray, settings: ConvSettings, budget_seconds: float = 1.0
) -> SpeedComparison:
    """Time the convolution vectorised (:mod:`cnnviz.nn.functional`) and as loops (``reference``).

    The loops are first timed on a crop of about 24x24 output pixels; when that predicts more than
    ``budget_seconds`` for the whole image, the prediction is reported (``estimated=True``) instead
    of making the user wait.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (C, H, W)
    kernel : ndarray, shape (k, k), (C, k, k) or a bank (F, C, k, k)
    settings : ConvSettings
        Must describe a possible convolution (see :func:`compute`).
    budget_seconds : float
    """
    x = np.asarray(image, dtype=np.float32)
    x = x.reshape((1,) * (4 - x.ndim) + x.shape)
    w = np.asarray(kernel, dtype=np.float32)
    w = w.reshape((1,) * (4 - w.ndim) + w.shape)
    b = np.full(w.shape[0], settings.bias, dtype=np.float32)
    args = dict(
        stride=settings.stride,
        padding=settings.padding,
        dilation=settings.dilation,
        padding_mode=settings.padding_mode,
    )

    def run(module, xx):
        return module.conv2d(xx, w, b, **args)

    vectorised = _best_time(lambda: run(F, x), repeats=3)
    k = w.shape[-1]
    h, wd = x.shape[-2:]
    full = F.window_count(h, k, settings.stride, settings.padding, settings.dilation) * (
        F.window_count(wd, k, settings.stride, settings.padding, settings.dilation)
    )
    # A crop that still yields about 24x24 outputs (at least one) whatever the stride and dilation.
    span = F.window_span(k, settings.dilation)
    side_h = min(h, span + settings.stride * 23)
    side_w = min(wd, span + settings.stride * 23)
    crop = x[:, :, :side_h, :side_w]
    crop_out = max(
        1, F.window_count(side_h, k, settings.stride, settings.padding, settings.dilation)
    ) * max(1, F.window_count(side_w, k, settings.stride, settings.padding, settings.dilation))
    crop_time = _best_time(lambda: run(reference, crop), repeats=1)
    predicted = crop_time * full / crop_out
    if predicted <= budget_seconds or (side_h, side_w) == (h, wd):
        loops = (
            crop_time if (side_h, side_w) == (h, wd) else _best_time(lambda: run(reference, x), 1)
        )
        return SpeedComparison(vectorised, loops, False, None)
    return SpeedComparison(vectorised, predicted, True, (side_h, side_w))
