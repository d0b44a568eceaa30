"""Two coops, each an app on its own database, talking over HTTP: a requests adapter
routes what coop A sends to ``http://coop-b.test`` to B's test client and back.

``coops`` gives both (``coops.a``, ``coops.b``); ``paired`` the same with an active
partnership made through the API (invitation, code, approval), zones drawn (A: Lyon's
centre, B: Villeurbanne, overlapping on a strip in between) and a credit limit of
1000 EUR on both sides. ``coops.down("b")`` makes B unreachable, ``coops.slow("b")``
makes every call to B time out, ``coops.lose_answers("b")`` lets B do the work but loses
its answer (a timeout on A's side)."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from sqlalchemy.engine import make_url

from courier import create_app
from courier.accounts import create_user, issue_token
from courier.db import empty_all_tables
from courier.extensions import db
from courier.federation.transport import EXTENSION
from courier.models import Partner, utcnow
from tests.conftest import PG_URL, Actor, _migrate, _pg_admin, base_config

# [lon, lat]: Lyon's centre, and Villeurbanne to its east (they share 4.87-4.88)
LYON_ZONE = {"type": "Polygon", "coordinates": [[[4.80, 45.73], [4.88, 45.73], [4.88, 45.79],
                                                  [4.80, 45.79], [4.80, 45.73]]]}
VILLEURBANNE_ZONE = {"type": "Polygon", "coordinates": [[[4.87, 45.75], [4.93, 45.75],
                                                         [4.93, 45.79], [4.87, 45.79],
                                                         [4.87, 45.75]]]}
IN_LYON = (45.760, 4.830)  # (lat, lon)
IN_VILLEURBANNE = (45.770, 4.900)
IN_BOTH = (45.770, 4.875)


@pytest.fixture(scope="session")
def database_url_b(database_url, tmp_path_factory):
    """A second migrated database, of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('db_b') / 'coop_b.sqlite'}"
        _migrate(url)
        yield url
        return
    name = f"courier_test_b_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin(PG_URL)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name)
    url = url.render_as_string(hide_password=False)
    _migrate(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Coop:
    """One coop's instance: its app, its address, its own test client and users."""

    def __init__(self, name: str, app, url: str):
        self.name, self.app, self.url = name, app, url
        self.client = app.test_client()
        self.state = "up"  # up, down, slow, lose
        self.duty: dict[str, Actor] = {}  # couriers put on shift by on_duty(), by name

    @contextmanager
    def ctx(self):
        with self.app.app_context():
            yield
            db.session.remove()

    def actor(self, role: str, name: str | None = None, **kw) -> Actor:
        with self.ctx():
            n = uuid.uuid4().hex[:6]
            user = create_user(role, name or f"{role.title()} {n}",
                               email=f"{role}{n}@{self.name}.test", password="secret", **kw)
            token = issue_token(user)
            db.session.commit()
            user_id = user.id
        actor = Actor(self.client, type("U", (), {"id": user_id})(), token)
        return actor

    def partner(self) -> Partner:
        """Its one partner row (inside ``ctx()``)."""
        return db.session.scalars(sa.select(Partner)).one()


class Router(BaseAdapter):
    """requests' transport to the coops' test clients, by host."""

    def __init__(self, coops: dict[str, Coop]):
        super().__init__()
        self.coops = coops

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        parts = urlsplit(request.url)
        coop = self.coops.get(parts.netloc)
        if coop is None or coop.state == "down":
            raise requests.ConnectionError(f"cannot reach {parts.netloc}")
        if coop.state == "slow":
            raise requests.ReadTimeout(f"{parts.netloc} did not answer in time")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        got = coop.client.open(path, method=request.method, headers=dict(request.headers),
                               data=request.body)
        if coop.state == "lose":
            raise requests.ReadTimeout(f"{parts.netloc}'s answer was lost")
        resp = requests.Response()
        resp.status_code, resp._content = got.status_code, got.data
        resp.headers = CaseInsensitiveDict(dict(got.headers))
        resp.url, resp.request, resp.encoding = request.url, request, "utf-8"
        return resp

    def close(self):
        pass


class Coops:
    def __init__(self, a: Coop, b: Coop):
        self.a, self.b = a, b

    def _set(self, which: str, state: str) -> None:
        getattr(self, which).state = state

    def down(self, which: str) -> None:
        self._set(which, "down")

    def slow(self, which: str) -> None:
        self._set(which, "slow")

    def lose_answers(self, which: str) -> None:
        self._set(which, "lose")

    def up(self, which: str) -> None:
        self._set(which, "up")


_APPS: dict = {}


def _app(url: str, public: str):
    key = (url, public)
    if key not in _APPS:
        _APPS[key] = create_app(base_config(url, PUBLIC_URL=public, FEDERATION_SCAN_S=0))
    return _APPS[key]


@pytest.fixture
def coops(database_url, database_url_b):
    a = Coop("a", _app(database_url, "http://coop-a.test"), "http://coop-a.test")
    b = Coop("b", _app(database_url_b, "http://coop-b.test"), "http://coop-b.test")
    session = requests.Session()
    router = Router({"coop-a.test": a, "coop-b.test": b})
    session.mount("http://coop-a.test", router)
    session.mount("http://coop-b.test", router)
    for coop, name in ((a, "Lyon"), (b, "Villeurbanne")):
        coop.app.extensions[EXTENSION] = session
        coop.app.extensions.pop("courier.zones", None)
        with coop.ctx():
            from courier import settings

            settings.put("name", name)
            db.session.commit()
    yield Coops(a, b)
    from courier.web.security import limiter

    limiter.reset()
    for coop in (a, b):
        coop.app.extensions.pop(EXTENSION, None)
        for cache in ("courier.zones", "courier.partner_zones", "courier.pricing"):
            coop.app.extensions.pop(cache, None)
        with coop.ctx():
            empty_all_tables()


def draw_zone(coop: Coop, name: str, geometry: dict) -> None:
    council = coop.actor("council")
    r = council.post("/zones", json={"name": name, "geometry": geometry})
    assert r.status_code == 201, r.json


def pair(coops: Coops, limit_cents: int = 100_000) -> tuple[Actor, Actor]:
    """An active partnership through both councils' API; returns (council A, council B)."""
    ca, cb = coops.a.actor("council"), coops.b.actor("council")
    inv = ca.post("/federation/invitations")
    assert inv.status_code == 201, inv.json
    joined = cb.post("/partners", json={"url": coops.a.url, "code": inv.json["code"]})
    assert joined.status_code == 201, joined.json
    with coops.a.ctx():
        pid = coops.a.partner().id
    r = ca.post(f"/partners/{pid}/approve")
    assert r.status_code == 200, r.json
    deliver_messages(coops)
    for coop, council in ((coops.a, ca), (coops.b, cb)):
        with coop.ctx():
            pid = coop.partner().id
        r = council._call("put", f"/partners/{pid}/limit",
                          json={"credit_limit_cents": limit_cents})
        assert r.status_code == 200, r.json
    return ca, cb


def deliver_messages(coops: Coops, rounds: int = 4) -> None:
    """Run both coops' federation work (news told, outboxes sent) until quiet."""
    from courier.federation import worker

    for _ in range(rounds):
        done = 0
        for coop in (coops.a, coops.b):
            with coop.ctx():
                done += worker.tick()
        if not done:
            return


@pytest.fixture
def paired(coops):
    draw_zone(coops.a, "Lyon centre", LYON_ZONE)
    draw_zone(coops.b, "Villeurbanne", VILLEURBANNE_ZONE)
    coops.councils = pair(coops)
    return coops


def soon(minutes: int = 60) -> str:
    return (utcnow() + timedelta(minutes=minutes)).isoformat()


def shop_at(coop: Coop, where=IN_LYON) -> Actor:
    return coop.actor("merchant", lat=where[0], lon=where[1], address="2 rue de la République")


def courier_at(coop: Coop, name: str, where=IN_VILLEURBANNE) -> Actor:
    c = coop.actor("courier", name=name, lat=where[0], lon=where[1])
    r = c.post("/courier/shift", json={"online": True, "lat": where[0], "lon": where[1]})
    assert r.status_code == 200, r.json
    return c


def submit(shop: Actor, dropoff=IN_BOTH, **extra) -> dict:
    r = shop.post("/jobs", json={"dropoff": {"lat": dropoff[0], "lon": dropoff[1],
                                             "address": "12 cours Émile Zola"},
                                 "recipient": {"name": "Rosa Parks", "phone": "+33612345678"},
                                 "deliver_by": soon(90), **extra})
    assert r.status_code == 201, r.json
    return r.json


def on_duty(coop: Coop, name: str = "Zoé Martin", where=IN_VILLEURBANNE) -> Actor:
    """A courier of ``coop`` on shift at ``where`` (the same one when asked again by name):
    a carrier takes a partner's job only when one of its couriers can deliver it in time."""
    if name not in coop.duty:
        coop.duty[name] = courier_at(coop, name, where)
    return coop.duty[name]


def partner_job(coop: Coop):
    """The one job a partner handed to ``coop`` (inside ``coop.ctx()``)."""
    from courier.models import Handoff

    h = db.session.scalars(sa.select(Handoff).where(Handoff.direction == "in",
                                                    Handoff.job_id.is_not(None))).one()
    return h.job


def ride(coop: Coop, courier: Actor, job_id: int, to: str = "delivered", **body) -> None:
    """Dispatch ``coop`` and have ``courier`` take the job and carry it to ``to``."""
    dispatcher = coop.actor("dispatcher")
    r = dispatcher.post("/dispatch")
    assert r.status_code == 200, r.json
    run = next(x for x in r.json["runs"] if any(s["job_id"] == job_id for s in x["stops"]))
    assert courier.post(f"/runs/{run['id']}/accept").status_code == 200
    if to == "accepted":
        return
    assert courier.post(f"/jobs/{job_id}/picked-up").status_code == 200
    if to == "picked_up":
        return
    r = courier.post(f"/jobs/{job_id}/{to}", json=body)
    assert r.status_code == 200, r.json


def hand_off(coops: Coops, shop: Actor | None = None, **job) -> tuple[dict, dict]:
    """A shop's job at A, handed to B by A's dispatcher (B's courier :func:`on_duty`):
    (the job, the hand-off)."""
    on_duty(coops.b)
    shop = shop or shop_at(coops.a)
    made = submit(shop, **job)
    r = coops.a.actor("dispatcher").post(f"/jobs/{made['id']}/handoff", json={})
    assert r.status_code == 200, r.json
    return made, r.json


def send_signed(sender: Coop, path: str, body: dict | str, **kw):
    """A signed request from ``sender`` to its partner (as its software sends them)."""
    from courier.federation import transport

    with sender.ctx():
        return transport.post(sender.partner(), path, body, **kw)
