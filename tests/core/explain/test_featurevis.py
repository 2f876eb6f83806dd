"""Feature visualisation: the synthesised images excite their units far above the data's mean."""

import numpy as np
import pytest
from explain_models import colour_cnn, mlp, pooled_cnn

from cnnviz import explain


@pytest.fixture(scope="module")
def first_layer(trained_shapes_net, shapes_data):
    stage = explain.stages(trained_shapes_net, shapes_data.input_shape)[0]
    result = explain.visualize(trained_shapes_net, stage.output, shapes_data.input_shape)
    test_mean = explain.unit_activations(trained_shapes_net, stage.output,
                                         shapes_data.x_test).mean(axis=0)
    return stage, result, test_mean


def test_the_first_layer_units_rise_at_least_5x_over_their_mean_on_the_test_set(first_layer):
    _, result, test_mean = first_layer
    ratio = result.activation / test_mean
    assert np.median(ratio) >= 5.0
    assert (ratio >= 5.0).sum() >= len(ratio) // 2


def test_the_second_layer_units_rise_at_least_5x_too(trained_shapes_net, shapes_data):
    stage = explain.stages(trained_shapes_net, shapes_data.input_shape)[1]
    test_mean = explain.unit_activations(trained_shapes_net, stage.output,
                                         shapes_data.x_test).mean(axis=0)
    r = explain.visualize(trained_shapes_net, stage.output, shapes_data.input_shape)
    assert np.median(r.activation / test_mean) >= 5.0


def test_every_unit_ends_above_its_random_start_most_far_above(first_layer):
    # The start is mid-grey noise: as bright as the image stays, so a filter that mostly
    # measures brightness gains less than one that looks for a pattern.
    _, result, _ = first_layer
    alive = result.start_activation > 0
    gain = result.activation[alive] / result.start_activation[alive]
    assert np.all(gain > 1.1) and np.median(gain) > 2.0


def test_the_images_stay_in_the_data_range_and_keep_their_mean(first_layer):
    _, result, _ = first_layer
    assert result.images.shape == (8, 1, 28, 28)
    assert result.images.min() >= 0.0 and result.images.max() <= 1.0
    np.testing.assert_allclose(result.images.mean(axis=(1, 2, 3)), 0.5, atol=0.05)


def test_the_reported_activation_is_the_units_mean_response_to_its_image(trained_shapes_net,
                                                                         first_layer):
    stage, result, _ = first_layer
    out = trained_shapes_net.forward_all(result.images)[stage.output]
    np.testing.assert_allclose(result.activation, out[np.arange(8), np.arange(8)].mean(axis=(1, 2)),
                               rtol=1e-5)


def test_a_class_score_can_be_visualised_too(trained_shapes_net, shapes_data):
    last = len(trained_shapes_net.layers) - 1
    r = explain.visualize(trained_shapes_net, last, shapes_data.input_shape, units=[1, 3],
                          settings=explain.FeatureVisSettings(steps=64))
    logits = trained_shapes_net.forward(shapes_data.x_test)
    assert r.activation[0] > logits[:, 1].mean() and r.activation[1] > logits[:, 3].mean()
    assert np.all(r.activation > r.start_activation)


def test_the_same_seed_gives_the_same_images(tiny):
    settings = explain.FeatureVisSettings(steps=8, seed=3)
    a = explain.visualize(tiny, 1, (1, 10, 10), settings=settings)
    b = explain.visualize(tiny, 1, (1, 10, 10), settings=settings)
    np.testing.assert_array_equal(a.images, b.images)


def test_any_model_can_be_visualised():
    settings = explain.FeatureVisSettings(steps=8)
    assert explain.visualize(mlp(), 2, (1, 8, 8), settings=settings).images.shape == \
        (16, 1, 8, 8)                                        # the hidden dense units
    assert explain.visualize(pooled_cnn(), 2, (1, 8, 8), settings=settings).images.shape == \
        (4, 1, 8, 8)                                         # the pooled channels
    assert explain.visualize(colour_cnn(), 1, (3, 8, 8), settings=settings).images.shape == \
        (3, 3, 8, 8)


def test_bad_units_and_objectives_are_explained(tiny):
    with pytest.raises(ValueError, match=r"has units 0\.\.2"):
        explain.visualize(tiny, 1, (1, 10, 10), units=[3])
    with pytest.raises(ValueError, match="unknown objective 'max'"):
        explain.visualize(tiny, 1, (1, 10, 10),
                          settings=explain.FeatureVisSettings(objective="max"))


def test_the_channel_objective_is_distills_mean_activation(tiny):
    s = explain.FeatureVisSettings(steps=16, objective="channel")
    r = explain.visualize(tiny, 1, (1, 10, 10), settings=s)
    assert np.all(r.activation >= r.start_activation)


def test_stopping_ends_the_ascent(tiny):
    class Stop:
        calls = 0

        def check(self):
            Stop.calls += 1
            if Stop.calls > 3:
                raise InterruptedError

        def progress(self, value):
            pass

    with pytest.raises(InterruptedError):
        explain.visualize(tiny, 1, (1, 10, 10), task=Stop())
    assert Stop.calls == 4
