"""``courier demo --federation``: two neighbouring coops, Lyon and Villeurbanne, each a
``courier demo`` of its own (its own SQLite file in the instance folder, its own port,
dispatch, simulated shops and couriers), paired by their councils as two real coops
would be, and passing work to each other live.

Both databases are SQLite files beside the demo's own (``federation-lyon.sqlite``,
``federation-villeurbanne.sqlite``), with each server's log. This process prepares them
(each coop's service zone: Lyon's centre, and
Villeurbanne to its east, overlapping on a strip where the relay hub is), starts both
servers, pairs them (an invitation code from Lyon's council entered by Villeurbanne's,
both approvals, a credit limit of 1000 EUR each way, Lyon's relay hub), turns on both
councils' hand-off rule (a job nobody can serve for 10 minutes goes to the partner; Lyon
takes jobs for Villeurbanne's streets and relays or hands them over), then keeps Lyon's
shops sending a few parcels to Villeurbanne and says each hand-off as it happens.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import select

from courier.extensions import db

# [lon, lat] rings: Lyon's centre, and Villeurbanne east of it (sharing 4.865-4.89)
LYON_ZONE = {"type": "Polygon", "coordinates": [[[4.79, 45.72], [4.89, 45.72], [4.89, 45.79],
                                                  [4.79, 45.79], [4.79, 45.72]]]}
VILLEURBANNE_ZONE = {"type": "Polygon", "coordinates": [[[4.865, 45.745], [4.94, 45.745],
                                                         [4.94, 45.79], [4.865, 45.79],
                                                         [4.865, 45.745]]]}
HUB = {"name": "Relais Gratte-Ciel", "address": "Avenue Henri Barbusse, Villeurbanne",
       "lat": 45.7688, "lon": 4.8795}
# Villeurbanne's streets beyond Lyon's zone, where Lyon's shops send a parcel now and then
NEIGHBOURS = (("Cusset", 45.7655, 4.9005), ("Saint-Jean", 45.7800, 4.9050),
              ("Croix-Luizet", 45.7770, 4.8960), ("Flachet", 45.7680, 4.8950))
LIMIT_CENTS = 100_000
RULE = {"auto_handoff": True, "pending_minutes": 10}


@dataclass
class Coop:
    key: str  # the demo city's file (courier/demo/<key>.json)
    name: str
    port: int
    zone: dict
    history: bool
    host: str = "127.0.0.1"
    app: object = None
    proc: subprocess.Popen | None = None
    log: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @contextmanager
    def ctx(self):
        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()


def _db_url(folder: Path, key: str) -> str:
    return f"sqlite:///{folder / f'federation-{key}.sqlite'}"


def prepare(coop: Coop, folder: Path, secret: str, make_app: Callable) -> None:
    """The coop's database, migrated, with its service zone (the demo's seed keeps it)."""
    from courier.models import Zone
    from courier.shops.zones import create_zone

    coop.app = make_app({"SECRET_KEY": secret, "DATABASE_URL": _db_url(folder, coop.key),
                           "PUBLIC_URL": coop.url, "AUTO_MIGRATE": True,
                           "DISPATCH_AUTORUN": False})
    with coop.ctx():
        if db.session.scalar(select(Zone.id).where(Zone.active.is_(True)).limit(1)) is None:
            create_zone(None, {"name": coop.name, "geometry": coop.zone})
            db.session.commit()


def spawn(coop: Coop, folder: Path, speed: float) -> None:
    """Start the coop's ``courier demo`` (its output in a log file beside its database)."""
    env = {**os.environ, "COURIER_DATABASE_URL": _db_url(folder, coop.key),
           "COURIER_PUBLIC_URL": coop.url, "COURIER_DEMO_CITY": coop.key,
           # one browser may log in to both: a cookie name of each (same host)
           "COURIER_SESSION_COOKIE_NAME": f"session_{coop.key}",
           "COURIER_REMEMBER_COOKIE_NAME": f"remember_{coop.key}",
           "COURIER_FEDERATION_SCAN_S": "2"}  # the rule looks before dispatch does
    argv = [sys.executable, "-m", "courier", "demo", "--host", coop.host, "--port",
            str(coop.port), "--speed", str(speed)] + ([] if coop.history else ["--no-history"])
    coop.log = folder / f"federation-{coop.key}.log"
    with coop.log.open("w") as out:
        coop.proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_up(coop: Coop, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if coop.proc.poll() is not None:
            raise RuntimeError(f"{coop.name} stopped: see {coop.log}")
        try:
            if requests.get(coop.url + "/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{coop.name} did not start in {timeout:g} s: see {coop.log}")


def _council():
    from courier.models import Role, User

    return db.session.scalars(select(User).where(User.role == Role.COUNCIL)
                              .order_by(User.id)).first()


def _partner(url: str):
    from courier.models import Partner

    return db.session.scalars(select(Partner).where(Partner.base_url == url)).first()


def pair(lyon: Coop, ville: Coop, timeout: float = 60) -> bool:
    """Pair the two coops as their councils would (nothing when they are already);
    returns whether they were paired now."""
    from courier.federation import config, partners, relay
    from courier.models import PartnerStatus

    with lyon.ctx():
        known = _partner(ville.url)
        if known is not None and known.status == PartnerStatus.ACTIVE:
            return False
        _, code = partners.invite(_council())
        db.session.commit()
    with ville.ctx():
        partners.connect(_council(), lyon.url, code)  # Villeurbanne's council enters it
        db.session.commit()
    with lyon.ctx():
        council, p = _council(), _partner(ville.url)
        partners.approve(council, p)
        partners.set_limit(council, p, LIMIT_CENTS)
        config.put({**RULE, "outside_zone": True})
        relay.set_hubs(council, p, [HUB])
        db.session.commit()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # Lyon's sender tells Villeurbanne it approved
        with ville.ctx():
            p = _partner(lyon.url)
            if p.status == PartnerStatus.ACTIVE:
                partners.set_limit(_council(), p, LIMIT_CENTS)
                config.put(RULE)
                db.session.commit()
                return True
        time.sleep(0.5)
    raise RuntimeError("Villeurbanne did not hear Lyon's approval: see the logs")


def shop_token(coop: Coop) -> tuple[list[str], str]:
    """A token for one of Lyon's demo shops, to send parcels through its API."""
    from courier.accounts import issue_token
    from courier.demo.seed import CITY
    from courier.models import User

    with coop.ctx():
        emails = [s["email"] for s in CITY["shops"]]
        shop = db.session.scalars(select(User).where(User.email.in_(emails))
                                  .order_by(User.id)).first()
        token = issue_token(shop, name="demo --federation")
        db.session.commit()
        return emails, token


def send_parcel(coop: Coop, token: str, rng: random.Random) -> int | None:
    """A Lyon shop sends a parcel to Villeurbanne's streets (beyond Lyon's zone)."""
    name, lat, lon = rng.choice(NEIGHBOURS)
    body = {"dropoff": {"lat": lat + rng.uniform(-0.002, 0.002),
                        "lon": lon + rng.uniform(-0.002, 0.002),
                        "address": f"{name}, Villeurbanne"},
            "weight_kg": rng.choice([1, 2, 3, 5]), "volume_l": rng.choice([5, 10, 20]),
            "recipient": {"name": rng.choice(["Jade", "Louis", "Nina", "Adam"]),
                          "phone": "04 00 00 00 00"}}
    r = requests.post(coop.url + "/api/v1/jobs", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {token}"})
    return r.json().get("id") if r.status_code == 201 else None


def news(coop: Coop, seen: set[tuple]) -> list[str]:
    """What Lyon handed over or took since last asked, in a line each."""
    from courier.models import Handoff, HandoffStatus

    out = []
    with coop.ctx():
        rows = db.session.scalars(select(Handoff).where(
            Handoff.status != HandoffStatus.ASKED).order_by(Handoff.id)).all()
        for h in rows:
            key = (h.id, h.status.value)
            if key in seen:
                continue
            seen.add(key)
            way = "to" if h.direction == "out" else "from"
            leg = " (second leg, via the relay hub)" if h.leg == "second" else ""
            price = f", {h.price_cents / 100:.2f} EUR" if h.price_cents else ""
            out.append(f"  Lyon job #{h.job_id} {way} {h.partner.name}{leg}: "
                       f"{h.status.value}{price}" + (f" ({h.reason})" if h.reason else ""))
    return out


def run(host: str, port: int, speed: float, history: bool, folder: Path, secret: str,
        make_app: Callable, echo: Callable[[str], None], every_s: float = 240.0) -> None:
    """Start both coops (``make_app(config)``: the app factory), pair them and keep work
    passing until interrupted (Ctrl-C, or a TERM signal: both servers are stopped)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    lyon = Coop("lyon", "Lyon", port, LYON_ZONE, history, host)
    ville = Coop("villeurbanne", "Villeurbanne", port + 1, VILLEURBANNE_ZONE, False, host)
    folder.mkdir(parents=True, exist_ok=True)
    for c in (lyon, ville):
        prepare(c, folder, secret, make_app)
        spawn(c, folder, speed)
    try:
        for c in (lyon, ville):
            wait_up(c)
        echo("Paired now." if pair(lyon, ville) else "Already partners.")
        emails, token = shop_token(lyon)
        echo(f"Lyon on {lyon.url}, Villeurbanne on {ville.url} (password: demo):")
        echo("  Lyon: council@demo.coop, dispatch@demo.coop, ana@demo.coop, "
             f"{emails[0]}; its mutual credit at {lyon.url}/council/ledger")
        echo(f"  Villeurbanne: council@villeurbanne.demo.coop, zoe@villeurbanne.demo.coop, "
             f"shop@villeurbanne.demo.coop; logs in {folder}")
        rng, seen = random.Random(24), set()
        next_parcel = time.monotonic()
        while all(c.proc.poll() is None for c in (lyon, ville)):
            if time.monotonic() >= next_parcel:
                job = send_parcel(lyon, token, rng)
                echo(f"A Lyon shop sends job #{job} to Villeurbanne." if job else
                     "A Lyon shop's parcel to Villeurbanne was refused (see Lyon's log).")
                next_parcel = time.monotonic() + rng.expovariate(speed / every_s)
            for line in news(lyon, seen):
                echo(line)
            time.sleep(2)
        echo("A coop stopped: see its log.")
    finally:
        for c in (lyon, ville):
            if c.proc is not None and c.proc.poll() is None:
                c.proc.terminate()
                try:
                    c.proc.wait(10)
                except subprocess.TimeoutExpired:
                    c.proc.kill()
            if c.app is not None:
                with c.app.app_context():
                    db.engine.dispose()
