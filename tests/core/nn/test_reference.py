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


# ----------------------------------------------------------------- the loop backwards, by hand
def test_conv2d_backward_sends_each_output_gradient_back_through_its_taps():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])
    dx, dw, db = reference.conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    # dx[r, q]: the sum of the weights whose tap lands on (r, q), over the four windows
    np.testing.assert_allclose(dx[0, 0], [[1, 1, 0], [1, 3, 2], [0, 2, 2]])
    # dw[i, j]: the sum of the input pixels tap (i, j) saw, e.g. dw[0, 0] = 0 + 1 + 3 + 4
    np.testing.assert_allclose(dw[0, 0], [[8, 12], [20, 24]])
    np.testing.assert_allclose(db, [4.0])


def test_conv2d_backward_follows_stride_and_dilation_and_drops_padding_taps():
    x = np.zeros((1, 1, 5, 5))
    dy = np.zeros((1, 1, 2, 2))
    dy[0, 0, 1, 0] = 1.0
    dx, _, _ = reference.conv2d_backward(dy, x, np.ones((1, 1, 2, 2)), stride=2, padding=1,
                                         dilation=2)
    # output (1, 0) read rows 1*2 - 1 + {0, 2} = {1, 3} and columns -1 + {0, 2} = {-1, 1};
    # column -1 is padding
    expected = np.zeros((5, 5))
    expected[[1, 3], 1] = 1.0
    np.testing.assert_allclose(dx[0, 0], expected)


def test_conv2d_backward_sums_the_weight_gradient_over_the_batch_and_channels_apart():
    x = np.stack([np.full((2, 1, 1), 1.0), np.full((2, 1, 1), 10.0)])  # (2, 2, 1, 1)
    x[:, 1] *= 2
    w = np.ones((3, 2, 1, 1))
    dx, dw, db = reference.conv2d_backward(np.ones((2, 3, 1, 1)), x, w)
    np.testing.assert_allclose(dw[:, :, 0, 0], [[11, 22]] * 3)  # image 1 + image 2, per channel
    np.testing.assert_allclose(dx[:, :, 0, 0], np.full((2, 2), 3.0))  # three filters each
    np.testing.assert_allclose(db, [2, 2, 2])


def test_max_pool_backward_gives_a_tied_window_to_its_first_maximum():
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])
    dx = reference.max_pool2d_backward(np.array([[[[5.0]]]]), x, 2)
    np.testing.assert_allclose(dx[0, 0], [[0, 5], [0, 0]])


def test_max_pool_backward_adds_up_windows_that_share_a_maximum():
    x = np.array([[[[0.0, 9.0, 0.0]]]])
    dx = reference.max_pool2d_backward(np.array([[[[1.0, 2.0]]]]), x, (1, 2), stride=1)
    np.testing.assert_allclose(dx[0, 0], [[0, 3, 0]])


def test_max_pool_backward_never_sends_gradient_into_the_padding():
    x = -np.arange(1.0, 5.0).reshape(1, 1, 2, 2)  # every real value below the padding's zero
    dx = reference.max_pool2d_backward(np.ones((1, 1, 3, 3)), x, 2, stride=1, padding=1)
    # each of the 9 windows sends 1 to its largest real pixel; -1 wins the four that see it
    np.testing.assert_allclose(dx[0, 0], [[4, 2], [2, 1]])


def test_avg_pool_backward_divides_by_the_whole_window_padding_included():
    dx = reference.avg_pool2d_backward(np.ones((1, 1, 3, 3)), np.zeros((1, 1, 2, 2)), 2, stride=1,
                                       padding=1)
    # every real pixel lies in four windows, each handing it 1/4
    np.testing.assert_allclose(dx[0, 0], np.ones((2, 2)))


def test_avg_pool_backward_stride_defaults_to_the_window_size():
    dx = reference.avg_pool2d_backward(np.array([[[[8.0, 4.0]]]]), np.zeros((1, 1, 2, 4)), 2)
    np.testing.assert_allclose(dx[0, 0], [[2, 2, 1, 1], [2, 2, 1, 1]])


def test_reference_backwards_agree_with_pytorch_when_installed():
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 2, 7, 6))
    w = rng.standard_normal((3, 2, 3, 2))
    args = ((2, 1), (1, 2), (1, 2))
    dy = rng.standard_normal(reference.conv2d(x, w, None, *args).shape)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    f.conv2d(xt, wt, None, *args).backward(torch.tensor(dy))
    dx, dw, _ = reference.conv2d_backward(dy, x, w, *args)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=1e-12)
    x = np.round(x, 1)  # ties
    for ours, theirs in ((reference.max_pool2d_backward, f.max_pool2d),
                         (reference.avg_pool2d_backward, f.avg_pool2d)):
        xt = torch.tensor(x, requires_grad=True)
        out = theirs(xt, 3, 2, 1)
        dy = rng.standard_normal(tuple(out.shape))
        out.backward(torch.tensor(dy))
        np.testing.assert_allclose(ours(dy, x, 3, 2, 1), xt.grad.numpy(), atol=1e-12)
