"""The PyTorch backend trains the same run as the NumPy engine and reports it the same way."""

import numpy as np
import pytest

from cnnviz import backends, data
from cnnviz.nn import architecture as arch
from cnnviz.train import Snapshot, TrainingControl


def _trainer(backend, ds, optimizer="sgd", preset="classic", **kwargs):
    model = arch.build_model(arch.preset(preset, ds.n_classes), ds.input_shape, ds.n_classes,
                             seed=0)
    opts = dict(optimizer=optimizer, lr=0.05, batch_size=16, epochs=1, seed=0, evals_per_epoch=0)
    opts.update(kwargs)
    return backends.make_trainer(model, ds, backend=backend, **opts)


def _first(trainer, n):
    out = []
    for snap in trainer.steps():
        out.append(snap)
        if len(out) == n:
            break
    return out


def test_without_torch_the_torch_backend_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(backends, "torch_available", lambda: False)
    with pytest.raises(ValueError, match=r"pip install 'cnnviz\[torch\]'"):
        _trainer("torch", data.load_dataset("lines"))


def test_the_numpy_backend_is_the_default_and_needs_nothing():
    assert backends.unavailable_reason("numpy") is None
    assert "CPU only" in backends.unavailable_reason("numpy", "cuda")


torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def digits28():
    return data.load_dataset("mnist", seed=0)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_both_backends_from_the_same_weights_agree_for_the_first_20_steps(digits28, optimizer):
    numpy_run = _first(_trainer("numpy", digits28, optimizer, lr=0.01), 20)
    torch_run = _first(_trainer("torch", digits28, optimizer, lr=0.01), 20)
    ours = np.array([s.loss for s in numpy_run])
    theirs = np.array([s.loss for s in torch_run])
    np.testing.assert_allclose(theirs, ours, rtol=1e-4)
    np.testing.assert_allclose(torch_run[-1].filters, numpy_run[-1].filters, rtol=1e-3,
                               atol=1e-5)


def test_torch_snapshots_carry_what_the_studio_reads(digits28):
    snap = _first(_trainer("torch", digits28, preset="lenet"), 3)[-1]
    assert isinstance(snap, Snapshot)
    assert snap.filters.shape == (6, 1, 5, 5) and snap.filter_grads.shape == (6, 1, 5, 5)
    assert set(snap.state) == {"0.weight", "0.bias", "3.weight", "3.bias", "7.weight",
                               "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"}
    assert not snap.filters.flags.writeable


def test_the_torch_backend_evaluates_the_test_set_at_the_end():
    ds = data.load_dataset("lines", seed=0)
    model = arch.build_model(arch.preset("classic", 2), ds.input_shape, 2, seed=0)
    trainer = backends.make_trainer(model, ds, backend="torch", optimizer="adam", lr=0.01,
                                    batch_size=16, epochs=2)
    last = list(trainer.steps())[-1]
    assert last.finished and last.confusion.sum() == len(ds.x_test)
    assert last.test_accuracy > 0.8


def test_a_single_step_on_torch_records_the_same_trace_as_numpy(digits28):
    traces = []
    for backend in ("numpy", "torch"):
        control = TrainingControl()
        control.pause()
        control.request_single_step()
        trainer = _trainer(backend, digits28, control=control)
        traces.append(next(iter(trainer.steps())).trace)
    ours, theirs = traces
    np.testing.assert_allclose(theirs.loss, ours.loss, rtol=1e-5)
    np.testing.assert_allclose(theirs.weight_after, ours.weight_after, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(theirs.weight_grad, ours.weight_grad, rtol=1e-3, atol=1e-6)


def test_the_torch_backend_restores_the_thread_count_after_a_run(digits28):
    before = torch.get_num_threads()
    trainer = _trainer("torch", digits28, threads=1)
    _first(trainer, 1)
    assert torch.get_num_threads() == before


def test_both_backends_agree_on_a_globally_pooled_network(digits28):
    preset = "CNN + global pooling"
    numpy_run = _first(_trainer("numpy", digits28, preset=preset, lr=0.01), 10)
    torch_run = _first(_trainer("torch", digits28, preset=preset, lr=0.01), 10)
    np.testing.assert_allclose([s.loss for s in torch_run], [s.loss for s in numpy_run],
                               rtol=1e-4)
