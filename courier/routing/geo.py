"""Coordinates, named so that latitude and longitude can never be swapped.

Everything in ``courier`` that holds a position holds a :class:`LatLon`.
Latitude comes first because that is how people read and type coordinates;
the two places where the order flips (OSRM URLs, GeoJSON) convert explicitly
from the named fields, never from tuple positions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np


class LatLon(NamedTuple):
    """A WGS-84 position in decimal degrees."""

    lat: float
    lon: float


def latlon(lat: float, lon: float) -> LatLon:
    """Build a :class:`LatLon` after checking it is a real position.

    Raises :class:`ValueError` for NaN/infinite values, latitudes outside
    [-90, 90] and longitudes outside [-180, 180]. The message names the field,
    which is what a user who swapped the two needs to see.
    """
    lat_f, lon_f = float(lat), float(lon)
    if not math.isfinite(lat_f) or not -90.0 <= lat_f <= 90.0:
        raise ValueError(f"latitude must be a number in [-90, 90], got {lat!r}")
    if not math.isfinite(lon_f) or not -180.0 <= lon_f <= 180.0:
        raise ValueError(f"longitude must be a number in [-180, 180], got {lon!r}")
    return LatLon(lat_f, lon_f)


def validate(point: LatLon) -> LatLon:
    """Check an existing point (e.g. one built with ``LatLon(...)`` directly)."""
    return latlon(point.lat, point.lon)


def points_array(points: Iterable[LatLon]) -> np.ndarray:
    """Validate ``points`` and return them as an ``(n, 2)`` float array of
    ``[lat, lon]`` rows, the form the vectorised matrix code works on.

    Reads the named fields, so a plain ``(lon, lat)`` tuple is rejected rather
    than silently misread. The error says which point is wrong.
    """
    rows = []
    for i, p in enumerate(points):
        try:
            rows.append(latlon(p.lat, p.lon))
        except AttributeError:
            raise TypeError(f"point {i} is not a LatLon: {p!r}") from None
        except ValueError as e:
            raise ValueError(f"point {i}: {e}") from None
    return np.array(rows, dtype=float).reshape(len(rows), 2)
