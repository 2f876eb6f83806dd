"""PyTorch as the other side: exported code runs in torch with the same logits, and a model
trained in torch opens in cnnviz from its safetensors state_dict and predicts the same classes."""

import runpy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from safetensors.torch import save_file  # noqa: E402

from cnnviz import data  # noqa: E402
from cnnviz.io import load_model, load_weights, save_model  # noqa: E402
from cnnviz.nn import architecture as arch  # noqa: E402


def test_exported_pytorch_code_runs_in_torch_and_matches_the_logits(tmp_path):
    model = arch.build_model(arch.preset("lenet"), (1, 28, 28), 10, seed=3)
    path = save_model(model, tmp_path / "lenet_export.py")
    namespace = runpy.run_path(str(path))
    x = np.random.default_rng(0).random((5, 1, 28, 28), dtype=np.float32)
    with torch.no_grad():
        theirs = namespace["model"](torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(theirs, model(x), rtol=1e-5, atol=1e-5)
    assert namespace["INPUT_SHAPE"] == (1, 28, 28)


@pytest.mark.parametrize("pool", ["globalavgpool", "globalmaxpool"])
def test_exported_pytorch_code_of_a_globally_pooled_cnn_matches_the_logits(tmp_path, pool):
    spec = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "relu"},
            {"type": pool}, {"type": "dense", "out_features": 3}]
    model = arch.build_model(spec, (1, 12, 12), 3, seed=4)
    namespace = runpy.run_path(str(save_model(model, tmp_path / "gp_export.py")))
    x = np.random.default_rng(1).random((5, 1, 12, 12), dtype=np.float32)
    with torch.no_grad():
        theirs = namespace["model"](torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(theirs, model(x), rtol=1e-5, atol=1e-5)


def _torch_net():
    """The torch twin of SPEC, built the way a PyTorch user writes it (named sub-modules)."""
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = torch.nn.Sequential(
                torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                torch.nn.Conv2d(6, 12, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2))
            self.classifier = torch.nn.Sequential(torch.nn.Flatten(),
                                                  torch.nn.Linear(12 * 6 * 6, 5))

        def forward(self, x):
            return self.classifier(self.features(x))

    return Net()


SPEC = [{"type": "conv", "out_channels": 6, "kernel_size": 5, "padding": 2}, {"type": "relu"},
        {"type": "maxpool", "kernel_size": 2},
        {"type": "conv", "out_channels": 12, "kernel_size": 3}, {"type": "relu"},
        {"type": "maxpool", "kernel_size": 2}, {"type": "flatten"},
        {"type": "dense", "out_features": 5}]


def test_a_torch_trained_28x28_model_saved_as_safetensors_predicts_the_same_classes(tmp_path):
    ds = data.load_dataset("shapes", seed=0)
    torch.manual_seed(0)
    net = _torch_net()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    x, y = torch.from_numpy(ds.x_train[:512]), torch.from_numpy(ds.y_train[:512])
    for start in range(0, 512, 32):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x[start:start + 32]), y[start:start + 32]).backward()
        opt.step()
    path = tmp_path / "shapes_cnn.safetensors"
    save_file(net.state_dict(), str(path))

    model = load_weights(path, arch.build_model(SPEC, ds.input_shape, ds.n_classes))
    with torch.no_grad():
        expected = net(torch.from_numpy(ds.x_test)).argmax(1).numpy()
    np.testing.assert_array_equal(model.predict(ds.x_test), expected)
    assert len(set(expected.tolist())) > 1  # it learned something, not one constant class


def test_a_cnnviz_safetensors_file_loads_in_torch_by_name(tmp_path):
    from safetensors.torch import load_file

    model = arch.build_model(arch.preset("classic", 2), (1, 8, 8), 2, seed=1)
    path = save_model(model, tmp_path / "m.safetensors")
    twin = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(36, 2))
    twin.load_state_dict(load_file(str(path)))
    x = np.random.default_rng(1).random((3, 1, 8, 8), dtype=np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(twin(torch.from_numpy(x)).numpy(), model(x), rtol=1e-5,
                                   atol=1e-6)
    assert load_model(path).config() == model.config()
