"""cnnviz.io picks the format by extension, converts between formats without changing a logit,
refuses pickles with how to convert, and never opens anything but a regular file."""

import os
import threading

import numpy as np
import pytest

from cnnviz.io import load_model, save_model
from cnnviz.nn import architecture as arch

pytest.importorskip("onnx")
pytest.importorskip("safetensors")


def _model():
    model = arch.build_model(arch.preset("tinyvgg"), (1, 28, 28), 10, seed=6)
    model.metadata.update(class_names=[str(i) for i in range(10)], dataset="shapes")
    return model


def _x():
    return np.random.default_rng(8).random((6, 1, 28, 28), dtype=np.float32)


def test_npz_to_onnx_to_safetensors_to_npz_keeps_the_logits(tmp_path):
    model = _model()
    first = save_model(model, tmp_path / "a.npz")
    second = save_model(load_model(first), tmp_path / "b.onnx")
    third = save_model(load_model(second), tmp_path / "c.safetensors")
    back = load_model(save_model(load_model(third), tmp_path / "d.npz"))
    np.testing.assert_allclose(back(_x()), model(_x()), rtol=0, atol=0)
    assert back.config() == model.config()
    assert back.metadata["class_names"] == model.metadata["class_names"]


@pytest.mark.parametrize("suffix", [".pt", ".pth"])
def test_a_pytorch_pickle_is_refused_saying_why_and_how_to_convert(tmp_path, suffix):
    path = tmp_path / f"model{suffix}"
    path.write_bytes(b"\x80\x02}q\x00.")
    with pytest.raises(ValueError, match=r"can run any code.*safetensors.torch import save_file"):
        load_model(path)


def test_pickle_bytes_under_another_name_are_refused_as_a_pickle(tmp_path):
    import pickle

    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps({"weight": [1, 2, 3]}, protocol=4))
    with pytest.raises(ValueError, match="PyTorch pickle"):
        load_model(path)


def test_a_torch_save_zip_is_refused_as_a_pickle(tmp_path):
    import zipfile

    path = tmp_path / "model.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    with pytest.raises(ValueError, match="PyTorch pickle"):
        load_model(path)


def test_saving_as_a_pickle_is_refused(tmp_path):
    with pytest.raises(ValueError, match="does not write pickles"):
        save_model(_model(), tmp_path / "m.pt")
    assert not (tmp_path / "m.pt").exists()


def test_python_code_is_never_opened_as_a_model(tmp_path):
    path = save_model(_model(), tmp_path / "net.py")
    with pytest.raises(ValueError, match="never runs it"):
        load_model(path)


def test_pytorch_code_export_writes_the_sequential_and_its_weights_beside_it(tmp_path):
    path = save_model(_model(), tmp_path / "net.py")
    text = path.read_text()
    compile(text, str(path), "exec")
    assert "nn.Conv2d(1, 8, kernel_size=3, stride=1, padding=1, dilation=1)" in text
    assert "model.load_state_dict(load_file(WEIGHTS))" in text
    assert load_model(tmp_path / "net.safetensors").config() == _model().config()


def test_a_file_without_a_known_extension_is_read_by_its_content(tmp_path):
    model = _model()
    path = save_model(model, tmp_path / "m.safetensors")
    renamed = tmp_path / "m.weights"
    os.replace(path, renamed)
    np.testing.assert_array_equal(load_model(renamed)(_x()), model(_x()))


def test_a_fifo_named_like_a_model_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    outcome = {}

    def load():
        try:
            load_model(fifo)
        except ValueError as exc:
            outcome["error"] = str(exc)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "opening a FIFO blocked"
    assert "not a regular file" in outcome["error"]


def test_a_folder_is_not_a_model(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        load_model(tmp_path)


@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e300])
def test_non_finite_or_absurd_weights_are_refused_at_load(tmp_path, bad):
    model = _model()
    model.layers[0].weight.data = model.layers[0].weight.data.astype(np.float64)
    model.layers[0].weight.data[0, 0, 0, 0] = bad
    path = save_model(model, tmp_path / "m.npz")
    with pytest.raises(ValueError, match=r"NaN, infinite or larger than 1e\+06 in 0.weight"):
        load_model(path)


def test_onnx_safetensors_and_torch_are_imported_only_when_a_file_needs_them():
    import subprocess
    import sys

    code = ("import sys, cnnviz.io, cnnviz.cli, cnnviz.backends, cnnviz.limits\n"
            "print(sorted(m for m in ('onnx', 'safetensors', 'torch') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
