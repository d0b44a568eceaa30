"""LatLon: named fields and validation of real positions."""

import math

import numpy as np
import pytest

from courier.routing.geo import LatLon, latlon, points_array, validate


def test_latlon_fields_are_named_lat_then_lon():
    p = LatLon(lat=45.764, lon=4.8357)
    assert (p.lat, p.lon) == (45.764, 4.8357)
    assert p == (45.764, 4.8357)


def test_latlon_accepts_the_bounds_and_returns_floats():
    assert latlon(90, 180) == LatLon(90.0, 180.0)
    assert latlon(-90, -180) == LatLon(-90.0, -180.0)
    assert isinstance(latlon(1, 2).lat, float)


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (90.0001, 0, "latitude"),
        (-91, 0, "latitude"),
        (0, 180.5, "longitude"),
        (0, -181, "longitude"),
        (math.nan, 0, "latitude"),
        (0, math.inf, "longitude"),
    ],
)
def test_latlon_rejects_out_of_range_values_naming_the_field(lat, lon, field):
    with pytest.raises(ValueError, match=field):
        latlon(lat, lon)


def test_validate_catches_a_swapped_point_built_directly():
    # Lyon written (lon, lat) by mistake still passes bounds; a point in
    # Sydney written (lon, lat) does not, and must be caught.
    with pytest.raises(ValueError, match="latitude"):
        validate(LatLon(151.2093, -33.8688))


def test_points_array_is_lat_lon_rows():
    arr = points_array([LatLon(45.76, 4.83), LatLon(47.21, -1.55)])
    assert arr.shape == (2, 2)
    np.testing.assert_array_equal(arr, [[45.76, 4.83], [47.21, -1.55]])


def test_points_array_of_nothing_is_an_empty_two_column_array():
    assert points_array([]).shape == (0, 2)


def test_points_array_names_the_bad_point():
    with pytest.raises(ValueError, match="point 1: latitude"):
        points_array([LatLon(45.76, 4.83), LatLon(100, 4.83)])


def test_points_array_rejects_plain_tuples_rather_than_guess_their_order():
    with pytest.raises(TypeError, match="point 0 is not a LatLon"):
        points_array([(4.83, 45.76)])
