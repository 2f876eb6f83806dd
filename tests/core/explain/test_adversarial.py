"""FGSM and PGD: the max-norm of the change, the sign step, the smallest flipping epsilon."""

import numpy as np
import pytest
from explain_models import colour_cnn, mlp, pooled_cnn

from cnnviz import explain
from cnnviz.nn import log_softmax


def test_the_fgsm_perturbation_has_max_norm_epsilon(trained_shapes_net, shapes_data):
    x = shapes_data.x_test[:1]
    for eps in (0.01, 0.05, 0.2):
        r = explain.fgsm(trained_shapes_net, x, eps)
        assert r.max_abs_perturbation == pytest.approx(eps, rel=1e-5)
        assert r.image.min() >= 0.0 and r.image.max() <= 1.0


def test_fgsm_moves_each_free_pixel_by_epsilon_against_the_decision(tiny, image):
    eps = 0.05
    r = explain.fgsm(tiny, image, eps, value_range=None)
    direction = explain.fgsm_direction(tiny, image)
    np.testing.assert_allclose(r.perturbation, eps * direction[0], atol=1e-6)
    assert np.count_nonzero(direction) > 0.9 * direction.size


def test_the_loss_gradient_matches_finite_differences(tiny, image):
    tiny.astype(np.float64)
    x = image.astype(np.float64)
    _, grad = explain.loss_gradient(tiny, x, 2)
    eps = 1e-6
    for (i, j) in [(0, 0), (3, 4), (9, 9), (5, 2)]:
        up, down = x.copy(), x.copy()
        up[0, 0, i, j] += eps
        down[0, 0, i, j] -= eps
        numeric = (-log_softmax(tiny.forward(up))[0, 2] + log_softmax(tiny.forward(down))[0, 2])
        assert grad[0, 0, i, j] == pytest.approx(numeric / (2 * eps), abs=1e-6)


def test_a_large_enough_fgsm_step_flips_the_decision(trained_shapes_net, shapes_data):
    x = shapes_data.x_test[:1]
    r = explain.fgsm(trained_shapes_net, x, 0.3)
    assert r.original_prediction == int(trained_shapes_net.predict(x)[0])
    assert r.flipped and r.prediction != r.original_prediction
    assert explain.fgsm(trained_shapes_net, x, 0.0).flipped is False


def test_pgd_stays_in_the_epsilon_box_and_the_value_range(trained_shapes_net, shapes_data):
    x = shapes_data.x_test[1:2]
    r = explain.pgd(trained_shapes_net, x, 0.04, steps=5)
    assert r.max_abs_perturbation <= 0.04 + 1e-6
    assert r.image.min() >= 0.0 and r.image.max() <= 1.0


def test_one_pgd_step_of_size_epsilon_is_fgsm(tiny, image):
    one = explain.pgd(tiny, image, 0.03, steps=1, step_size=0.03)
    np.testing.assert_allclose(one.image, explain.fgsm(tiny, image, 0.03).image, atol=1e-7)


def test_pgd_flips_at_least_as_easily_as_fgsm(trained_shapes_net, shapes_data):
    x = shapes_data.x_test[2:3]
    fgsm = explain.smallest_flipping_epsilon(trained_shapes_net, x, "fgsm")
    pgd = explain.smallest_flipping_epsilon(trained_shapes_net, x, "pgd", pgd_steps=8)
    assert pgd is not None and (fgsm is None or pgd <= fgsm * 1.05)


def test_the_smallest_flipping_epsilon_flips_and_a_hair_less_does_not(trained_shapes_net,
                                                                      shapes_data):
    x = shapes_data.x_test[:1]
    eps = explain.smallest_flipping_epsilon(trained_shapes_net, x, tolerance=1e-4)
    assert eps is not None and 0 < eps < 0.5
    assert explain.fgsm(trained_shapes_net, x, eps).flipped
    assert not explain.fgsm(trained_shapes_net, x, eps - 2e-4).flipped


def test_no_flip_within_reach_gives_none(trained_shapes_net, shapes_data):
    x = shapes_data.x_test[:1]
    assert explain.smallest_flipping_epsilon(trained_shapes_net, x, max_epsilon=1e-4) is None


def test_comparing_two_models_attacks_each_on_the_same_image(trained_lines_net):
    x = np.zeros((1, 8, 8), np.float32)
    x[0, 1:7, 3] = 1.0
    models = {"CNN": trained_lines_net, "MLP": mlp(classes=2)}
    found = explain.compare_robustness(models, x, [0.0, 0.1, 0.3])
    assert set(found) == {"CNN", "MLP"}
    for name, row in found.items():
        assert row["predictions"][0] == row["prediction"]
        assert len(row["confidence"]) == 3
        smallest = row["smallest_epsilon"]
        assert smallest is None or explain.fgsm(models[name], x, smallest).flipped


def test_a_model_that_cannot_read_the_image_is_named(trained_lines_net):
    x = np.zeros((1, 8, 8), np.float32)
    with pytest.raises(ValueError, match="MLP on 10x10 cannot read this image"):
        explain.compare_robustness({"CNN": trained_lines_net,
                                    "MLP on 10x10": mlp((1, 10, 10))}, x, [0.1])


def test_attacks_work_on_any_model_and_on_colour(image):
    colour = np.random.default_rng(0).random((3, 8, 8)).astype(np.float32)
    assert explain.fgsm(colour_cnn(), colour, 0.1).image.shape == (3, 8, 8)
    assert explain.pgd(pooled_cnn(), image[0], 0.1, steps=2).image.shape == (1, 10, 10)
    assert explain.fgsm(mlp((1, 10, 10)), image, 0.1).max_abs_perturbation == \
        pytest.approx(0.1, rel=1e-5)


def test_bad_attack_arguments_are_explained(tiny, image):
    with pytest.raises(ValueError, match="epsilon must be 0 or a positive number"):
        explain.fgsm(tiny, image, -0.1)
    with pytest.raises(ValueError, match="at least 1 step"):
        explain.pgd(tiny, image, 0.1, steps=0)
    with pytest.raises(ValueError, match="unknown attack 'bim'"):
        explain.smallest_flipping_epsilon(tiny, image, "bim")
