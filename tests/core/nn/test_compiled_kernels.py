"""The compiled kernels agree with the textbook loops, PyTorch and the NumPy path they replace.

Every case runs float32 inputs big enough (>= ``_jit.MIN_ELEMENTS``) to take the compiled path;
the ``engine`` fixture runs each one through both paths. Pooling and ReLU agree with the NumPy path
bit for bit; convolutions to float32 rounding (a different summation order).
"""

import numpy as np
import pytest

from cnnviz.nn import _jit, reference
from cnnviz.nn import functional as F
from cnnviz.nn.architecture import build_model
from cnnviz.nn.losses import softmax_cross_entropy

RNG = np.random.default_rng(12)
CONV_CASES = [  # (N, C, H, W, F, k, stride, padding, dilation)
    (4, 3, 12, 11, 5, 3, 1, 1, 1),
    (3, 2, 15, 14, 4, 3, 2, 0, 1),
    (2, 4, 16, 16, 3, 5, 1, 2, 2),
    (3, 2, 13, 17, 6, 2, 3, 1, 1),
    (2, 1, 40, 40, 8, 3, 1, 0, 1),
]
POOL_CASES = [  # (N, C, H, W, k, stride, padding)
    (4, 3, 16, 16, 2, 2, 0),
    (3, 4, 15, 13, 3, 2, 1),
    (2, 5, 14, 14, 3, 1, 1),
    (4, 2, 17, 16, 2, 2, 1),
    (3, 2, 15, 13, 2, 2, 0),  # 2x2 with an odd last row and column no window covers
]


def _f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _both(fn):
    """``fn()`` through the NumPy path, then through the compiled one."""
    try:
        _jit.set_enabled(False)
        plain = fn()
        _jit.set_enabled(True)
        return plain, fn()
    finally:
        _jit.set_enabled(True)


@pytest.mark.parametrize("case", CONV_CASES)
def test_compiled_conv2d_matches_the_loops(case, engine):
    n, c, h, w, f, k, s, p, d = case
    x, wt, b = _f32(n, c, h, w), _f32(f, c, k, k), _f32(f)
    got = F.conv2d(x, wt, b, stride=s, padding=p, dilation=d)
    want = reference.conv2d(x.astype(np.float64), wt, b, stride=s, padding=p, dilation=d)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", CONV_CASES)
def test_compiled_conv2d_backward_matches_the_loops(case, engine):
    n, c, h, w, f, k, s, p, d = case
    x, wt = _f32(n, c, h, w), _f32(f, c, k, k)
    dy = _f32(*F.conv2d(x, wt, stride=s, padding=p, dilation=d).shape)
    got = F.conv2d_backward(dy, x, wt, stride=s, padding=p, dilation=d)
    want = reference.conv2d_backward(dy.astype(np.float64), x.astype(np.float64),
                                     wt.astype(np.float64), stride=s, padding=p, dilation=d)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-4, atol=2e-4)


@pytest.mark.parametrize("k, stride, padding, dilation", [(3, 1, 1, 1), (7, 1, 3, 1),
                                                          (5, 2, 0, 1), (3, 1, 2, 2),
                                                          (9, 1, 4, 1), (4, 3, 1, 2)])
def test_one_image_shift_and_add_matches_the_loops(k, stride, padding, dilation, engine):
    x, wt, b = _f32(1, 1, 37, 41), _f32(1, 1, k, k), _f32(1)
    got = F.conv2d(x, wt, b, stride=stride, padding=padding, dilation=dilation)
    want = reference.conv2d(x.astype(np.float64), wt, b, stride=stride, padding=padding,
                            dilation=dilation)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_one_image_conv_with_reflect_padding_matches_the_loops(engine):
    x, wt = _f32(1, 1, 40, 40), _f32(1, 1, 5, 5)
    got = F.conv2d(x, wt, padding=2, padding_mode="reflect")
    want = reference.conv2d(x.astype(np.float64), wt, padding=2, padding_mode="reflect")
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", POOL_CASES)
def test_compiled_max_pool_equals_the_numpy_path_exactly(case):
    n, c, h, w, k, s, p = case
    x = _f32(n, c, h, w)
    plain, fast = _both(lambda: F.max_pool2d(x, k, s, p))
    np.testing.assert_array_equal(fast, plain)


@pytest.mark.parametrize("case", POOL_CASES)
def test_compiled_max_pool_gradient_goes_to_the_first_maximum(case):
    n, c, h, w, k, s, p = case
    x = np.round(_f32(n, c, h, w))  # many ties: the first maximum must win
    dy = _f32(*F.max_pool2d(x, k, s, p).shape)
    plain, fast = _both(lambda: F.max_pool2d_backward(dy, x, k, s, p))
    want = reference.max_pool2d_backward(dy.astype(np.float64), x.astype(np.float64), k, s, p)
    np.testing.assert_allclose(fast, want, rtol=1e-6, atol=1e-6)
    if s >= k:  # windows apart: each pixel gets at most one gradient, so no rounding at all
        np.testing.assert_array_equal(fast, plain)


@pytest.mark.parametrize("case", POOL_CASES)
def test_compiled_avg_pool_and_gradient_match_the_loops(case):
    n, c, h, w, k, s, p = case
    x = _f32(n, c, h, w)
    dy = _f32(*F.avg_pool2d(x, k, s, p).shape)
    (y0, g0), (y1, g1) = _both(lambda: (F.avg_pool2d(x, k, s, p),
                                        F.avg_pool2d_backward(dy, x, k, s, p)))
    if k * k < 8:  # the same sums in the same order (NumPy sums 8 or more pairwise)
        np.testing.assert_array_equal(y1, y0)
    np.testing.assert_allclose(y1, reference.avg_pool2d(x.astype(np.float64), k, s, p),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g1, g0, rtol=1e-6, atol=1e-7)


def test_compiled_max_pool_propagates_nan_and_ignores_padding():
    x = np.full((2, 2, 32, 32), -5.0, np.float32)
    x[0, 0, 3, 4] = np.nan
    got = F.max_pool2d(x, 2)
    assert np.isnan(got[0, 0, 1, 2]) and np.isnan(got).sum() == 1
    assert np.all(F.max_pool2d(x[:, :, :, 1:], 3, 2, 1)[1] == -5.0)  # -inf padding never wins


def test_compiled_2x2_max_pool_routes_a_nan_windows_gradient_as_the_numpy_path_does():
    x = _f32(2, 3, 32, 31)
    x[0, 1, 5, 7] = np.nan  # the bottom-right tap of window (2, 3)
    x[1, 2, 9, 0] = np.nan
    dy = _f32(2, 3, 16, 15)  # at least MIN_ELEMENTS: the compiled path
    (y0, g0), (y1, g1) = _both(lambda: (F.max_pool2d(x, 2), F.max_pool2d_backward(dy, x, 2)))
    np.testing.assert_array_equal(y1, y0)  # NaN where NumPy has NaN
    np.testing.assert_array_equal(g1, g0)
    assert g1[0, 1, 5, 7] == dy[0, 1, 2, 3]


def test_compiled_relu_equals_numpy_including_nan_and_negative_zero():
    from cnnviz.nn.layers import ReLU

    x = _f32(8, 4, 16, 16)
    x.reshape(-1)[:4] = [np.nan, -0.0, 0.0, -np.inf]
    dy = _f32(*x.shape)

    def run():
        layer = ReLU()
        return layer.forward(x), layer.backward(dy)

    (y0, g0), (y1, g1) = _both(run)
    np.testing.assert_array_equal(y1, y0)
    np.testing.assert_array_equal(np.signbit(y1), np.signbit(y0))
    np.testing.assert_array_equal(g1, g0)


def test_a_training_step_gives_the_same_gradients_through_both_paths():
    spec = [{"type": "conv", "out_channels": 8, "kernel_size": 3, "padding": 1},
            {"type": "relu"}, {"type": "maxpool", "kernel_size": 2},
            {"type": "conv", "out_channels": 16, "kernel_size": 3, "padding": 1},
            {"type": "relu"}, {"type": "avgpool", "kernel_size": 2}, {"type": "flatten"},
            {"type": "dense", "out_features": 10}]
    x, y = _f32(16, 1, 28, 28), RNG.integers(0, 10, 16)

    def grads():
        model = build_model(spec, (1, 28, 28), 10, seed=3)
        _, d = softmax_cross_entropy(model.forward(x), y)
        dx = model.backward(d)
        return [p.grad.copy() for p in model.parameters()] + [dx]

    for plain, fast in zip(*_both(grads), strict=True):
        np.testing.assert_allclose(fast, plain, rtol=1e-4, atol=1e-5 * np.abs(plain).max())


def test_inputs_below_the_size_threshold_keep_the_numpy_results_bit_for_bit():
    x, wt = _f32(1, 1, 8, 8), _f32(4, 1, 3, 3)  # the classic net's batch of one
    assert x.size < _jit.MIN_ELEMENTS
    plain, fast = _both(lambda: F.conv2d(x, wt))
    np.testing.assert_array_equal(fast, plain)


def test_float64_takes_the_numpy_path_bit_for_bit():
    x, wt = _f32(4, 2, 20, 20).astype(np.float64), _f32(3, 2, 3, 3).astype(np.float64)
    plain, fast = _both(lambda: F.conv2d(x, wt, padding=1))
    np.testing.assert_array_equal(fast, plain)


@pytest.mark.parametrize("case", CONV_CASES[:3])
def test_compiled_conv_and_pool_gradients_match_pytorch(case, engine):
    torch = pytest.importorskip("torch")
    n, c, h, w, f, k, s, p, d = case
    x, wt, b = _f32(n, c, h, w), _f32(f, c, k, k), _f32(f)
    xt, wtt, bt = (torch.tensor(a, requires_grad=True) for a in (x, wt, b))
    yt = torch.nn.functional.max_pool2d(torch.nn.functional.conv2d(
        xt, wtt, bt, stride=s, padding=p, dilation=d), 2)
    dy = _f32(*yt.shape)
    yt.backward(torch.from_numpy(dy))
    conv = F.conv2d(x, wt, b, stride=s, padding=p, dilation=d)
    np.testing.assert_allclose(F.max_pool2d(conv, 2), yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    dconv = F.max_pool2d_backward(dy, conv, 2)
    dx, dw, db = F.conv2d_backward(dconv, x, wt, stride=s, padding=p, dilation=d)
    for ours, theirs in ((dx, xt), (dw, wtt), (db, bt)):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-4, atol=2e-4)
