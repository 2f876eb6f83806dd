"""The command line's model files: --save by extension, convert, inspect, --backend/--device."""

import numpy as np
import pytest

from cnnviz import backends, cli
from cnnviz.io import load_model, save_model
from cnnviz.nn import architecture as arch

pytest.importorskip("onnx")
pytest.importorskip("safetensors")


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("suffix", [".onnx", ".safetensors", ".npz"])
def test_train_save_picks_the_format_by_extension(capsys, tmp_path, suffix):
    target = tmp_path / f"lines{suffix}"
    code, out, _ = run_cli(capsys, "train", "--dataset", "lines", "--epochs", "1", "--save",
                           str(target))
    assert code == 0 and "saved the model" in out
    model = load_model(target)
    assert model.metadata["class_names"] == ["vertical", "horizontal"]


def test_train_save_as_pytorch_code_writes_the_weights_beside_it(capsys, tmp_path):
    code, _, _ = run_cli(capsys, "train", "--dataset", "lines", "--epochs", "1", "--save",
                         str(tmp_path / "lines.py"))
    assert code == 0
    assert "nn.Sequential(" in (tmp_path / "lines.py").read_text()
    assert load_model(tmp_path / "lines.safetensors").metadata["dataset"] == "lines"


def test_train_refuses_to_save_a_pickle_before_training(capsys, tmp_path):
    code, out, err = run_cli(capsys, "train", "--epochs", "1", "--save", str(tmp_path / "m.pt"))
    assert code == 2 and "does not write PyTorch pickles" in err
    assert "epoch" not in out


def _saved(tmp_path, name="m.npz"):
    model = arch.build_model(arch.preset("classic", 2), (1, 8, 8), 2, seed=2)
    model.metadata.update(class_names=["v", "h"], dataset="lines")
    return model, save_model(model, tmp_path / name)


@pytest.mark.parametrize("target", ["m.onnx", "m.safetensors", "copy.npz"])
def test_convert_writes_the_same_network_in_another_format(capsys, tmp_path, target):
    model, source = _saved(tmp_path)
    code, out, _ = run_cli(capsys, "convert", str(source), str(tmp_path / target))
    assert code == 0 and "converted" in out
    x = np.random.default_rng(0).random((3, 1, 8, 8), dtype=np.float32)
    np.testing.assert_allclose(load_model(tmp_path / target)(x), model(x), rtol=1e-6, atol=1e-6)


def test_convert_a_bare_state_dict_with_like(capsys, tmp_path):
    from safetensors.numpy import save

    model, source = _saved(tmp_path)
    bare = tmp_path / "bare.safetensors"
    bare.write_bytes(save({f"net.{k}": v for k, v in model.state_dict().items()}))
    code, _, err = run_cli(capsys, "convert", str(bare), str(tmp_path / "out.npz"))
    assert code == 2 and "no cnnviz architecture" in err
    code, _, _ = run_cli(capsys, "convert", str(bare), str(tmp_path / "out.npz"), "--like",
                         str(source))
    assert code == 0
    assert load_model(tmp_path / "out.npz").config() == model.config()


def test_inspect_prints_the_origin_and_the_architecture_table(capsys, tmp_path):
    _, source = _saved(tmp_path, "m.onnx")
    code, out, _ = run_cli(capsys, "inspect", str(source))
    assert code == 0
    assert "format onnx" in out and "input 1x8x8" in out and "2 classes (v, h)" in out
    assert "Conv 4@3x3" in out and "total" in out and "Weight sharing" in out


def test_inspect_of_a_pickle_is_one_line_with_status_2(capsys, tmp_path):
    path = tmp_path / "model.pth"
    path.write_bytes(b"\x80\x02.")
    code, out, err = run_cli(capsys, "inspect", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "safetensors" in err


def test_without_torch_the_torch_backend_is_refused_saying_how_to_install(capsys, monkeypatch):
    monkeypatch.setattr(backends, "torch_available", lambda: False)
    code, out, err = run_cli(capsys, "train", "--epochs", "1", "--backend", "torch")
    assert code == 2 and "pip install 'cnnviz[torch]'" in err and "epoch" not in out


def test_the_numpy_backend_has_no_cuda_device(capsys):
    code, _, err = run_cli(capsys, "train", "--epochs", "1", "--device", "cuda")
    assert code == 2 and "CPU only" in err


def test_train_with_the_torch_backend_reports_it(capsys):
    pytest.importorskip("torch")
    code, out, _ = run_cli(capsys, "train", "--dataset", "lines", "--epochs", "1", "--backend",
                           "torch", "--json")
    assert code == 0 and "PyTorch on cpu" in out
    assert '"backend": "torch"' in out.splitlines()[-1]
