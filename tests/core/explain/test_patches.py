"""Top patches: the strongest responses in the data, cut at the receptive field of the summary."""

import numpy as np
import pytest
from explain_models import mlp, pooled_cnn

from cnnviz import explain
from cnnviz.nn.summary import summarize


@pytest.fixture(scope="module")
def second(trained_shapes_net, shapes_data):
    stage = explain.stages(trained_shapes_net, shapes_data.input_shape)[1]
    images = shapes_data.x_test[:120]
    return stage, images, explain.top_patches(trained_shapes_net, stage.output, images)


def test_the_best_patch_is_the_strongest_response_anywhere_in_the_images(trained_shapes_net,
                                                                        second):
    stage, images, top = second
    maps = trained_shapes_net.forward_all(images)[stage.output]          # (N, F, h, w)
    np.testing.assert_allclose(top.activations[:, 0], maps.max(axis=(0, 2, 3)), rtol=1e-6)
    for f in range(maps.shape[1]):
        n, (r, c) = top.images[f, 0], top.positions[f, 0]
        assert maps[n, f, r, c] == pytest.approx(top.activations[f, 0], rel=1e-6)


def test_nine_different_images_per_filter_strongest_first(second):
    _, _, top = second
    assert top.patches.shape[:2] == (16, 9)
    assert all(len(set(row)) == 9 for row in top.images.tolist())
    assert np.all(np.diff(top.activations, axis=1) <= 0)


def test_each_patch_is_the_input_window_the_summary_gives_that_unit(trained_shapes_net, second,
                                                                    shapes_data):
    stage, images, top = second
    row = summarize(trained_shapes_net, shapes_data.input_shape)[stage.output]
    assert top.field == row.receptive_field == top.patches.shape[-1]
    for f in (0, 7, 15):
        n, (r, c) = top.images[f, 3], top.positions[f, 3]
        top_left = (row.offset + r * row.jump, row.offset + c * row.jump)
        padded = np.pad(images[n, 0], row.receptive_field, constant_values=np.nan)
        expected = padded[top_left[0] + row.receptive_field:top_left[0] + 2 * row.receptive_field,
                          top_left[1] + row.receptive_field:top_left[1] + 2 * row.receptive_field]
        np.testing.assert_array_equal(top.patches[f, 3, 0], expected)


def test_the_parts_of_a_window_in_the_padding_are_nan(tiny):
    # the first conv has padding 1: unit (0, 0) sees one row and one column of padding
    image = np.ones((1, 10, 10), np.float32)
    patch = explain.crop_field(tiny, 1, image, 0, 0)[0]
    assert np.isnan(patch[0]).all() and np.isnan(patch[:, 0]).all()
    assert np.all(patch[1:, 1:] == 1.0)


def test_fewer_images_than_patches_gives_one_patch_per_image(tiny, image):
    top = explain.top_patches(tiny, 1, np.repeat(image, 4, axis=0), count=9)
    assert top.patches.shape == (3, 4, 1, 3, 3)


def test_a_layer_without_maps_and_empty_data_are_explained(tiny, image):
    with pytest.raises(ValueError, match="has no maps"):
        explain.top_patches(mlp((1, 10, 10)), 1, image)
    with pytest.raises(ValueError, match="no images"):
        explain.top_patches(tiny, 1, np.zeros((0, 1, 10, 10)))


def test_a_globally_pooled_network_has_patches_before_its_pooling(image):
    top = explain.top_patches(pooled_cnn(), 1, np.repeat(image, 3, axis=0), count=2)
    assert top.patches.shape == (4, 2, 1, 3, 3)
