"""Three significant digits, one format per column, scientific only at the extremes."""

import numpy as np

from cnnviz.lab.number_format import format_column, format_number


def test_a_sum_keeps_three_significant_digits():
    assert format_number(0.59504) == "0.595"


def test_large_and_ordinary_numbers_stay_fixed():
    assert (format_number(12.345), format_number(-1234.5)) == ("12.3", "-1234")


def test_only_very_small_or_very_large_numbers_turn_scientific():
    assert (format_number(0.000123456), format_number(123456.0)) == ("1.23e-04", "1.23e+05")


def test_a_column_shares_one_number_of_decimals():
    texts = format_column([0.5, 0.0123, 2.0])
    assert list(texts) == ["0.5000", "0.0123", "2.0000"]


def test_products_of_a_9x9_gaussian_are_never_shown_as_zero():
    from cnnviz.lab.kernels import preset

    products = preset("Gaussian blur", 9) * 0.5
    texts = format_column(products)
    assert all(float(t) != 0 for t in texts.ravel())


def test_a_tiny_negative_never_reads_minus_zero():
    assert list(format_column([-1e-9, 1.0])) == ["0.0000", "1.0000"]


def test_zeros_and_non_finite_values_have_a_text():
    assert list(format_column([0.0, np.nan, np.inf])) == ["0", "nan", "inf"]
