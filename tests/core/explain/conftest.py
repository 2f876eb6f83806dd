"""Fixtures the explanation tests share: a tiny untrained CNN and an image for it, and nets
trained on lines and on 28x28 shapes (once per session)."""

from __future__ import annotations

import numpy as np
import pytest
from explain_models import TINY

from cnnviz import data
from cnnviz.nn import architecture as arch
from cnnviz.train import Trainer


def _train(model, ds, epochs: int, lr: float = 0.01):
    for _ in Trainer(model, ds, "adam", lr, 32, epochs).steps():
        pass
    return model


@pytest.fixture
def tiny():
    return arch.build_model(TINY, (1, 10, 10), 3, seed=2)


@pytest.fixture
def image():
    return np.random.default_rng(0).random((1, 1, 10, 10)).astype(np.float32)


@pytest.fixture(scope="session")
def lines_data():
    return data.make_lines(n=400, seed=0)


@pytest.fixture(scope="session")
def trained_lines_net(lines_data):
    model = arch.build_model(arch.preset("classic", 2), lines_data.input_shape, 2, seed=0)
    return _train(model, lines_data, 5)


@pytest.fixture(scope="session")
def shapes_data():
    return data.make_shapes(n=1000, seed=0)


@pytest.fixture(scope="session")
def trained_shapes_net(shapes_data):
    ds = shapes_data
    spec = arch.default_architecture(ds.name, ds.input_shape, ds.n_classes)
    return _train(arch.build_model(spec, ds.input_shape, ds.n_classes, seed=0), ds, 3, 0.003)


