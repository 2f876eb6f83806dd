"""Optimizers follow PyTorch's update rules exactly."""

import numpy as np
import pytest

from cnnviz.nn.layers import Parameter
from cnnviz.optim import SGD, Adam


def _param(values=(1.0, -2.0)):
    return Parameter(np.array(values, dtype=np.float64), "w")


def _set_grad(p, values):
    p.grad[...] = values


def test_plain_sgd_moves_against_the_gradient():
    p = _param()
    opt = SGD([p], lr=0.1)
    _set_grad(p, [1.0, -4.0])
    opt.step()
    np.testing.assert_allclose(p.data, [0.9, -1.6])


def test_sgd_momentum_starts_with_the_gradient_then_accumulates():
    p = _param([0.0])
    opt = SGD([p], lr=1.0, momentum=0.9)
    _set_grad(p, [1.0])
    opt.step()  # buf = 1
    np.testing.assert_allclose(p.data, [-1.0])
    opt.step()  # buf = 0.9 * 1 + 1 = 1.9
    np.testing.assert_allclose(p.data, [-2.9])


def test_sgd_weight_decay_adds_the_weights_to_the_gradient():
    p = _param([2.0])
    opt = SGD([p], lr=0.5, weight_decay=0.1)
    _set_grad(p, [0.0])
    opt.step()
    np.testing.assert_allclose(p.data, [2.0 - 0.5 * 0.1 * 2.0])


def test_adam_first_step_moves_each_weight_by_about_lr():
    p = _param([1.0, 1.0])
    opt = Adam([p], lr=0.01)
    _set_grad(p, [3.0, -0.002])
    opt.step()
    # with bias correction the first step is lr * g / (|g| + eps') in every coordinate
    np.testing.assert_allclose(p.data, [0.99, 1.01], rtol=1e-5)


def test_adam_matches_its_formula_over_several_steps():
    p = _param([0.5])
    opt = Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8, weight_decay=0.01)
    m = v = 0.0
    w = 0.5
    for t, g in enumerate([1.0, -2.0, 0.5], start=1):
        _set_grad(p, [g])
        opt.step()
        g = g + 0.01 * w
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
        w -= 0.1 / (1 - 0.8**t) * m / (np.sqrt(v) / np.sqrt(1 - 0.9**t) + 1e-8)
        assert p.data[0] == pytest.approx(w, rel=1e-12)


def _documented_sgd(w, grad, steps, lr, momentum, weight_decay, nesterov):
    """torch.optim.SGD's algorithm as its documentation writes it (dampening tau = 0)."""
    b = None
    for _ in range(steps):
        g = grad(w) + weight_decay * w                # g_t <- g_t + lambda * theta_{t-1}
        if momentum:
            b = g if b is None else momentum * b + g  # b_1 = g_1; b_t = mu b_{t-1} + (1-tau) g_t
            g = g + momentum * b if nesterov else b   # nesterov: g_t + mu b_t; else b_t
        w = w - lr * g                                # theta_t = theta_{t-1} - gamma g_t
        yield w


def _documented_adam(w, grad, steps, lr, betas, eps, weight_decay):
    """torch.optim.Adam's algorithm as its documentation writes it (amsgrad off)."""
    (b1, b2), m, v = betas, 0.0, 0.0
    for t in range(1, steps + 1):
        g = grad(w) + weight_decay * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        yield w


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov", "adam"])
def test_updates_follow_pytorchs_documented_equations(kind):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 2))
    target = rng.standard_normal((3, 2))

    def grad(w):  # of sum((w - t)^4) / 2
        return 2 * (w - target) ** 3

    ours = Parameter(w0.copy(), "w")
    if kind == "adam":
        opt = Adam([ours], lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
        expected = _documented_adam(w0.copy(), grad, 5, 0.05, (0.9, 0.999), 1e-8, 0.01)
    else:
        mu, nesterov = (0.0 if kind == "sgd" else 0.9), kind == "nesterov"
        opt = SGD([ours], lr=0.05, momentum=mu, weight_decay=0.01, nesterov=nesterov)
        expected = _documented_sgd(w0.copy(), grad, 5, 0.05, mu, 0.01, nesterov)
    for step, w in enumerate(expected, start=1):
        opt.zero_grad()
        ours.grad += grad(ours.data)
        opt.step()
        np.testing.assert_allclose(ours.data, w, rtol=1e-12, atol=1e-15, err_msg=f"step {step}")


def test_nesterov_looks_ahead_along_the_momentum_by_hand():
    p = _param([0.0])
    opt = SGD([p], lr=1.0, momentum=0.5, nesterov=True)
    _set_grad(p, [1.0])
    opt.step()  # buf = 1; step g + 0.5 * buf = 1.5
    np.testing.assert_allclose(p.data, [-1.5])
    opt.step()  # buf = 0.5 * 1 + 1 = 1.5; step 1 + 0.5 * 1.5 = 1.75
    np.testing.assert_allclose(p.data, [-3.25])


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov", "adam"])
def test_updates_match_pytorch_on_a_tiny_problem(kind):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 2))
    target = rng.standard_normal((3, 2))
    ours = Parameter(w0.copy(), "w")
    theirs = torch.tensor(w0.copy(), requires_grad=True)
    if kind == "adam":
        opt = Adam([ours], lr=0.05, weight_decay=0.01)
        topt = torch.optim.Adam([theirs], lr=0.05, weight_decay=0.01)
    else:
        mu = 0.0 if kind == "sgd" else 0.9
        nesterov = kind == "nesterov"
        opt = SGD([ours], lr=0.05, momentum=mu, weight_decay=0.01, nesterov=nesterov)
        topt = torch.optim.SGD([theirs], lr=0.05, momentum=mu, weight_decay=0.01,
                               nesterov=nesterov)
    for _ in range(5):
        opt.zero_grad()
        ours.grad += 2 * (ours.data - target) ** 3  # gradient of sum((w - t)^4) / 2
        topt.zero_grad()
        (((theirs - torch.tensor(target)) ** 4).sum() / 2).backward()
        opt.step()
        topt.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_learning_rate_can_be_changed_between_steps():
    p = _param([0.0])
    opt = SGD([p], lr=1.0)
    _set_grad(p, [1.0])
    opt.step()
    opt.lr = 0.1
    opt.step()
    np.testing.assert_allclose(p.data, [-1.1])


def test_zero_grad_clears_every_gradient():
    a, b = _param(), _param()
    _set_grad(a, [1, 1])
    _set_grad(b, [2, 2])
    SGD([a, b]).zero_grad()
    assert not a.grad.any() and not b.grad.any()


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: SGD(p, lr=-1), "lr must be a finite number >= 0"),
    (lambda p: SGD(p, lr="fast"), "lr must be a number"),
    (lambda p: SGD([], lr=0.1), "got no parameters"),
    (lambda p: Adam(p, betas=(0.9, 1.0)), r"betas must each be in \[0, 1\)"),
    (lambda p: SGD(p, momentum=-0.5), "momentum must be"),
])
def test_bad_optimizer_settings_are_explained(make, words):
    with pytest.raises(ValueError, match=words):
        make([_param()])


def test_updates_still_reach_parameters_whose_arrays_were_replaced():
    p, q = _param([1.0]), _param([2.0])
    opt = SGD([p, q], lr=1.0, momentum=0.5)
    _set_grad(p, [1.0])
    opt.step()
    q.astype(np.float32)  # rebinds q.data: the optimizer must notice
    _set_grad(q, [1.0])
    _set_grad(p, [1.0])
    opt.step()
    np.testing.assert_allclose(p.data, [1.0 - 1.0 - 1.5])
    np.testing.assert_allclose(q.data, [2.0 - 0.0 - 1.0])


def test_a_second_optimizer_on_the_same_parameters_keeps_both_working():
    p = _param([0.0])
    first = SGD([p], lr=1.0)
    second = SGD([p], lr=10.0)
    _set_grad(p, [1.0])
    first.step()
    second.step()
    np.testing.assert_allclose(p.data, [-11.0])
    first.zero_grad()
    assert not p.grad.any()


def test_something_that_is_not_a_parameter_is_refused():
    with pytest.raises(ValueError, match="expected Parameter objects"):
        SGD([np.zeros(3)], lr=0.1)
