"""Layers: shapes, names, configs, initialisation, gradient accumulation and clear errors."""

import numpy as np
import pytest

from cnnviz.nn.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    layer_from_config,
)


def test_conv2d_output_shape_follows_stride_padding_and_dilation():
    layer = Conv2D(3, 8, (3, 5), stride=2, padding=(1, 2), dilation=(1, 2))
    y = layer.forward(np.zeros((2, 3, 17, 20), np.float32))
    # H: (17 + 2 - 2 - 1) // 2 + 1 = 9 ; W: (20 + 4 - 8 - 1) // 2 + 1 = 8
    assert y.shape == (2, 8, 9, 8)


def test_parameters_have_pytorch_layouts_and_float32():
    conv, dense = Conv2D(2, 5, 3), Dense(7, 4)
    assert conv.weight.data.shape == (5, 2, 3, 3) and conv.bias.data.shape == (5,)
    assert dense.weight.data.shape == (4, 7) and dense.bias.data.shape == (4,)
    assert all(p.data.dtype == np.float32 and p.grad.shape == p.data.shape
               for p in conv.parameters() + dense.parameters())


def test_reset_parameters_is_reproducible_from_the_generator():
    a, b = Conv2D(1, 4, 3), Conv2D(1, 4, 3)
    a.reset_parameters(np.random.default_rng(7))
    b.reset_parameters(np.random.default_rng(7))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    b.reset_parameters(np.random.default_rng(8))
    assert not np.array_equal(a.weight.data, b.weight.data)


def test_he_uniform_initialisation_bounds_weights_by_fan_in():
    layer = Dense(600, 50)
    bound = np.sqrt(6 / 600)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.9 * bound
    assert np.all(layer.bias.data == 0)


def test_backward_adds_into_parameter_gradients_like_pytorch():
    layer = Dense(3, 2)
    x = np.ones((4, 3), np.float32)
    layer.forward(x)
    layer.backward(np.ones((4, 2), np.float32))
    once = layer.weight.grad.copy()
    layer.forward(x)
    layer.backward(np.ones((4, 2), np.float32))
    np.testing.assert_allclose(layer.weight.grad, 2 * once)
    layer.weight.zero_grad()
    assert not layer.weight.grad.any()


def test_conv_backward_adds_into_gradients_too():
    layer = Conv2D(1, 2, 3)
    x = np.random.default_rng(0).standard_normal((1, 1, 5, 5)).astype(np.float32)
    y = layer.forward(x)
    layer.backward(np.ones_like(y))
    once = layer.bias.grad.copy()
    layer.backward(np.ones_like(y))
    np.testing.assert_allclose(layer.bias.grad, 2 * once)
    np.testing.assert_allclose(once, [9.0, 9.0])


def test_relu_gradient_is_zero_at_and_below_zero():
    relu = ReLU()
    y = relu.forward(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(y, [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(relu.backward(np.ones(3)), [0.0, 0.0, 1.0])


def test_maxpool_layer_routes_gradient_to_the_maximum():
    pool = MaxPool2D(2)
    x = np.array([[[[1.0, 4.0], [3.0, 2.0]]]], np.float32)
    assert pool.forward(x).item() == 4.0
    np.testing.assert_array_equal(pool.backward(np.array([[[[1.0]]]]))[0, 0], [[0, 1], [0, 0]])


def test_avgpool_layer_averages_windows():
    pool = AvgPool2D(2)
    assert pool.forward(np.arange(4.0).reshape(1, 1, 2, 2)).item() == 1.5


def test_flatten_round_trips_the_shape():
    flat = Flatten()
    assert flat.forward(np.zeros((2, 3, 4, 5))).shape == (2, 60)
    assert flat.backward(np.zeros((2, 60))).shape == (2, 3, 4, 5)


def test_layers_keep_float64_after_astype_for_gradient_checks():
    layer = Conv2D(1, 2, 3).astype(np.float64)
    y = layer.forward(np.zeros((1, 1, 4, 4)))
    assert y.dtype == np.float64 and layer.weight.grad.dtype == np.float64


def test_float64_input_to_a_float32_layer_is_computed_in_float32():
    assert Dense(3, 2).forward(np.zeros((1, 3))).dtype == np.float32


@pytest.mark.parametrize("layer", [
    Conv2D(1, 8, 3, padding=1), Conv2D(2, 4, (3, 5), stride=(2, 1), dilation=2), ReLU(),
    MaxPool2D(2), MaxPool2D(3, stride=2, padding=1), AvgPool2D(2), Flatten(), Dense(36, 10),
], ids=lambda layer: layer.name)
def test_config_rebuilds_an_equivalent_layer(layer):
    rebuilt = layer_from_config(layer.config())
    assert type(rebuilt) is type(layer) and rebuilt.config() == layer.config()
    assert rebuilt.name == layer.name


def test_names_describe_the_layer():
    assert Conv2D(1, 8, 3).name == "Conv2D 8@3x3"
    assert Conv2D(1, 8, 3, stride=2, padding=1).name == "Conv2D 8@3x3 stride 2 pad 1"
    assert MaxPool2D(2).name == "MaxPool2D 2x2"
    assert Dense(36, 2).name == "Dense 36->2"


def test_unknown_layer_type_in_a_config_is_a_value_error():
    with pytest.raises(ValueError, match="unknown layer type 'Dropout'"):
        layer_from_config({"type": "Dropout", "p": 0.5})


def test_unexpected_config_arguments_are_a_value_error():
    with pytest.raises(ValueError, match="bad arguments for a Dense layer"):
        layer_from_config({"type": "dense", "in_features": 3, "outputs": 2})


@pytest.mark.parametrize(("make", "words"), [
    (lambda: Conv2D(0, 4, 3), "in_channels must be a whole number of at least 1"),
    (lambda: Conv2D(1, 4, 0), "kernel_size must be at least 1"),
    (lambda: Conv2D(1, 4, 3, stride=0), "stride must be at least 1"),
    (lambda: Dense(10, -1), "out_features"),
    (lambda: MaxPool2D(2, padding=2), "more than half the pooling window"),
])
def test_bad_layer_arguments_are_explained(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_conv_layer_explains_a_channel_mismatch():
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 3, H, W\), got \(1, 1, 8"):
        Conv2D(3, 4, 3).forward(np.zeros((1, 1, 8, 8), np.float32))


def test_dense_layer_suggests_checking_the_flattened_size():
    with pytest.raises(ValueError, match="expects input of shape .N, 36.*Flatten"):
        Dense(36, 2).forward(np.zeros((1, 40), np.float32))


def test_conv_layer_explains_an_input_too_small_for_the_kernel():
    with pytest.raises(ValueError, match="kernel 5 is larger than the padded input"):
        Conv2D(1, 1, 5).forward(np.zeros((1, 1, 3, 3), np.float32))


@pytest.mark.parametrize("layer", [Conv2D(1, 2, 3), ReLU(), MaxPool2D(2), AvgPool2D(2), Flatten()],
                         ids=lambda layer: layer.name)
def test_backward_before_forward_says_so(layer):
    with pytest.raises(RuntimeError, match="call forward before backward"):
        layer.backward(np.zeros((1, 2, 2, 2)))


def test_backward_with_a_gradient_of_the_wrong_shape_is_explained():
    layer = Dense(3, 2)
    layer.forward(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"dy has shape \(4, 3\), but the last forward output had "
                                         r"shape \(4, 2\)"):
        layer.backward(np.zeros((4, 3), np.float32))
