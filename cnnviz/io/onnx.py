"""Import ONNX models of small CNNs as a :class:`cnnviz.nn.Sequential` (the ``onnx`` package is
imported only here, when an ``.onnx`` file is opened).

The graph must be a single chain from its one input to its one output; each node continues the
chain through :data:`IMPORTERS`, a table with one entry per supported op:

Conv (groups 1, any stride/padding/dilation), BatchNormalization (folded into the Conv before
it), Relu, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Gemm, MatMul (+ Add as its
bias), Flatten, Reshape to (N, -1), Dropout and Identity (no-ops), Softmax at the end (dropped:
cnnviz models output logits; ``metadata["ends_with_softmax"]`` records it).

Anything else is refused with a message naming the op and the node; there is never a partial
model. Every initializer's declared size is checked before it is decoded, and external data (a
tensor stored in another file) is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnnviz.io._assemble import assemble
from cnnviz.io._onnx_chain import IMPORTERS, SUPPORTED_OPS, Chain, tensor_array
from cnnviz.io._source import parse_json, read_model_bytes, short_list
from cnnviz.limits import MAX_GRAPH_NODES
from cnnviz.nn.model import Sequential

__all__ = ["read_onnx", "IMPORTERS", "SUPPORTED_OPS"]


def _package():
    try:
        import onnx
    except ImportError:
        raise ValueError("opening .onnx files needs the 'onnx' package: pip install onnx") from None
    return onnx


def _parse(data: bytes, name: str):
    onnx = _package()
    proto = onnx.ModelProto()
    try:
        proto.ParseFromString(data)
    except Exception as exc:  # noqa: BLE001 - protobuf's DecodeError and friends: a bad file
        raise ValueError(f"{name} is damaged, truncated or not an ONNX model ({str(exc)[:80]})") \
            from None
    if not proto.HasField("graph") or not proto.graph.node:
        raise ValueError(f"{name} is not an ONNX model (it has no graph nodes); the file is "
                         f"damaged, truncated or of another kind")
    return proto


def _constants(graph, name: str) -> dict[str, np.ndarray]:
    """Every initializer as an array, each refused if its declared size is absurd or it lies."""
    return {tensor.name: tensor_array(tensor, name) for tensor in graph.initializer}


def _graph_input(graph, constants: dict, name: str) -> tuple[str, tuple[int, int, int]]:
    """The one real input (not an initializer) and its fixed (C, H, W)."""
    inputs = [i for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        raise ValueError(f"{name} has {len(inputs)} inputs ({short_list(i.name for i in inputs)}); "
                         f"cnnviz opens models with one image input")
    value = inputs[0]
    dims = value.type.tensor_type.shape.dim
    sizes = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    if len(sizes) != 4 or any(s is None or s < 1 for s in sizes[1:]):
        shown = ", ".join("?" if s is None else str(s) for s in sizes)
        raise ValueError(f"{name}: input {value.name[:40]!r} has shape ({shown}); cnnviz needs "
                         f"(N, channels, height, width) with fixed channels, height and width")
    return value.name, (int(sizes[1]), int(sizes[2]), int(sizes[3]))


def _cnnviz_metadata(proto, name: str) -> dict:
    """Class names and data set from cnnviz's own export (``metadata_props["cnnviz"]``)."""
    for prop in proto.metadata_props:
        if prop.key == "cnnviz":
            header = parse_json(prop.value, f"{name}'s cnnviz metadata")
            meta = header.get("metadata") if isinstance(header, dict) else None
            if isinstance(meta, dict):
                return {k: meta[k] for k in ("class_names", "dataset") if k in meta}
    return {}


def read_onnx(path: Path) -> Sequential:
    """A :class:`Sequential` equivalent to the ONNX graph in ``path``.

    Returns
    -------
    Sequential
        ``metadata``: ``input_shape`` [C, H, W] from the graph, ``source_format`` "onnx",
        ``ends_with_softmax``, and ``class_names`` when cnnviz wrote the file.

    Raises
    ------
    ValueError
        A corrupt or truncated file, an unsupported op (naming op and node), a graph that is not
        one chain, shapes that do not fit, or sizes beyond :mod:`cnnviz.limits`.
    """
    name = path.name
    proto = _parse(read_model_bytes(path), name)
    try:
        return _import(proto, name)
    except (TypeError, IndexError, KeyError, AttributeError, OverflowError) as exc:
        # a damaged graph whose fields hold what no exporter writes (an attribute of the wrong
        # type, a node without outputs): say so rather than let a Python error escape
        raise ValueError(f"{name} is a malformed ONNX model ({type(exc).__name__}: "
                         f"{str(exc)[:80]}); nothing was loaded") from None


def _import(proto, name: str) -> Sequential:
    graph = proto.graph
    if len(graph.node) > MAX_GRAPH_NODES:
        raise ValueError(f"{name} has {len(graph.node):,} nodes, more than the "
                         f"{MAX_GRAPH_NODES:,} a small CNN could need")
    constants = _constants(graph, name)
    input_name, input_shape = _graph_input(graph, constants, name)
    chain = Chain(input_name, input_shape, constants, name)
    for node in graph.node:
        chain.add(node)
    outputs = [o.name for o in graph.output]
    if outputs != [chain.output_name()]:
        raise ValueError(f"{name}: the graph's output {short_list(outputs)} is not the end of "
                         f"its chain of layers ({chain.output_name()!r})")
    configs, state = chain.result()
    meta = {"input_shape": list(input_shape), "source_format": "onnx",
            "ends_with_softmax": chain.softmax, **_cnnviz_metadata(proto, name)}
    return assemble(configs, state, meta, name)
