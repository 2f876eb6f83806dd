"""The model-randomisation sanity check (Adebayo et al. 2018) and its rank correlation."""

import numpy as np
import pytest
from explain_models import mlp

from cnnviz import explain


def test_rank_correlation_of_a_map_with_itself_its_reverse_and_a_monotone_copy():
    a = np.random.default_rng(0).random((6, 6))
    assert explain.rank_correlation(a, a) == pytest.approx(1.0)
    assert explain.rank_correlation(a, -a) == pytest.approx(-1.0)
    assert explain.rank_correlation(a, np.exp(5 * a)) == pytest.approx(1.0)


def test_rank_correlation_by_hand_with_ties():
    # ranks of a: 0.5, 0.5, 2, 3; of b: 0, 1, 2, 3 -> Pearson of the ranks
    a, b = np.array([1.0, 1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0, 4.0])
    ra, rb = np.array([0.5, 0.5, 2, 3]), np.array([0, 1, 2, 3.0])
    assert explain.rank_correlation(a, b) == pytest.approx(np.corrcoef(ra, rb)[0, 1])


def test_a_flat_map_has_no_rank_correlation():
    assert np.isnan(explain.rank_correlation(np.zeros(5), np.arange(5.0)))


def test_randomising_layers_changes_only_those_in_a_copy(tiny):
    before = tiny.state_dict()
    copy = explain.randomized(tiny, [3], seed=1)
    after = copy.state_dict()
    assert all(np.array_equal(before[k], v) for k, v in tiny.state_dict().items())
    assert not np.array_equal(before["3.weight"], after["3.weight"])
    assert np.array_equal(before["0.weight"], after["0.weight"])
    assert np.array_equal(before["6.weight"], after["6.weight"])


def test_the_cascade_randomises_from_the_output_down(trained_lines_net):
    x = np.zeros((1, 8, 8), np.float32)
    x[0, 1:7, 3] = 1.0
    result = explain.sanity_check(trained_lines_net, x, 0, seed=2)
    assert [s.layers for s in result.steps] == [[], [4], [0, 4]]     # dense, then the conv too
    assert result.steps[0].correlations == {"saliency": 1.0, "grad-cam": 1.0, "hirescam": 1.0}
    assert result.steps[-1].label == "all layers"


def test_each_steps_maps_are_the_methods_on_the_randomised_model(trained_lines_net):
    x = np.zeros((1, 8, 8), np.float32)
    x[0, 2, 1:7] = 1.0
    result = explain.sanity_check(trained_lines_net, x, 1, seed=5)
    random = explain.randomized(trained_lines_net, [0, 4], seed=5)
    np.testing.assert_allclose(result.steps[-1].maps["saliency"], explain.saliency(random, x, 1))
    cam = explain.grad_cam(random, x, 1)
    np.testing.assert_allclose(result.steps[-1].maps["grad-cam"], cam)
    hires = explain.grad_cam(random, x, 1, variant="hirescam")
    np.testing.assert_allclose(result.steps[-1].maps["hirescam"], hires)
    base = explain.saliency(trained_lines_net, x, 1)
    assert result.steps[-1].correlations["saliency"] == \
        pytest.approx(explain.rank_correlation(base, explain.saliency(random, x, 1)))


def test_saliency_of_a_trained_net_loses_its_map_when_the_weights_are_random(trained_lines_net):
    x = np.zeros((1, 8, 8), np.float32)
    x[0, 1:7, 5] = 1.0
    final = explain.sanity_check(trained_lines_net, x, 0).final_correlations()
    assert final["saliency"] < 0.8


def test_a_network_without_convolutions_gets_saliency_only():
    result = explain.sanity_check(mlp(), np.ones((1, 8, 8), np.float32), 0)
    assert set(result.steps[-1].maps) == {"saliency"} and len(result.steps) == 3
