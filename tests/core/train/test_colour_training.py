"""Training on colour: a small network learns the coloured shapes, and learns colour to do it."""

import numpy as np
import pytest

from cnnviz.data.synthetic import make_colour_shapes
from cnnviz.nn import architecture as arch
from cnnviz.train import Trainer, recommended_settings


@pytest.fixture(scope="module")
def trained():
    ds = make_colour_shapes(n=1200, seed=0)
    model = arch.build_model(arch.default_architecture(ds.name, ds.input_shape, ds.n_classes),
                             ds.input_shape, ds.n_classes, seed=0)
    settings = {**recommended_settings("colour-shapes"), "epochs": 8}
    snapshots = list(Trainer(model, ds, seed=0, evals_per_epoch=1, **settings).steps())
    return ds, model, snapshots[-1]


def test_a_small_net_reaches_95_percent_on_coloured_shapes(trained):
    _ds, _model, last = trained
    assert last.test_accuracy >= 0.95


def test_swapping_red_and_green_turns_a_red_square_into_a_green_one(trained):
    ds, model, _ = trained
    red = ds.x_test[ds.y_test == ds.class_names.index("red square")]
    swapped = red[:, [1, 0, 2]]  # the same shapes, with the red and green channels exchanged
    predicted = model.forward(swapped).argmax(axis=1)
    assert np.mean(predicted == ds.class_names.index("green square")) >= 0.9


def test_the_first_layer_learns_filters_of_different_colours(trained):
    _ds, model, _ = trained
    w = model.first_conv().weight.data  # (F, 3, 3, 3)
    colours = w.sum(axis=(2, 3))  # each filter's net weight on R, G and B
    favourite = {int(np.argmax(c)) for c in colours}
    assert favourite == {0, 1, 2}  # some filters prefer red, some green, some blue
