"""Travel matrices: how long and how far between every pair of points.

A provider turns a list of :class:`~courier.routing.geo.LatLon` into a
:class:`Matrix` (integer seconds and metres, square, zero diagonal), the form
:class:`courier.routing.problem.Problem` takes. Two providers exist:

- :class:`GeodesicMatrix`, the offline default: ellipsoidal distance times a
  detour factor, at a constant speed. Needs no server, so tests, demos and
  cooperatives without an OSRM instance work out of the box.
- :class:`~courier.routing.osrm.OsrmMatrix`, street-network times from an OSRM
  server (in :mod:`courier.routing.osrm`).

:class:`CachedMatrix` memoises either per set of points, and
:func:`courier.routing.providers.provider_from_config` picks one from the app's
settings. This module is pure: no Flask, no database; the app passes configuration
values in.
"""

from __future__ import annotations

import math
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


def ellipsoid_distance(a: Sequence[float], b: Sequence[float]) -> float:
    """:func:`ellipsoid_distances` for one pair of ``(lat, lon)`` points, in plain floats:
    for a handful of points (a price's route), numpy's cost per call outweighs the maths."""
    beta1 = math.atan((1 - WGS84_F) * math.tan(math.radians(a[0])))
    beta2 = math.atan((1 - WGS84_F) * math.tan(math.radians(b[0])))
    dlon = math.radians(b[1]) - math.radians(a[1])
    hav = (math.sin((beta2 - beta1) / 2) ** 2
           + math.cos(beta1) * math.cos(beta2) * math.sin(dlon / 2) ** 2)
    sigma = 2 * math.asin(math.sqrt(min(1.0, max(0.0, hav))))
    p, q = (beta1 + beta2) / 2, (beta2 - beta1) / 2
    cos2_half, sin2_half = math.cos(sigma / 2) ** 2, math.sin(sigma / 2) ** 2
    x = ((sigma - math.sin(sigma)) * math.sin(p) ** 2 * math.cos(q) ** 2 / cos2_half
         if cos2_half > 0 else 0.0)
    y = ((sigma + math.sin(sigma)) * math.cos(p) ** 2 * math.sin(q) ** 2 / sin2_half
         if sin2_half > 0 else 0.0)
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


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


class _Pending:
    """A computation in flight, so concurrent callers for the same key wait for
    it instead of repeating it (one HTTP round of OSRM requests, not several)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Matrix | None = None
        self.error: BaseException | None = None


class CachedMatrix:
    """LRU cache of ``provider``'s matrices, keyed by the exact sequence of
    points (rounded to 1e-6 degree, about 0.1 m).

    Dispatch replans often over the same couriers and jobs; a hit costs neither
    computation nor an OSRM call. The points are rounded *before* the provider
    sees them, so the answer does not depend on which near-identical list came
    first. Thread-safe: a lock guards the table, and concurrent misses on the
    same key share one computation. Errors are not cached.
    """

    def __init__(self, provider: MatrixProvider, maxsize: int = 16) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize!r}")
        self.provider = provider
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[LatLon, ...], Matrix] = OrderedDict()
        self._pending: dict[tuple[LatLon, ...], _Pending] = {}
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def __repr__(self) -> str:
        return f"CachedMatrix({self.provider!r}, maxsize={self.maxsize})"

    def matrix(self, points: Sequence[LatLon]) -> Matrix:
        try:
            key = tuple(LatLon(round(p.lat, 6), round(p.lon, 6)) for p in points)
        except AttributeError:
            raise TypeError("points must be LatLon, not plain tuples") from None
        with self._lock:
            if key in self._entries:
                self._hits += 1
                self._entries.move_to_end(key)
                return self._entries[key]
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                self._misses += 1
                pending = self._pending[key] = _Pending()
            else:
                self._hits += 1
        if not owner:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.result
        try:
            pending.result = self.provider.matrix(key)
        except BaseException as e:
            pending.error = e
            raise
        finally:
            with self._lock:
                if pending.result is not None:
                    self._entries[key] = pending.result
                    while len(self._entries) > self.maxsize:
                        self._entries.popitem(last=False)
                del self._pending[key]
            pending.done.set()
        return pending.result

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, self.maxsize, len(self._entries))

    def cache_clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._hits = self._misses = 0
