"""Integrated gradients: completeness, the linear case by hand, baselines, steps."""

import numpy as np
import pytest
from explain_models import colour_cnn, mlp, pooled_cnn

from cnnviz import explain
from cnnviz.nn import Dense, Flatten, Sequential


@pytest.mark.parametrize("kind", explain.BASELINES)
def test_completeness_holds_within_one_percent_at_256_steps(trained_shapes_net, shapes_data,
                                                           kind):
    x = shapes_data.x_test[:1]
    base = explain.make_baseline(x, kind, mean_image=shapes_data.x_train.mean(axis=0))
    k = int(trained_shapes_net.predict(x)[0])
    r = explain.integrated_gradients(trained_shapes_net, x, k, base, steps=256)
    assert abs(r.score_difference) > 0.5                  # a real difference to account for
    assert r.completeness_error < 0.01
    assert r.sum_attributions == pytest.approx(r.score_difference, rel=0.01)


def test_the_scores_are_the_logits_at_the_image_and_the_baseline(trained_shapes_net,
                                                                 shapes_data):
    x = shapes_data.x_test[3:4]
    base = explain.make_baseline(x, "noise", seed=4)
    r = explain.integrated_gradients(trained_shapes_net, x, 2, base, steps=8)
    assert r.score == pytest.approx(float(trained_shapes_net.forward(x)[0, 2]), rel=1e-5)
    assert r.baseline_score == pytest.approx(float(trained_shapes_net.forward(base)[0, 2]),
                                             rel=1e-5)


def test_too_few_steps_show_up_as_a_completeness_gap(trained_shapes_net, shapes_data):
    x = shapes_data.x_test[:1]
    k = int(trained_shapes_net.predict(x)[0])
    few = explain.integrated_gradients(trained_shapes_net, x, k, steps=1)
    many = explain.integrated_gradients(trained_shapes_net, x, k, steps=256)
    assert few.completeness_error > 5 * many.completeness_error


def test_for_a_linear_model_the_attributions_are_input_times_weight():
    dense = Dense(4, 2)
    model = Sequential([Flatten(), dense], seed=3)
    x = np.array([[[0.2, 0.9], [0.5, 0.1]]], np.float32)
    base = np.full_like(x, 0.3)
    r = explain.integrated_gradients(model, x, 1, base, steps=3)
    expected = (x - base).ravel() * dense.weight.data[1]
    np.testing.assert_allclose(r.attributions.ravel(), expected, rtol=1e-5)
    assert r.completeness_error < 1e-5


def test_the_attributions_have_the_images_channels_and_shape():
    x = np.random.default_rng(0).random((3, 8, 8)).astype(np.float32)
    r = explain.integrated_gradients(colour_cnn(), x, 1, steps=16)
    assert r.attributions.shape == (3, 8, 8) and r.baseline.shape == (3, 8, 8)
    for model in (mlp(), pooled_cnn()):
        grey = explain.integrated_gradients(model, x[:1], 0, steps=16)
        assert grey.attributions.shape == (1, 8, 8) and grey.completeness_error < 0.05


def test_the_black_baseline_is_the_low_end_of_the_range():
    x = np.ones((1, 4, 4), np.float32)
    assert np.all(explain.make_baseline(x, "black") == 0.0)
    assert np.all(explain.make_baseline(x, "black", value_range=(-1, 1)) == -1.0)


def test_the_blurred_baseline_keeps_the_brightness_and_loses_the_shape():
    x = np.zeros((1, 16, 16), np.float32)
    x[0, :, 7:9] = 1.0                                      # a sharp vertical bar
    b = explain.make_baseline(x, "blurred")
    assert b.mean() == pytest.approx(x.mean(), rel=0.05)
    assert b.max() < 0.5 and np.abs(np.diff(b[0, 0], axis=-1)).max() < 0.2


def test_the_noise_baseline_is_seeded_and_inside_the_range():
    x = np.zeros((1, 6, 6), np.float32)
    a, b = explain.make_baseline(x, "noise", seed=1), explain.make_baseline(x, "noise", seed=1)
    np.testing.assert_array_equal(a, b)
    assert 0.0 <= a.min() and a.max() <= 1.0 and a.std() > 0.2


def test_the_mean_baseline_is_the_given_mean_image_and_needs_one():
    x = np.zeros((1, 3, 3), np.float32)
    mean = np.full((1, 3, 3), 0.25)
    np.testing.assert_array_equal(explain.make_baseline(x, "mean", mean_image=mean),
                                  np.full((1, 1, 3, 3), 0.25, np.float32))
    with pytest.raises(ValueError, match="needs the mean image"):
        explain.make_baseline(x, "mean")


def test_bad_arguments_are_explained(tiny, image):
    with pytest.raises(ValueError, match="unknown baseline 'white'"):
        explain.make_baseline(image, "white")
    with pytest.raises(ValueError, match="at least 1 step"):
        explain.integrated_gradients(tiny, image, 0, steps=0)
    with pytest.raises(ValueError, match="the baseline has shape"):
        explain.integrated_gradients(tiny, image, 0, baseline=np.zeros((1, 5, 5)))


def test_the_summary_holds_the_numbers_the_command_line_reports(tiny, image):
    s = explain.integrated_gradients(tiny, image, 0, steps=4).summary()
    assert {"sum_attributions", "score_difference", "completeness_error", "steps"} <= set(s)
    assert all(isinstance(v, (int, float)) for v in s.values())


def test_parameter_gradients_are_left_alone(tiny, image):
    for p in tiny.parameters():
        p.grad[...] = 0.25
    explain.integrated_gradients(tiny, image, 0, steps=4)
    assert all(np.all(p.grad == 0.25) for p in tiny.parameters())
