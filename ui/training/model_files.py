"""Opening any model file in the studio: the work that runs off the GUI thread, and the data set
an imported model is shown with. No widget here: these are plain functions (task functions take
the :class:`~ui.widgets.tasks.TaskControl` first) that tests call directly.

A model keeps its own input shape. The studio shows it with the current data set when the shapes
and class counts agree, otherwise with the first built-in data set that fits (28x28 grey with 5
classes: shapes; 8x8 with 10: digits ...), so its test set can be evaluated. When none fits, the
model gets a *stand-in* set: real images (the shapes set) resized to its input, labelled with
the model's own predictions; every view works on it, but there is no accuracy to measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.data import Dataset, make_shapes, split_indices
from cnnviz.nn import architecture as arch

__all__ = ["LoadedModel", "read_model", "matching_builtin", "stand_in_dataset", "Evaluation",
           "evaluate", "BUILTIN_SHAPES", "OPEN_FILTER", "EXPORT_FILTERS"]

# The built-in data sets by input shape and class count.
BUILTIN_SHAPES = {"lines": ((1, 8, 8), 2), "digits": ((1, 8, 8), 10), "shapes": ((1, 28, 28), 5),
                  "mnist": ((1, 28, 28), 10), "colour-shapes": ((3, 20, 20), 6)}
OPEN_FILTER = ("Models (*.npz *.onnx *.safetensors);;cnnviz model (*.npz);;ONNX (*.onnx);;"
               "safetensors (*.safetensors);;All files (*)")
EXPORT_FILTERS = {"cnnviz model (*.npz)": ".npz", "ONNX (*.onnx)": ".onnx",
                  "safetensors (*.safetensors)": ".safetensors", "PyTorch code (*.py)": ".py"}
STAND_IN_SAMPLES = 200


@dataclass
class LoadedModel:
    """What a background load hands to the GUI thread.

    Attributes
    ----------
    model : cnnviz.nn.Sequential
    spec : list of dict
        Its architecture in the editor's vocabulary.
    input_shape : (C, H, W)
    class_names : list of str or None
    name : str
        The file's name.
    matched : bool
        True when a bare state_dict was matched to the network in the editor.
    """

    model: object
    spec: list
    input_shape: tuple
    class_names: list | None
    name: str
    matched: bool = False


def _spec_of(model, name: str) -> list:
    try:
        spec = arch.spec_from_model(model)
        for i, layer in enumerate(spec, start=1):
            arch.normalize_layer(layer, i)
    except ValueError:
        raise ValueError(f"{name} has layers the studio's editor cannot show (e.g. non-square "
                         f"kernels or strides); inspect it with python -m cnnviz inspect") from None
    return spec


def read_model(_task, path: str, current_spec=None, current_shape=None) -> LoadedModel:
    """Read a model file (a background task).

    A safetensors ``state_dict`` without cnnviz's architecture is matched to ``current_spec``
    built for ``current_shape`` (the network in the editor), by layer order and shape.

    Raises
    ------
    ValueError
        From :mod:`cnnviz.io`, with the file's name and what is wrong.
    """
    from cnnviz import io
    from cnnviz.io.safetensors import METADATA_KEY, read_tensors

    file = Path(path)
    name = file.name
    matched = False
    if file.suffix.lower() == ".safetensors" and METADATA_KEY not in read_tensors(file)[1]:
        if not current_spec or current_shape is None:
            raise ValueError(f"{name} holds weights without an architecture: build the matching "
                             f"network in the Network tab first")
        try:
            like = arch.build_model(current_spec, current_shape)
        except ValueError as exc:
            raise ValueError(f"the network in the editor is not valid ({exc}); fix it, then "
                             f"load {name} into it") from None
        model = io.load_weights(file, like)
        model.metadata["input_shape"] = list(current_shape)
        matched = True
    else:
        model = io.load_model(file)
    shape = model.metadata.get("input_shape")
    return LoadedModel(model, _spec_of(model, name), tuple(shape) if shape else None,
                       model.metadata.get("class_names"), name, matched)


def output_count(model, input_shape) -> int:
    """How many logits ``model`` gives for one input of ``input_shape``."""
    return int(model.forward(np.zeros((1, *input_shape), np.float32)).shape[1])


def matching_builtin(input_shape, n_classes: int) -> str | None:
    """The key of the first built-in data set with this input shape and class count, or None."""
    for key, (shape, k) in BUILTIN_SHAPES.items():
        if tuple(shape) == tuple(input_shape) and k == n_classes:
            return key
    return None


def _resize(images: np.ndarray, h: int, w: int) -> np.ndarray:
    """Nearest-neighbour resize of (N, H0, W0) images to (N, h, w)."""
    rows = (np.arange(h) * images.shape[1] / h).astype(int)
    cols = (np.arange(w) * images.shape[2] / w).astype(int)
    return images[:, rows][:, :, cols]


def stand_in_dataset(loaded: LoadedModel) -> Dataset:
    """Real images resized to the model's input, labelled with the model's own predictions.

    Returns
    -------
    Dataset
        ``STAND_IN_SAMPLES`` images of shape ``loaded.input_shape`` in [0, 1]; the class names
        are the model's (or "class 0" ...).
    """
    c, h, w = loaded.input_shape
    shapes = make_shapes(n=STAND_IN_SAMPLES, seed=0, test_fraction=0.0)
    source = shapes.x_train[:, 0]
    images = np.repeat(_resize(source, h, w)[:, None], c, axis=1)[:STAND_IN_SAMPLES]
    k = output_count(loaded.model, loaded.input_shape)
    predicted = loaded.model.predict(images.astype(np.float32))
    names = loaded.class_names if loaded.class_names and len(loaded.class_names) == k else \
        [f"class {i}" for i in range(k)]
    train, test = split_indices(predicted, 0.2, seed=0)
    x = images.astype(np.float32)
    return Dataset(f"stand-in for {loaded.name}", x[train], predicted[train], x[test],
                   predicted[test], names)


@dataclass(frozen=True)
class Evaluation:
    """A test-set evaluation of loaded weights, shaped like an evaluated training snapshot."""

    test_loss: float
    test_accuracy: float
    confusion: np.ndarray
    misclassified: np.ndarray
    state: dict


def evaluate(task, spec: list, state: dict, dataset: Dataset) -> Evaluation:
    """Evaluate weights on ``dataset``'s test set (a background task; polls for cancelling)."""
    from cnnviz.train import Trainer

    model = arch.build_model(spec, dataset.input_shape, dataset.n_classes)
    model.load_state_dict(state)
    trainer = Trainer(model, dataset, epochs=1)
    if task is not None:
        trainer.control.stop_event = task.cancel_event  # a cancelled task stops the evaluation
    result = trainer.evaluation()
    if result is None:
        raise ValueError("the test set is empty or the evaluation was cancelled")
    loss, accuracy, confusion, wrong = result
    return Evaluation(loss, accuracy, confusion, wrong, state)
