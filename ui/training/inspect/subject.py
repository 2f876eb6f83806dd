"""What every method view explains: one test image, the model's verdict on it, and the weights.

The panel builds a :class:`Subject` whenever the sample, the class to explain or the weights
change, and hands it to the method shown. Work in a background task runs on
:meth:`Subject.worker_model`, a private copy: the GUI-side model keeps serving the other panels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import explain


@dataclass(frozen=True)
class Subject:
    """One image of the test set, seen by one version of the weights.

    Attributes
    ----------
    model : cnnviz.nn.Sequential
        The GUI-side model (use it on the GUI thread only).
    x : ndarray, shape (1, C, H, W)
    index : int
        Position in the test set.
    truth, prediction, target : int
        The true class, the predicted one, and the class the methods explain.
    probabilities : ndarray, shape (K,)
    class_names : list of str
    dataset : cnnviz.data.Dataset
    version : int
        The weights' version (:attr:`ModelContext.version`): results of an older one are stale.
    """

    model: object
    x: np.ndarray
    index: int
    truth: int
    prediction: int
    target: int
    probabilities: np.ndarray
    class_names: list
    dataset: object
    version: int

    @property
    def input_shape(self) -> tuple:
        return tuple(self.x.shape[1:])

    def worker_model(self):
        """A copy of the model that a background task may use while the GUI uses the original."""
        return explain.clone(self.model)

    def name(self, k: int) -> str:
        return self.class_names[k] if 0 <= k < len(self.class_names) else str(k)

    def weights_key(self) -> tuple:
        """Identifies the weights and data (for methods that do not depend on the sample)."""
        return (id(self.dataset), id(self.model), self.version)

    def key(self) -> tuple:
        """Identifies everything a per-sample method depends on."""
        return (*self.weights_key(), self.index, self.target)
