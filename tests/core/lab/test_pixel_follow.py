"""A pinned pixel follows its place on the input across geometry changes."""

from cnnviz.lab.conv import ConvSettings
from cnnviz.lab.pixel_follow import follow_output_pixel, window_centre

BASE = ConvSettings()


def test_window_centre_of_a_3x3_unpadded_window_is_one_pixel_in():
    assert window_centre(0, 4, 3, BASE) == (1.0, 5.0)


def test_padding_shifts_the_followed_index_by_the_padding():
    new = ConvSettings(padding=1)
    assert follow_output_pixel(100, 300, 3, BASE, 3, new, (512, 512)) == (101, 301)


def test_stride_two_halves_the_followed_index():
    new = ConvSettings(stride=2)
    assert follow_output_pixel(100, 300, 3, BASE, 3, new, (255, 255)) == (50, 150)


def test_a_place_no_new_window_is_centred_on_is_lost():
    assert follow_output_pixel(0, 0, 3, BASE, 9, BASE, (504, 504)) is None
