"""Model files in and out, by extension: cnnviz ``.npz``, ONNX, safetensors, PyTorch code.

::

    from cnnviz import io
    model = io.load_model("net.onnx")             # .npz | .onnx | .safetensors
    io.save_model(model, "net.safetensors")       # .npz | .onnx | .safetensors | .py

=================  ======  ======  ==========================================================
extension          load    save    notes
=================  ======  ======  ==========================================================
``.npz``           yes     yes     cnnviz's own: weights + JSON architecture + metadata
``.onnx``          yes     yes     opset 13; Conv/Relu/pools/Gemm/MatMul+Add/Flatten/...;
                                   BatchNormalization folded into the Conv before it
``.safetensors``   yes     yes     the architecture travels in the metadata; a bare
                                   ``state_dict`` is matched to a chosen architecture with
                                   :func:`load_weights`
``.py``            no      yes     a ``torch.nn.Sequential`` plus the two lines loading the
                                   ``.safetensors`` written beside it
``.pt``/``.pth``   no      no      pickles can run code: refused, with how to convert
=================  ======  ======  ==========================================================

Every reader checks sizes against :mod:`cnnviz.limits` before allocating, opens only regular
files, and raises only ``ValueError`` (or ``OSError`` from the operating system) with a sentence;
a file loads whole or not at all. ``onnx`` and ``safetensors`` are imported only when such a file
is read or written. Every save is atomic (:func:`cnnviz.fileio.atomic_write`).
"""

from __future__ import annotations

from pathlib import Path

from cnnviz.io._source import PICKLE_SUFFIXES, read_model_bytes, refuse_pickle
from cnnviz.io.npz import FORMAT, FORMAT_VERSION, read_npz, save_npz
from cnnviz.nn.model import Sequential

__all__ = ["save_model", "load_model", "load_weights", "LOAD_SUFFIXES", "SAVE_SUFFIXES",
           "FORMAT", "FORMAT_VERSION", "suffix_of"]

LOAD_SUFFIXES = (".npz", ".onnx", ".safetensors")
SAVE_SUFFIXES = (".npz", ".onnx", ".safetensors", ".py")


def suffix_of(path) -> str:
    """The lower-case extension that picks the format (``".npz"`` when there is none)."""
    return Path(path).suffix.lower() or ".npz"


def _sniff(path: Path) -> str:
    """The format of a file whose extension does not say: safetensors or (by default) npz."""
    data = read_model_bytes(path)
    if len(data) > 8 and not data.startswith(b"PK") and data[8:9] == b"{":
        return ".safetensors"
    return ".npz"


def load_model(path) -> Sequential:
    """Read a model file, choosing the reader by extension.

    Parameters
    ----------
    path : str or Path
        ``.npz`` (cnnviz), ``.onnx`` or ``.safetensors`` (with cnnviz's architecture in its
        metadata; for a bare ``state_dict`` use :func:`load_weights`). Other names are read as
        cnnviz ``.npz`` (or safetensors, when the bytes say so).

    Returns
    -------
    Sequential
        With its weights and ``.metadata`` (``input_shape`` ``[C, H, W]`` when known,
        ``class_names``, ``source_format`` for imports).

    Raises
    ------
    ValueError
        With a message naming the file, for anything missing, damaged, foreign, too large,
        unsupported or a pickle.
    """
    path = Path(path).expanduser()
    try:
        return _load_model(path)
    except MemoryError:  # a file within every limit can still need more than this machine has
        raise ValueError(f"there is not enough memory to load {path.name}; nothing was "
                         f"loaded") from None


def _load_model(path: Path) -> Sequential:
    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise refuse_pickle(path.name)
    if suffix not in LOAD_SUFFIXES and suffix != ".py":
        suffix = _sniff(path)
    if suffix == ".onnx":
        from cnnviz.io.onnx import read_onnx

        return read_onnx(path)
    if suffix == ".safetensors":
        from cnnviz.io.safetensors import read_safetensors

        return read_safetensors(path)
    if suffix == ".py":
        raise ValueError(f"{path.name} is Python code; cnnviz exports PyTorch code but never "
                         f"runs it. Open the .safetensors file written beside it instead")
    from cnnviz.io._assemble import assemble

    header, state = read_npz(path)
    return assemble(header.get("architecture"), state, header.get("metadata", {}), path.name)


def load_weights(path, model: Sequential) -> Sequential:
    """Load a bare safetensors ``state_dict`` (e.g. PyTorch's) into a copy of ``model``.

    Tensors are matched to ``model``'s parameters by layer order and shape; PyTorch names such
    as ``0.weight`` or ``features.3.bias`` are accepted.

    Raises
    ------
    ValueError
        Listing expected against found shapes when they do not fit.
    """
    from cnnviz.io.safetensors import read_weights_into

    path = Path(path).expanduser()
    try:
        return read_weights_into(path, model)
    except MemoryError:
        raise ValueError(f"there is not enough memory to load {path.name}; nothing was "
                         f"loaded") from None


def save_model(model: Sequential, path, metadata: dict | None = None) -> Path:
    """Write ``model`` (architecture, weights, metadata) to ``path`` atomically, by extension.

    Parameters
    ----------
    model : Sequential
    path : str or Path
        Saved exactly there. ``.onnx``, ``.safetensors`` and ``.py`` (PyTorch code plus its
        ``.safetensors`` weights beside it) choose those formats; any other name is a cnnviz
        ``.npz`` (no ".npz" is appended).
    metadata : dict, optional
        JSON-able facts merged over ``model.metadata`` (input_shape, class_names, ...). NumPy
        numbers and arrays are stored as plain numbers and lists; tuples come back as lists.
        ONNX and PyTorch code need ``input_shape``.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        If the metadata cannot be written as JSON, or the format cannot express the model.
    OSError
        If the folder is not writable (the target is left untouched).
    """
    path = Path(path).expanduser()
    meta = dict(model.metadata)
    meta.update(metadata or {})
    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise ValueError(f"cnnviz does not write pickles ({path.name}); save as .safetensors "
                         f"(load it in PyTorch with safetensors.torch.load_file) or .onnx")
    if suffix == ".onnx":
        from cnnviz.io.onnx_export import write_onnx

        return write_onnx(model, path, meta)
    if suffix == ".safetensors":
        from cnnviz.io.safetensors import write_safetensors

        return write_safetensors(model, path, meta)
    if suffix == ".py":
        from cnnviz.io.torch_code import write_torch_code

        return write_torch_code(model, path, meta)
    return save_npz(model, path, meta)
