"""Export a :class:`cnnviz.nn.Sequential` as an ONNX model (opset 13), built with
``onnx.helper``; the ``onnx`` package is imported only when a model is exported.

One entry of :data:`EXPORTERS` per layer kind turns the layer into nodes and initializers.
The graph's input is ``input`` of shape (N, C, H, W) with a free batch size N, its output
``logits`` (N, K). cnnviz's architecture and metadata (class names, data set) travel in
``metadata_props["cnnviz"]``, so a round trip keeps them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnnviz.fileio import write_bytes_atomic
from cnnviz.io._checks import checked_input_shape
from cnnviz.io.npz import header_text
from cnnviz.nn import layers as nn_layers
from cnnviz.nn.model import Sequential

__all__ = ["write_onnx", "to_onnx", "EXPORTERS", "OPSET"]

OPSET = 13
IR_VERSION = 8  # the IR of opset 13's time: readable by every runtime that knows opset 13


def _pair(value) -> list[int]:
    return [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)] * 2


def _window_attrs(layer) -> dict:
    kh_kw = _pair(layer.kernel_size)
    pad = _pair(layer.padding)
    return {"kernel_shape": kh_kw, "strides": _pair(layer.stride), "pads": pad + pad}


def _conv(helper, numpy_helper, layer, i, x, y) -> tuple[list, list]:
    w, b = f"{i}.weight", f"{i}.bias"
    node = helper.make_node("Conv", [x, w, b], [y], name=f"conv_{i}",
                            dilations=_pair(layer.dilation), **_window_attrs(layer))
    return [node], [numpy_helper.from_array(layer.weight.data.astype(np.float32), w),
                    numpy_helper.from_array(layer.bias.data.astype(np.float32), b)]


def _dense(helper, numpy_helper, layer, i, x, y) -> tuple[list, list]:
    w, b = f"{i}.weight", f"{i}.bias"
    node = helper.make_node("Gemm", [x, w, b], [y], name=f"dense_{i}", transB=1)
    return [node], [numpy_helper.from_array(layer.weight.data.astype(np.float32), w),
                    numpy_helper.from_array(layer.bias.data.astype(np.float32), b)]


def _simple(op: str, **fixed):
    def export(helper, numpy_helper, layer, i, x, y):
        attrs = dict(fixed)
        if op in ("MaxPool", "AveragePool"):
            attrs.update(_window_attrs(layer))
        return [helper.make_node(op, [x], [y], name=f"{op.lower()}_{i}", **attrs)], []
    return export


EXPORTERS = {
    "conv": _conv,
    "dense": _dense,
    "relu": _simple("Relu"),
    "maxpool": _simple("MaxPool"),
    "avgpool": _simple("AveragePool", count_include_pad=1),
    "flatten": _simple("Flatten", axis=1),
}


def _global_pool(op: str):
    # cnnviz's global pools return (N, C), ONNX's (N, C, 1, 1): a Flatten after keeps the next
    # Gemm's input 2-D, as in PyTorch's AdaptiveAvgPool2d(1) + Flatten.
    def export(helper, numpy_helper, layer, i, x, y):
        pooled = f"t{i}_pooled"
        return [helper.make_node(op, [x], [pooled], name=f"{op.lower()}_{i}"),
                helper.make_node("Flatten", [pooled], [y], name=f"flatten_{i}", axis=1)], []
    return export


EXPORTERS[nn_layers.GlobalAvgPool2D.kind] = _global_pool("GlobalAveragePool")
EXPORTERS[nn_layers.GlobalMaxPool2D.kind] = _global_pool("GlobalMaxPool")


def to_onnx(model: Sequential, input_shape, metadata: dict | None = None):
    """The ``onnx.ModelProto`` of ``model`` for inputs of shape (N, *input_shape).

    Raises
    ------
    ValueError
        For a layer kind with no ONNX counterpart here, or a bad input shape.
    """
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        raise ValueError("exporting .onnx files needs the 'onnx' package: pip install onnx") \
            from None
    c, h, w = checked_input_shape(list(input_shape), "the model")
    nodes, inits = [], []
    x = "input"
    for i, layer in enumerate(model.layers):
        exporter = EXPORTERS.get(layer.kind)
        if exporter is None:
            raise ValueError(f"layer {i + 1} ({layer.name}) has no ONNX export")
        y = "logits" if i == len(model.layers) - 1 else f"t{i}"
        new_nodes, new_inits = exporter(helper, numpy_helper, layer, i, x, y)
        nodes += new_nodes
        inits += new_inits
        x = y
    k = model.forward(np.zeros((1, c, h, w), np.float32)).shape[1:]
    graph = helper.make_graph(
        nodes, "cnnviz", [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                        ["N", c, h, w])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", *k])], inits)
    proto = helper.make_model(graph, producer_name="cnnviz",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    proto.ir_version = IR_VERSION
    if metadata is not None:
        helper.set_model_props(proto, {"cnnviz": header_text(model, metadata)})
    onnx.checker.check_model(proto)
    return proto


def write_onnx(model: Sequential, path: Path, metadata: dict) -> Path:
    """Write ``model`` as ``path`` (atomically); needs ``metadata["input_shape"]``."""
    shape = metadata.get("input_shape")
    if shape is None:
        raise ValueError(f"cannot export {path.name}: the model does not record its input shape "
                         f"(C, H, W); ONNX files need it")
    proto = to_onnx(model, shape, metadata)
    return write_bytes_atomic(path, proto.SerializeToString())
