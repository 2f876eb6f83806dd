"""The smallest hostile model files, one per attack class, made on the fly (test helper).

Each builder writes its file into a folder and returns the file's path. :data:`CASES` maps a
case name to ``(attack class, builder, words the refusal must contain)``.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import zipfile

import numpy as np

from cnnviz.io import save_model
from cnnviz.nn import architecture as arch

SMALL_SPEC = [{"type": "conv", "out_channels": 2, "kernel_size": 3, "padding": 1},
              {"type": "relu"}, {"type": "maxpool", "kernel_size": 2}, {"type": "flatten"},
              {"type": "dense", "out_features": 3}]


def small_model():
    return arch.build_model(SMALL_SPEC, (1, 8, 8), 3, seed=0)


def npy_bytes(header: str, payload: bytes = b"") -> bytes:
    """A version-1 ``.npy`` member with a hand-written header dict."""
    text = header.encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text) + pad + 1) + text + \
        b" " * pad + b"\n" + payload


def valid_members(model=None, metadata=None) -> dict[str, bytes]:
    """The members of a genuine cnnviz .npz as ``{name: bytes}``, to tamper with."""
    with tempfile.TemporaryDirectory(prefix="cnnviz-hostile-") as folder:
        path = save_model(model or small_model(), os.path.join(folder, "model.npz"),
                          metadata=metadata or {"input_shape": [1, 8, 8]})
        with zipfile.ZipFile(path) as archive:
            return {i.filename: archive.read(i) for i in archive.infolist()}


def write_zip(path, members: dict[str, bytes], method=zipfile.ZIP_STORED) -> str:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


def header_member(header: dict | str) -> bytes:
    text = header if isinstance(header, str) else json.dumps(header)
    return npy_bytes(f"{{'descr': '<U{len(text)}', 'fortran_order': False, 'shape': (), }}",
                     text.encode("utf-32-le"))


def with_header(folder, change, name="model.npz") -> str:
    members = valid_members()
    header = json.loads(members["__cnnviz__.npy"][128:].decode("utf-32-le"))
    change(header)
    members["__cnnviz__.npy"] = header_member(header)
    return write_zip(folder / name, members)


# ----- the cases ---------------------------------------------------------------------------------
def npy_header_7_tib(folder):
    members = valid_members()
    members["param/0.weight.npy"] = npy_bytes(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 2), }", b"\0" * 64)
    return write_zip(folder / "model.npz", members)


def deflate_bomb(folder):
    """A member that inflates to 600 MiB of zeros from a file of about 600 KB."""
    path = folder / "model.npz"
    members = valid_members()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            if name != "param/0.weight.npy":
                archive.writestr(name, data)
        with archive.open("param/0.weight.npy", "w", force_zip64=True) as f:
            f.write(npy_bytes("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (157286400,), }"))
            chunk = b"\0" * 2**22
            for _ in range(150):
                f.write(chunk)
    return str(path)


def hundred_thousand_members(folder):
    members = valid_members()
    path = folder / "model.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for i in range(100_000):
            archive.writestr(f"param/junk{i}.npy", b"")
    return str(path)


def fifo_model(folder):
    path = folder / "model.npz"
    os.mkfifo(path)
    return str(path)


def flipped_npy_header_byte(folder):
    members = valid_members()
    raw = bytearray(members["param/0.weight.npy"])
    raw[raw.index(b"'shape'") + 9] = ord("'")  # "(2, 1, 3, 3)" becomes "'2, 1, 3, 3)"
    members["param/0.weight.npy"] = bytes(raw)
    return write_zip(folder / "model.npz", members)


def member_not_npy(folder):
    members = valid_members()
    members["param/0.weight.npy"] = b"this is not an array at all"
    return write_zip(folder / "model.npz", members)


def unknown_member(folder):
    members = valid_members()
    members["notes.txt"] = b"hello"
    return write_zip(folder / "model.npz", members)


def json_100k_deep(folder):
    members = valid_members()
    members["__cnnviz__.npy"] = header_member("[" * 100_000 + "]" * 100_000)
    return write_zip(folder / "model.npz", members)


def bad_input_shape(folder):
    return with_header(folder, lambda h: h["metadata"].update(input_shape=["1", None, {}]))


def bad_spec_metadata(folder):
    return with_header(folder, lambda h: h["metadata"].update(spec=[{"type": 5}], class_names=7))


def negative_layer_cancels_huge(folder):
    def change(h):
        h["architecture"].insert(0, {"type": "dense", "in_features": 10**6,
                                     "out_features": 10**6})
        h["architecture"].insert(1, {"type": "dense", "in_features": -10**6,
                                     "out_features": 10**6})
    return with_header(folder, change)


def junk_pays_for_a_big_layer(folder):
    """A 5000x5000 dense layer "paid for" by an unused 25-million-value junk array."""
    members = valid_members()
    header = json.loads(members["__cnnviz__.npy"][128:].decode("utf-32-le"))
    header["architecture"][-1].update(in_features=5000, out_features=5000)
    members["__cnnviz__.npy"] = header_member(header)
    members["param/junk.npy"] = npy_bytes(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (25000000,), }", b"\0" * 100_000_000)
    return write_zip(folder / "model.npz", members, zipfile.ZIP_DEFLATED)


def valid_but_huge_activations(folder):
    """A genuine 4 KB file whose network needs gigabytes per image (4096x4096 input, 64 maps)."""
    spec = [{"type": "conv", "out_channels": 64, "kernel_size": 3, "padding": 1},
            {"type": "relu"}, {"type": "maxpool", "kernel_size": 4096}, {"type": "flatten"},
            {"type": "dense", "out_features": 2}]
    model = arch.build_model(spec, (1, 4096, 4096), 2)
    return str(save_model(model, folder / "model.npz"))


def non_finite_weights(value):
    def build(folder):
        model = small_model()
        model.layers[0].weight.data = model.layers[0].weight.data.astype(np.float64)
        model.layers[0].weight.data[0, 0, 0, 0] = value
        return str(save_model(model, folder / "model.npz"))
    return build


def object_array_pickle(folder):
    members = valid_members()
    members["param/0.weight.npy"] = npy_bytes(
        "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\x80\x04N.")
    return write_zip(folder / "model.npz", members)


def truncated_npz(folder):
    path = save_model(small_model(), folder / "model.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return str(path)


def _safetensors(folder, header: dict, body: bytes, length=None, name="model.safetensors"):
    text = json.dumps(header).encode()
    path = folder / name
    path.write_bytes(struct.pack("<Q", len(text) if length is None else length) + text + body)
    return str(path)


def safetensors_lying_length(folder):
    return _safetensors(folder, {"0.weight": {"dtype": "F32", "shape": [2],
                                              "data_offsets": [0, 8]}}, b"\0" * 8, 2**40)


def safetensors_2_gb_tensor(folder):
    return _safetensors(folder, {"0.weight": {"dtype": "F32", "shape": [536870912],
                                              "data_offsets": [0, 2147483648]}}, b"\0" * 64)


def safetensors_misfit_shape(folder):
    return _safetensors(folder, {"0.weight": {"dtype": "F32", "shape": [2, 1, 3, 3],
                                              "data_offsets": [0, 8]}}, b"\0" * 8)


def safetensors_deep_json(folder):
    text = ("[" * 100_000 + "]" * 100_000).encode()
    path = folder / "model.safetensors"
    path.write_bytes(struct.pack("<Q", len(text)) + text)
    return str(path)


def _onnx_model(nodes, inits, tensors=()):
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        nodes, "hostile", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()] + list(tensors))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def _write(folder, proto, name="model.onnx") -> str:
    path = folder / name
    path.write_bytes(proto.SerializeToString())
    return str(path)


def onnx_truncated(folder):
    path = save_model(small_model(), folder / "model.onnx", metadata={"input_shape": [1, 8, 8]})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return str(path)


def onnx_lstm(folder):
    from onnx import helper

    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
             helper.make_node("LSTM", ["f", "W", "R"], ["y"], name="lstm_1", hidden_size=2)]
    inits = {"W": np.zeros((1, 8, 64), np.float32), "R": np.zeros((1, 8, 2), np.float32)}
    return _write(folder, _onnx_model(nodes, inits))


def onnx_2_gb_initializer(folder):
    from onnx import TensorProto, helper

    tensor = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[64, 8388608])
    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
             helper.make_node("MatMul", ["f", "w"], ["y"], name="matmul")]
    return _write(folder, _onnx_model(nodes, {}, [tensor]))


def onnx_external_data(folder):
    from onnx import TensorProto, helper

    tensor = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[64, 2],
                         data_location=TensorProto.EXTERNAL)
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "../../../../etc/passwd"
    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
             helper.make_node("MatMul", ["f", "w"], ["y"], name="matmul")]
    return _write(folder, _onnx_model(nodes, {}, [tensor]))


def bzip2_member(folder):
    """A genuine model whose members are bzip2-compressed: zipfile would inflate a bzip2 read
    in one call with no output limit, past every size check (a 6 KB file can hold gigabytes)."""
    return write_zip(folder / "model.npz", valid_members(), zipfile.ZIP_BZIP2)


def lying_end_record(folder):
    """Two real members, but a central directory of 2 MB: zipfile parses a directory by its
    size, whatever member count the end record gives."""
    path = write_zip(folder / "model.npz", valid_members())
    data = bytearray(open(path, "rb").read())
    at = data.rfind(b"PK\x05\x06")
    directory = struct.unpack_from("<I", data, at + 12)[0]
    struct.pack_into("<I", data, at + 12, directory + (2 << 20))
    open(path, "wb").write(bytes(data))
    return path


def global_pool_on_a_huge_input(folder):
    """A 4 KB file whose first layer (a global pool, parameter-free) is given a 64x4096x4096
    input: 4 GiB for one sample, which the budget must refuse before anything is allocated."""
    members = valid_members(arch.build_model([{"type": "globalavgpool"},
                                              {"type": "dense", "out_features": 2}],
                                             (64, 8, 8), 2, seed=0),
                            metadata={"input_shape": [64, 4096, 4096]})
    return write_zip(folder / "model.npz", members)


def onnx_constant_node_over_the_limit(folder):
    from onnx import TensorProto, helper

    big = TensorProto(name="c", data_type=TensorProto.FLOAT, dims=[80, 1 << 20])  # 320 MiB
    nodes = [helper.make_node("Constant", [], ["w"], name="const", value=big),
             helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
             helper.make_node("MatMul", ["f", "w"], ["y"], name="matmul")]
    return _write(folder, _onnx_model(nodes, {}))


def onnx_constant_node_that_lies(folder):
    from onnx import TensorProto, helper

    lie = TensorProto(name="c", data_type=TensorProto.FLOAT, dims=[1000, 1000], float_data=[1.0])
    nodes = [helper.make_node("Constant", [], ["w"], name="const", value=lie),
             helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
             helper.make_node("MatMul", ["f", "w"], ["y"], name="matmul")]
    return _write(folder, _onnx_model(nodes, {}))


def pt_pickle(folder):
    path = folder / "model.pt"
    path.write_bytes(b"\x80\x02c__builtin__\neval\nq\x00X\x05\x00\x00\x00printq\x01\x85q\x02Rq"
                     b"\x03.")
    return str(path)


def torch_zip_as_pth(folder):
    return write_zip(folder / "model.pth", {"archive/data.pkl": b"\x80\x02}q\x00.",
                                            "archive/version": b"3\n"})


CASES = {
    "npy header declares 7 TiB": ("declared-size bomb", npy_header_7_tib, "limit for one array"),
    "600 MiB deflate bomb": ("decompression bomb", deflate_bomb, "would unpack to"),
    "100,000 archive members": ("huge archive", hundred_thousand_members, "members"),
    "FIFO named model.npz": ("special file", fifo_model, "not a regular file"),
    "flipped .npy header byte": ("non-ValueError escape", flipped_npy_header_byte,
                                 "not a valid NumPy array"),
    "member is not .npy": ("non-ValueError escape", member_not_npy, "not a valid NumPy array"),
    "unknown member": ("size check bypass", unknown_member, "not part of a cnnviz model"),
    "JSON 100k deep": ("non-ValueError escape", json_100k_deep, "nested more than"),
    "bad input_shape metadata": ("non-ValueError escape", bad_input_shape, "invalid input shape"),
    "bad spec/class_names metadata": ("non-ValueError escape", bad_spec_metadata,
                                      "invalid class names"),
    "negative layer cancels a huge one": ("size check bypass", negative_layer_cancels_huge,
                                          "must be a whole number"),
    "junk array pays for a big layer": ("size check bypass", junk_pays_for_a_big_layer,
                                        "does not use \\(junk\\)"),
    "valid file, 4096x4096x64 activations": ("size check bypass", valid_but_huge_activations,
                                             "of activations"),
    "NaN weight": ("non-finite weights", non_finite_weights(np.nan), "NaN, infinite"),
    "inf weight": ("non-finite weights", non_finite_weights(np.inf), "NaN, infinite"),
    "1e300 weight": ("non-finite weights", non_finite_weights(1e300), "NaN, infinite"),
    "object array (pickle)": ("pickle", object_array_pickle, "pickled Python objects"),
    "truncated .npz": ("damaged file", truncated_npz, "damaged or truncated"),
    "safetensors lying header length": ("declared-size bomb", safetensors_lying_length,
                                        "header length lies"),
    "safetensors 2 GB declared tensor": ("declared-size bomb", safetensors_2_gb_tensor,
                                         "declares 2 GiB"),
    "safetensors shapes misfit their bytes": ("damaged file", safetensors_misfit_shape,
                                              "do not fit the data"),
    "safetensors JSON 100k deep": ("non-ValueError escape", safetensors_deep_json,
                                   "nested more than"),
    "ONNX truncated": ("damaged file", onnx_truncated, "damaged, truncated|not an ONNX"),
    "ONNX LSTM op": ("unsupported op", onnx_lstm, "node 'lstm_1'"),
    "ONNX 2 GB declared initializer": ("declared-size bomb", onnx_2_gb_initializer,
                                       "declares 2 GiB"),
    "ONNX external data": ("special file", onnx_external_data, "external file"),
    "bzip2-compressed members": ("decompression bomb", bzip2_member, "stored and deflated"),
    "end record hides a huge directory": ("huge archive", lying_end_record, "zip directory"),
    "global pool first, 4 GiB input": ("size check bypass", global_pool_on_a_huge_input,
                                       "input sample takes"),
    "ONNX Constant node over the array limit": ("declared-size bomb",
                                                onnx_constant_node_over_the_limit,
                                                "limit for one array"),
    "ONNX Constant node that lies": ("non-ValueError escape", onnx_constant_node_that_lies,
                                     "Constant node 'c' is damaged"),
    ".pt pickle": ("pickle", pt_pickle, "can run any code"),
    ".pth torch.save zip": ("pickle", torch_zip_as_pth, "can run any code"),
}
