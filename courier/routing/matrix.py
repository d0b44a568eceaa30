"""Travel matrices: how long and how far between every pair of points.

A provider turns a list of :class:`~courier.routing.geo.LatLon` into a
:class:`Matrix` (integer seconds and metres, square, zero diagonal), the form
:class:`courier.routing.problem.Problem` takes. Two providers exist:

- :class:`GeodesicMatrix`, the offline default: ellipsoidal distance times a
  detour factor, at a constant speed. Needs no server, so tests, demos and
  cooperatives without an OSRM instance work out of the box.
- :class:`~courier.routing.osrm.OsrmMatrix`, street-network times from an OSRM
  server (in :mod:`courier.routing.osrm`, re-exported here).

:class:`CachedMatrix` memoises either per set of points, and
:func:`provider_from_config` picks one from the app's settings. This module is
pure: no Flask, no database; the app passes configuration values in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from courier.routing.geo import LatLon, points_array

# WGS-84 ellipsoid.
WGS84_A = 6_378_137.0  # semi-major axis, metres
WGS84_F = 1 / 298.257223563  # flattening

_ROW_BLOCK = 256  # rows per broadcasting block: bounds temporaries to ~256 x n floats


class MatrixError(RuntimeError):
    """A matrix could not be computed (server down, bad answer, unreachable points)."""


@dataclass(frozen=True, eq=False)
class Matrix:
    """Square travel matrices for ``n`` points: ``durations[i, j]`` in whole
    seconds and ``distances[i, j]`` in whole metres from point ``i`` to ``j``.

    The arrays are int64 copies marked read-only: a matrix may be shared by a
    cache between callers, so nobody may change it in place.
    """

    durations: np.ndarray
    distances: np.ndarray

    def __post_init__(self) -> None:
        for name in ("durations", "distances"):
            arr = np.array(getattr(self, name), dtype=np.int64, copy=True)
            if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
                raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
            if arr.size and (np.diagonal(arr) != 0).any():
                raise ValueError(f"{name} must have a zero diagonal")
            if (arr < 0).any():
                raise ValueError(f"{name} must not be negative")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if self.durations.shape != self.distances.shape:
            raise ValueError(
                f"durations {self.durations.shape} and distances "
                f"{self.distances.shape} differ in shape"
            )

    def __len__(self) -> int:
        return self.durations.shape[0]


class MatrixProvider(Protocol):
    """Anything that computes a :class:`Matrix` for a list of points."""

    def matrix(self, points: Sequence[LatLon]) -> Matrix: ...


def ellipsoid_distances(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Distances in metres on the WGS-84 ellipsoid between ``[lat, lon]`` rows
    (degrees); the two arrays broadcast against each other like any numpy op.

    Uses the Andoyer-Lambert formula: a great-circle distance between reduced
    latitudes plus a first-order flattening correction. It is closed-form (so it
    vectorises, unlike Vincenty's iteration) and agrees with Karney's exact
    geodesic (``geopy.distance.geodesic``) to about 2e-6 relative, i.e.
    millimetres across a city and about a metre across an ocean; a plain
    great-circle distance is off by up to 0.5%. It degrades only for nearly
    antipodal points, which no courier route has.
    """
    o = np.radians(np.asarray(origins, dtype=float))
    d = np.radians(np.asarray(destinations, dtype=float))
    beta1 = np.arctan((1 - WGS84_F) * np.tan(o[..., 0]))
    beta2 = np.arctan((1 - WGS84_F) * np.tan(d[..., 0]))
    dlon = d[..., 1] - o[..., 1]
    hav = np.sin((beta2 - beta1) / 2) ** 2 + np.cos(beta1) * np.cos(beta2) * np.sin(dlon / 2) ** 2
    sigma = 2 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    p, q = (beta1 + beta2) / 2, (beta2 - beta1) / 2
    cos2_half, sin2_half = np.cos(sigma / 2) ** 2, np.sin(sigma / 2) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sigma - np.sin(sigma)) * np.sin(p) ** 2 * np.cos(q) ** 2 / cos2_half
        y = (sigma + np.sin(sigma)) * np.cos(p) ** 2 * np.sin(q) ** 2 / sin2_half
    x = np.where(cos2_half > 0, x, 0.0)  # antipodal: no correction rather than inf
    y = np.where(sin2_half > 0, y, 0.0)  # coincident points: distance 0
    return WGS84_A * (sigma - WGS84_F / 2 * (x + y))


class GeodesicMatrix:
    """Offline matrix: ellipsoidal distance times ``detour``, at ``speed_mps``.

    ``detour`` (default 1.3) stands for the street network being longer than
    the straight line; 1.3 is a common urban circuity figure. Distances are
    rounded to the metre; durations are ``distance / speed`` rounded *up*, so a
    plan never promises an arrival earlier than the straight maths allows.
    Computed with numpy broadcasting (in blocks of rows to bound memory): 2,000
    points take well under a second. The matrix is symmetric.
    """

    def __init__(self, speed_mps: float, detour: float = 1.3) -> None:
        if not speed_mps > 0:
            raise ValueError(f"speed_mps must be positive, got {speed_mps!r}")
        if not detour >= 1:
            raise ValueError(f"detour must be at least 1, got {detour!r}")
        self.speed_mps = float(speed_mps)
        self.detour = float(detour)

    def __repr__(self) -> str:
        return f"GeodesicMatrix(speed_mps={self.speed_mps}, detour={self.detour})"

    def matrix(self, points: Sequence[LatLon]) -> Matrix:
        arr = points_array(points)
        n = len(arr)
        metres = np.empty((n, n), dtype=float)
        for start in range(0, n, _ROW_BLOCK):
            rows = arr[start : start + _ROW_BLOCK, None, :]
            metres[start : start + _ROW_BLOCK] = ellipsoid_distances(rows, arr[None, :, :])
        metres *= self.detour
        np.fill_diagonal(metres, 0.0)
        durations = np.ceil(metres / self.speed_mps)
        return Matrix(durations=durations, distances=np.rint(metres))
