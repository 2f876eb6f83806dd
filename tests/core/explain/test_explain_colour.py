"""Activation maps, saliency and Grad-CAM on colour (3-channel) inputs."""

import numpy as np
import pytest

from cnnviz import explain
from cnnviz.nn import architecture as arch

RGB_NET = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "relu"},
           {"type": "maxpool", "kernel_size": 2},
           {"type": "conv", "out_channels": 5, "kernel_size": 3, "padding": 0}, {"type": "relu"},
           {"type": "flatten"}, {"type": "dense", "out_features": 3}]
LINEAR = [{"type": "conv", "out_channels": 2, "kernel_size": 3, "padding": 1},
          {"type": "flatten"}, {"type": "dense", "out_features": 2}]


@pytest.fixture
def image():
    return np.random.default_rng(1).random((1, 3, 10, 10)).astype(np.float32)


def test_activation_maps_of_a_colour_image_start_from_three_channels(image):
    model = arch.build_model(RGB_NET, (3, 10, 10), 3, seed=0)
    maps = explain.activation_maps(model, image)
    assert [a.shape for _, a in maps][:3] == [(4, 10, 10), (4, 10, 10), (4, 5, 5)]
    assert maps[-1][1].shape == (3,)


def test_saliency_of_a_colour_image_is_the_largest_gradient_over_its_channels(image):
    # A linear network: finite differences give the exact gradient of the class score.
    model = arch.build_model(LINEAR, (3, 10, 10), 2, seed=3)
    eps = 1e-2
    grad = np.zeros((3, 10, 10))
    base = float(model.forward(image)[0, 1])
    for c, r, col in np.ndindex(3, 10, 10):
        x = image.copy()
        x[0, c, r, col] += eps
        grad[c, r, col] = (float(model.forward(x)[0, 1]) - base) / eps
    sal = explain.saliency(model, image, 1)
    assert sal.shape == (10, 10)
    np.testing.assert_allclose(sal, np.abs(grad).max(axis=0), rtol=1e-2, atol=1e-3)


def _red_only(model):
    conv = model.first_conv()
    conv.weight.data[:, 1:] = 0.0  # the network reads the red channel only
    return model


def test_saliency_of_a_red_only_network_is_its_red_gradient(image):
    model = _red_only(arch.build_model(LINEAR, (3, 10, 10), 2, seed=3))
    outs = model.forward_all(image)
    d = np.zeros_like(outs[-1])
    d[0, 0] = 1.0
    dx = model.backward_all(d)[0][0]
    assert np.abs(dx[1:]).max() == 0.0
    np.testing.assert_allclose(explain.saliency(model, image, 0), np.abs(dx[0]))


def test_grad_cam_of_a_colour_image_ignores_channels_the_network_does_not_read(image):
    model = _red_only(arch.build_model(RGB_NET, (3, 10, 10), 3, seed=0))
    cam = explain.grad_cam(model, image, 2)
    assert cam.shape == (10, 10) and cam.dtype == np.float32
    assert 0.0 <= cam.min() and cam.max() <= 1.0
    other = image.copy()
    other[0, 1:] = np.random.default_rng(9).random((2, 10, 10))
    np.testing.assert_array_equal(explain.grad_cam(model, other, 2), cam)
