"""The "Why CNNs" experiments (Qt-free): why convolutions beat dense networks on images.

Five experiments, by name (the command line's and the app's)::

    params            one dense layer against one conv layer: parameter counts
    position          train on the left of a wide canvas, test on the right
    shift             train on centred digits, test them shifted 0..8 px
    permute           one fixed pixel permutation: hurts the CNN, not the MLP
    receptive-field   effective (gradient) against theoretical receptive fields

Each is a generator, like :meth:`cnnviz.train.Trainer.steps`: it yields
:class:`~cnnviz.lab.experiments.common.Progress` snapshots and last its result, whose
``to_json()`` is what ``python -m cnnviz experiment NAME --json`` prints. The models (an MLP
784 -> 128 -> 10, a conv-pool-conv-pool-dense CNN and a CNN ending in a global pool) train on
exactly the same images, in the same order, from the same seed::

    from cnnviz.lab import experiments
    for item in experiments.run("position", settings=experiments.Settings(quick=True)):
        if item.finished:
            print(item.to_json())
"""

from __future__ import annotations

from collections.abc import Iterator

from cnnviz.lab.experiments import params, permute, position, receptive_field, shift
from cnnviz.lab.experiments.common import (
    MODEL_KEYS,
    MODEL_LABELS,
    Curve,
    ExperimentResult,
    Progress,
    Settings,
)

__all__ = ["NAMES", "TITLES", "DEFAULT_DATASET", "MODEL_KEYS", "MODEL_LABELS", "Curve",
           "ExperimentResult", "Progress", "Settings", "run", "needs_data"]

_MODULES = {"params": params, "position": position, "shift": shift, "permute": permute,
            "receptive-field": receptive_field}
NAMES = tuple(_MODULES)
TITLES = {"params": "Parameters", "position": "Position", "shift": "Shift",
          "permute": "Permuted pixels", "receptive-field": "Receptive field"}
DEFAULT_DATASET = "mnist"


def needs_data(name: str) -> bool:
    """True for the experiments that train (all but ``params``)."""
    return name != "params"


def run(name: str, dataset=None, settings: Settings | None = None,
        **options) -> Iterator[Progress | ExperimentResult]:
    """Run experiment ``name`` (one of :data:`NAMES`); yields progress, then the result.

    Parameters
    ----------
    name : str
    dataset : cnnviz.data.Dataset or str, optional
        The images (grey, any size the CNNs can pool twice); a name or path is loaded with
        :func:`cnnviz.data.load_dataset`. Default: the bundled MNIST digits.
    settings : Settings, optional
    **options
        Passed to the experiment (``params`` takes ``layers``).

    Raises
    ------
    ValueError
        For an unknown name or data the experiment cannot use.
    """
    if name not in _MODULES:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(NAMES)}")
    settings = settings or Settings()
    if needs_data(name):
        dataset = _dataset(dataset, settings.seed)
    return _MODULES[name].run(dataset, settings, **options)


def _dataset(dataset, seed: int):
    from cnnviz.data import load_dataset

    if dataset is None or isinstance(dataset, str):
        dataset = load_dataset(dataset or DEFAULT_DATASET, seed=seed)
    c, h, w = dataset.input_shape
    if c != 1:
        raise ValueError(f"the experiments need grey images, but {dataset.name} has {c} channels")
    if min(h, w) < 8:
        raise ValueError(f"the experiments need images of at least 8x8 pixels, but {dataset.name} "
                         f"has {h}x{w}")
    return dataset
