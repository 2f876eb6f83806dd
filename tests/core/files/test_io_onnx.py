"""ONNX in and out: imported graphs and exported models compute what onnxruntime computes."""

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")
from onnx_graphs import (  # noqa: E402
    conv_bn_cnn,
    global_pool_cnn,
    huge_initializer_model,
    lstm_model,
    matmul_reshape_cnn,
    save,
)

from cnnviz.io import load_model, save_model  # noqa: E402
from cnnviz.nn import architecture as arch  # noqa: E402
from cnnviz.nn.losses import softmax  # noqa: E402


def run_ort(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def images(shape, n=5, seed=1):
    return np.random.default_rng(seed).random((n, *shape), dtype=np.float32)


def test_a_small_cnn_built_with_onnx_helper_imports_and_matches_onnxruntime(tmp_path):
    path = save(conv_bn_cnn(), tmp_path / "cnn.onnx")
    model = load_model(path)
    x = images((1, 28, 28))
    np.testing.assert_allclose(model(x), run_ort(path, x), rtol=1e-5, atol=1e-5)


def test_batch_normalization_is_folded_into_the_conv_before_it(tmp_path):
    model = load_model(save(conv_bn_cnn(), tmp_path / "cnn.onnx"))
    assert [layer.kind for layer in model.layers] == [
        "conv", "relu", "maxpool", "conv", "relu", "maxpool", "flatten", "dense"]


def test_the_input_shape_comes_from_the_graph(tmp_path):
    model = load_model(save(conv_bn_cnn(), tmp_path / "cnn.onnx"))
    assert model.metadata["input_shape"] == [1, 28, 28]
    assert model.metadata["source_format"] == "onnx"


def test_strided_dilated_conv_padded_average_pool_reshape_and_matmul_add_import(tmp_path):
    path = save(matmul_reshape_cnn(), tmp_path / "net.onnx")
    model = load_model(path)
    x = images((1, 8, 8))
    # the graph ends in Softmax; cnnviz keeps the logits and says so
    assert model.metadata["ends_with_softmax"] is True
    np.testing.assert_allclose(softmax(model(x)), run_ort(path, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op", ["GlobalAveragePool", "GlobalMaxPool"])
def test_global_pooling_imports_and_matches_onnxruntime(tmp_path, op):
    path = save(global_pool_cnn(op), tmp_path / "g.onnx")
    x = images((1, 8, 8))
    np.testing.assert_allclose(load_model(path)(x), run_ort(path, x), rtol=1e-5, atol=1e-5)


def test_an_unsupported_op_is_refused_naming_the_op_and_the_node(tmp_path):
    path = save(lstm_model(), tmp_path / "rnn.onnx")
    with pytest.raises(ValueError, match=r"node 'lstm_1'.*'LSTM'.*Nothing was loaded"):
        load_model(path)


def test_a_truncated_onnx_file_is_refused(tmp_path):
    data = conv_bn_cnn().SerializeToString()
    path = tmp_path / "cut.onnx"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="cut.onnx"):
        load_model(path)


def test_random_bytes_named_onnx_are_refused(tmp_path):
    path = tmp_path / "noise.onnx"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(ValueError, match="noise.onnx"):
        load_model(path)


def test_a_2_gb_declared_initializer_is_refused_before_decoding(tmp_path):
    path = save(huge_initializer_model(), tmp_path / "huge.onnx")
    with pytest.raises(ValueError, match=r"declares 2 GiB, more than the 256 MiB limit"):
        load_model(path)


def test_a_graph_that_is_not_one_chain_is_refused(tmp_path):
    model = global_pool_cnn()
    model.graph.node[2].input[0] = "c"  # the pool reads the conv, skipping the Relu
    with pytest.raises(ValueError, match="single chain"):
        load_model(save(model, tmp_path / "branch.onnx"))


def test_batch_norm_without_a_conv_before_it_is_refused(tmp_path):
    from onnx import helper

    model = conv_bn_cnn()
    nodes = list(model.graph.node)
    nodes[0], nodes[1] = helper.make_node("Identity", ["x"], ["c1"], name="noop"), nodes[1]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    with pytest.raises(ValueError, match="only directly after a Conv"):
        load_model(save(model, tmp_path / "bn.onnx"))


def _lenet(seed=2):
    model = arch.build_model(arch.preset("lenet"), (1, 28, 28), 10, seed=seed)
    model.metadata["class_names"] = [f"digit {i}" for i in range(10)]
    return model


def test_export_uses_opset_13_and_matches_onnxruntime(tmp_path):
    import onnx

    model = _lenet()
    path = save_model(model, tmp_path / "lenet.onnx")
    assert max(o.version for o in onnx.load(str(path)).opset_import if o.domain == "") >= 13
    x = images((1, 28, 28), n=7)
    np.testing.assert_allclose(run_ort(path, x), model(x), rtol=1e-5, atol=1e-5)


def test_export_of_strided_dilated_and_average_pooled_layers_matches_onnxruntime(tmp_path):
    spec = [{"type": "conv", "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 2,
             "dilation": 2}, {"type": "relu"},
            {"type": "avgpool", "kernel_size": 2, "stride": 1, "padding": 1},
            {"type": "flatten"}, {"type": "dense", "out_features": 4}]
    model = arch.build_model(spec, (1, 9, 9), 4, seed=3)
    path = save_model(model, tmp_path / "odd.onnx")
    x = images((1, 9, 9))
    np.testing.assert_allclose(run_ort(path, x), model(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("pool", ["globalavgpool", "globalmaxpool"])
def test_export_of_global_pooling_matches_onnxruntime_and_imports_back(tmp_path, pool):
    spec = [{"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "relu"},
            {"type": pool}, {"type": "dense", "out_features": 3}]
    model = arch.build_model(spec, (1, 12, 12), 3, seed=4)
    path = save_model(model, tmp_path / "gp.onnx")
    x = images((1, 12, 12))
    np.testing.assert_allclose(run_ort(path, x), model(x), rtol=1e-5, atol=1e-5)
    assert [layer.kind for layer in load_model(path).layers][-2:] == [pool, "dense"]


def test_exported_onnx_imports_back_with_its_class_names(tmp_path):
    model = _lenet()
    loaded = load_model(save_model(model, tmp_path / "lenet.onnx"))
    assert loaded.config() == model.config()
    assert loaded.metadata["class_names"] == model.metadata["class_names"]


def test_export_needs_the_input_shape(tmp_path):
    model = _lenet()
    model.metadata.pop("input_shape")
    with pytest.raises(ValueError, match="input shape"):
        save_model(model, tmp_path / "x.onnx")
    assert not (tmp_path / "x.onnx").exists()
