"""Preset kernels (CONCEPTS.md #8) and the kernel editor's edits."""

import numpy as np
import pytest

from cnnviz.lab import kernels


def test_every_concept_preset_is_offered():
    wanted = {"Identity", "Box blur", "Gaussian blur", "Sharpen", "Sobel x", "Sobel y", "Prewitt x",
              "Prewitt y", "Laplacian", "Emboss", "Outline", "Horizontal edge", "Vertical edge"}
    assert wanted <= set(kernels.names())


def test_every_preset_has_a_description():
    assert set(kernels.DESCRIPTIONS) == set(kernels.names())


@pytest.mark.parametrize("size", [1, 3, 5, 9])
def test_blurs_sum_to_one_at_any_size(size):
    for name in ("Box blur", "Gaussian blur"):
        k = kernels.preset(name, size)
        assert k.shape == (size, size)
        assert k.sum() == pytest.approx(1.0)


def test_gaussian_peaks_in_the_centre():
    k = kernels.preset("Gaussian blur", 5)
    assert np.unravel_index(k.argmax(), k.shape) == (2, 2)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
def test_identity_has_a_single_one(size):
    k = kernels.preset("Identity", size)
    assert k.shape == (size, size) and k.sum() == 1.0 and np.count_nonzero(k) == 1


def test_fixed_operators_are_centred_in_larger_grids():
    k = kernels.preset("Sobel x", 7)
    assert k.shape == (7, 7)
    np.testing.assert_array_equal(k[2:5, 2:5], kernels.preset("Sobel x", 3))
    assert np.count_nonzero(k) == np.count_nonzero(kernels.preset("Sobel x", 3))


def test_fixed_operators_keep_their_size_below_three():
    assert kernels.preset("Laplacian", 1).shape == (3, 3)


def test_edge_detectors_sum_to_zero_so_flat_regions_give_zero():
    for name in ("Sobel x", "Sobel y", "Prewitt x", "Laplacian", "Outline", "Horizontal edge"):
        assert kernels.preset(name).sum() == 0


def test_sobel_x_is_positive_where_the_image_gets_brighter_to_the_right():
    ramp = np.tile(np.arange(3.0), (3, 1))  # brighter to the right
    assert (kernels.preset("Sobel x") * ramp).sum() > 0


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="Sobel x"):
        kernels.preset("Sobel z")


def test_normalise_divides_by_the_sum():
    np.testing.assert_allclose(kernels.normalise(np.ones((3, 3))), np.full((3, 3), 1 / 9))


def test_normalise_leaves_zero_sum_kernels_alone():
    sobel = kernels.preset("Sobel x")
    np.testing.assert_array_equal(kernels.normalise(sobel), sobel)


def test_flip_rotates_by_half_a_turn():
    k = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(kernels.flip(k), np.rot90(k, 2))


def test_rotate_turns_sobel_x_into_sobel_y_up_to_sign():
    np.testing.assert_array_equal(np.abs(kernels.rotate(kernels.preset("Sobel x"))),
                                  np.abs(kernels.preset("Sobel y")))


def test_random_kernel_is_reproducible_with_a_generator():
    a = kernels.random_kernel(4, np.random.default_rng(1))
    b = kernels.random_kernel(4, np.random.default_rng(1))
    assert a.shape == (4, 4) and np.array_equal(a, b) and np.abs(a).max() <= 1
