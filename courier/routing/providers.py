"""The matrix provider the app's settings ask for: OSRM's street network when a server
is set, else the geodesic estimate; either one cached."""

from __future__ import annotations

from courier.routing.matrix import CachedMatrix, GeodesicMatrix, MatrixProvider
from courier.routing.osrm import OsrmMatrix


def provider_from_config(
    osrm_url: str | None,
    speed_mps: float,
    detour: float = 1.3,
    *,
    profile: str = "bicycle",
    timeout: float = 10.0,
    max_table_size: int = 100,
    cache_size: int = 16,
) -> CachedMatrix:
    """The matrix provider the app should use, wrapped in a :class:`CachedMatrix`.

    With ``osrm_url`` set (the app reads ``COURIER_OSRM_URL``) it is an
    :class:`~courier.routing.osrm.OsrmMatrix` on that server; when it is None or
    blank, a :class:`GeodesicMatrix` at ``speed_mps`` and ``detour``, so the app
    runs without any routing server. ``speed_mps`` and ``detour`` are ignored for
    OSRM, whose profile knows the streets' speeds.
    """
    if osrm_url and osrm_url.strip():
        provider: MatrixProvider = OsrmMatrix(
            osrm_url.strip(), profile=profile, timeout=timeout, max_table_size=max_table_size
        )
    else:
        provider = GeodesicMatrix(speed_mps=speed_mps, detour=detour)
    return CachedMatrix(provider, maxsize=cache_size)
