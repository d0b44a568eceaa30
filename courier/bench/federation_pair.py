"""Two coops in one process for ``courier bench federation``: each app on its own
database, their HTTP to each other routed to the other's test client (the requests go
through the apps' real inter-coop routes, signed), paired by their councils' own
operations, with the hand-off rule on."""

from __future__ import annotations

import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
from flask import Flask
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from sqlalchemy import select

from courier.accounts import create_user
from courier.extensions import db
from courier.federation import config, partners, worker
from courier.federation.transport import EXTENSION
from courier.models import Partner, PartnerStatus, Role, User
from courier.setup.territory import circle
from courier.shops.zones import create_zone

CENTRE = (45.7605, 4.8383)  # the bench day's places are within 6 km of it
RADIUS_KM = 8
LIMIT_CENTS = 10_000_000  # the bench measures service, not the credit limit


class Router(BaseAdapter):
    """requests' transport to the apps' test clients, by host."""

    def __init__(self, apps: dict[str, Flask]):
        super().__init__()
        self.clients = {host: app.test_client() for host, app in apps.items()}
        self.asks: list[float] = []  # seconds each ask took the asked coop to answer

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        parts = urlsplit(request.url)
        client = self.clients.get(parts.netloc)
        if client is None:
            raise requests.ConnectionError(f"cannot reach {parts.netloc}")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        started = time.perf_counter()
        got = client.open(path, method=request.method, headers=dict(request.headers),
                          data=request.body)
        if request.method == "POST" and parts.path == "/federation/v1/handoffs":
            self.asks.append(time.perf_counter() - started)
        resp = requests.Response()
        resp.status_code, resp._content = got.status_code, got.data
        resp.headers = CaseInsensitiveDict(dict(got.headers))
        resp.url, resp.request, resp.encoding = request.url, request, "utf-8"
        return resp

    def close(self):
        pass


@contextmanager
def inside(app: Flask):
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def wire(apps: dict[str, Flask]) -> Router:
    """Route each app's outgoing HTTP to the other apps (keys: their hosts)."""
    session = requests.Session()
    router = Router(apps)
    for host in apps:
        session.mount(f"http://{host}", router)
    for app in apps.values():
        app.extensions[EXTENSION] = session
    return router


def _council(name: str = "") -> User:
    found = db.session.scalars(select(User).where(User.role == Role.COUNCIL)).first()
    return found or create_user("council", f"{name} Council", f"council@{name.lower()}.bench")


def set_up(app: Flask, name: str) -> None:
    """The coop's name and service zone (the bench day's city)."""
    from courier import settings

    with inside(app):
        settings.put("name", name)
        create_zone(None, {"name": name, "geometry": circle(*CENTRE, RADIUS_KM)})
        _council(name)
        db.session.commit()


def pair(a: Flask, b: Flask, url_a: str, url_b: str, pending_minutes: int,
         mutual: bool = False, accept_any: bool = False) -> None:
    """A's council invites, B's enters the code, A approves; both set the limit, and A
    (B too when ``mutual``) turns on the rule handing over a job nobody can serve for
    ``pending_minutes``. ``accept_any``: both councils turn off the check that one of
    their couriers can deliver a partner's job in time (every ask priced is taken)."""
    with inside(a):
        _, code = partners.invite(_council())
        db.session.commit()
    with inside(b):
        partners.connect(_council(), url_a, code)
        db.session.commit()
    with inside(a):
        p = db.session.scalars(select(Partner)).one()
        partners.approve(_council(), p)
        db.session.commit()
        worker.tick()  # the approval, told to B
    for app in (a, b):
        with inside(app):
            p = db.session.scalars(select(Partner)).one()
            if p.status != PartnerStatus.ACTIVE:
                raise RuntimeError(f"the partnership did not become active ({p.status})")
            partners.set_limit(_council(), p, LIMIT_CENTS)
            config.put({"auto_handoff": app is a or mutual, "pending_minutes": pending_minutes,
                        "accept_only_in_time": not accept_any})
            db.session.commit()


def federation_work(apps: list[Flask]) -> int:
    """The worker's federation pass in each app (asks, news, outbox, the rule's scan)."""
    done = 0
    for app in apps:
        with inside(app):
            done += worker.tick()
    return done
