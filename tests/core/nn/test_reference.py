"""The textbook loops are the oracle, so they are checked against numbers worked out by hand."""

import numpy as np
import pytest

from cnnviz.nn import reference


def test_conv2d_is_a_cross_correlation_without_kernel_flip():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])
    # out[i, j] = x[i, j] + 2 * x[i + 1, j + 1]
    expected = np.array([[0 + 2 * 4, 1 + 2 * 5], [3 + 2 * 7, 4 + 2 * 8]])
    np.testing.assert_allclose(reference.conv2d(x, w)[0, 0], expected)


def test_conv2d_adds_bias_per_filter_and_sums_over_channels():
    x = np.ones((1, 2, 2, 2))
    w = np.ones((2, 2, 1, 1))
    w[1] *= 3
    out = reference.conv2d(x, w, b=np.array([10.0, 20.0]))
    np.testing.assert_allclose(out[0, 0], np.full((2, 2), 12.0))
    np.testing.assert_allclose(out[0, 1], np.full((2, 2), 26.0))


def test_conv2d_stride_skips_positions():
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    w = np.ones((1, 1, 1, 1))
    np.testing.assert_allclose(reference.conv2d(x, w, stride=2)[0, 0], x[0, 0, ::2, ::2])


def test_conv2d_dilation_spreads_the_taps():
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    w = np.zeros((1, 1, 2, 2))
    w[0, 0, 1, 1] = 1.0  # with dilation 2 this tap sits two rows and two columns down
    out = reference.conv2d(x, w, dilation=2)
    np.testing.assert_allclose(out[0, 0], x[0, 0, 2:, 2:])


@pytest.mark.parametrize(("mode", "expected_row"), [
    ("zeros", [0, 0, 1, 2, 3, 0, 0]),
    ("reflect", [3, 2, 1, 2, 3, 2, 1]),
    ("replicate", [1, 1, 1, 2, 3, 3, 3]),
    ("circular", [2, 3, 1, 2, 3, 1, 2]),
])
def test_conv2d_padding_modes_copy_the_documented_pixels(mode, expected_row):
    x = np.array([[[[1.0, 2.0, 3.0]]]])
    identity = np.ones((1, 1, 1, 1))
    out = reference.conv2d(x, identity, padding=(0, 2), padding_mode=mode)
    np.testing.assert_allclose(out[0, 0, 0], expected_row)


def test_max_pool_padding_never_wins_even_over_negative_values():
    x = -np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    out = reference.max_pool2d(x, 2, stride=1, padding=1)
    assert np.all(out < 0)
    assert out[0, 0, 0, 0] == -1.0


def test_avg_pool_counts_padded_zeros_in_the_divisor():
    x = np.full((1, 1, 2, 2), 4.0)
    out = reference.avg_pool2d(x, 2, stride=1, padding=1)
    assert out[0, 0, 0, 0] == pytest.approx(1.0)  # one real pixel of four
    assert out[0, 0, 1, 1] == pytest.approx(4.0)


def test_pooling_stride_defaults_to_the_window_size():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_allclose(reference.max_pool2d(x, 2)[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_allclose(reference.avg_pool2d(x, 2)[0, 0], [[2.5, 4.5], [10.5, 12.5]])


def test_reference_agrees_with_pytorch_when_installed():
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 7, 6))
    w = rng.standard_normal((3, 2, 3, 2))
    ours = reference.conv2d(x, w, stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    theirs = f.conv2d(torch.tensor(x), torch.tensor(w), stride=(2, 1), padding=(1, 2),
                      dilation=(1, 2)).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    np.testing.assert_allclose(reference.max_pool2d(x, 3, 2, 1),
                               f.max_pool2d(torch.tensor(x), 3, 2, 1).numpy())
    np.testing.assert_allclose(reference.avg_pool2d(x, 3, 2, 1),
                               f.avg_pool2d(torch.tensor(x), 3, 2, 1).numpy())
