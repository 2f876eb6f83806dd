"""Model files: a faithful round trip, atomic saves, and ValueError for anything not ours."""

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnnviz.io import load_model, save_model
from cnnviz.nn import architecture as arch
from cnnviz.nn.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from cnnviz.nn.model import Sequential


def _model(seed=3):
    return Sequential([Conv2D(1, 4, 3, padding=1), ReLU(), MaxPool2D(2), Flatten(),
                       Dense(64, 3)], seed=seed)


def test_round_trip_keeps_architecture_weights_and_metadata(tmp_path):
    model = _model()
    model.metadata["dataset"] = "lines"
    path = save_model(model, tmp_path / "m.npz", metadata={"class_names": ["a", "b", "c"]})
    loaded = load_model(path)
    assert loaded.config() == model.config()
    x = np.random.default_rng(0).random((2, 1, 8, 8), dtype=np.float32)
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))
    assert loaded.metadata == {"dataset": "lines", "class_names": ["a", "b", "c"]}


def test_a_model_with_global_pooling_round_trips(tmp_path):
    model = arch.build_model(arch.preset("CNN + global pooling", 10), (1, 28, 28), 10, seed=2)
    loaded = load_model(save_model(model, tmp_path / "global.npz"))
    assert [layer.kind for layer in loaded.layers][-2:] == ["globalmaxpool", "dense"]
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))


def test_save_writes_exactly_the_given_path_and_leaves_no_temporary_files(tmp_path):
    save_model(_model(), tmp_path / "model.weights")
    assert sorted(os.listdir(tmp_path)) == ["model.weights"]


def test_a_failed_save_leaves_the_previous_file_intact(tmp_path):
    path = save_model(_model(seed=1), tmp_path / "m.npz")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="cannot be saved as JSON"):
        save_model(_model(seed=2), path, metadata={"bad": object()})
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


def test_missing_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_model(tmp_path / "nope.npz")


def test_random_bytes_are_rejected(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(os.urandom(300))
    with pytest.raises(ValueError, match="junk.npz"):
        load_model(path)


def test_a_truncated_file_is_rejected(tmp_path):
    path = save_model(_model(), tmp_path / "m.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="damaged or truncated|not a cnnviz model"):
        load_model(path)


def test_a_foreign_npz_without_our_architecture_is_rejected(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28)), y_train=np.zeros(2))
    with pytest.raises(ValueError, match="not a cnnviz model"):
        load_model(path)


def _rewrite_header(path, change):
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    header = json.loads(str(arrays["__cnnviz__"]))
    change(header)
    arrays["__cnnviz__"] = np.array(json.dumps(header))
    np.savez(path, **arrays)


def test_an_unknown_layer_type_is_rejected(tmp_path):
    path = save_model(_model(), tmp_path / "m.npz")
    _rewrite_header(path, lambda h: h["architecture"].insert(0, {"type": "Lambda", "code": "x"}))
    with pytest.raises(ValueError, match="unknown layer type 'Lambda'"):
        load_model(path)


def test_weights_of_the_wrong_shape_are_rejected(tmp_path):
    path = save_model(_model(), tmp_path / "m.npz")
    _rewrite_header(path, lambda h: h["architecture"][-1].update(out_features=2))
    with pytest.raises(ValueError, match=r"4.weight: expected \(2, 64\), found \(3, 64\)"):
        load_model(path)


def test_a_newer_format_version_asks_to_update(tmp_path):
    path = save_model(_model(), tmp_path / "m.npz")
    _rewrite_header(path, lambda h: h.update(version=99))
    with pytest.raises(ValueError, match="newer cnnviz"):
        load_model(path)


class _Payload:
    """Unpickling this would create a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_carrying_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    np.savez(path, __cnnviz__=np.array([_Payload(str(marker))], dtype=object))
    with pytest.raises(ValueError, match="pickled Python objects"):
        load_model(path)
    assert not marker.exists()


def test_a_plain_pickle_renamed_to_npz_is_refused(tmp_path):
    import pickle

    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(ValueError, match="evil.npz"):
        load_model(path)
    assert not marker.exists()


def test_a_single_npy_array_is_not_a_model(tmp_path):
    path = tmp_path / "weights.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match="single array"):
        load_model(path)


def test_an_empty_zip_is_not_a_model(tmp_path):
    path = tmp_path / "empty.npz"
    with zipfile.ZipFile(path, "w"):
        pass
    with pytest.raises(ValueError, match="not a cnnviz model"):
        load_model(path)


def test_an_architecture_asking_for_more_weights_than_stored_is_refused_before_allocating(
        tmp_path):
    path = save_model(_model(), tmp_path / "m.npz")
    _rewrite_header(path, lambda h: h["architecture"][-1].update(in_features=10**6))
    with pytest.raises(ValueError, match="do not fit its architecture"):
        load_model(path)


def test_a_zip_bomb_is_refused_before_decompressing(tmp_path, monkeypatch):
    import cnnviz.io.npz as npz_module

    path = save_model(_model(), tmp_path / "m.npz")
    monkeypatch.setattr(npz_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="would unpack to"):
        load_model(path)


def test_numpy_values_in_metadata_are_saved_as_plain_json(tmp_path):
    model = _model()
    model.metadata["input_shape"] = (np.int64(1), np.int64(8), np.int64(8))
    path = save_model(model, tmp_path / "m.npz", metadata={"mean": np.float32(0.5),
                                                           "counts": np.array([3, 4])})
    assert load_model(path).metadata == {"input_shape": [1, 8, 8], "mean": 0.5,
                                         "counts": [3, 4]}


FIXTURES = Path(__file__).parents[1] / "fixtures"
V1_SPEC = [{"type": "conv", "out_channels": 2, "kernel_size": 3, "padding": 1}, {"type": "relu"},
           {"type": "maxpool", "kernel_size": 2}, {"type": "avgpool", "kernel_size": 2},
           {"type": "flatten"}, {"type": "dense", "out_features": 3}]


def test_a_model_saved_by_format_version_1_still_loads_with_its_weights():
    # written by cnnviz before layer configs used the spec vocabulary ("Conv2D", "Dense", ...):
    # build_model(V1_SPEC, (1, 8, 8), 3, seed=7), saved with two metadata entries
    loaded = load_model(FIXTURES / "model_format_v1.npz")
    original = arch.build_model(V1_SPEC, (1, 8, 8), 3, seed=7)
    assert loaded.config() == original.config()
    for name, p in original.named_parameters():
        np.testing.assert_array_equal(dict(loaded.named_parameters())[name].data, p.data)
    assert loaded.metadata["class_names"] == ["a", "b", "c"]
    assert loaded.metadata["spec"] == original.metadata["spec"]


def test_saved_architectures_use_the_spec_vocabulary_and_format_version_2(tmp_path):
    path = save_model(_model(), tmp_path / "m.npz")
    with np.load(path) as data:
        header = json.loads(str(data["__cnnviz__"]))
    assert header["version"] == 2
    assert [c["type"] for c in header["architecture"]] == ["conv", "relu", "maxpool", "flatten",
                                                           "dense"]


def test_class_names_as_layer_types_belong_to_version_1_files_only(tmp_path):
    path = save_model(_model(), tmp_path / "m.npz")
    _rewrite_header(path, lambda h: h["architecture"][1].update(type="ReLU"))
    with pytest.raises(ValueError, match="unknown layer type 'ReLU'"):
        load_model(path)
