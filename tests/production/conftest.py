"""Multi-process tests: PostgreSQL and Redis only (the production setup)."""

from __future__ import annotations

import pytest

from tests.conftest import REQUIRE_PG
from tests.production.cluster import REDIS_URL, Cluster, redis_available


@pytest.fixture(scope="session")
def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("production processes run on PostgreSQL only")
    if not redis_available():
        if REQUIRE_PG:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return database_url


@pytest.fixture(scope="session")
def webs(pg_url, tmp_path_factory):
    """Two web processes and no worker, shared by the tests that decide themselves when
    anything happens."""
    cluster = Cluster(pg_url, tmp_path_factory.mktemp("webs"), DISPATCH_TIME_LIMIT=0.3)
    procs = [cluster.web("web-a").start(), cluster.web("web-b").start()]
    yield [p.wait_ready() for p in procs]
    cluster.stop()


@pytest.fixture
def cluster(pg_url, tmp_path, app):
    """A cluster to start processes in; everything still running is stopped after, before
    the ``app`` fixture empties the database (a dispatch cycle still running would
    deadlock with that TRUNCATE)."""
    c = Cluster(pg_url, tmp_path, DISPATCH_INTERVAL=1, DISPATCH_TIME_LIMIT=0.5)
    yield c
    c.stop()


def pytest_collection_modifyitems(config, items):
    """The SQLite half of these tests has nothing to run: leave it out instead of skipping."""
    here = "tests/production/"
    drop = [i for i in items if here in i.nodeid and i.nodeid.endswith("[sqlite]")]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i not in drop]
