"""The vectorised ops agree with the textbook loops (and PyTorch) and explain bad arguments."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.nn import _conv as _conv_impl
from cnnviz.nn import functional as F
from cnnviz.nn import reference


def _conv_cases(count=24, seed=0):
    rng = np.random.default_rng(seed)
    modes = ["zeros", "reflect", "replicate", "circular"]
    cases = []
    for i in range(count):
        kh, kw = (int(v) for v in rng.integers(1, 5, 2))
        dh, dw = (int(v) for v in rng.integers(1, 3, 2))
        h = int(rng.integers(dh * (kh - 1) + 1, 11))
        w = int(rng.integers(dw * (kw - 1) + 1, 11))
        mode = modes[i % 4]
        ph, pw = (int(v) for v in rng.integers(0, 3, 2))
        if mode == "reflect":
            ph, pw = min(ph, h - 1), min(pw, w - 1)
        cases.append(dict(n=int(rng.integers(1, 3)), c=int(rng.integers(1, 4)),
                          f=int(rng.integers(1, 4)), h=h, w=w, k=(kh, kw),
                          stride=(int(rng.integers(1, 4)), int(rng.integers(1, 3))),
                          padding=(ph, pw), dilation=(dh, dw), mode=mode))
    return cases


CONV_CASES = _conv_cases()


@pytest.mark.parametrize("path", ["im2col", "rows"])
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c['k']}-{c['mode']}")
def test_conv2d_matches_reference_loops(case, path, monkeypatch):
    monkeypatch.setattr(_conv_impl, "prefer_rows", lambda *a: path == "rows")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"]))
    w = rng.standard_normal((case["f"], case["c"]) + case["k"])
    b = rng.standard_normal(case["f"])
    args = (case["stride"], case["padding"], case["dilation"], case["mode"])
    np.testing.assert_allclose(F.conv2d(x, w, b, *args), reference.conv2d(x, w, b, *args),
                               atol=1e-10)


def test_conv2d_on_a_large_grey_image_matches_reference_on_a_crop():
    rng = np.random.default_rng(2)
    x = rng.random((1, 1, 300, 300), dtype=np.float32)
    w = rng.standard_normal((1, 1, 7, 7)).astype(np.float32)
    out = F.conv2d(x, w, padding=3, padding_mode="reflect")
    crop = reference.conv2d(x[:, :, :40, :40], w, padding=3, padding_mode="reflect")
    # away from the crop's own right/bottom border the results must agree
    np.testing.assert_allclose(out[0, 0, :37, :37], crop[0, 0, :37, :37], rtol=1e-4, atol=1e-4)


def test_conv2d_keeps_float32_and_converts_integers_to_float64():
    x = np.ones((1, 1, 4, 4), np.float32)
    assert F.conv2d(x, np.ones((1, 1, 3, 3))).dtype == np.float32
    assert F.conv2d(np.ones((1, 1, 4, 4), int), np.ones((1, 1, 3, 3))).dtype == np.float64


def _pool_cases():
    rng = np.random.default_rng(4)
    cases = []
    for _ in range(16):
        kh, kw = (int(v) for v in rng.integers(1, 4, 2))
        stride = None if rng.random() < 0.3 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
        cases.append(dict(k=(kh, kw), stride=stride, padding=padding,
                          h=int(rng.integers(kh, 10)), w=int(rng.integers(kw, 10))))
    return cases


POOL_CASES = _pool_cases()


@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: f"{c['k']}-{c['stride']}-{c['padding']}")
def test_pooling_matches_reference_loops(case, pool_path):
    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal((2, 3, case["h"], case["w"])), 1)  # rounding makes ties
    args = (case["k"], case["stride"], case["padding"])
    np.testing.assert_allclose(F.max_pool2d(x, *args), reference.max_pool2d(x, *args))
    np.testing.assert_allclose(F.avg_pool2d(x, *args), reference.avg_pool2d(x, *args))


@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: f"{c['k']}-{c['stride']}-{c['padding']}")
def test_pooling_backward_matches_pytorch(case, pool_path):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x = np.round(rng.standard_normal((2, 3, case["h"], case["w"])), 1)
    args = (case["k"], case["stride"], case["padding"])
    for ours_fwd, ours_bwd, theirs in ((F.max_pool2d, F.max_pool2d_backward,
                                        torch.nn.functional.max_pool2d),
                                       (F.avg_pool2d, F.avg_pool2d_backward,
                                        torch.nn.functional.avg_pool2d)):
        dy = rng.standard_normal(ours_fwd(x, *args).shape)
        xt = torch.tensor(x, requires_grad=True)
        theirs(xt, *args).backward(torch.tensor(dy))
        np.testing.assert_allclose(ours_bwd(dy, x, *args), xt.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: f"{c['k']}-{c['stride']}-{c['padding']}")
def test_pooling_backward_matches_reference_loops(case, pool_path):
    rng = np.random.default_rng(6)
    x = np.round(rng.standard_normal((2, 3, case["h"], case["w"])), 1)  # rounding makes ties
    args = (case["k"], case["stride"], case["padding"])
    for forward, ours, loops in ((F.max_pool2d, F.max_pool2d_backward,
                                  reference.max_pool2d_backward),
                                 (F.avg_pool2d, F.avg_pool2d_backward,
                                  reference.avg_pool2d_backward)):
        dy = rng.standard_normal(forward(x, *args).shape)
        np.testing.assert_allclose(ours(dy, x, *args), loops(dy, x, *args), atol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c['k']}-s{c['stride']}")
def test_conv2d_backward_matches_reference_loops(case):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"]))
    w = rng.standard_normal((case["f"], case["c"]) + case["k"])
    args = (case["stride"], case["padding"], case["dilation"])
    dy = rng.standard_normal(F.conv2d(x, w, None, *args).shape)
    for ours, loops in zip(F.conv2d_backward(dy, x, w, *args),
                           reference.conv2d_backward(dy, x, w, *args), strict=True):
        np.testing.assert_allclose(ours, loops, atol=1e-10)


@pytest.mark.parametrize("case", CONV_CASES[::3], ids=lambda c: f"{c['k']}-s{c['stride']}")
def test_conv2d_backward_matches_pytorch(case):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"]))
    w = rng.standard_normal((case["f"], case["c"]) + case["k"])
    args = (case["stride"], case["padding"], case["dilation"])
    dy = rng.standard_normal(F.conv2d(x, w, None, *args).shape)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.zeros(case["f"], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv2d(xt, wt, bt, *args).backward(torch.tensor(dy))
    dx, dw, db = F.conv2d_backward(dy, x, w, *args)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(db, bt.grad.numpy(), atol=1e-10)


def test_max_pool_backward_sends_a_tied_window_gradient_to_its_first_maximum(pool_path):
    x = np.zeros((1, 1, 2, 2))
    dx = F.max_pool2d_backward(np.array([[[[5.0]]]]), x, 2)
    np.testing.assert_array_equal(dx[0, 0], [[5.0, 0.0], [0.0, 0.0]])


def test_max_pool_backward_accumulates_where_overlapping_windows_share_a_maximum(pool_path):
    x = np.array([[[[0.0, 9.0, 0.0]]]])
    dx = F.max_pool2d_backward(np.array([[[[1.0, 2.0]]]]), x, (1, 2), stride=1)
    np.testing.assert_array_equal(dx[0, 0], [[0.0, 3.0, 0.0]])


def test_avg_pool_backward_shares_the_gradient_equally(pool_path):
    dx = F.avg_pool2d_backward(np.array([[[[8.0]]]]), np.zeros((1, 1, 2, 2)), 2)
    np.testing.assert_array_equal(dx[0, 0], np.full((2, 2), 2.0))


def test_max_pool_of_a_large_map_uses_first_of_ties_like_the_small_path():
    x = np.zeros((4, 4, 40, 40), np.float32)
    dx = F.max_pool2d_backward(np.ones((4, 4, 20, 20), np.float32), x, 2)
    assert dx[:, :, ::2, ::2].sum() == 4 * 4 * 20 * 20 and dx.sum() == 4 * 4 * 20 * 20


def test_pad2d_pads_the_last_two_axes_of_a_plain_image():
    img = np.arange(6.0).reshape(2, 3)
    assert F.pad2d(img, (1, 2)).shape == (4, 7)
    np.testing.assert_array_equal(F.pad2d(img, 1, "replicate")[0], [0, 0, 1, 2, 2])


def test_conv_output_size_follows_the_formula():
    assert F.conv_output_size(28, 3, stride=1, padding=1) == 28
    assert F.conv_output_size(512, 3, stride=2, padding=1) == 256
    assert F.conv_output_size(10, 3, dilation=2) == 6


def test_window_count_is_the_formula_even_when_nothing_fits():
    assert F.window_count(512, 3, 2, 1) == F.conv_output_size(512, 3, 2, 1) == 256
    assert F.window_count(5, 7) == -1  # (5 - 7) // 1 + 1
    assert F.window_span(3, 2) == 5


def test_conv_output_shape_gives_both_axes():
    assert F.conv_output_shape((28, 20), (3, 5), stride=(1, 2), padding=1) == (28, 9)


def test_conv_output_shape_names_the_axis_that_is_too_small():
    with pytest.raises(ValueError, match="spans 9 pixels, but the padded input is only 5 tall"):
        F.conv_output_shape((5, 20), 5, dilation=2)


# ----------------------------------------------------------------- messages a user can act on
def test_conv_output_size_explains_a_dilated_kernel_that_does_not_fit():
    with pytest.raises(ValueError, match="kernel 7 with dilation 2 spans 13 pixels, but the "
                                         "padded input is only 10 wide"):
        F.conv_output_size(6, 7, padding=2, dilation=2)


def test_conv2d_names_the_axis_that_is_too_small():
    with pytest.raises(ValueError, match="only 3 tall"):
        F.conv2d(np.ones((1, 1, 3, 9)), np.ones((1, 1, 5, 5)))


@pytest.mark.parametrize(("kwargs", "words"), [
    (dict(stride=0), "stride must be at least 1"),
    (dict(padding=-1), "padding must be 0 or more"),
    (dict(dilation=0), "dilation must be at least 1"),
    (dict(stride=1.5), "whole number"),
    (dict(padding=(1, 2, 3)), "pair"),
    (dict(padding_mode="mirror"), "padding_mode must be one of zeros, reflect"),
])
def test_conv2d_rejects_bad_settings_with_a_reason(kwargs, words):
    with pytest.raises(ValueError, match=words):
        F.conv2d(np.ones((1, 1, 8, 8)), np.ones((1, 1, 3, 3)), **kwargs)


def test_conv2d_explains_a_channel_mismatch():
    with pytest.raises(ValueError, match="3 channel.*kernel expects 1"):
        F.conv2d(np.ones((1, 3, 8, 8)), np.ones((1, 1, 3, 3)))


def test_conv2d_suggests_adding_axes_to_a_plain_image():
    with pytest.raises(ValueError, match=r"x\[None, None\]"):
        F.conv2d(np.ones((8, 8)), np.ones((1, 1, 3, 3)))


def test_reflect_padding_as_large_as_the_image_is_explained():
    with pytest.raises(ValueError, match="reflect padding of 3 .* only 3 wide.*replicate"):
        F.conv2d(np.ones((1, 1, 8, 3)), np.ones((1, 1, 3, 3)), padding=3,
                   padding_mode="reflect")


def test_pool_padding_over_half_the_window_is_explained():
    with pytest.raises(ValueError, match="more than half the pooling window"):
        F.max_pool2d(np.ones((1, 1, 8, 8)), 2, padding=2)


def test_pool_window_larger_than_the_map_is_explained():
    with pytest.raises(ValueError, match="pooling window 5 is larger than the padded input"):
        F.avg_pool2d(np.ones((1, 1, 8, 3)), 5)


def test_backward_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match="dy has shape"):
        F.conv2d_backward(np.ones((1, 1, 5, 5)), np.ones((1, 1, 8, 8)), np.ones((1, 1, 3, 3)))


@st.composite
def _conv_problems(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    h_min = max(1, dh * (kh - 1) + 1 - 2 * ph)
    w_min = max(1, dw * (kw - 1) + 1 - 2 * pw)
    h, w = draw(st.integers(h_min, h_min + 6)), draw(st.integers(w_min, w_min + 6))
    mode = draw(st.sampled_from(["zeros", "replicate", "circular", "reflect"]))
    if mode == "reflect":
        ph, pw = min(ph, h - 1), min(pw, w - 1)
        h = max(h, dh * (kh - 1) + 1 - 2 * ph)
        w = max(w, dw * (kw - 1) + 1 - 2 * pw)
    elif mode == "circular":
        ph, pw = min(ph, h), min(pw, w)
        h = max(h, dh * (kh - 1) + 1 - 2 * ph)
        w = max(w, dw * (kw - 1) + 1 - 2 * pw)
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)
    return dict(shape=shape, f=draw(st.integers(1, 3)), k=(kh, kw), padding=(ph, pw),
                stride=(draw(st.integers(1, 3)), draw(st.integers(1, 3))), dilation=(dh, dw),
                mode=mode, seed=draw(st.integers(0, 2**16)))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_conv_problems())
def test_conv2d_matches_reference_on_random_problems(problem):
    rng = np.random.default_rng(problem["seed"])
    x = rng.standard_normal(problem["shape"])
    w = rng.standard_normal((problem["f"], problem["shape"][1]) + problem["k"])
    args = (problem["stride"], problem["padding"], problem["dilation"], problem["mode"])
    try:
        expected = reference.conv2d(x, w, None, *args)
    except IndexError:  # reflect/circular need padding smaller than the image; ops explains
        with pytest.raises(ValueError, match="padding"):
            F.conv2d(x, w, None, *args)
        return
    np.testing.assert_allclose(F.conv2d(x, w, None, *args), expected, atol=1e-10)


def test_conv_output_size_asks_for_one_axis_at_a_time():
    with pytest.raises(ValueError, match="one axis at a time"):
        F.conv_output_size(28, (3, 5))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_conv_problems())
def test_conv2d_backward_is_the_adjoint_of_the_forward_on_random_problems(problem):
    # conv2d is linear in x and in w, so <conv(x, w), dy> = <x, dx> = <w, dw> exactly
    rng = np.random.default_rng(problem["seed"])
    x = rng.standard_normal(problem["shape"])
    w = rng.standard_normal((problem["f"], problem["shape"][1]) + problem["k"])
    args = (problem["stride"], problem["padding"], problem["dilation"])
    y = F.conv2d(x, w, None, *args)
    dy = rng.standard_normal(y.shape)
    dx, dw, db = F.conv2d_backward(dy, x, w, *args)
    inner = np.sum(y * dy)
    assert np.sum(x * dx) == pytest.approx(inner, rel=1e-9, abs=1e-9)
    assert np.sum(w * dw) == pytest.approx(inner, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(db, dy.sum(axis=(0, 2, 3)))
