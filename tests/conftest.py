"""Fixtures: an app on a fresh database, clients, and factories of users and jobs.

Every test that uses the database runs twice: on SQLite (the embedded default)
and on PostgreSQL (the production path), whose server is taken from
``COURIER_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
a database of its own is created for the run and dropped after. Without a
reachable server the PostgreSQL half is skipped, unless
``COURIER_TEST_REQUIRE_POSTGRES=1`` (as in CI) makes that a failure.
``COURIER_TEST_DATABASES=sqlite`` (or ``postgresql``) runs one half only.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from courier import create_app
from courier.db import empty_all_tables
from courier.extensions import db, socketio

PG_URL = os.environ.get(
    "COURIER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("COURIER_TEST_REQUIRE_POSTGRES") == "1"
DATABASES = os.environ.get("COURIER_TEST_DATABASES", "sqlite,postgresql").split(",")
LYON = (45.7640, 4.8357)


def _pg_admin(url: str):
    return sa.create_engine(make_url(url).set(drivername="postgresql+psycopg"),
                            isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    """A migrated, empty database for this test run."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "courier.sqlite"
        url = f"sqlite:///{path}"
        _migrate(url)
        yield url
        return
    name = f"courier_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin(PG_URL)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as err:
        if REQUIRE_PG:
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {err.orig}")
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name)
    url = url.render_as_string(hide_password=False)
    _migrate(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _migrate(url: str) -> None:
    app = create_app(base_config(url))
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


def base_config(url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "AUTO_MIGRATE": False,
        "DISPATCH_AUTORUN": False,
        "DISPATCH_TIME_LIMIT": 2.0,
        "DISPATCH_HOLD_S": 0,  # offered at once; tests/test_holding.py holds work back
        "DISPATCH_AHEAD_S": 0,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WTF_CSRF_ENABLED": True,
        "WEATHER_PROVIDER": "none",  # no test asks the internet; tests/test_weather.py serves one
        **extra,
    }


@pytest.fixture
def app_config(database_url):
    """Override to change the configuration of the ``app`` fixture."""
    return base_config(database_url)


@pytest.fixture
def app(app_config):
    """The app for ``app_config``, on a database emptied after each test.

    Building an app takes a tenth of a second (the API description), so one app is
    kept per configuration and put back as it was after each test: its settings, the
    caches it keeps in ``app.extensions``, the login rate limiter's counts.
    """
    key = repr(sorted(app_config.items()))
    if key not in _APPS:
        built = create_app(app_config)
        _APPS[key] = (built, dict(built.config), set(built.extensions))
    app, settings, extensions = _APPS[key]
    try:
        with app.app_context():
            yield app
            db.session.remove()
            empty_all_tables()
    finally:
        app.test_client_class = None
        app.config.clear()
        app.config.update(settings)
        for name in set(app.extensions) - extensions:
            del app.extensions[name]
        from courier.web.security import limiter

        limiter.reset()


_APPS: dict[str, tuple] = {}


@pytest.fixture(scope="session", autouse=True)
def _dispose_apps():
    yield
    for app, _, _ in _APPS.values():
        with app.app_context():
            db.engine.dispose()
    _APPS.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Actor:
    """A user with a token, making API calls: ``shop.post("/jobs", json=...)``."""

    def __init__(self, client, user, token):
        self.client, self.user, self.token = client, user, token
        self.id = user.id

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def _call(self, method, path, **kw):
        headers = {**self.headers, **kw.pop("headers", {})}
        return getattr(self.client, method)("/api/v1" + path, headers=headers, **kw)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, **kw):
        return self._call("post", path, **kw)

    def socket(self, app):
        return socketio.test_client(app, auth={"token": self.token})


@pytest.fixture
def make_user(app, client):
    from courier.accounts import create_user, issue_token

    def make(role, name=None, **kw):
        n = make.count = getattr(make, "count", 0) + 1
        user = create_user(role, name or f"{role.title()} {n}", email=f"{role}{n}@test.coop",
                           password="secret", **kw)
        token = issue_token(user)
        db.session.commit()
        return Actor(client, user, token)

    return make


@pytest.fixture
def make_merchant(make_user):
    def make(name=None, lat=LYON[0], lon=LYON[1]):
        return make_user("merchant", name, lat=lat, lon=lon, address="1 place Bellecour")
    return make


@pytest.fixture
def make_courier(make_user):
    def make(name=None, vehicle="bike", lat=LYON[0] + 0.002, lon=LYON[1], on_shift=True):
        actor = make_user("courier", name, lat=lat, lon=lon, vehicle=vehicle)
        if on_shift:
            r = actor.post("/courier/shift", json={"online": True, "lat": lat, "lon": lon})
            assert r.status_code == 200, r.json
        return actor
    return make


@pytest.fixture
def dispatcher(make_user):
    return make_user("dispatcher", "Dana Dispatch")


def job_body(dlat=0.01, dlon=0.01, minutes=90, **extra):
    now = datetime.now(UTC)
    body = {"dropoff": {"lat": LYON[0] + dlat, "lon": LYON[1] + dlon, "address": "Rue X"},
            "weight_kg": 2, "volume_l": 5, "recipient": {"name": "Rita", "phone": "0600000000"},
            "ready_at": now.isoformat(),
            "deliver_by": (now + timedelta(minutes=minutes)).isoformat()}
    body.update(extra)
    return body


@pytest.fixture
def make_job():
    def make(shop, **kw):
        r = shop.post("/jobs", json=job_body(**kw))
        assert r.status_code == 201, r.json
        return r.json
    return make
