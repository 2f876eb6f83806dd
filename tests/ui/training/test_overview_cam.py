"""The Inspect overview's class-activation map: Grad-CAM, or HiResCAM when Grad-CAM is blank."""

from __future__ import annotations

import numpy as np

from cnnviz import explain
from cnnviz.nn import Conv2D, Dense, Flatten, ReLU, Sequential
from ui.training.inspect.overview_view import overview_task

X = np.array([[[[1.0, 2.0], [3.0, 4.0]]]], np.float32)  # (1, 1, 2, 2), all positive


def _net(class0_weights):
    """One 1x1 filter (x1) on a 2x2 image, a ReLU, and class 0 reading the four map pixels."""
    conv, dense = Conv2D(1, 1, 1), Dense(4, 2)
    model = Sequential([conv, ReLU(), Flatten(), dense], seed=None)
    conv.weight.data[:] = 1.0
    conv.bias.data[:] = 0.0
    dense.weight.data[:] = 0.0
    dense.weight.data[0] = class0_weights
    dense.bias.data[:] = 0.0
    return model


def test_a_blank_grad_cam_is_replaced_by_hirescam_which_finds_the_evidence():
    # The averaged gradient (1 - 1 - 1 - 1) / 4 is negative, so Grad-CAM is zero everywhere,
    # although the top-left pixel is evidence for class 0; HiResCAM keeps it.
    model = _net([1.0, -1.0, -1.0, -1.0])
    assert not explain.grad_cam(model, X, 0).max() > 0
    result = overview_task(explain.NO_TASK, model, X, 0)
    assert result["cam_variant"] == "HiResCAM"
    np.testing.assert_allclose(result["grad_cam"], [[1.0, 0.0], [0.0, 0.0]])


def test_a_grad_cam_with_evidence_stays_grad_cam():
    model = _net([1.0, 1.0, 0.0, 0.0])
    result = overview_task(explain.NO_TASK, model, X, 0)
    assert result["cam_variant"] == "Grad-CAM"
    np.testing.assert_allclose(result["grad_cam"], explain.grad_cam(model, X, 0))
