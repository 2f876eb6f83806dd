"""Save and load models as ``.npz`` files: the weights as arrays plus a JSON architecture.

Loading never executes anything from the file: ``np.load(allow_pickle=False)`` refuses pickled
(object) arrays, the architecture is plain JSON turned into layers by name, and every array is
checked against the architecture before it is used. Saving writes a temporary file in the same
folder and renames it over the target, so a crash mid-save never leaves a half-written model.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from cnnviz.fileio import atomic_write
from cnnviz.nn.model import Sequential
from cnnviz.nn.summary import conv_param_count, dense_param_count

__all__ = ["save_model", "load_model", "FORMAT", "FORMAT_VERSION"]

FORMAT = "cnnviz-model"
# 2: layer types in the architecture-spec vocabulary ("conv", "dense", ...); version 1 files
# named them after the classes ("Conv2D", "Dense", ...) and still load.
FORMAT_VERSION = 2
_VERSION_1_TYPES = {"Conv2D": "conv", "ReLU": "relu", "MaxPool2D": "maxpool",
                    "AvgPool2D": "avgpool", "Flatten": "flatten", "Dense": "dense"}
_HEADER_KEY = "__cnnviz__"
_WEIGHT_PREFIX = "param/"
_MAX_HEADER_CHARS = 1_000_000
_MAX_UNPACKED_BYTES = 1 << 30


def _plain(value):
    """JSON fallback for NumPy values in metadata (e.g. an input shape of np.int64)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def save_model(model: Sequential, path, metadata: dict | None = None) -> Path:
    """Write ``model`` (architecture, weights, metadata) to ``path`` atomically.

    Parameters
    ----------
    model : Sequential
    path : str or Path
        Saved exactly there (no ".npz" is appended).
    metadata : dict, optional
        JSON-able facts merged over ``model.metadata`` (input_shape, class_names, ...). NumPy
        numbers and arrays are stored as plain numbers and lists; tuples come back as lists.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        If the metadata cannot be written as JSON.
    OSError
        If the folder is not writable (the target is left untouched).
    """
    path = Path(path).expanduser()
    meta = dict(model.metadata)
    meta.update(metadata or {})
    header = {"format": FORMAT, "version": FORMAT_VERSION, "architecture": model.config(),
              "metadata": meta}
    try:
        header_text = json.dumps(header, allow_nan=False, default=_plain)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the model metadata cannot be saved as JSON: {exc}") from None
    arrays = {_HEADER_KEY: np.array(header_text)}
    arrays.update({_WEIGHT_PREFIX + k: v for k, v in model.state_dict().items()})
    with atomic_write(path) as f:
        np.savez(f, **arrays)
    return path


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    name = path.name
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
    except FileNotFoundError:
        raise ValueError(f"{name} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"{name} is a folder, not a model file") from None
    except OSError as exc:
        raise ValueError(f"{name} cannot be read: {exc.strerror or exc}") from None
    if magic == b"\x93NUMPY":
        raise ValueError(f"{name} holds a single array, not a cnnviz model (.npz)")
    if not magic.startswith(b"PK"):  # every .npz is a zip archive
        raise ValueError(f"{name} is not a cnnviz model file (not an .npz archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > _MAX_UNPACKED_BYTES:  # refuse zip bombs before decompressing anything
            raise ValueError(f"{name} would unpack to {unpacked / 2**20:.0f} MiB, far more than "
                             f"any cnnviz model; it was not loaded")
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise ValueError(f"{name} contains pickled Python objects, which could run code; "
                             f"it was not loaded. Only cnnviz model files can be opened") from None
        if str(exc).startswith(name):
            raise
        raise ValueError(f"{name} is not a cnnviz model file ({exc})") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, RuntimeError, NotImplementedError,
            zlib.error) as exc:
        raise ValueError(f"{name} is damaged or truncated and cannot be read ({exc})") from None


def _header(arrays: dict, name: str) -> dict:
    raw = arrays.get(_HEADER_KEY)
    if raw is None:
        raise ValueError(f"{name} is an .npz file but not a cnnviz model (it has no "
                         f"architecture); save models with cnnviz")
    if raw.dtype.kind != "U" or raw.ndim != 0 or len(str(raw)) > _MAX_HEADER_CHARS:
        raise ValueError(f"{name} has a malformed architecture entry")
    try:
        header = json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name} has a damaged architecture (bad JSON: {exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{name} is not a cnnviz model file")
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{name} was saved by a newer cnnviz (format version {version}); "
                         f"update cnnviz to open it")
    return header


def _declared_parameters(config) -> int:
    """Parameter count a layer config asks for (0 when it cannot tell; building will explain)."""
    if not isinstance(config, dict):
        return 0
    try:
        if config.get("type") == "dense":
            return dense_param_count(int(config["in_features"]), int(config["out_features"]))
        if config.get("type") == "conv":
            return conv_param_count(config["kernel_size"], int(config["in_channels"]),
                                    int(config["out_channels"]))
    except (KeyError, TypeError, ValueError, IndexError):
        return 0
    return 0


def _architecture(header: dict):
    """The header's layer configs in today's vocabulary (version 1 files used class names)."""
    architecture = header.get("architecture")
    if header["version"] >= 2 or not isinstance(architecture, list):
        return architecture
    return [{**c, "type": _VERSION_1_TYPES.get(c.get("type"), c.get("type"))}
            if isinstance(c, dict) else c for c in architecture]


def _check_sizes(architecture, state: dict, name: str) -> None:
    """Refuse an architecture that asks for more weights than the file holds, before allocating."""
    if not isinstance(architecture, list):
        return
    declared = sum(_declared_parameters(c) for c in architecture)
    stored = sum(np.asarray(v).size for v in state.values())
    if declared > stored:
        raise ValueError(f"{name} describes a network with {declared:,} weights but stores only "
                         f"{stored:,}; the file is damaged or not a cnnviz model")


def load_model(path) -> Sequential:
    """Read a model written by :func:`save_model`.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Sequential
        With the saved weights and ``.metadata``.

    Raises
    ------
    ValueError
        With a message, for a missing, corrupt, truncated, foreign (not saved by cnnviz, unknown
        layer type, weights of the wrong shape) or pickle-carrying file.
    """
    path = Path(path).expanduser()
    name = path.name
    arrays = _read_arrays(path)
    header = _header(arrays, name)
    state = {k[len(_WEIGHT_PREFIX):]: v for k, v in arrays.items()
             if k.startswith(_WEIGHT_PREFIX)}
    architecture = _architecture(header)
    _check_sizes(architecture, state, name)
    try:
        model = Sequential.from_config(architecture, seed=0)
    except ValueError as exc:
        raise ValueError(f"{name} describes a network cnnviz cannot build: {exc}") from None
    try:
        model.load_state_dict(state)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    meta = header.get("metadata", {})
    model.metadata = meta if isinstance(meta, dict) else {}
    return model
