"""Synthetic patterns: grey float32 squares in [0, 1] whose structure matches their names."""

import numpy as np
import pytest

from cnnviz.lab import patterns
from cnnviz.lab.patterns import PATTERNS, impulse_position, pattern


@pytest.mark.parametrize("name", list(PATTERNS))
def test_every_pattern_is_a_square_float32_image_in_unit_range(name):
    img = pattern(name, 64)
    assert img.shape == (64, 64)
    assert img.dtype == np.float32
    assert img.min() >= 0.0 and img.max() <= 1.0
    assert img.max() > img.min(), "a pattern must not be blank"


def test_required_patterns_are_offered():
    for name in ["Vertical edge", "Checkerboard", "Lines", "Disc", "Single bright pixel (impulse)"]:
        assert name in PATTERNS


def test_every_pattern_has_a_description():
    assert set(patterns.DESCRIPTIONS) == set(PATTERNS)


def test_vertical_edge_changes_only_along_columns():
    img = pattern("Vertical edge", 32)
    assert np.all(img == img[0])  # every row identical
    assert img[0, 0] == 0.0 and img[0, -1] == 1.0
    assert np.count_nonzero(np.diff(img[0])) == 1


def test_checkerboard_neighbouring_squares_differ():
    img = patterns.checkerboard(64, squares=8)
    assert img[0, 0] != img[0, 8] and img[0, 0] != img[8, 0] and img[0, 0] == img[8, 8]
    assert img.mean() == pytest.approx(0.5)


def test_impulse_has_exactly_one_bright_pixel_at_the_centre():
    img = pattern("Single bright pixel (impulse)", 33)
    assert np.count_nonzero(img) == 1
    assert img[impulse_position(33)] == 1.0
    assert impulse_position(33) == (16, 16)


def test_disc_is_bright_inside_dark_outside_and_round():
    img = patterns.disc(100, radius=30)
    assert img[50, 50] == 1.0 and img[0, 0] == 0.0
    area = img.sum()
    assert area == pytest.approx(np.pi * 30**2, rel=0.02)
    assert np.allclose(img, img.T) and np.allclose(img, img[::-1])


def test_lines_quadrants_hold_different_orientations():
    img = patterns.lines(64)
    top_left, top_right = img[:32, :32], img[:32, 32:]
    # horizontal lines: rows are uniform; vertical lines: columns are uniform
    assert np.all(top_left == top_left[:, :1]) and top_left.any()
    assert np.all(top_right == top_right[:1, :]) and top_right.any()
    bottom_left = img[32:, :32]
    assert not np.all(bottom_left == bottom_left[:, :1]) and bottom_left.any()


def test_ramp_rises_linearly_left_to_right():
    img = patterns.ramp(16)
    assert np.allclose(np.diff(img[0]), 1 / 15, atol=1e-6)


def test_grid_has_horizontal_and_vertical_lines():
    img = patterns.grid(64, spacing=8)
    assert np.all(img[4, :] == 1.0) and np.all(img[:, 4] == 1.0)
    assert img[0, 0] == 0.0


@pytest.mark.parametrize("size", [0, 3, 10_000, 2.5, "64", True])
def test_bad_sizes_are_refused_with_a_message(size):
    with pytest.raises(ValueError, match="pattern size"):
        pattern("Disc", size)


def test_unknown_pattern_name_lists_the_choices():
    with pytest.raises(ValueError, match="Checkerboard"):
        pattern("Plaid", 32)
