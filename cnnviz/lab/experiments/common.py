"""What every "Why CNNs" experiment shares: settings, progress snapshots, results, the models.

Each experiment is a generator (like :meth:`cnnviz.train.Trainer.steps`): it yields
:class:`Progress` snapshots while it works and, last, its result (an :class:`ExperimentResult`
subclass). Both are immutable (tuples and read-only arrays), so a GUI thread may keep them while
the experiment goes on. Stopping is the consumer's business: it simply stops iterating.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

import numpy as np

from cnnviz.nn import architecture as arch
from cnnviz.nn.model import Sequential

__all__ = ["MODEL_KEYS", "MODEL_LABELS", "CNN_SPEC", "DEEP_SPEC", "Settings", "Defaults", "Curve",
           "Progress", "ExperimentResult", "model_spec", "build", "frozen_map", "read_only",
           "format_cell", "format_table"]

MODEL_KEYS = ("mlp", "cnn", "cnn_global")
MODEL_LABELS = {"mlp": "MLP", "cnn": "CNN (flatten + dense)", "cnn_global": "CNN + global pool",
                "deep_cnn": "deep CNN (6 conv layers)"}
# conv-pool-conv-pool-dense: convolutional features, but a head with one weight per map position
CNN_SPEC = [
    {"type": "conv", "out_channels": 8, "kernel_size": 3, "stride": 1, "padding": 1,
     "dilation": 1}, {"type": "relu"}, {"type": "maxpool", "kernel_size": 2, "stride": 2},
    {"type": "conv", "out_channels": 16, "kernel_size": 3, "stride": 1, "padding": 1,
     "dilation": 1}, {"type": "relu"}, {"type": "maxpool", "kernel_size": 2, "stride": 2},
    {"type": "flatten"}, {"type": "dense", "out_features": 10},
]


def _conv(filters: int) -> dict:
    return {"type": "conv", "out_channels": filters, "kernel_size": 3, "stride": 1, "padding": 1,
            "dilation": 1}


_RELU, _POOL = {"type": "relu"}, {"type": "maxpool", "kernel_size": 2, "stride": 2}
# For the receptive fields: deep enough that the gap between the theoretical and the effective
# field opens up (it widens with depth), ending in a global pool.
DEEP_SPEC = [
    _conv(8), _RELU, _conv(8), _RELU, _POOL, _conv(16), _RELU, _conv(16), _RELU, _conv(16),
    _RELU, _POOL, _conv(32), _RELU, {"type": "globalmaxpool"},
    {"type": "dense", "out_features": 10},
]


def model_spec(key: str, n_classes: int = 10) -> list[dict]:
    """The architecture spec of model ``key`` (one of :data:`MODEL_KEYS`).

    ``mlp`` is the "Dense (MLP)" preset (Flatten, Dense 128, ReLU, Dense), ``cnn`` is
    :data:`CNN_SPEC`, ``cnn_global`` the "CNN + global pooling" preset; ``deep_cnn``
    (:data:`DEEP_SPEC`) is the receptive-field experiment's.
    """
    if key == "mlp":
        return arch.preset("Dense (MLP)", n_classes)
    if key in ("cnn", "deep_cnn"):
        spec = [dict(layer) for layer in (CNN_SPEC if key == "cnn" else DEEP_SPEC)]
        spec[-1]["out_features"] = int(n_classes)
        return spec
    if key == "cnn_global":
        return arch.preset("CNN + global pooling", n_classes)
    raise ValueError(f"unknown model {key!r}; choose one of {', '.join(MODEL_KEYS)}")


def build(key: str, input_shape, n_classes: int, seed: int) -> Sequential:
    """Model ``key`` for images of ``input_shape`` (C, H, W), weights drawn from ``seed``."""
    return arch.build_model(model_spec(key, n_classes), input_shape, n_classes, seed=seed)


def read_only(a) -> np.ndarray:
    """A read-only copy of ``a``."""
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


def frozen_map(d: dict) -> Mapping:
    """A read-only view of a dict built for one snapshot (nobody keeps the dict itself)."""
    return MappingProxyType(dict(d))


def _whole(value, name: str, low: int, optional: bool = False):
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Settings:
    """How to run an experiment. ``None`` means the experiment's own default.

    Attributes
    ----------
    epochs : int or None
        Passes over the training images.
    seed : int
        Seeds the weights, the data (offsets, permutation, subsets) and the batch order.
    quick : bool
        Fewer epochs and images: a result in seconds, less sharp.
    train_images, test_images : int or None
        Use at most this many images (a stratified subset); None: the default for the mode.
    batch_size : int
    lr : float
        Adam's learning rate.
    evals_per_epoch : int
        Points per epoch on the live accuracy curves.
    """

    epochs: int | None = None
    seed: int = 0
    quick: bool = False
    train_images: int | None = None
    test_images: int | None = None
    batch_size: int = 32
    lr: float = 0.003
    evals_per_epoch: int = 2

    def __post_init__(self) -> None:
        _whole(self.epochs, "epochs", 1, optional=True)
        _whole(self.seed, "seed", 0)
        _whole(self.train_images, "the number of training images", 10, optional=True)
        _whole(self.test_images, "the number of test images", 10, optional=True)
        _whole(self.batch_size, "batch size", 1)
        _whole(self.evals_per_epoch, "evaluations per epoch", 1)
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"learning rate must be a positive number, got {self.lr!r}")

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Defaults:
    """An experiment's default sizes, and the smaller ones of ``--quick``."""

    epochs: int
    quick_epochs: int
    quick_train: int
    quick_test: int
    train: int | None = None     # None: every training image
    test: int | None = None

    def resolve(self, settings: Settings) -> tuple[int, int | None, int | None]:
        """(epochs, training images, test images) for ``settings``."""
        epochs = settings.epochs or (self.quick_epochs if settings.quick else self.epochs)
        train = settings.train_images or (self.quick_train if settings.quick else self.train)
        test = settings.test_images or (self.quick_test if settings.quick else self.test)
        return epochs, train, test


@dataclass(frozen=True)
class Curve:
    """One live accuracy curve: ``model`` trained, measured on the ``series`` test images.

    Attributes
    ----------
    model : str
        One of :data:`MODEL_KEYS` (the colour in the app).
    series : str
        Which test images, e.g. "seen positions" (the line style in the app).
    epochs : tuple of float
        Where the points were measured, in epochs (fractions during an epoch).
    accuracy : tuple of float
        Accuracy in [0, 1] at each point.
    """

    model: str
    series: str
    epochs: tuple = ()
    accuracy: tuple = ()

    @property
    def key(self) -> str:
        return f"{self.model}:{self.series}"

    def plus(self, epoch: float, accuracy: float) -> Curve:
        return Curve(self.model, self.series, self.epochs + (float(epoch),),
                     self.accuracy + (float(accuracy),))


@dataclass(frozen=True)
class Progress:
    """What an experiment reports while it runs.

    Attributes
    ----------
    experiment : str
    fraction : float
        Share of the experiment's work done, in [0, 1].
    message : str
        One sentence for a status line.
    curves : Mapping of str to Curve
        Every live curve so far, keyed by :attr:`Curve.key`.
    """

    experiment: str
    fraction: float
    message: str
    curves: Mapping = field(default_factory=dict)
    finished = False


@dataclass(frozen=True)
class ExperimentResult:
    """The end of an experiment: what the command line prints as JSON, plus what the app draws.

    Attributes
    ----------
    experiment : str
    dataset : str
    settings : Settings
    epochs : int
        The epochs actually used.
    seconds : float
        Wall-clock time of the whole experiment.
    curves : Mapping of str to Curve
        The live curves, complete.
    """

    experiment: str
    dataset: str
    settings: Settings
    epochs: int
    seconds: float
    curves: Mapping = field(default_factory=dict)
    finished = True

    def summary(self) -> dict:
        """The JSON keys every experiment shares."""
        return {"experiment": self.experiment, "dataset": self.dataset, "epochs": self.epochs,
                "seed": self.settings.seed, "quick": self.settings.quick,
                "seconds": round(self.seconds, 2)}

    def to_json(self) -> dict:
        """The JSON object ``python -m cnnviz experiment NAME --json`` prints last."""
        return self.summary()

    def table(self) -> tuple[tuple[str, ...], list[tuple]]:
        """Column names and rows of the result table (the app shows it; CSV exports it).

        Cells are str, int, or float for accuracies (and changes of accuracy) in [-1, 1].
        """
        return (), []

    def conclusion(self) -> str:
        """One or two sentences saying what the numbers show, with the numbers."""
        return ""


def format_cell(value) -> str:
    """A table cell as text: floats are accuracies (shown in %), ints get thousands separators."""
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return str(value)


def format_table(head, rows) -> str:
    """A plain-text table (first column left-aligned, the others right-aligned)."""
    cells = [list(head)] + [[format_cell(v) for v in row] for row in rows]
    widths = [max(len(line[c]) for line in cells) for c in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if c == 0 else cell.rjust(w)
                       for c, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
             for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
