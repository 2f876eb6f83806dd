"""Models of every kind the explanation methods must take: a Dense-only MLP, a globally pooled
CNN with a layer type of its own, and a colour CNN."""

from __future__ import annotations

import numpy as np

from cnnviz.nn import Conv2D, Dense, Layer, ReLU, Sequential
from cnnviz.nn import architecture as arch

TINY = [{"type": "conv", "out_channels": 3, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        {"type": "maxpool", "kernel_size": 2},
        {"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 0}, {"type": "relu"},
        {"type": "flatten"}, {"type": "dense", "out_features": 3}]


class MeanOverSpace(Layer):
    """A global average pooling layer the explain package has never heard of: (N, C, H, W) ->
    (N, C). Stands for any layer another part of the app (or an imported model) brings."""

    def forward(self, x):
        self._in_shape = x.shape
        y = x.mean(axis=(2, 3))
        self._out_shape = y.shape
        return y

    def backward(self, dy, need_dx=True):
        n, c, h, w = self._in_shape
        return np.broadcast_to(self._check_dy(dy)[:, :, None, None] / (h * w), self._in_shape)


def mlp(input_shape=(1, 8, 8), classes=3, seed=0):
    """Flatten, Dense, ReLU, Dense: no convolution at all."""
    return arch.build_model([{"type": "flatten"}, {"type": "dense", "out_features": 16},
                             {"type": "relu"}, {"type": "dense", "out_features": classes}],
                            input_shape, classes, seed=seed)


def pooled_cnn(channels=1, classes=3, seed=0):
    """Conv, ReLU, global mean over space, Dense: no Flatten, a layer type of its own."""
    return Sequential([Conv2D(channels, 4, 3, padding=1), ReLU(), MeanOverSpace(),
                       Dense(4, classes)], seed=seed)


def colour_cnn(classes=3, seed=0):
    """A CNN on 3-channel 8x8 images."""
    return arch.build_model(TINY[:2] + [{"type": "flatten"}, {"type": "dense",
                                                              "out_features": classes}],
                            (3, 8, 8), classes, seed=seed)
