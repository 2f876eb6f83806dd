"""The network engine, from scratch in NumPy, shaped like ``torch.nn``.

::

    from cnnviz.nn import Conv2D, ReLU, MaxPool2D, AvgPool2D, Flatten, Dense, Sequential
    from cnnviz.nn import GlobalAvgPool2D, GlobalMaxPool2D   # (N, C, H, W) -> (N, C)
    from cnnviz.nn import softmax_cross_entropy
    from cnnviz.nn import functional as F     # F.conv2d, F.conv2d_backward, F.max_pool2d, ...
    from cnnviz.nn import reference           # the same operations as textbook loops

Arrays are NCHW ``(N, C, H, W)``; conv weights ``(F, C, kh, kw)``, dense weights ``(out, in)``.
This package imports nothing else from :mod:`cnnviz` (an import-linter contract checks it), so
it can be read, tested and reused on its own.
"""

from cnnviz.nn import functional, reference
from cnnviz.nn.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    Layer,
    MaxPool2D,
    Parameter,
    ReLU,
)
from cnnviz.nn.losses import log_softmax, softmax, softmax_cross_entropy
from cnnviz.nn.model import Sequential

__all__ = [
    "AvgPool2D", "Conv2D", "Dense", "Flatten", "GlobalAvgPool2D", "GlobalMaxPool2D", "Layer",
    "MaxPool2D", "Parameter", "ReLU",
    "Sequential", "functional", "log_softmax", "reference", "softmax", "softmax_cross_entropy",
]
