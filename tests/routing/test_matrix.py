"""Matrix type and the offline geodesic provider."""

import threading

import numpy as np
import pytest
from geopy.distance import geodesic

from courier.routing.geo import LatLon
from courier.routing.matrix import (
    CachedMatrix,
    GeodesicMatrix,
    Matrix,
    ellipsoid_distance,
    ellipsoid_distances,
)
from courier.routing.providers import provider_from_config

# Real pairs: across Lyon, Nantes, Paris, Sydney, Reykjavik, and two long lines.
REAL_PAIRS = [
    (LatLon(45.7578, 4.8320), LatLon(45.7606, 4.8593)),  # Lyon: Bellecour - Part-Dieu
    (LatLon(45.7676, 4.8344), LatLon(45.7797, 4.8270)),  # Lyon: Hotel de Ville - Croix-Rousse
    (LatLon(47.2161, -1.5494), LatLon(47.2176, -1.5419)),  # Nantes: Chateau - Gare Nord
    (LatLon(47.2062, -1.5640), LatLon(47.2433, -1.5547)),  # Nantes: Ile - Erdre north
    (LatLon(48.8584, 2.2945), LatLon(48.8867, 2.3431)),  # Paris: Tour Eiffel - Sacre-Coeur
    (LatLon(-33.8568, 151.2153), LatLon(-33.8915, 151.2767)),  # Sydney: Opera - Bondi
    (LatLon(64.1417, -21.9266), LatLon(64.1355, -21.8954)),  # Reykjavik
    (LatLon(45.7640, 4.8357), LatLon(43.2965, 5.3698)),  # Lyon - Marseille
    (LatLon(47.2184, -1.5536), LatLon(40.7128, -74.0060)),  # Nantes - New York
]
LYON_PAIR = (LatLon(45.7640, 4.8357), LatLon(45.7500, 4.8500))
REL_TOL = 1e-5  # Andoyer-Lambert vs Karney: measured ~2e-6 on these pairs


@pytest.mark.parametrize(("a", "b"), REAL_PAIRS)
def test_ellipsoid_distance_matches_geopy_geodesic_on_real_pairs(a, b):
    expected = geodesic(a, b).meters
    got = float(ellipsoid_distances(np.array(a), np.array(b)))
    assert got == pytest.approx(expected, rel=REL_TOL)


@pytest.mark.parametrize(("a", "b"), [*REAL_PAIRS, (LYON_PAIR[0], LYON_PAIR[0]),
                                      ((0.0, 0.0), (0.0, 179.9))])
def test_one_pair_in_plain_floats_is_the_vectorised_distance(a, b):
    vectorised = float(ellipsoid_distances(np.array(a), np.array(b)))
    assert ellipsoid_distance(a, b) == pytest.approx(vectorised, rel=1e-12, abs=1e-6)


def test_geodesic_matrix_without_detour_is_geopy_rounded_to_the_metre():
    points = [p for pair in REAL_PAIRS[:5] for p in pair]
    m = GeodesicMatrix(speed_mps=4.0, detour=1.0).matrix(points)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            assert abs(m.distances[i, j] - geodesic(a, b).meters) <= 1


def test_geodesic_matrix_applies_detour_and_rounds_durations_up():
    a, b = REAL_PAIRS[0]
    m = GeodesicMatrix(speed_mps=4.2, detour=1.3).matrix([a, b])
    metres = geodesic(a, b).meters * 1.3
    assert abs(m.distances[0, 1] - metres) <= 1
    seconds = metres / 4.2
    assert seconds % 1 < 0.5  # so rounding to nearest would have gone down
    assert seconds <= m.durations[0, 1] < seconds + 1


def test_geodesic_matrix_is_symmetric_with_zero_diagonal_and_int_arrays():
    rng = np.random.default_rng(3)
    points = [LatLon(45.70 + 0.1 * rng.random(), 4.78 + 0.12 * rng.random()) for _ in range(60)]
    m = GeodesicMatrix(speed_mps=4.2).matrix(points)
    for arr in (m.durations, m.distances):
        assert arr.shape == (60, 60)
        assert arr.dtype == np.int64
        np.testing.assert_array_equal(arr, arr.T)
        assert (np.diagonal(arr) == 0).all()
        assert (arr[~np.eye(60, dtype=bool)] > 0).all()


def test_same_location_twice_costs_nothing():
    p = LatLon(45.7578, 4.8320)
    m = GeodesicMatrix(speed_mps=4.2).matrix([p, p])
    assert m.durations.tolist() == [[0, 0], [0, 0]]


def test_large_matrix_agrees_with_geopy_on_a_sample_of_pairs():
    rng = np.random.default_rng(7)
    n = 2000
    lats = 47.18 + 0.08 * rng.random(n)  # Nantes metropolitan area
    lons = -1.65 + 0.17 * rng.random(n)
    points = [LatLon(float(a), float(o)) for a, o in zip(lats, lons, strict=True)]
    m = GeodesicMatrix(speed_mps=4.2, detour=1.0).matrix(points)
    assert m.distances.shape == (n, n)
    for i, j in rng.integers(0, n, size=(200, 2)):
        assert abs(m.distances[i, j] - geodesic(points[i], points[j]).meters) <= 1


def test_empty_and_single_point_matrices():
    assert len(GeodesicMatrix(4.2).matrix([])) == 0
    assert GeodesicMatrix(4.2).matrix([LatLon(0, 0)]).durations.tolist() == [[0]]


@pytest.mark.parametrize(("speed", "detour"), [(0, 1.3), (-1, 1.3), (4.2, 0.9)])
def test_geodesic_matrix_rejects_nonsense_parameters(speed, detour):
    with pytest.raises(ValueError):
        GeodesicMatrix(speed_mps=speed, detour=detour)


def test_geodesic_matrix_rejects_invalid_points():
    with pytest.raises(ValueError, match="point 1: latitude"):
        GeodesicMatrix(4.2).matrix([LatLon(45.7, 4.8), LatLon(95, 4.8)])


def test_matrix_is_read_only_so_a_shared_copy_cannot_be_corrupted():
    m = Matrix(durations=[[0, 5], [6, 0]], distances=[[0, 20], [25, 0]])
    with pytest.raises(ValueError):
        m.durations[0, 1] = 1


@pytest.mark.parametrize(
    ("durations", "distances", "message"),
    [
        ([[0, 1]], [[0, 1]], "square"),
        ([[1, 1], [1, 0]], [[0, 1], [1, 0]], "zero diagonal"),
        ([[0, -1], [1, 0]], [[0, 1], [1, 0]], "negative"),
        ([[0]], [[0, 1], [1, 0]], "shape"),
    ],
)
def test_matrix_rejects_malformed_arrays(durations, distances, message):
    with pytest.raises(ValueError, match=message):
        Matrix(durations=durations, distances=distances)


class CountingProvider:
    """Geodesic matrices, counting calls; can be told to fail or to block."""

    def __init__(self):
        self.calls: list[tuple[LatLon, ...]] = []
        self.fail = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def matrix(self, points):
        self.calls.append(tuple(points))
        self.entered.set()
        assert self.release.wait(10)
        if self.fail:
            raise RuntimeError("provider down")
        return GeodesicMatrix(4.2).matrix(points)


A, B, C = LatLon(45.7578, 4.832), LatLon(45.7606, 4.8593), LatLon(45.7797, 4.827)


def test_cache_returns_the_stored_matrix_without_recomputing():
    provider = CountingProvider()
    cache = CachedMatrix(provider, maxsize=4)
    first = cache.matrix([A, B])
    assert cache.matrix([A, B]) is first
    assert len(provider.calls) == 1
    assert cache.cache_info() == (1, 1, 4, 1)


def test_cache_key_is_the_ordered_points_rounded_to_a_micro_degree():
    provider = CountingProvider()
    cache = CachedMatrix(provider)
    cache.matrix([A, B])
    cache.matrix([LatLon(A.lat + 4e-8, A.lon - 4e-8), B])  # same to 1e-6 degree
    assert len(provider.calls) == 1
    cache.matrix([B, A])  # another order is another matrix
    assert len(provider.calls) == 2


def test_provider_sees_rounded_points_so_answers_do_not_depend_on_call_order():
    provider = CountingProvider()
    CachedMatrix(provider).matrix([LatLon(45.75780004, 4.83200004)])
    assert provider.calls == [(LatLon(45.7578, 4.832),)]


def test_cache_rejects_plain_tuples_like_the_providers():
    with pytest.raises(TypeError, match="LatLon"):
        CachedMatrix(CountingProvider()).matrix([(4.832, 45.7578)])


def test_cache_evicts_the_least_recently_used_set():
    provider = CountingProvider()
    cache = CachedMatrix(provider, maxsize=2)
    cache.matrix([A])
    cache.matrix([B])
    cache.matrix([A])  # A is now the most recent
    cache.matrix([C])  # evicts B
    cache.matrix([A])
    assert len(provider.calls) == 3
    cache.matrix([B])
    assert len(provider.calls) == 4


def test_cache_does_not_store_errors():
    provider = CountingProvider()
    provider.fail = True
    cache = CachedMatrix(provider)
    with pytest.raises(RuntimeError):
        cache.matrix([A, B])
    provider.fail = False
    cache.matrix([A, B])
    assert len(provider.calls) == 2


def test_concurrent_misses_on_the_same_points_share_one_computation():
    provider = CountingProvider()
    provider.release.clear()
    cache = CachedMatrix(provider)
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.matrix([A, B])))]
    threads[0].start()
    assert provider.entered.wait(10)
    threads.append(threading.Thread(target=lambda: results.append(cache.matrix([A, B]))))
    threads[1].start()
    for _ in range(1000):  # the second caller counts as a hit once it waits
        if cache.cache_info().hits == 1:
            break
        threading.Event().wait(0.01)
    provider.release.set()
    for t in threads:
        t.join(10)
    assert len(provider.calls) == 1
    assert len(results) == 2 and results[0] is results[1]


def test_provider_from_config_is_a_cached_geodesic_without_url():
    for url in (None, "", "  "):
        provider = provider_from_config(url, speed_mps=5.0, detour=1.2, cache_size=3)
        assert isinstance(provider, CachedMatrix)
        assert provider.maxsize == 3
        assert isinstance(provider.provider, GeodesicMatrix)
        assert (provider.provider.speed_mps, provider.provider.detour) == (5.0, 1.2)
