"""Street-network matrices from an OSRM server's table service.

``GET {base_url}/table/v1/{profile}/{lon,lat;lon,lat;...}?annotations=duration,distance``
answers ``{"code": "Ok", "durations": [[s]], "distances": [[m]]}``. OSRM wants
longitude first; the URL is built from :class:`LatLon`'s named fields, so the
order cannot slip. An OSRM server caps the table size (``--max-table-size``,
100 by default), so large matrices are requested in blocks: the points are
split into chunks of ``max_table_size // 2``, and for every (source chunk,
destination chunk) pair one request carries both chunks' coordinates with
``sources=``/``destinations=`` naming which are which. No request therefore
carries more than ``max_table_size`` coordinates, and the server computes each
pair exactly once.

Failures (HTTP errors, ``code`` other than ``"Ok"``, timeouts, unreachable
pairs that OSRM reports as ``null``) raise :class:`MatrixError` with a message
saying what happened; there is no silent fallback, because a made-up travel
time would make the plan lie to couriers. The caller may catch it and fall back
to :class:`~courier.routing.matrix.GeodesicMatrix` if that suits it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import requests

from courier.routing.geo import LatLon, points_array
from courier.routing.matrix import Matrix, MatrixError

_SHOWN_PAIRS = 5  # unreachable pairs quoted in an error message


class OsrmMatrix:
    """Matrix provider backed by OSRM's ``table`` service.

    Durations are rounded up to the second and distances to the metre, like
    :class:`~courier.routing.matrix.GeodesicMatrix`. The diagonal is forced to 0
    (OSRM may report a few seconds between a point and its own snapped self).
    Stateless apart from its settings, so one instance serves many threads;
    each :meth:`matrix` call uses its own HTTP session (connections reused
    across the blocks of that call) and closes it.
    """

    def __init__(
        self,
        base_url: str,
        profile: str = "bicycle",
        timeout: float = 10,
        max_table_size: int = 100,
    ) -> None:
        if max_table_size < 2:
            raise ValueError(f"max_table_size must be at least 2, got {max_table_size!r}")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.timeout = timeout
        self.max_table_size = max_table_size

    def __repr__(self) -> str:
        return (
            f"OsrmMatrix({self.base_url!r}, profile={self.profile!r}, "
            f"timeout={self.timeout}, max_table_size={self.max_table_size})"
        )

    def matrix(self, points: Sequence[LatLon]) -> Matrix:
        arr = points_array(points)
        n = len(arr)
        durations = np.zeros((n, n), dtype=float)
        distances = np.zeros((n, n), dtype=float)
        if n > 1:
            with requests.Session() as session:
                for sources, destinations in self._blocks(n):
                    block = np.ix_(sources, destinations)
                    durations[block], distances[block] = self._table(
                        session, arr, sources, destinations
                    )
        np.fill_diagonal(durations, 0.0)
        np.fill_diagonal(distances, 0.0)
        missing = np.isnan(durations) | np.isnan(distances)
        if missing.any():
            pairs = np.argwhere(missing)
            shown = ", ".join(
                f"{tuple(arr[i])} -> {tuple(arr[j])}" for i, j in pairs[:_SHOWN_PAIRS]
            )
            raise MatrixError(
                f"OSRM ({self.profile}) found no route for {len(pairs)} of {n * n} "
                f"pairs of points, e.g. (lat, lon) {shown}; a point may be outside "
                "the loaded map or on a road this profile cannot use"
            )
        return Matrix(durations=np.ceil(durations), distances=np.rint(distances))

    def _blocks(self, n: int) -> Iterator[tuple[list[int], list[int]]]:
        """(sources, destinations) index lists covering the n x n matrix."""
        if n <= self.max_table_size:
            yield list(range(n)), list(range(n))
            return
        size = self.max_table_size // 2
        chunks = [list(range(i, min(i + size, n))) for i in range(0, n, size)]
        for sources in chunks:
            for destinations in chunks:
                yield sources, destinations

    def _table(
        self,
        session: requests.Session,
        arr: np.ndarray,
        sources: list[int],
        destinations: list[int],
    ) -> tuple[np.ndarray, np.ndarray]:
        """One table request; returns (durations, distances) as float arrays of
        shape (len(sources), len(destinations)), NaN where OSRM said null."""
        same = sources == destinations
        indices = sources if same else sources + destinations
        coords = ";".join(f"{arr[i, 1]:.6f},{arr[i, 0]:.6f}" for i in indices)  # lon,lat
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}"
        params = {"annotations": "duration,distance"}
        if not same:
            params["sources"] = ";".join(str(k) for k in range(len(sources)))
            params["destinations"] = ";".join(str(k) for k in range(len(sources), len(indices)))
        where = f"OSRM table request to {self.base_url} ({len(indices)} points)"
        try:
            response = session.get(url, params=params, timeout=self.timeout)
        except requests.Timeout:
            raise MatrixError(f"{where} timed out after {self.timeout} s") from None
        except requests.RequestException as e:
            raise MatrixError(f"{where} failed: {e}") from e
        with response:
            try:
                body = response.json()
            except ValueError:
                body = None
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message", "") if isinstance(body, dict) else ""
        if response.status_code != 200 or code != "Ok":
            detail = f"{code}: {message}" if code else response.text[:200].strip()
            raise MatrixError(f"{where} failed with HTTP {response.status_code}: {detail}")
        shape = (len(sources), len(destinations))
        try:
            durations = np.array(body["durations"], dtype=float)
            distances = np.array(body["distances"], dtype=float)
        except (KeyError, TypeError, ValueError) as e:
            raise MatrixError(f"{where} answered without usable durations/distances: {e}") from e
        if durations.shape != shape or distances.shape != shape:
            raise MatrixError(
                f"{where} answered {durations.shape}/{distances.shape} tables, expected {shape}"
            )
        return durations, distances
