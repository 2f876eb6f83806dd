"""The ONNX op table: how each supported node continues a chain of cnnviz layers.

:class:`Chain` walks the nodes in order (ONNX stores them topologically sorted), tracking the
current tensor and its per-sample shape; each op's importer in :data:`IMPORTERS` appends layer
configs (``Layer.config()`` dicts) with their weights, or changes nothing (Dropout, Identity).
Adding an op is one entry in the table.
"""

from __future__ import annotations

import numpy as np

from cnnviz.io._checks import _output_shape
from cnnviz.limits import MAX_ARRAY_BYTES, MAX_LAYERS, describe_bytes
from cnnviz.nn import layers as nn_layers

__all__ = ["Chain", "IMPORTERS", "SUPPORTED_OPS", "declared_bytes"]

# onnx.TensorProto data types -> bytes per element (the ones weights are stored in)
_ELEMENT_BYTES = {1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8,
                  16: 2}


def declared_bytes(tensor, name: str) -> int:
    """Bytes an initializer claims from its dims alone (checked before it is decoded).

    Raises
    ------
    ValueError
        External data, an unknown data type, negative dims, or raw bytes that do not match.
    """
    where = f"{name}: initializer {tensor.name[:60]!r}"
    if tensor.data_location == 1 or tensor.external_data:
        raise ValueError(f"{where} is stored in an external file; cnnviz opens self-contained "
                         f"ONNX files only (save with all tensors inside the .onnx)")
    size = _ELEMENT_BYTES.get(tensor.data_type)
    if size is None:
        raise ValueError(f"{where} has an unsupported data type ({tensor.data_type})")
    count = 1
    for d in tensor.dims:
        if d < 0:
            raise ValueError(f"{where} has a negative dimension")
        count *= int(d)
    if tensor.raw_data and len(tensor.raw_data) != count * size:
        raise ValueError(f"{where} declares {count:,} values but stores {len(tensor.raw_data):,} "
                         f"bytes; the file is damaged")
    return count * size


def tensor_array(tensor, name: str, what: str = "initializer") -> np.ndarray:
    """An initializer's (or a Constant node's) values, after its declared size is checked
    against :data:`~cnnviz.limits.MAX_ARRAY_BYTES`; every decoding error becomes a sentence."""
    from onnx import numpy_helper

    size = declared_bytes(tensor, name)
    where = f"{name}: {what} {tensor.name[:60]!r}"
    if size > MAX_ARRAY_BYTES:
        raise ValueError(f"{where} declares {describe_bytes(size)}, more than the "
                         f"{describe_bytes(MAX_ARRAY_BYTES)} limit for one array; nothing was "
                         f"loaded")
    try:
        return numpy_helper.to_array(tensor)
    except Exception as exc:  # noqa: BLE001 - onnx raises many kinds for bad tensors
        raise ValueError(f"{where} is damaged ({str(exc)[:80]})") from None


def _attrs(node) -> dict:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _ints(values, default, count: int = 2) -> list[int]:
    out = [int(v) for v in values] if values is not None else list(default)
    return out if len(out) == count else None


class Chain:
    """The layers built so far from a chain of ONNX nodes.

    Parameters
    ----------
    input_name : str
    input_shape : (C, H, W)
    constants : dict of str to ndarray
        Initializers (and, as they appear, ``Constant`` node outputs).
    name : str
        The file's name, for messages.
    """

    def __init__(self, input_name: str, input_shape, constants: dict, name: str):
        self.current = input_name
        self.shape = tuple(input_shape)
        self.constants = dict(constants)
        self.name = name
        self.configs: list[dict] = []
        self.weights: list[dict] = []
        self.softmax = False
        self.node = None
        self._bias_pending = False   # the last layer is a MatMul whose Add (bias) may follow

    # ----- used by the importers -----------------------------------------------------------------
    def where(self) -> str:
        node = self.node
        label = node.name or (node.output[0] if node.output else "?")
        return f"{self.name}: node {label[:60]!r} ({node.op_type})"

    def fail(self, reason: str) -> ValueError:
        return ValueError(f"{self.where()}: {reason}")

    def constant(self, index: int, required: bool = True) -> np.ndarray | None:
        """The node's ``index``-th input as a constant array (an initializer)."""
        inputs = self.node.input
        if index >= len(inputs) or not inputs[index]:
            if required:
                raise self.fail(f"input {index} is missing")
            return None
        value = self.constants.get(inputs[index])
        if value is None:
            raise self.fail(f"input {inputs[index][:40]!r} must be a constant (weights stored in "
                            f"the file); a computed one makes the graph more than a chain")
        return value

    def append(self, config: dict, weight=None, bias=None) -> None:
        """Add one layer, checking that it fits the current shape."""
        if len(self.configs) >= MAX_LAYERS:
            raise self.fail(f"more than {MAX_LAYERS} layers")
        try:
            self.shape, _ = _output_shape(config, self.shape, len(self.configs) + 1)
        except ValueError as exc:
            raise self.fail(str(exc)) from None
        self.configs.append(config)
        params = {}
        if weight is not None:
            params = {"weight": np.asarray(weight, np.float32),
                      "bias": np.asarray(bias, np.float32)}
        self.weights.append(params)
        self._bias_pending = False

    # ----- the walk ------------------------------------------------------------------------------
    def add(self, node) -> None:
        """Continue the chain with ``node`` (or record it, for ``Constant``)."""
        self.node = node
        if node.op_type == "Constant":
            self._constant_node(node)
            return
        if self.softmax:
            raise self.fail("comes after the final Softmax; cnnviz models end at their logits")
        importer = IMPORTERS.get(node.op_type) if node.domain in ("", "ai.onnx") else None
        if importer is None:
            raise ValueError(f"{self.where()}: cnnviz cannot import the op {node.op_type!r}; "
                             f"supported ops: {', '.join(SUPPORTED_OPS)}. Nothing was loaded")
        if len(node.output) < 1 or not node.output[0]:
            raise self.fail("has no output")
        if not node.input or node.input[0] != self.current:
            raise self.fail(f"reads {node.input[0][:40] if node.input else 'nothing'!r}, not the "
                            f"output of the layer before ({self.current[:40]!r}); cnnviz imports "
                            f"a single chain of layers")
        pending = self._bias_pending
        importer(self, _attrs(node))
        if node.op_type == "Add" and pending:
            self._bias_pending = False
        self.current = node.output[0]

    def _constant_node(self, node) -> None:
        value = next((a.t for a in node.attribute if a.name == "value"), None)
        if value is None:
            raise self.fail("only Constant nodes holding a tensor are supported")
        self.constants[node.output[0]] = tensor_array(value, self.name, "Constant node")

    def output_name(self) -> str:
        return self.current

    def result(self) -> tuple[list[dict], dict[str, np.ndarray]]:
        """The layer configs and their ``state_dict`` (``"0.weight"`` ...)."""
        if not any(self.weights):
            raise ValueError(f"{self.name} has no layer with weights (Conv, Gemm or MatMul)")
        state = {f"{i}.{k}": v for i, params in enumerate(self.weights) for k, v in params.items()}
        return self.configs, state


def _window(chain: Chain, attrs: dict, weight_shape=None) -> dict:
    """kernel_size, stride, padding, dilation of a Conv or pool node (symmetric pads only)."""
    kernel = _ints(attrs.get("kernel_shape"), weight_shape[2:] if weight_shape else ())
    strides = _ints(attrs.get("strides"), (1, 1))
    dilations = _ints(attrs.get("dilations"), (1, 1))
    pads = _ints(attrs.get("pads"), (0, 0, 0, 0), 4)
    auto_pad = attrs.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else str(auto_pad)
    if None in (kernel, strides, dilations, pads):
        raise chain.fail("only 2-D windows are supported")
    if auto_pad == "VALID":
        pads = [0, 0, 0, 0]
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        if strides != [1, 1] or any(d * (k - 1) % 2 for k, d in zip(kernel, dilations,
                                                                      strict=True)):
            raise chain.fail(f"auto_pad {auto_pad} is supported only with stride 1 and odd spans")
        pads = [d * (k - 1) // 2 for k, d in zip(kernel, dilations, strict=True)] * 2
    elif auto_pad != "NOTSET":
        raise chain.fail(f"auto_pad {auto_pad!r} is not supported")
    if pads[:2] != pads[2:]:
        raise chain.fail(f"asymmetric padding {pads} (begin != end) is not supported")

    def one(v):
        return v[0] if v[0] == v[1] else list(v)

    return {"kernel_size": one(kernel), "stride": one(strides), "padding": one(pads[:2]),
            "dilation": one(dilations)}


def _conv(chain: Chain, attrs: dict) -> None:
    weight = chain.constant(1)
    bias = chain.constant(2, required=False)
    if int(attrs.get("group", 1)) != 1:
        raise chain.fail(f"grouped convolution (group {attrs['group']}) is not supported")
    if weight.ndim != 4:
        raise chain.fail(f"the weight has shape {weight.shape}; only 2-D convolutions are "
                         f"supported")
    window = _window(chain, attrs, weight.shape)
    config = {"type": "conv", "in_channels": int(weight.shape[1]),
              "out_channels": int(weight.shape[0]), **window}
    chain.append(config, weight, np.zeros(weight.shape[0]) if bias is None else bias)


def _batch_norm(chain: Chain, attrs: dict) -> None:
    scale, shift, mean, var = (chain.constant(i) for i in range(1, 5))
    last = chain.weights[-1] if chain.weights else {}
    if not chain.configs or chain.configs[-1]["type"] != "conv" or not last:
        raise chain.fail("BatchNormalization is supported only directly after a Conv (it is "
                         "folded into the Conv's weights)")
    factor = scale / np.sqrt(var.astype(np.float64) + float(attrs.get("epsilon", 1e-5)))
    last["weight"] = (last["weight"] * factor[:, None, None, None]).astype(np.float32)
    last["bias"] = ((last["bias"] - mean) * factor + shift).astype(np.float32)


def _pool(kind: str):
    def importer(chain: Chain, attrs: dict) -> None:
        if int(attrs.get("ceil_mode", 0)):
            raise chain.fail("ceil_mode 1 is not supported (cnnviz pools round down)")
        window = _window(chain, attrs)
        if window.pop("dilation") != 1:
            raise chain.fail("dilated pooling is not supported")
        padded = window["padding"] != 0
        if kind == "avgpool" and padded and not int(attrs.get("count_include_pad", 0)):
            raise chain.fail("padded average pooling must count the padding "
                             "(count_include_pad=1), as cnnviz and PyTorch's default do")
        chain.append({"type": kind, **window})
    return importer


def _global_pool(kind: str):
    cls = nn_layers.GlobalAvgPool2D if kind == "avgpool" else nn_layers.GlobalMaxPool2D

    def importer(chain: Chain, attrs: dict) -> None:
        if len(chain.shape) != 3:
            raise chain.fail("needs image-shaped input")
        chain.append({"type": cls.kind})
    return importer


def _relu(chain: Chain, attrs: dict) -> None:
    chain.append({"type": "relu"})


def _flatten(chain: Chain, attrs: dict) -> None:
    if int(attrs.get("axis", 1)) != 1:
        raise chain.fail(f"Flatten with axis {attrs.get('axis')} is not supported (only axis 1)")
    if len(chain.shape) != 1:
        chain.append({"type": "flatten"})


def _reshape(chain: Chain, attrs: dict) -> None:
    target = [int(v) for v in np.asarray(chain.constant(1)).ravel()]
    size = int(np.prod(chain.shape))
    if len(target) != 2 or target[1] not in (-1, size) or target[0] not in (0, -1, 1):
        raise chain.fail(f"Reshape to {target} is not a flatten to (N, -1); not supported")
    _flatten(chain, {})


def _dense(chain: Chain, weight: np.ndarray, bias) -> None:
    if len(chain.shape) != 1:
        raise chain.fail(f"needs a flat input but gets maps of shape {chain.shape}; add Flatten")
    config = {"type": "dense", "in_features": int(weight.shape[1]),
              "out_features": int(weight.shape[0])}
    chain.append(config, weight, np.zeros(weight.shape[0]) if bias is None else bias)


def _gemm(chain: Chain, attrs: dict) -> None:
    b = chain.constant(1)
    c = chain.constant(2, required=False)
    if int(attrs.get("transA", 0)) or b.ndim != 2:
        raise chain.fail("only Gemm(x, W) with a 2-D constant W is supported")
    weight = (b if int(attrs.get("transB", 0)) else b.T) * float(attrs.get("alpha", 1.0))
    bias = None
    if c is not None:
        bias = np.broadcast_to(np.asarray(c, np.float64) * float(attrs.get("beta", 1.0)),
                               (weight.shape[0],))
    _dense(chain, weight, bias)


def _matmul(chain: Chain, attrs: dict) -> None:
    b = chain.constant(1)
    if b.ndim != 2:
        raise chain.fail(f"only MatMul with a 2-D constant is supported, got shape {b.shape}")
    _dense(chain, b.T, None)
    chain._bias_pending = True


def _add(chain: Chain, attrs: dict) -> None:
    if not chain._bias_pending:
        raise chain.fail("Add is supported only as the bias right after a MatMul")
    bias = np.asarray(chain.constant(1)).ravel()
    last = chain.weights[-1]
    if bias.shape != last["bias"].shape:
        raise chain.fail(f"the bias has {bias.size} values for {last['bias'].size} outputs")
    last["bias"] = bias.astype(np.float32)


def _passthrough(chain: Chain, attrs: dict) -> None:
    """Dropout and Identity do nothing at inference."""


def _softmax(chain: Chain, attrs: dict) -> None:
    if len(chain.shape) != 1 or int(attrs.get("axis", -1)) not in (-1, 1):
        raise chain.fail("Softmax is supported only over the class axis at the very end")
    chain.softmax = True


IMPORTERS = {
    "Conv": _conv, "BatchNormalization": _batch_norm, "Relu": _relu,
    "MaxPool": _pool("maxpool"), "AveragePool": _pool("avgpool"),
    "GlobalAveragePool": _global_pool("avgpool"), "GlobalMaxPool": _global_pool("maxpool"),
    "Gemm": _gemm, "MatMul": _matmul, "Add": _add, "Flatten": _flatten, "Reshape": _reshape,
    "Dropout": _passthrough, "Identity": _passthrough, "Softmax": _softmax,
}
SUPPORTED_OPS = tuple(IMPORTERS)
