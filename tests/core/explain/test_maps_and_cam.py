"""Explanations: activation maps per layer, saliency, Grad-CAM (PyTorch as oracle when present)."""

import numpy as np
import pytest
from explain_models import colour_cnn, mlp, pooled_cnn

from cnnviz import explain
from cnnviz.nn import Conv2D, Dense, Flatten, ReLU, Sequential
from cnnviz.nn import architecture as arch


def test_activation_maps_give_every_layers_output_for_the_image(tiny, image):
    maps = explain.activation_maps(tiny, image)
    assert [a.shape for _, a in maps] == [(3, 10, 10), (3, 10, 10), (3, 5, 5), (4, 3, 3),
                                          (4, 3, 3), (36,), (3,)]
    assert maps[0][0].startswith("Conv") and maps[-1][1].shape == (3,)
    np.testing.assert_allclose(maps[-1][1], tiny.forward(image)[0], rtol=1e-5)


def test_activation_maps_accept_a_plain_grey_image(tiny, image):
    assert explain.activation_maps(tiny, image[0, 0])[0][1].shape == (3, 10, 10)


def test_a_batch_is_refused_with_a_message(tiny):
    with pytest.raises(ValueError, match="one image at a time"):
        explain.saliency(tiny, np.zeros((2, 1, 10, 10)), 0)


def test_saliency_is_the_absolute_gradient_of_the_class_score(tiny, image):
    tiny.astype(np.float64)
    x = image.astype(np.float64)
    sal = explain.saliency(tiny, x, 1)
    eps, numeric = 1e-6, np.zeros((10, 10))
    for i in range(10):
        for j in range(10):
            up, down = x.copy(), x.copy()
            up[0, 0, i, j] += eps
            down[0, 0, i, j] -= eps
            numeric[i, j] = (tiny.forward(up)[0, 1] - tiny.forward(down)[0, 1]) / (2 * eps)
    np.testing.assert_allclose(sal, np.abs(numeric), atol=1e-6)


def test_saliency_leaves_the_parameter_gradients_alone(tiny, image):
    for p in tiny.parameters():
        p.grad[...] = 0.5
    explain.saliency(tiny, image, 0)
    explain.grad_cam(tiny, image, 0)
    assert all(np.all(p.grad == 0.5) for p in tiny.parameters())


def test_grad_cam_has_the_input_size_and_lies_in_unit_range(tiny, image):
    cam = explain.grad_cam(tiny, image, 2)
    assert cam.shape == (10, 10) and cam.min() >= 0.0 and cam.max() <= 1.0
    assert cam.max() in (0.0, 1.0)


def test_grad_cam_is_none_for_a_network_without_conv_layers(image):
    mlp = arch.build_model([{"type": "flatten"}, {"type": "dense", "out_features": 3}],
                           (1, 10, 10), 3)
    assert explain.grad_cam(mlp, image, 0) is None


def test_an_out_of_range_class_is_explained(tiny, image):
    with pytest.raises(ValueError, match="class index 3 is out of range"):
        explain.grad_cam(tiny, image, 3)


def test_grad_cam_lights_up_the_line_a_trained_net_looks_at(trained_lines_net):
    x = np.zeros((1, 1, 8, 8), np.float32)
    x[0, 0, 1:7, 3] = 1.0                                   # a vertical line in column 3
    cam = explain.grad_cam(trained_lines_net, x, 0)
    near, far = cam[:, 2:6].mean(), np.concatenate([cam[:, :2], cam[:, 6:]], 1).mean()
    assert near > 3 * far


def test_saliency_of_a_trained_net_is_largest_near_the_line(trained_lines_net):
    x = np.zeros((1, 1, 8, 8), np.float32)
    x[0, 0, 2, 1:7] = 1.0                                   # a horizontal line in row 2
    sal = explain.saliency(trained_lines_net, x, 1)
    assert sal[1:4].mean() > sal[5:].mean()


def _one_by_one_net():
    """Two 1x1 filters (x1 and x0.5) on a 2x2 image, a ReLU, and two class scores.

    Class 0 reads the top-left pixel of map 0 (weight 1) and the bottom-right pixel of map 1
    (weight 2); class 1 reads the top-left pixel of map 0 with weight -1.
    """
    conv, dense = Conv2D(1, 2, 1), Dense(8, 2)
    model = Sequential([conv, ReLU(), Flatten(), dense], seed=None)
    conv.weight.data[:, 0, 0, 0] = [1.0, 0.5]
    conv.bias.data[:] = 0.0
    dense.weight.data[:] = 0.0
    dense.weight.data[0, [0, 7]] = [1.0, 2.0]   # features 0..3 are map 0, 4..7 map 1
    dense.weight.data[1, 0] = -1.0
    dense.bias.data[:] = 0.0
    return model


def test_grad_cam_map_by_hand_on_a_tiny_net():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    # maps A0 = x, A1 = x / 2 (all positive, so the ReLU passes them and their gradients);
    # d score0 / d A0 = [[1, 0], [0, 0]], mean 1/4; d score0 / d A1 = [[0, 0], [0, 2]], mean 1/2
    # cam = relu(A0 / 4 + A1 / 2) = [[0.5, 1], [1.5, 2]], taken after the ReLU (layer 1)
    cam, layer = explain.grad_cam_map(_one_by_one_net(), x, 0)
    assert layer == 1
    np.testing.assert_allclose(cam, [[0.5, 1.0], [1.5, 2.0]])
    # 1x1 filters keep every map pixel over its own input pixel; scaled so the maximum is 1
    np.testing.assert_allclose(explain.grad_cam(_one_by_one_net(), x, 0),
                               [[0.25, 0.5], [0.75, 1.0]])


def test_grad_cam_by_hand_is_zero_when_the_evidence_is_only_negative():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    # d score1 / d A0 has mean -1/4 and map 1 is unused: relu(-A0 / 4) = 0 everywhere
    cam, _ = explain.grad_cam_map(_one_by_one_net(), x, 1)
    np.testing.assert_array_equal(cam, np.zeros((2, 2)))
    np.testing.assert_array_equal(explain.grad_cam(_one_by_one_net(), x, 1), np.zeros((2, 2)))


def test_grad_cam_by_hand_places_a_valid_convs_pixels_at_their_window_centres():
    conv, dense = Conv2D(1, 1, 2), Dense(4, 1)
    model = Sequential([conv, Flatten(), dense], seed=None)
    conv.weight.data[:] = 1.0
    conv.bias.data[:] = 0.0
    dense.weight.data[:] = 1.0
    dense.bias.data[:] = 0.0
    x = np.zeros((3, 3), np.float32)
    x[2, 2] = 4.0
    # the 2x2 map is [[0, 0], [0, 4]] and every weight of the score's gradient is 1, so cam = map;
    # map pixel (i, j) sits at input (i + 0.5, j + 0.5), so input pixel (1, 1) gets the mean of
    # all four map pixels, (1, 2) the mean of the right column, (2, 2) the last map pixel
    cam, layer = explain.grad_cam_map(model, x, 0)
    assert layer == 0
    np.testing.assert_allclose(cam, [[0, 0], [0, 4]])
    np.testing.assert_allclose(explain.grad_cam(model, x, 0),
                               [[0, 0, 0], [0, 0.25, 0.5], [0, 0.5, 1.0]])


def test_grad_cam_map_matches_pytorch(tiny, image):
    torch = pytest.importorskip("torch")
    conv1, _, _, conv2, _, _, dense = tiny.layers
    t = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(),
                            torch.nn.MaxPool2d(2), torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(),
                            torch.nn.Flatten(), torch.nn.Linear(36, 3))
    with torch.no_grad():
        for tl, ours in ((t[0], conv1), (t[3], conv2), (t[6], dense)):
            tl.weight.copy_(torch.from_numpy(ours.weight.data))
            tl.bias.copy_(torch.from_numpy(ours.bias.data))
    feats = t[:5](torch.from_numpy(image))
    feats.retain_grad()
    t[5:](feats)[0, 1].backward()
    weights = feats.grad[0].mean(dim=(1, 2))
    expected = torch.relu((weights[:, None, None] * feats[0]).sum(0)).detach().numpy()
    cam, layer = explain.grad_cam_map(tiny, image, 1)
    assert layer == 4
    np.testing.assert_allclose(cam, expected, rtol=1e-4, atol=1e-6)


# ----- Grad-CAM at every conv stage ------------------------------------------------------------
def test_grad_cam_all_gives_each_conv_stage_the_map_grad_cam_computes_there(tiny, image):
    found = explain.grad_cam_all(tiny, image, 2)
    assert [(c.layer, c.name) for c in found] == [(1, "Conv2D 3@3x3 pad 1"), (4, "Conv2D 4@3x3")]
    for c in found:
        coarse, layer = explain.grad_cam_map(tiny, image, 2, layer=c.layer)
        assert layer == c.layer
        np.testing.assert_allclose(c.coarse, coarse, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(c.upsampled, explain.grad_cam(tiny, image, 2, layer=c.layer),
                                   rtol=1e-5, atol=1e-7)


def test_grad_cam_coarsens_with_depth_but_always_covers_the_input(tiny, image):
    found = explain.grad_cam_all(tiny, image, 0)
    assert [c.coarse.shape for c in found] == [(10, 10), (3, 3)]
    assert all(c.upsampled.shape == (10, 10) for c in found)


def test_the_last_stage_of_grad_cam_all_is_plain_grad_cam(trained_lines_net):
    x = np.zeros((1, 8, 8), np.float32)
    x[0, 1:7, 3] = 1.0
    np.testing.assert_allclose(explain.grad_cam_all(trained_lines_net, x, 0)[-1].upsampled,
                               explain.grad_cam(trained_lines_net, x, 0))


def test_grad_cam_all_is_empty_without_convolutions(image):
    assert explain.grad_cam_all(mlp((1, 10, 10)), image, 0) == []


def test_grad_cam_at_a_flat_layer_is_explained(tiny, image):
    with pytest.raises(ValueError, match="has no feature maps"):
        explain.grad_cam_map(tiny, image, 0, layer=5)


# ----- any model: no convolutions, a layer type of its own, colour ------------------------------
def test_stages_are_found_by_what_layers_do_not_by_their_type():
    assert explain.stages(mlp(), (1, 8, 8)) == []
    assert [tuple(s)[:2] for s in explain.stages(pooled_cnn(), (1, 8, 8))] == [(0, 1)]


def test_saliency_and_grad_cam_work_on_a_globally_pooled_network(image):
    model = pooled_cnn()
    assert explain.saliency(model, image, 1).shape == (10, 10)
    cam = explain.grad_cam(model, image, 1)
    assert cam.shape == (10, 10) and 0.0 <= cam.min() and cam.max() <= 1.0


def test_saliency_of_a_colour_image_is_the_largest_gradient_over_its_channels():
    model = colour_cnn()
    x = np.random.default_rng(3).random((3, 8, 8)).astype(np.float32)
    assert explain.saliency(model, x, 0).shape == (8, 8)
    model.astype(np.float64)
    eps, x64 = 1e-6, x.astype(np.float64)
    numeric = np.zeros((3, 8, 8))
    for c in range(3):
        for i, j in [(0, 0), (4, 5)]:
            up, down = x64.copy(), x64.copy()
            up[c, i, j] += eps
            down[c, i, j] -= eps
            numeric[c, i, j] = (model.forward(up[None])[0, 0] - model.forward(down[None])[0, 0])
    numeric /= 2 * eps
    sal = explain.saliency(model, x64, 0)
    for i, j in [(0, 0), (4, 5)]:
        assert sal[i, j] == pytest.approx(np.abs(numeric[:, i, j]).max(), abs=1e-6)


# ----- HiResCAM: gradient times map, element by element -----------------------------------------
def test_hirescam_by_hand_on_a_tiny_net():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    # dS0/dA0 = [[1, 0], [0, 0]] times A0 = x; dS0/dA1 = [[0, 0], [0, 2]] times A1 = x / 2
    cam, layer = explain.grad_cam_map(_one_by_one_net(), x, 0, variant="hirescam")
    assert layer == 1
    np.testing.assert_allclose(cam, [[1.0, 0.0], [0.0, 4.0]])


def test_hirescam_behind_a_linear_head_adds_up_to_the_score_without_its_bias():
    conv, dense = Conv2D(1, 3, 3, padding=1), Dense(3 * 36, 2)
    model = Sequential([conv, ReLU(), Flatten(), dense], seed=4)
    model.astype(np.float64)
    x = np.random.default_rng(1).random((1, 1, 6, 6))
    outs = model.forward_all(x)
    d = np.zeros((1, 2))
    d[0, 1] = 1.0
    grads = model.backward_all(d)[2][0]
    contributions = (grads * outs[1][0]).sum()
    assert contributions == pytest.approx(outs[-1][0, 1] - dense.bias.data[1])
    cam, _ = explain.grad_cam_map(model, x, 1, variant="hirescam")
    np.testing.assert_allclose(cam, np.maximum((grads * outs[1][0]).sum(axis=0), 0))


def test_hirescam_finds_evidence_where_averaged_gradients_cancel(trained_shapes_net,
                                                                 shapes_data):
    x = shapes_data.x_test[:40]
    empty = {"grad-cam": 0, "hirescam": 0}
    for i in range(len(x)):
        k = int(trained_shapes_net.predict(x[i:i + 1])[0])
        for variant in empty:
            cam = explain.grad_cam(trained_shapes_net, x[i:i + 1], k, variant=variant)
            empty[variant] += int(cam.max() == 0)
    assert empty["hirescam"] == 0 and empty["hirescam"] <= empty["grad-cam"]


def test_an_unknown_cam_variant_is_explained(tiny, image):
    with pytest.raises(ValueError, match="unknown CAM variant 'gradcam\\+\\+'"):
        explain.grad_cam(tiny, image, 0, variant="gradcam++")
