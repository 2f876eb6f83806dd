"""Occlusion sensitivity: the score drop of every patch position, against a brute-force loop."""

import numpy as np
import pytest
from explain_models import colour_cnn, mlp

from cnnviz import explain
from cnnviz.nn import softmax


def brute_force_drops(model, x, k, patch, stride, fill, score):
    """The definition, one occluded copy and one forward pass at a time."""
    def value(img):
        out = model.forward(img)[0].astype(np.float64)
        return softmax(out)[k] if score == "probability" else out[k]

    _, _, h, w = x.shape
    rows = list(range(0, h - patch + 1, stride))
    cols = list(range(0, w - patch + 1, stride))
    rows += [h - patch] if rows[-1] != h - patch else []
    cols += [w - patch] if cols[-1] != w - patch else []
    base = value(x)
    drops = np.zeros((len(rows), len(cols)))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            hidden = x.copy()
            hidden[0, :, r:r + patch, c:c + patch] = fill
            drops[i, j] = base - value(hidden)
    return drops


@pytest.mark.parametrize("score", ["probability", "logit"])
def test_occlusion_matches_a_brute_force_loop(tiny, image, score):
    result = explain.occlusion(tiny, image, 1, patch=3, stride=2, fill=0.5, score=score)
    np.testing.assert_allclose(result.drops, brute_force_drops(tiny, image, 1, 3, 2, 0.5, score),
                               rtol=1e-5, atol=1e-7)


def test_occlusion_matches_the_loop_on_a_trained_net_with_many_positions(trained_lines_net,
                                                                         lines_data):
    x = lines_data.x_test[:1]
    result = explain.occlusion(trained_lines_net, x, 0, patch=2, stride=1, fill=0.0)
    assert result.drops.shape == (7, 7)
    np.testing.assert_allclose(result.drops,
                               brute_force_drops(trained_lines_net, x, 0, 2, 1, 0.0,
                                                 "probability"), atol=1e-6)


def test_patch_positions_reach_the_last_pixels_even_when_the_stride_overshoots():
    assert explain.window_starts(10, 4, 3).tolist() == [0, 3, 6]
    assert explain.window_starts(10, 4, 4).tolist() == [0, 4, 6]
    assert explain.window_starts(4, 4, 2).tolist() == [0]


def test_each_heatmap_pixel_is_the_mean_drop_of_the_patches_covering_it(tiny, image):
    r = explain.occlusion(tiny, image, 0, patch=4, stride=3)
    # patches start at rows and columns 0, 3 and 6 and cover 4 pixels: pixel (4, 0) lies only
    # in the patch at row 3, column 0
    assert r.heatmap[4, 0] == pytest.approx(r.drops[1, 0])
    # pixel (3, 3) is covered by rows 0 and 3 and columns 0 and 3: four patches
    assert r.heatmap[3, 3] == pytest.approx(r.drops[:2, :2].mean())


def test_hiding_the_line_costs_its_class_the_most(trained_lines_net):
    x = np.zeros((1, 1, 8, 8), np.float32)
    x[0, 0, 1:7, 5] = 1.0                                   # a vertical line in column 5
    r = explain.occlusion(trained_lines_net, x, 0, patch=2, stride=1, fill=0.0)
    assert r.base_score > 0.5
    assert set(np.unravel_index(r.heatmap.argmax(), r.heatmap.shape)[1:]) <= {4, 5, 6}


def test_a_patch_larger_than_the_image_is_explained(tiny, image):
    with pytest.raises(ValueError, match="12-pixel patch does not fit"):
        explain.occlusion(tiny, image, 0, patch=12)


def test_an_unknown_score_is_explained(tiny, image):
    with pytest.raises(ValueError, match="'probability' or 'logit'"):
        explain.occlusion(tiny, image, 0, score="margin")


def test_occlusion_works_without_convolutions_and_on_colour_images():
    grey = np.random.default_rng(1).random((1, 8, 8)).astype(np.float32)
    assert explain.occlusion(mlp(), grey, 2, patch=3, stride=3).heatmap.shape == (8, 8)
    colour = np.random.default_rng(1).random((3, 8, 8)).astype(np.float32)
    model = colour_cnn()
    r = explain.occlusion(model, colour, 0, patch=4, stride=4)
    np.testing.assert_allclose(r.drops, brute_force_drops(model, colour[None], 0, 4, 4, 0.5,
                                                          "probability"), atol=1e-6)


class StopAfter:
    """A task that lets ``n`` checks pass, then stops the work (like the GUI's Stop button)."""

    def __init__(self, n):
        self.n, self.reports = n, []

    def check(self):
        self.n -= 1
        if self.n < 0:
            raise InterruptedError("stopped")

    def progress(self, value):
        self.reports.append(value)


def test_occlusion_reports_progress_and_stops_when_asked(tiny, image, monkeypatch):
    from cnnviz.explain import occlude as module

    monkeypatch.setattr(module, "BATCH", 10)
    task = StopAfter(2)
    with pytest.raises(InterruptedError):
        explain.occlusion(tiny, image, 0, patch=2, stride=1, task=task)  # 81 positions
    assert task.reports == [10 / 81, 20 / 81]
