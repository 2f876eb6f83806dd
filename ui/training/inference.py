"""A GUI-side copy of the network, rebuilt from ``Snapshot.state``, for single-sample inference.

The worker's live model is never touched from the GUI thread (it changes under our feet between
batches); instead the inspection panels share this copy, which loads a snapshot's weights only when
a newer one is offered.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from cnnviz.nn.architecture import build_model


@dataclass
class ModelContext:
    """What the inspection panels need: the data, the architecture, and the latest weights.

    Attributes
    ----------
    dataset : cnnviz.data.Dataset
    spec : list of dict
    state : dict of str to ndarray, or None
        A ``state_dict`` copy (from a snapshot or a loaded model); None before any training.
    version : int
        Increases whenever ``state`` changes, so panels can skip work for weights they have seen.
    """

    dataset: object
    spec: list
    state: dict | None = None
    version: int = 0
    _model: object = field(default=None, repr=False)
    _loaded_version: int = field(default=-1, repr=False)

    @property
    def class_names(self) -> list[str]:
        return list(self.dataset.class_names)

    def model(self):
        """The GUI-side :class:`cnnviz.nn.model.Sequential` with the latest weights, or None."""
        if self.state is None:
            return None
        try:
            if self._model is None:
                self._model = build_model(copy.deepcopy(self.spec), self.dataset.input_shape,
                                          self.dataset.n_classes, seed=0)
            if self._loaded_version != self.version:
                self._model.load_state_dict(self.state)
                self._loaded_version = self.version
        except ValueError:  # weights of another architecture: nothing to show, never a crash
            self.state = None
            return None
        return self._model

    def set_state(self, state: dict | None) -> None:
        """Offer newer weights (loaded lazily on the next :meth:`model` call)."""
        self.state = state
        self.version += 1

    def predict(self, image: np.ndarray) -> np.ndarray | None:
        """Class probabilities for one image.

        Parameters
        ----------
        image : ndarray, shape (C, H, W) or (H, W)

        Returns
        -------
        ndarray, shape (K,), or None without weights
        """
        model = self.model()
        if model is None:
            return None
        x = np.asarray(image, dtype=np.float32)
        x = x.reshape((1, *self.dataset.input_shape))
        return np.asarray(model.predict_proba(x))[0]
