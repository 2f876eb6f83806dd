"""Small ONNX graphs built with ``onnx.helper``, as other tools export them (test helper)."""

from __future__ import annotations

import numpy as np

onnx = __import__("pytest").importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

RNG = np.random.default_rng(0)


def weights(*shape, scale=0.3) -> np.ndarray:
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def make_model(nodes, inits, input_shape, output_shape, opset=13, name="net"):
    """A ModelProto from nodes and ``{name: array}`` initializers; input "x", output "y"."""
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def conv_bn_cnn():
    """28x28 grey -> Conv 8@3x3 p1 -> BatchNorm -> Relu -> MaxPool 2 -> Conv 16@3x3 -> Relu ->
    MaxPool 2 -> Flatten -> Gemm 10 (transB=1): what torch.onnx.export gives for a small CNN."""
    inits = {"w1": weights(8, 1, 3, 3), "b1": weights(8), "gamma": 1 + weights(8, scale=0.1),
             "beta": weights(8, scale=0.1), "mean": weights(8, scale=0.1),
             "var": (0.5 + RNG.random(8)).astype(np.float32), "w2": weights(16, 8, 3, 3),
             "b2": weights(16), "wf": weights(10, 16 * 6 * 6, scale=0.05), "bf": weights(10)}
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["n1"],
                         name="bn1", epsilon=1e-5),
        helper.make_node("Relu", ["n1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("MaxPool", ["r2"], ["p2"], name="pool2", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Flatten", ["p2"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1),
    ]
    return make_model(nodes, inits, ["N", 1, 28, 28], ["N", 10])


def matmul_reshape_cnn():
    """8x8 grey -> Conv 4@3x3 stride 2 dilation 2 pad 2 -> Relu -> AveragePool 2 (padded,
    count_include_pad=1) -> Dropout -> Identity -> Reshape (0, -1) -> MatMul + Add -> Softmax."""
    inits = {"w": weights(4, 1, 3, 3), "b": weights(4), "shape": np.array([0, -1], np.int64),
             "wm": weights(4 * 3 * 3, 3), "bm": weights(3)}
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", strides=[2, 2],
                         dilations=[2, 2], pads=[2, 2, 2, 2]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("AveragePool", ["r"], ["a"], name="avg", kernel_shape=[2, 2],
                         strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1),
        helper.make_node("Dropout", ["a"], ["d"], name="drop"),
        helper.make_node("Identity", ["d"], ["i"], name="same"),
        helper.make_node("Reshape", ["i", "shape"], ["f"], name="reshape"),
        helper.make_node("MatMul", ["f", "wm"], ["m"], name="matmul"),
        helper.make_node("Add", ["m", "bm"], ["z"], name="bias"),
        helper.make_node("Softmax", ["z"], ["y"], name="softmax", axis=-1),
    ]
    return make_model(nodes, inits, ["N", 1, 8, 8], ["N", 3])


def global_pool_cnn(op="GlobalAveragePool"):
    """8x8 grey -> Conv 6@3x3 p1 -> Relu -> Global{Average,Max}Pool -> Flatten -> Gemm 4."""
    inits = {"w": weights(6, 1, 3, 3), "b": weights(6), "wf": weights(6, 4), "bf": weights(4)}
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node(op, ["r"], ["g"], name="global"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], name="fc"),  # transB=0: W is (in, out)
    ]
    return make_model(nodes, inits, ["N", 1, 8, 8], ["N", 4])


def lstm_model():
    """A Conv followed by an LSTM node: an op cnnviz cannot import."""
    inits = {"w": weights(2, 1, 3, 3), "b": weights(2), "W": weights(1, 8, 36),
             "R": weights(1, 8, 2)}
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv"),
        helper.make_node("Flatten", ["c"], ["f"], name="flatten"),
        helper.make_node("LSTM", ["f", "W", "R"], ["y"], name="lstm_1", hidden_size=2),
    ]
    graph = helper.make_graph(
        nodes, "lstm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def huge_initializer_model(declared=(536_870_912,)):
    """A Gemm whose weight declares 2 GiB of float32 but stores no data."""
    tensor = TensorProto(name="wf", data_type=TensorProto.FLOAT, dims=list(declared))
    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
             helper.make_node("MatMul", ["f", "wf"], ["y"], name="matmul")]
    graph = helper.make_graph(
        nodes, "huge", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [tensor])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def save(model, path) -> str:
    path.write_bytes(model.SerializeToString())
    return str(path)
