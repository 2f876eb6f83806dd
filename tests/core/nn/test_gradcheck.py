"""Finite-difference checks (float64): every backward pass is the derivative of its forward."""

import numpy as np
import pytest

from cnnviz.nn.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    MaxPool2D,
    ReLU,
)
from cnnviz.nn.losses import softmax_cross_entropy
from cnnviz.nn.model import Sequential

EPS = 1e-6


def _numeric_grad(f, array, rng, samples=12):
    """Central differences of scalar f() w.r.t. `samples` random entries of `array` (in place)."""
    flat = array.reshape(-1)
    picks = rng.choice(flat.size, size=min(samples, flat.size), replace=False)
    grads = []
    for i in picks:
        old = flat[i]
        flat[i] = old + EPS
        up = f()
        flat[i] = old - EPS
        down = f()
        flat[i] = old
        grads.append((up - down) / (2 * EPS))
    return picks, np.array(grads)


def _check_layer(layer, x, seed=0):
    """Loss = sum(y * r) for a fixed random r, so dL/dy = r."""
    rng = np.random.default_rng(seed)
    layer.astype(np.float64)
    r = rng.standard_normal(layer.forward(x).shape)

    def loss():
        return float(np.sum(layer.forward(x) * r))

    loss()
    for p in layer.parameters():
        p.zero_grad()
    dx = layer.backward(r)
    picks, numeric = _numeric_grad(loss, x, rng)
    np.testing.assert_allclose(dx.reshape(-1)[picks], numeric, rtol=1e-5, atol=1e-7)
    for p in layer.parameters():
        picks, numeric = _numeric_grad(loss, p.data, rng)
        np.testing.assert_allclose(p.grad.reshape(-1)[picks], numeric, rtol=1e-5, atol=1e-7,
                                   err_msg=p.name)


def _input(shape, seed=1):
    # distinct, well-separated values keep max pooling and ReLU away from their kinks
    rng = np.random.default_rng(seed)
    values = rng.permutation(np.prod(shape)).astype(np.float64) / np.prod(shape) - 0.5
    return values.reshape(shape) + 0.01 * np.sign(values.reshape(shape))


@pytest.mark.parametrize("layer", [
    Conv2D(2, 3, 3),
    Conv2D(2, 3, (2, 3), stride=2, padding=1),
    Conv2D(1, 2, 3, padding=(2, 1), dilation=2),
    Conv2D(3, 2, 1),
], ids=lambda layer: layer.name)
def test_conv2d_gradients(layer):
    _check_layer(layer, _input((2, layer.in_channels, 7, 8)))


@pytest.mark.parametrize("layer", [MaxPool2D(2), MaxPool2D(3, stride=2, padding=1),
                                   MaxPool2D((2, 3), stride=1)], ids=lambda layer: layer.name)
def test_max_pool_gradients(layer, pool_path):
    _check_layer(layer, _input((2, 2, 7, 6)))


@pytest.mark.parametrize("layer", [AvgPool2D(2), AvgPool2D(3, stride=2, padding=1)],
                         ids=lambda layer: layer.name)
def test_avg_pool_gradients(layer, pool_path):
    _check_layer(layer, _input((2, 2, 7, 6)))


@pytest.mark.parametrize("layer", [GlobalAvgPool2D(), GlobalMaxPool2D()],
                         ids=lambda layer: layer.name)
def test_global_pool_gradients(layer):
    _check_layer(layer, _input((2, 3, 5, 4)))


def test_relu_gradients():
    _check_layer(ReLU(), _input((2, 3, 4, 4)))


def test_flatten_gradients():
    _check_layer(Flatten(), _input((2, 3, 2, 2)))


def test_dense_gradients():
    _check_layer(Dense(5, 3), _input((4, 5)))


@pytest.mark.parametrize("head", [[AvgPool2D(2), Flatten()], [GlobalMaxPool2D()],
                                  [GlobalAvgPool2D()]], ids=["flatten", "global-max", "global-avg"])
def test_whole_model_with_loss_gradients_for_input_and_every_parameter(head):
    model = Sequential([Conv2D(1, 3, 3, padding=1), ReLU(), MaxPool2D(2),
                        Conv2D(3, 4, 3, stride=1), ReLU(), *head,
                        Dense(4, 3)], seed=3).astype(np.float64)
    rng = np.random.default_rng(4)
    x = _input((3, 1, 8, 8))
    y = np.array([0, 2, 1])

    def loss():
        return softmax_cross_entropy(model.forward(x), y)[0]

    model.zero_grad()
    _, dlogits = softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(dlogits)
    picks, numeric = _numeric_grad(loss, x, rng, samples=20)
    np.testing.assert_allclose(dx.reshape(-1)[picks], numeric, rtol=1e-4, atol=1e-8)
    for name, p in model.named_parameters():
        picks, numeric = _numeric_grad(loss, p.data, rng)
        np.testing.assert_allclose(p.grad.reshape(-1)[picks], numeric, rtol=1e-4, atol=1e-8,
                                   err_msg=name)
