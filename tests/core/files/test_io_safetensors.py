"""safetensors in and out: the architecture travels in the metadata; bare state_dicts are matched
to a chosen network by order and shape; lying headers are refused before anything is read."""

import json
import struct

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")

from cnnviz.io import load_model, load_weights, save_model  # noqa: E402
from cnnviz.nn import architecture as arch  # noqa: E402

SPEC = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "relu"},
        {"type": "maxpool", "kernel_size": 2}, {"type": "flatten"},
        {"type": "dense", "out_features": 16}, {"type": "relu"},
        {"type": "dense", "out_features": 3}]


def _model(seed=4):
    model = arch.build_model(SPEC, (1, 8, 8), 3, seed=seed)
    model.metadata["class_names"] = ["a", "b", "c"]
    return model


def _x():
    return np.random.default_rng(5).random((4, 1, 8, 8), dtype=np.float32)


def _header_of(path):
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n])


def test_export_carries_the_architecture_in_the_metadata_and_opens_on_its_own(tmp_path):
    model = _model()
    path = save_model(model, tmp_path / "m.safetensors")
    meta = json.loads(_header_of(path)["__metadata__"]["cnnviz"])
    assert meta["architecture"] == model.config()
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded(_x()), model(_x()))
    assert loaded.metadata["class_names"] == ["a", "b", "c"]


def test_tensor_names_are_those_of_torch_nn_sequential(tmp_path):
    path = save_model(_model(), tmp_path / "m.safetensors")
    names = set(_header_of(path)) - {"__metadata__"}
    assert names == {"0.weight", "0.bias", "4.weight", "4.bias", "6.weight", "6.bias"}


def _bare(tmp_path, tensors, name="weights.safetensors"):
    path = tmp_path / name
    path.write_bytes(safetensors_numpy.save(tensors))
    return path


def test_a_bare_state_dict_with_pytorch_module_names_loads_into_the_chosen_network(tmp_path):
    source = _model(seed=9)
    state = source.state_dict()
    # a torch module with `features` and `classifier` parts: classifier sorts first by name
    renamed = {"features.0.weight": state["0.weight"], "features.0.bias": state["0.bias"],
               "classifier.1.weight": state["4.weight"], "classifier.1.bias": state["4.bias"],
               "classifier.3.weight": state["6.weight"], "classifier.3.bias": state["6.bias"]}
    loaded = load_weights(_bare(tmp_path, renamed), _model(seed=0))
    np.testing.assert_array_equal(loaded(_x()), source(_x()))


def test_natural_order_puts_layer_10_after_layer_9(tmp_path):
    spec = [{"type": "flatten"}] + [{"type": "dense", "out_features": 5}] * 11
    model = arch.build_model(spec, (1, 1, 5), 5, seed=1)
    tensors = {f"{2 * i}.{p}": v for i, layer in enumerate(model.layers[1:])
               for p, v in (("weight", layer.weight.data), ("bias", layer.bias.data))}
    loaded = load_weights(_bare(tmp_path, tensors), arch.build_model(spec, (1, 1, 5), 5, seed=2))
    x = np.ones((1, 1, 1, 5), np.float32)
    np.testing.assert_array_equal(loaded(x), model(x))


def test_a_mismatch_lists_expected_against_found_shapes(tmp_path):
    path = _bare(tmp_path, {"0.weight": np.zeros((8, 1, 5, 5), np.float32),
                            "0.bias": np.zeros(8, np.float32)})
    with pytest.raises(ValueError) as info:
        load_weights(path, _model())
    text = str(info.value)
    assert "Expected 3 layers" in text and "(4, 1, 3, 3)" in text
    assert "Found 1" in text and "(8, 1, 5, 5)" in text


def test_batch_norm_statistics_are_refused_with_advice(tmp_path):
    path = _bare(tmp_path, {"1.running_mean": np.zeros(4, np.float32),
                            "0.weight": np.zeros((4, 1, 3, 3), np.float32)})
    with pytest.raises(ValueError, match="batch-norm statistics"):
        load_weights(path, _model())


def test_a_bare_state_dict_opened_alone_says_it_needs_an_architecture(tmp_path):
    path = _bare(tmp_path, _model().state_dict())
    with pytest.raises(ValueError, match="no cnnviz architecture"):
        load_model(path)


def test_bfloat16_weights_load_as_float32(tmp_path):
    model = _model()
    state = model.state_dict()
    # write every tensor as bfloat16 (the top half of each float32)
    blobs, offset, entries = [], 0, {}
    for key, value in state.items():
        raw = (value.astype(np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
        entries[key] = {"dtype": "BF16", "shape": list(value.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(entries).encode()
    path = tmp_path / "bf16.safetensors"
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    loaded = load_weights(path, _model(seed=0))
    np.testing.assert_allclose(loaded.layers[0].weight.data, state["0.weight"], rtol=1e-2)


def test_a_lying_header_length_is_refused(tmp_path):
    path = save_model(_model(), tmp_path / "m.safetensors")
    data = bytearray(path.read_bytes())
    data[:8] = struct.pack("<Q", 10**12)
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="header length lies"):
        load_model(path)


def test_shapes_that_do_not_fit_their_byte_ranges_are_refused(tmp_path):
    path = _bare(tmp_path, {"0.weight": np.zeros((4, 1, 3, 3), np.float32)})
    data = path.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    header["0.weight"]["shape"] = [4, 1, 3, 4]
    text = json.dumps(header, separators=(",", ":")).encode().ljust(n)
    path.write_bytes(data[:8] + text + data[8 + n:])
    with pytest.raises(ValueError, match="the shapes do not fit the data"):
        load_weights(path, _model())


def test_a_2_gb_declared_tensor_is_refused_before_reading(tmp_path):
    text = json.dumps({"0.weight": {"dtype": "F32", "shape": [536870912],
                                    "data_offsets": [0, 2147483648]}}).encode()
    path = tmp_path / "huge.safetensors"
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"\0" * 64)
    with pytest.raises(ValueError, match=r"declares 2 GiB, more than the 256 MiB limit"):
        load_weights(path, _model())


def test_a_truncated_safetensors_file_is_refused(tmp_path):
    path = save_model(_model(), tmp_path / "m.safetensors")
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(ValueError, match="truncated"):
        load_model(path)
