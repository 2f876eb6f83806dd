"""Global average and max pooling: (N, C, H, W) -> (N, C), forward and backward, against loops
and PyTorch's adaptive pools of output size 1."""

import numpy as np
import pytest

from cnnviz.nn import GlobalAvgPool2D, GlobalMaxPool2D, Sequential, reference
from cnnviz.nn import functional as F
from cnnviz.nn.layers import layer_from_config

SHAPES = [(2, 3, 5, 7), (1, 1, 1, 1), (3, 2, 4, 1)]
KINDS = [("avg", F.global_avg_pool2d, F.global_avg_pool2d_backward, reference.global_avg_pool2d,
          reference.global_avg_pool2d_backward, GlobalAvgPool2D),
         ("max", F.global_max_pool2d, F.global_max_pool2d_backward, reference.global_max_pool2d,
          reference.global_max_pool2d_backward, GlobalMaxPool2D)]


def _ids(kind):
    return kind[0]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", KINDS, ids=_ids)
def test_forward_matches_the_reference_loops(kind, shape):
    _, forward, _, loops, _, _ = kind
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_allclose(forward(x), loops(x), rtol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", KINDS, ids=_ids)
def test_backward_matches_the_reference_loops(kind, shape):
    _, _, backward, _, loops_backward, _ = kind
    rng = np.random.default_rng(1)
    x, dy = rng.standard_normal(shape), rng.standard_normal(shape[:2])
    np.testing.assert_allclose(backward(dy, x), loops_backward(dy, x), rtol=1e-12)


@pytest.mark.parametrize("kind", KINDS, ids=_ids)
def test_layer_forward_and_backward_match_the_functional_versions(kind):
    _, forward, backward, _, _, cls = kind
    rng = np.random.default_rng(2)
    x, dy = rng.standard_normal((4, 3, 6, 5)), rng.standard_normal((4, 3))
    layer = cls()
    np.testing.assert_allclose(layer.forward(x), forward(x))
    np.testing.assert_allclose(layer.backward(dy), backward(dy, x))


@pytest.mark.parametrize("kind", KINDS, ids=_ids)
def test_forward_and_backward_match_pytorch_adaptive_pooling_to_one_pixel(kind):
    torch = pytest.importorskip("torch")
    name, forward, backward, _, _, _ = kind
    theirs = {"avg": torch.nn.functional.adaptive_avg_pool2d,
              "max": torch.nn.functional.adaptive_max_pool2d}[name]
    rng = np.random.default_rng(3)
    x, dy = rng.standard_normal((3, 4, 7, 6)), rng.standard_normal((3, 4))
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt, 1)
    yt.backward(torch.tensor(dy)[:, :, None, None])
    np.testing.assert_allclose(forward(x), yt.detach().numpy()[:, :, 0, 0], rtol=1e-12)
    np.testing.assert_allclose(backward(dy, x), xt.grad.numpy(), rtol=1e-12)


def test_max_gradient_goes_to_the_first_of_tied_maxima_like_pytorch():
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])
    dx = F.global_max_pool2d_backward(np.array([[2.0]]), x)
    np.testing.assert_array_equal(dx, [[[[0.0, 2.0], [0.0, 0.0]]]])


def test_average_gradient_is_shared_by_every_pixel():
    dx = F.global_avg_pool2d_backward(np.array([[6.0]]), np.zeros((1, 1, 2, 3)))
    np.testing.assert_allclose(dx, np.full((1, 1, 2, 3), 1.0))


@pytest.mark.parametrize("cls", [GlobalAvgPool2D, GlobalMaxPool2D])
def test_a_shifted_pattern_gives_the_same_pooled_features(cls):
    # the point of a global pool: where the pattern sits in the map no longer matters
    x = np.zeros((1, 2, 9, 9))
    x[0, :, 1:3, 1:4] = [[1.0, 2.0, 0.5], [0.0, 4.0, 1.0]]
    moved = np.roll(x, (5, 4), axis=(2, 3))
    np.testing.assert_allclose(cls().forward(x), cls().forward(moved))


@pytest.mark.parametrize("cls", [GlobalAvgPool2D, GlobalMaxPool2D])
def test_flat_input_is_refused_with_a_hint(cls):
    with pytest.raises(ValueError, match="before Flatten"):
        cls().forward(np.zeros((2, 5)))


@pytest.mark.parametrize("cls", [GlobalAvgPool2D, GlobalMaxPool2D])
def test_a_gradient_of_the_wrong_shape_is_refused(cls):
    layer = cls()
    layer.forward(np.zeros((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        layer.backward(np.zeros((2, 3, 4, 4)))


@pytest.mark.parametrize("kind", ["globalavgpool", "globalmaxpool"])
def test_config_round_trips_through_layer_from_config(kind):
    layer = layer_from_config({"type": kind})
    assert layer.config() == {"type": kind}
    assert type(layer_from_config(layer.config())) is type(layer)


def test_float32_stays_float32_in_a_model():
    model = Sequential([GlobalMaxPool2D()])
    assert model.forward(np.ones((2, 3, 4, 4), np.float32)).dtype == np.float32
