"""Resizing a kernel keeps its centre, and a preset comes back whole at any size it has."""

import numpy as np
import pytest

from cnnviz.lab import kernels
from cnnviz.lab.kernels import centre_index, preset_at, resize_kernel

SIZES = range(1, 10)


def test_the_centre_of_an_even_grid_is_the_cell_up_and_left_of_the_middle():
    assert [centre_index(s) for s in (1, 2, 3, 4, 5)] == [0, 0, 1, 1, 2]


@pytest.mark.parametrize("old", SIZES)
@pytest.mark.parametrize("new", SIZES)
def test_resizing_moves_the_centre_weight_to_the_new_centre(old, new):
    kernel = np.arange(old * old, dtype=float).reshape(old, old)
    resized = resize_kernel(kernel, new)
    assert resized.shape == (new, new)
    assert resized[centre_index(new), centre_index(new)] == kernel[centre_index(old),
                                                                   centre_index(old)]


@pytest.mark.parametrize("old", SIZES)
@pytest.mark.parametrize("new", SIZES)
def test_growing_then_shrinking_back_gives_the_kernel_itself(old, new):
    kernel = np.arange(old * old, dtype=float).reshape(old, old) + 1
    if new >= old:
        np.testing.assert_array_equal(resize_kernel(resize_kernel(kernel, new), old), kernel)


def test_sobel_cropped_to_2x2_keeps_its_centre_not_its_top_left_corner():
    sobel = kernels.preset("Sobel x", 3)
    np.testing.assert_array_equal(resize_kernel(sobel, 2), sobel[1:3, 1:3])


def test_sobel_padded_to_4x4_has_its_centre_on_the_grid_centre():
    sobel = kernels.preset("Sobel x", 3)
    grown = resize_kernel(sobel, 4)
    np.testing.assert_array_equal(grown[0:3, 0:3], sobel)
    assert np.count_nonzero(grown[3]) == 0 and np.count_nonzero(grown[:, 3]) == 0


def test_resize_keeps_leading_axes():
    bank = np.ones((2, 3, 3, 3))
    assert resize_kernel(bank, 5).shape == (2, 3, 5, 5)


@pytest.mark.parametrize("name", kernels.names())
@pytest.mark.parametrize("size", SIZES)
def test_preset_at_is_exactly_size_by_size(name, size):
    assert preset_at(name, size).shape == (size, size)


@pytest.mark.parametrize("name", kernels.names())
def test_preset_at_3_is_the_preset(name):
    np.testing.assert_array_equal(preset_at(name, 3), kernels.preset(name, 3))


def test_a_fixed_preset_larger_than_3_is_itself_around_the_centre():
    for size in (4, 5, 9):
        k = preset_at("Sobel x", size)
        c = centre_index(size)
        np.testing.assert_array_equal(k[c - 1:c + 2, c - 1:c + 2], kernels.preset("Sobel x"))
        assert np.count_nonzero(k) == 6


def test_preset_at_refuses_an_unknown_name_and_a_bad_size():
    with pytest.raises(ValueError, match="unknown kernel preset"):
        preset_at("Sobel z", 3)
    with pytest.raises(ValueError, match="between 1 and 15"):
        preset_at("Sobel x", 0)
