"""Heights from an ESRI ASCII grid and the climbing of a ride through points."""

from __future__ import annotations

import math

import numpy as np
import pytest

from courier.routing.elevation import GridError, climb, read_ascii_grid, track

# 3 columns (lon 4.80, 4.81, 4.82 at the cell centres), 2 rows (lat 45.76 north, 45.75)
GRID = """ncols 3
nrows 2
xllcorner 4.795
yllcorner 45.745
cellsize 0.01
NODATA_value -9999
200 250 -9999
170 180 190
"""


@pytest.fixture
def grid(tmp_path):
    path = tmp_path / "lyon.asc"
    path.write_text(GRID)
    return read_ascii_grid(path)


def test_heights_at_cell_centres_and_between_them(grid):
    h = grid.at([45.75, 45.76, 45.755, 45.75], [4.80, 4.80, 4.805, 4.82])
    assert list(h) == pytest.approx([170.0, 200.0, (170 + 180 + 200 + 250) / 4, 190.0])


def test_no_height_outside_the_grid_or_beside_a_cell_without_data(grid):
    h = grid.at([45.70, 45.76, 45.755], [4.80, 4.82, 4.815])
    assert all(math.isnan(x) for x in h)


def test_climbing_counts_only_the_rises(grid):
    up_then_down = [(45.75, 4.80), (45.76, 4.80), (45.75, 4.81)]  # +30, then -20
    assert climb(grid, up_then_down) == pytest.approx(30.0)
    assert climb(grid, list(reversed(up_then_down))) == pytest.approx(20.0)
    assert climb(grid, [(10.0, 10.0), (10.1, 10.0)]) is None  # nowhere on the grid


def test_a_straight_leg_is_sampled_so_a_hill_on_the_way_counts(tmp_path):
    path = tmp_path / "hill.asc"  # a ridge between two valleys, west to east
    path.write_text("ncols 3\nnrows 2\nxllcenter 4.80\nyllcenter 45.75\ncellsize 0.01\n"
                    "100 300 100\n100 300 100\n")
    hill = read_ascii_grid(path)
    across = [(45.75, 4.80), (45.75, 4.82)]  # 1.6 km
    assert climb(hill, across) == pytest.approx(0.0)  # the stops alone: valley to valley
    assert climb(hill, across, sample_m=100) == pytest.approx(200.0)
    points = track(across, sample_m=100)
    assert len(points) == 17 and points[-1] == (45.75, 4.82)


def test_the_corner_or_the_centre_of_the_first_cell_may_be_given(tmp_path):
    path = tmp_path / "c.asc"
    path.write_text(GRID.replace("xllcorner 4.795", "xllcenter 4.80")
                    .replace("yllcorner 45.745", "yllcenter 45.75"))
    assert read_ascii_grid(path).at([45.75], [4.80])[0] == 170.0


@pytest.mark.parametrize("text, says", [
    ("nrows 2\ncellsize 1\n1 2\n", "no ncols"),
    (GRID.replace("170 180 190", "170 180"), "columns"),
    (GRID.replace("nrows 2", "nrows 3"), "header says"),
    (GRID.replace("xllcorner 4.795\n", ""), "xllcorner"),
    (GRID.replace("cellsize 0.01", "cellsize small"), "not a number"),
])
def test_a_file_that_is_not_a_grid_is_refused_saying_why(tmp_path, text, says):
    path = tmp_path / "bad.asc"
    path.write_text(text)
    with pytest.raises(GridError, match=says):
        read_ascii_grid(path)


def test_heights_are_read_north_row_first(grid):
    assert np.array_equal(grid.heights[0], [170.0, 180.0, 190.0])  # kept south first
