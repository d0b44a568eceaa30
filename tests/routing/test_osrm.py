"""OsrmMatrix against a local fake of OSRM's table service.

The fake computes its answers from the coordinates in each request (with a
formula that tells latitude from longitude and one direction from the other),
so a test can check that blocks are reassembled into the right cells.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from courier.routing.geo import LatLon
from courier.routing.matrix import CachedMatrix, MatrixError
from courier.routing.osrm import OsrmMatrix
from courier.routing.providers import provider_from_config

UNREACHABLE_LON = 179.5  # the fake has no route to or from points this far east


def fake_duration(a: LatLon, b: LatLon) -> float:
    """Asymmetric (uphill to the north costs 7 s more) and lat/lon-sensitive."""
    if a == b:
        return 0.0
    return 1e5 * abs(a.lat - b.lat) + 2e5 * abs(a.lon - b.lon) + (7.0 if b.lat > a.lat else 0.0)


def fake_distance(a: LatLon, b: LatLon) -> float:
    return 3 * fake_duration(a, b) + (0.4 if a != b else 0.0)


class FakeOsrm(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeOsrmHandler)
        self.requests: list[dict] = []
        self.mode = "ok"
        self.release = threading.Event()  # ends the "slow" mode's wait
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FakeOsrmHandler(BaseHTTPRequestHandler):
    server: FakeOsrm

    def log_message(self, format, *args):  # keep test output clean
        pass

    def reply(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout test)
            pass

    def do_GET(self):
        parts = urlsplit(self.path)
        _, table, version, profile, coords = parts.path.split("/", 4)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        points = [
            LatLon(lat=float(lat), lon=float(lon))
            for lon, lat in (c.split(",") for c in coords.split(";"))
        ]
        with self.server.lock:
            self.server.requests.append(
                {"profile": profile, "points": points, "query": query, "path": parts.path}
            )
        mode = self.server.mode
        if mode == "slow":
            self.server.release.wait(5)
        if mode == "error500":
            return self.reply(500, {"error": "boom"})
        if mode == "invalid":
            return self.reply(
                400, {"code": "InvalidQuery", "message": "Query string malformed close to 12"}
            )
        if mode == "notok":
            return self.reply(200, {"code": "NoTable", "message": "no table"})
        assert (table, version) == ("table", "v1")
        srcs = pick(points, query.get("sources"))
        dsts = pick(points, query.get("destinations"))

        def cell(f, a, b):
            return None if UNREACHABLE_LON in (a.lon, b.lon) and a != b else f(a, b)

        self.reply(
            200,
            {
                "code": "Ok",
                "durations": [[cell(fake_duration, a, b) for b in dsts] for a in srcs],
                "distances": [[cell(fake_distance, a, b) for b in dsts] for a in srcs],
            },
        )


def pick(points: list[LatLon], indices: str | None) -> list[LatLon]:
    """OSRM's ``sources``/``destinations``: ``;``-separated indices, default all."""
    return points if indices is None else [points[int(i)] for i in indices.split(";")]


@pytest.fixture
def osrm():
    server = FakeOsrm()
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


def lyon_points(n: int, seed: int = 1) -> list[LatLon]:
    rng = np.random.default_rng(seed)
    return [
        LatLon(round(45.72 + 0.07 * rng.random(), 6), round(4.80 + 0.09 * rng.random(), 6))
        for _ in range(n)
    ]


def expected(points):
    durations = [[np.ceil(fake_duration(a, b)) for b in points] for a in points]
    distances = [[np.rint(fake_distance(a, b)) for b in points] for a in points]
    return np.array(durations), np.array(distances)


def test_small_matrix_is_one_request_with_lon_lat_order(osrm):
    points = [LatLon(45.7578, 4.832), LatLon(45.7606, 4.8593)]
    m = OsrmMatrix(osrm.url).matrix(points)
    (request,) = osrm.requests
    assert request["path"] == "/table/v1/bicycle/4.832000,45.757800;4.859300,45.760600"
    assert request["query"] == {"annotations": "duration,distance"}
    want_durations, want_distances = expected(points)
    np.testing.assert_array_equal(m.durations, want_durations)
    np.testing.assert_array_equal(m.distances, want_distances)
    assert m.durations[0, 1] != m.durations[1, 0]  # direction kept


def test_large_matrix_is_split_into_blocks_and_reassembled(osrm):
    points = lyon_points(23)
    m = OsrmMatrix(osrm.url, profile="cargo", max_table_size=10).matrix(points)
    want_durations, want_distances = expected(points)
    np.testing.assert_array_equal(m.durations, want_durations)
    np.testing.assert_array_equal(m.distances, want_distances)
    assert len(osrm.requests) == 25  # 5 chunks of 5 (the last of 3), every pair of chunks
    assert max(len(r["points"]) for r in osrm.requests) <= 10
    assert {r["profile"] for r in osrm.requests} == {"cargo"}
    assert all("sources" in r["query"] for r in osrm.requests if len(r["points"]) > 5)


def test_unreachable_pairs_raise_matrix_error_naming_them(osrm):
    points = [*lyon_points(3), LatLon(-20.0, UNREACHABLE_LON)]
    with pytest.raises(MatrixError, match=r"no route for 6 of 16 pairs.*179\.5"):
        OsrmMatrix(osrm.url).matrix(points)


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error500", "HTTP 500"),
        ("invalid", "HTTP 400: InvalidQuery: Query string malformed"),
        ("notok", "HTTP 200: NoTable: no table"),
    ],
)
def test_server_errors_raise_matrix_error_with_the_reason(osrm, mode, message):
    osrm.mode = mode
    with pytest.raises(MatrixError, match=message):
        OsrmMatrix(osrm.url).matrix(lyon_points(3))


def test_timeout_raises_matrix_error(osrm):
    osrm.mode = "slow"
    with pytest.raises(MatrixError, match="timed out after 0.2 s"):
        OsrmMatrix(osrm.url, timeout=0.2).matrix(lyon_points(3))


def test_unreachable_server_raises_matrix_error():
    server = FakeOsrm()  # bound, never served, then closed: nothing listens
    url = server.url
    server.server_close()
    with pytest.raises(MatrixError, match="failed"):
        OsrmMatrix(url, timeout=2).matrix(lyon_points(3))


def test_empty_and_single_point_need_no_request(osrm):
    provider = OsrmMatrix(osrm.url)
    assert len(provider.matrix([])) == 0
    assert provider.matrix([LatLon(45.7, 4.8)]).durations.tolist() == [[0]]
    assert osrm.requests == []


def test_cache_hit_makes_no_new_request(osrm):
    cached = CachedMatrix(OsrmMatrix(osrm.url, max_table_size=4), maxsize=2)
    points = lyon_points(6)
    first = cached.matrix(points)
    calls = len(osrm.requests)
    assert calls == 9
    again = cached.matrix(list(points))
    assert again is first
    assert len(osrm.requests) == calls
    assert cached.cache_info().hits == 1


def test_provider_from_config_uses_osrm_when_a_url_is_set(osrm):
    provider = provider_from_config(osrm.url + "/", speed_mps=4.2, max_table_size=50)
    assert isinstance(provider, CachedMatrix)
    assert isinstance(provider.provider, OsrmMatrix)
    provider.matrix(lyon_points(3))
    assert len(osrm.requests) == 1
