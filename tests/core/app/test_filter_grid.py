"""The filter thumbnails' layout: as big as the area allows, whatever its shape."""

from __future__ import annotations

import pytest

from cnnviz.filter_grid import grid_for


def test_four_filters_in_a_wide_area_go_in_one_row():
    assert grid_for(4, 800, 200, 3, 3).columns == 4


def test_four_filters_in_a_tall_area_go_in_one_column():
    assert grid_for(4, 200, 800, 3, 3).columns == 1


def test_four_filters_in_a_square_area_make_a_2x2_grid():
    grid = grid_for(4, 400, 400, 3, 3)
    assert (grid.columns, grid.rows) == (2, 2)


def test_the_thumbnails_fill_the_limiting_side():
    grid = grid_for(4, 400, 400, 3, 3)  # 2 x (3 + 1) - 1 = 7 weights across 400 px
    assert grid.scale == pytest.approx(400 / 7)
    assert grid.thumb_width == pytest.approx(3 * 400 / 7)


def test_no_other_column_count_gives_bigger_thumbnails():
    n, w, h = 16, 420, 260
    best = grid_for(n, w, h, 5, 5)
    for columns in range(1, n + 1):
        rows = -(-n // columns)
        scale = min(w / (columns * 6 - 1), h / (rows * 6 - 1))
        assert scale <= best.scale + 1e-9


def test_equal_sizes_prefer_the_grid_with_fewer_empty_cells():
    # 5 filters, 250 x 100 px: 3 or 4 columns both make 2 rows limited by the height.
    assert grid_for(5, 250, 100, 3, 3).columns == 3


def test_no_thumbnails_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="number of thumbnails"):
        grid_for(0, 100, 100)


def test_an_empty_area_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="positive size"):
        grid_for(4, 0, 100)
