"""The model-file commands of the command line: ``convert`` and ``inspect``.

``python -m cnnviz convert IN OUT`` converts between formats by extension (.npz, .onnx,
.safetensors, .py for PyTorch code); a bare safetensors ``state_dict`` needs ``--like MODEL``, a
model file whose architecture its tensors fit. ``python -m cnnviz inspect MODEL`` prints where a
model comes from and its per-layer table (shapes, parameters, receptive fields, FLOPs).
"""

from __future__ import annotations

import argparse
import textwrap

__all__ = ["add_model_commands", "cmd_convert", "cmd_inspect", "SAVE_HELP"]

SAVE_HELP = ("save the trained model here; the extension picks the format: .npz (cnnviz), .onnx, "
             ".safetensors, or .py (PyTorch code plus its .safetensors weights)")


def add_model_commands(sub) -> None:
    """Add ``convert`` and ``inspect`` to the CLI's sub-command parsers."""
    convert = sub.add_parser(
        "convert", help="convert a model between .npz, .onnx, .safetensors and PyTorch code",
        description="Read IN and write OUT, each format chosen by its extension: .npz (cnnviz), "
                    ".onnx (opset 13), .safetensors (architecture in the metadata), .py "
                    "(PyTorch code plus its .safetensors weights; write-only). PyTorch .pt/.pth "
                    "pickles are refused: save a state_dict with safetensors instead.")
    convert.add_argument("source", metavar="IN", help="model file to read")
    convert.add_argument("target", metavar="OUT", help="file to write")
    convert.add_argument("--like", metavar="MODEL",
                         help="for a bare safetensors state_dict (e.g. from PyTorch): a model "
                              "file whose architecture the tensors fit, matched by layer order "
                              "and shape")
    inspect = sub.add_parser(
        "inspect", help="print a model file's architecture table",
        description="Print where a model file comes from, its input shape and classes, and its "
                    "per-layer table: output shape, parameters, receptive field, FLOPs.")
    inspect.add_argument("model", metavar="MODEL", help=".npz, .onnx or .safetensors file")
    inspect.add_argument("--like", metavar="MODEL",
                         help="architecture for a bare safetensors state_dict (as for convert)")


def _load(path: str, like: str | None):
    from cnnviz import io

    if like is None:
        return io.load_model(path)
    return io.load_weights(path, io.load_model(like))


def cmd_convert(args) -> int:
    from cnnviz import io

    model = _load(args.source, args.like)
    written = io.save_model(model, args.target)
    extra = ""
    if io.suffix_of(written) == ".py":
        extra = f" (weights in {written.with_suffix('.safetensors').name})"
    print(f"converted {args.source} to {written}{extra}")
    return 0


def describe(model, path: str) -> str:
    """One line: the file, where it comes from, its input shape and classes."""
    meta = model.metadata
    shape = meta.get("input_shape")
    names = meta.get("class_names")
    parts = [f"{path}: {len(model.layers)} layers, {model.num_parameters():,} parameters",
             f"format {meta.get('source_format', 'cnnviz')}"]
    parts.append(f"input {'x'.join(map(str, shape))}" if shape else "input shape unknown")
    if names:
        parts.append(f"{len(names)} classes ({', '.join(names[:5])}"
                     f"{', ...' if len(names) > 5 else ''})")
    if meta.get("dataset"):
        parts.append(f"trained on {meta['dataset']}")
    if meta.get("ends_with_softmax"):
        parts.append("its final Softmax was dropped (cnnviz outputs logits)")
    return "; ".join(parts)


def cmd_inspect(args) -> int:
    from cnnviz.nn import summary
    from cnnviz.nn.architecture import spec_from_model

    model = _load(args.model, args.like)
    print(describe(model, args.model))
    shape = model.metadata.get("input_shape")
    if not shape:
        print("no input shape recorded, so no per-layer table; layers:")
        for i, layer in enumerate(model.layers, start=1):
            print(f"  {i:>3}  {layer.name}")
        return 0
    rows = summary.summarize(spec_from_model(model), shape)
    print(summary.format_table(rows))
    note = summary.sharing_note(rows)
    if note:
        print(textwrap.fill(note, width=100))
    return 0


def check_save_suffix(path: str) -> None:
    """Refuse a --save name whose extension picks no format we write, before training."""
    from cnnviz import io
    from cnnviz.io._source import PICKLE_SUFFIXES

    suffix = io.suffix_of(path)
    if suffix in PICKLE_SUFFIXES:
        raise ValueError(f"--save {path}: cnnviz does not write PyTorch pickles; use .safetensors "
                         f"(load it with safetensors.torch.load_file), .onnx or .py")


def backend_arguments(parser: argparse.ArgumentParser) -> None:
    """``--backend`` and ``--device`` for the train command."""
    parser.add_argument("--backend", choices=("numpy", "torch"), default="numpy",
                        help="who computes the training: cnnviz's NumPy engine (default) or "
                             "PyTorch (pip install 'cnnviz[torch]'); same data, seed and results")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="where the torch backend runs (default cpu)")
