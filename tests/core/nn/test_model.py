"""Sequential: reproducible seeds, activation maps, input gradients, state and configs."""

import numpy as np
import pytest

from cnnviz.nn import reference
from cnnviz.nn.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from cnnviz.nn.losses import softmax_cross_entropy
from cnnviz.nn.model import Sequential, forward_order
from cnnviz.optim import SGD


def classic(seed=0):
    return Sequential([Conv2D(1, 4, 3), ReLU(), MaxPool2D(2), Flatten(), Dense(36, 2)], seed=seed)


def _batch(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 8, 8), dtype=np.float32), rng.integers(0, 2, n)


def test_same_seed_gives_the_same_weights_and_another_seed_different_ones():
    a, b, c = classic(5), classic(5), classic(6)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(pa.data, pb.data)
    assert not np.array_equal(a.first_conv().weight.data, c.first_conv().weight.data)


def test_forward_all_returns_every_layer_output_in_order():
    x, _ = _batch(3)
    outs = classic().forward_all(x)
    assert [o.shape for o in outs] == [(3, 4, 6, 6), (3, 4, 6, 6), (3, 4, 3, 3), (3, 36), (3, 2)]
    np.testing.assert_allclose(outs[-1], classic().forward(x))


def test_backward_returns_the_gradient_with_respect_to_the_input():
    model = classic()
    x, y = _batch(2)
    _, d = softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(d)
    assert dx.shape == x.shape and np.abs(dx).sum() > 0


def test_skipping_the_input_gradient_leaves_parameter_gradients_unchanged():
    x, y = _batch(4)
    full, lean = classic(), classic()
    for model, want in ((full, True), (lean, False)):
        _, d = softmax_cross_entropy(model.forward(x), y)
        result = model.backward(d, input_grad=want)
    assert result is None
    for pf, pl in zip(full.parameters(), lean.parameters(), strict=True):
        np.testing.assert_allclose(pf.grad, pl.grad)


def test_training_steps_reduce_the_loss_on_a_learnable_problem():
    rng = np.random.default_rng(0)
    x = np.zeros((32, 1, 8, 8), np.float32)
    y = rng.integers(0, 2, 32)
    for i, label in enumerate(y):  # vertical line for class 0, horizontal for class 1
        pos = rng.integers(1, 7)
        if label == 0:
            x[i, 0, :, pos] = 1
        else:
            x[i, 0, pos, :] = 1
    model = classic()
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    first = softmax_cross_entropy(model.forward(x), y)[0]
    for _ in range(60):
        loss, d = softmax_cross_entropy(model.forward(x), y)
        opt.zero_grad()
        model.backward(d, input_grad=False)
        opt.step()
    assert loss < 0.2 * first
    assert (model.predict(x) == y).mean() == 1.0


def test_state_dict_holds_copies_keyed_like_pytorch():
    model = classic()
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "4.weight", "4.bias"]
    state["0.weight"][:] = 123
    assert not np.any(model.first_conv().weight.data == 123)


def test_load_state_dict_restores_outputs():
    x, _ = _batch(2)
    a, b = classic(1), classic(2)
    b.load_state_dict(a.state_dict())
    np.testing.assert_allclose(a.forward(x), b.forward(x))


def test_load_state_dict_names_missing_and_mismatched_weights():
    model = classic()
    state = model.state_dict()
    del state["4.bias"]
    with pytest.raises(ValueError, match="missing 4.bias"):
        model.load_state_dict(state)
    state = model.state_dict()
    state["0.weight"] = np.zeros((8, 1, 3, 3))
    with pytest.raises(ValueError, match=r"0.weight has shape \(8, 1, 3, 3\).*\(4, 1, 3, 3\)"):
        model.load_state_dict(state)


def test_config_and_from_config_rebuild_the_architecture():
    model = classic()
    rebuilt = Sequential.from_config(model.config(), seed=0)
    assert [layer.name for layer in rebuilt] == [layer.name for layer in model]
    x, _ = _batch(2)
    np.testing.assert_allclose(rebuilt.forward(x), model.forward(x))


def test_from_config_rejects_something_that_is_not_a_list():
    with pytest.raises(ValueError, match="list of layer configs"):
        Sequential.from_config({"type": "Dense"})


def test_backward_all_keeps_the_gradient_at_every_layers_input():
    model = classic()
    x, y = _batch(3)
    _, d = softmax_cross_entropy(model.forward_all(x)[-1], y)
    grads = model.backward_all(d)
    assert len(grads) == len(model.layers) + 1 and grads[-1] is d
    assert [g.shape for g in grads[:-1]] == [x.shape] + [o.shape for o in model.forward_all(x)][:-1]
    model.forward(x)
    np.testing.assert_array_equal(grads[0], model.backward(d))


def test_backward_all_after_forward_asks_for_forward_all():
    model = classic()
    x, y = _batch(3)
    _, d = softmax_cross_entropy(model.forward(x), y)
    with pytest.raises(RuntimeError, match="forward_all"):
        model.backward_all(d)


def _relu_pool_net(seed=0):  # for (N, 1, 16, 16): maps big enough for the compiled kernels
    return Sequential([Conv2D(1, 4, 3, padding=1), ReLU(), MaxPool2D(2), Conv2D(4, 6, 3),
                       ReLU(), MaxPool2D(2, stride=1, padding=1), Flatten(), Dense(6 * 7 * 7, 3)],
                      seed=seed)


def test_a_relu_before_a_max_pool_gives_the_same_output_run_after_it():
    model = _relu_pool_net()
    x = np.random.default_rng(3).standard_normal((16, 1, 16, 16)).astype(np.float32)
    x[1, 0, 2, 2] = np.nan
    in_order = model.forward_all(x)[-1]
    swapped = model.forward(x)
    assert forward_order(model.layers) == [0, 2, 1, 3, 5, 4, 6, 7]  # both pairs swapped
    np.testing.assert_array_equal(swapped, in_order)


def test_a_relu_before_a_max_pool_gives_the_same_gradients_run_after_it():
    model = _relu_pool_net()
    rng = np.random.default_rng(4)
    x = rng.standard_normal((16, 1, 16, 16)).astype(np.float32)
    x[:, :, :6] = -np.abs(x[:, :, :6])  # windows whose maximum is negative get no gradient
    y = rng.integers(0, 3, 16)
    _, d = softmax_cross_entropy(model.forward_all(x)[-1], y)
    model.zero_grad()
    dx_in_order = model.backward(d)
    grads_in_order = [p.grad.copy() for p in model.parameters()]
    model.forward(x)
    model.zero_grad()
    dx_swapped = model.backward(d)
    np.testing.assert_array_equal(dx_swapped, dx_in_order)
    for got, want in zip([p.grad for p in model.parameters()], grads_in_order, strict=True):
        np.testing.assert_array_equal(got, want)


def test_backward_all_stops_at_the_layer_asked_for():
    model = classic()
    x, y = _batch(3)
    _, d = softmax_cross_entropy(model.forward_all(x)[-1], y)
    grads = model.backward_all(d, down_to=3)
    assert grads[:3] == [None, None, None] and grads[3].shape == (3, 4, 3, 3)
    assert not model.first_conv().weight.grad.any()  # layer 0 was not visited


def test_predict_proba_gives_probabilities_independent_of_batching():
    model = classic()
    x, _ = _batch(10)
    p = model.predict_proba(x, batch_size=3)
    assert p.shape == (10, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(p, model.predict_proba(x, batch_size=100), rtol=1e-6)


def test_first_conv_is_none_without_convolutions():
    assert Sequential([Flatten(), Dense(4, 2)]).first_conv() is None
    assert isinstance(classic().first_conv(), Conv2D)


def test_metadata_starts_empty_and_is_per_model():
    a, b = classic(), classic()
    a.metadata["class_names"] = ["vertical", "horizontal"]
    assert b.metadata == {}


def test_a_non_layer_in_the_list_is_a_value_error():
    with pytest.raises(ValueError, match="item 1 of the layer list is not a layer"):
        Sequential([ReLU(), "conv"])


def _textbook_pass(model, x, y):
    """Forward and backward of ``model`` written out with the reference loops and plain NumPy."""
    conv1, _, _, conv2, _, _, dense = model.layers
    c1 = (conv1.stride, conv1.padding, conv1.dilation)
    c2 = (conv2.stride, conv2.padding, conv2.dilation)
    a1 = reference.conv2d(x, conv1.weight.data, conv1.bias.data, *c1)
    r1 = np.maximum(a1, 0)
    p1 = reference.max_pool2d(r1, 2)
    a2 = reference.conv2d(p1, conv2.weight.data, conv2.bias.data, *c2)
    r2 = np.maximum(a2, 0)
    flat = r2.reshape(len(x), -1)
    logits = flat @ dense.weight.data.T + dense.bias.data
    # cross-entropy = mean of log(sum exp z) - z_y; its gradient (softmax - one_hot) / N
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(len(y)), y].mean()
    d = np.exp(log_p)
    d[np.arange(len(y)), y] -= 1
    d /= len(y)
    grads = {"6.weight": d.T @ flat, "6.bias": d.sum(axis=0)}
    d_r2 = (d @ dense.weight.data).reshape(r2.shape)
    d_p1, grads["3.weight"], grads["3.bias"] = reference.conv2d_backward(
        d_r2 * (a2 > 0), p1, conv2.weight.data, *c2)
    d_r1 = reference.max_pool2d_backward(d_p1, r1, 2)
    dx, grads["0.weight"], grads["0.bias"] = reference.conv2d_backward(
        d_r1 * (a1 > 0), x, conv1.weight.data, *c1)
    return loss, dx, grads


def test_forward_loss_and_gradients_match_the_reference_loops_with_the_same_weights():
    model = Sequential([Conv2D(1, 3, 3, padding=1), ReLU(), MaxPool2D(2),
                        Conv2D(3, 4, (3, 2), stride=(1, 2), dilation=(2, 1)), ReLU(), Flatten(),
                        Dense(24, 3)], seed=1).astype(np.float64)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 1, 12, 12))
    y = rng.integers(0, 3, 5)
    loss, d = softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(d)
    expected_loss, expected_dx, expected_grads = _textbook_pass(model, x, y)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(dx, expected_dx, atol=1e-12)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, expected_grads[name], atol=1e-12, err_msg=name)


def test_forward_loss_and_gradients_match_pytorch_with_the_same_weights():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = Sequential([Conv2D(1, 3, 3, padding=1), ReLU(), MaxPool2D(2),
                        Conv2D(3, 4, (3, 2), stride=(1, 2), dilation=(2, 1)), ReLU(), Flatten(),
                        Dense(24, 3)], seed=1).astype(np.float64)
    twin = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(3, 4, (3, 2), stride=(1, 2), dilation=(2, 1)), nn.ReLU(),
                         nn.Flatten(), nn.Linear(24, 3)).double()
    with torch.no_grad():
        for ours, theirs in zip(model.parameters(), twin.parameters(), strict=True):
            theirs.copy_(torch.from_numpy(ours.data))
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 1, 12, 12))
    y = rng.integers(0, 3, 5)
    loss, d = softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(d)
    xt = torch.tensor(x, requires_grad=True)
    tloss = torch.nn.functional.cross_entropy(twin(xt), torch.tensor(y))
    tloss.backward()
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-12)
    for ours, theirs in zip(model.parameters(), twin.parameters(), strict=True):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-12)
