"""Blur-like kernels on an image in [0, 1] cannot give negative outputs; edge kernels can."""

import numpy as np

from cnnviz.lab.kernels import preset
from cnnviz.lab.output_sign import NON_NEGATIVE, SIGNED, output_bounds, output_sign


def test_a_box_blur_on_an_image_in_0_1_is_non_negative():
    assert output_sign(preset("Box blur", 5)) == NON_NEGATIVE


def test_a_gaussian_bank_of_colour_filters_is_non_negative():
    bank = np.stack([np.stack([preset("Gaussian blur", 3)] * 3)] * 2)  # (F=2, C=3, 3, 3)
    assert output_sign(bank, np.zeros(2)) == NON_NEGATIVE


def test_an_edge_kernel_is_signed():
    assert output_sign(preset("Sobel x")) == SIGNED


def test_a_negative_bias_makes_a_blur_signed():
    assert output_sign(preset("Box blur"), -0.1) == SIGNED


def test_one_signed_filter_in_a_bank_makes_the_maps_signed():
    bank = np.stack([preset("Box blur")[None], preset("Laplacian")[None]])
    assert output_sign(bank, np.zeros(2)) == SIGNED


def test_bounds_of_a_box_blur_are_0_and_1():
    assert np.allclose(output_bounds(preset("Box blur")), (0.0, 1.0))
