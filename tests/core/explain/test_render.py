"""Qt-free pictures: colour tables, overlays, enlargement and grids."""

import numpy as np
import pytest

from cnnviz.explain import render


def test_the_diverging_map_puts_zero_in_the_middle_and_signs_apart():
    rgb = render.colourise(np.array([[-2.0, 0.0, 1.0]]), render.DIVERGING)
    blue, middle, red = rgb[0]
    np.testing.assert_array_equal(middle, np.round(render.DIVERGING[8]).astype(np.uint8))
    assert blue[2] > blue[0] and red[0] > red[2]


def test_grey_runs_from_black_to_white_and_nan_is_white():
    rgb = render.colourise(np.array([[0.0, 0.5, 1.0, np.nan]]), render.GREY, (0.0, 1.0))
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[0, 2].tolist() == [255, 255, 255]
    assert rgb[0, 1].tolist() == [128, 128, 128] and rgb[0, 3].tolist() == [255, 255, 255]


def test_an_image_in_colour_keeps_its_channels():
    image = np.zeros((3, 2, 2))
    image[0] = 1.0
    assert render.image_rgb(image)[0, 0].tolist() == [255, 0, 0]
    assert render.image_rgb(np.ones((1, 2, 2)))[0, 0].tolist() == [255, 255, 255]


def test_an_overlay_of_no_heat_darkens_and_of_full_heat_shows_the_top_colour():
    image = np.ones((1, 2, 2))
    heat = np.array([[0.0, 1.0], [0.0, 0.0]])
    out = render.overlay(image, heat, alpha=1.0)
    assert out[0, 1].tolist() == np.round(render.HEAT[-1]).astype(int).tolist()
    assert out[0, 0].tolist() == np.round(render.HEAT[0]).astype(int).tolist()


def test_enlarge_and_grid_sizes():
    a = np.zeros((2, 3, 3), np.uint8)
    assert render.enlarge(a, 4).shape == (8, 12, 3)
    g = render.grid([a, np.zeros((4, 1, 3), np.uint8), a], columns=2, gap=1)
    assert g.shape == (2 * 4 + 1, 2 * 3 + 1, 3)
    with pytest.raises(ValueError, match="no pictures"):
        render.grid([])


def test_a_map_of_the_wrong_rank_is_refused():
    with pytest.raises(ValueError, match="must be 2-D"):
        render.colourise(np.zeros((2, 2, 2)))
