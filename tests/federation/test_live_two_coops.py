"""Two coops as they run for real: two `courier run` processes on two ports, each on its
own database, with their own dispatch and senders. They pair through their councils'
API, one hands a job over, the other's courier delivers it, and the first sees it
delivered and holds the same book."""

from __future__ import annotations

import time

import pytest
import requests
import sqlalchemy as sa

from courier import create_app
from courier.accounts import create_user, issue_token
from courier.extensions import db
from courier.models import Partner, PartnerStatus
from tests.conftest import _migrate, base_config
from tests.federation.conftest import IN_BOTH, IN_LYON, LYON_ZONE, VILLEURBANNE_ZONE
from tests.live import LiveServer

WAIT_S = 60


class Live:
    """One coop: its server, its database (read here too) and its people's tokens."""

    def __init__(self, name: str, url: str):
        self.name, self.db_url = name, url
        self.server = LiveServer(url, env={"COURIER_DISPATCH_AUTORUN": "true",
                                           "COURIER_DISPATCH_INTERVAL": "2",
                                           "COURIER_FEDERATION_POLL_S": "0.5"})
        self.server.env["COURIER_PUBLIC_URL"] = self.server.url
        self.url = self.server.url
        self.app = create_app(base_config(url, PUBLIC_URL=self.url))
        self.tokens: dict[str, str] = {}

    def person(self, role: str, name: str, **kw) -> str:
        with self.app.app_context():
            email = f"{role}-{name.split()[0].lower()}@{self.name}.test"
            user = create_user(role, name, email=email, password="secret", **kw)
            token = issue_token(user)
            db.session.commit()
        return token

    def call(self, token: str, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, f"{self.url}/api/v1{path}", timeout=30,
                                headers={"Authorization": f"Bearer {token}"}, **kw)

    def partner(self) -> Partner | None:
        with self.app.app_context():
            p = db.session.scalars(sa.select(Partner)).first()
            db.session.expunge_all()
            return p


def until(what, check, wait=WAIT_S):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {wait} s")


@pytest.fixture
def two(tmp_path):
    """Lyon and Villeurbanne, each on a SQLite file of its own (the embedded default)."""
    coops = []
    for name in ("lyon", "villeurbanne"):
        url = f"sqlite:///{tmp_path / name}.sqlite"
        _migrate(url)
        coops.append(Live(name, url))
    try:
        for c in coops:
            c.server.start()
        yield coops
    finally:
        for c in coops:
            c.server.stop()
            with c.app.app_context():
                db.engine.dispose()


def test_two_real_servers_pair_hand_off_and_follow_a_job_to_the_door(two):
    lyon, ville = two
    ca, cb = lyon.person("council", "Camille Lyon"), ville.person("council", "Claude Ville")
    for coop, council, zone in ((lyon, ca, LYON_ZONE), (ville, cb, VILLEURBANNE_ZONE)):
        r = coop.call(council, "POST", "/zones", json={"name": coop.name, "geometry": zone})
        assert r.status_code == 201, r.text
    code = lyon.call(ca, "POST", "/federation/invitations").json()["code"]
    r = ville.call(cb, "POST", "/partners", json={"url": lyon.url, "code": code})
    assert r.status_code == 201, r.text
    pid_a = until("Lyon knows Villeurbanne", lambda: lyon.partner()).id
    assert lyon.call(ca, "POST", f"/partners/{pid_a}/approve").status_code == 200
    pid_b = until("both approved, told by Lyon's sender", lambda: (
        p := ville.partner()) and p.status == PartnerStatus.ACTIVE and p).id
    for coop, council, pid in ((lyon, ca, pid_a), (ville, cb, pid_b)):
        r = coop.call(council, "PUT", f"/partners/{pid}/limit", json={"credit_limit_cents": 50_000})
        assert r.status_code == 200, r.text

    # Villeurbanne takes a job only with a courier able to deliver it in time
    zoe = ville.person("courier", "Zoé Ville", lat=IN_BOTH[0], lon=IN_BOTH[1], vehicle="bike")
    r = ville.call(zoe, "POST", "/courier/shift", json={"online": True, "lat": IN_BOTH[0],
                                                          "lon": IN_BOTH[1]})
    assert r.status_code == 200, r.text

    shop = lyon.person("merchant", "Halles Lyon", lat=IN_LYON[0], lon=IN_LYON[1],
                       address="102 cours Lafayette")
    job = lyon.call(shop, "POST", "/jobs", json={
        "dropoff": {"lat": IN_BOTH[0], "lon": IN_BOTH[1], "address": "12 cours Émile Zola"},
        "recipient": {"name": "Rosa", "phone": "+33612345678"}})
    assert job.status_code == 201, job.text
    job = job.json()
    dispatcher = lyon.person("dispatcher", "Dom Lyon")
    h = lyon.call(dispatcher, "POST", f"/jobs/{job['id']}/handoff", json={"partner_id": pid_a})
    assert h.status_code == 200 and h.json()["status"] == "accepted", h.text

    run = until("Villeurbanne's dispatch offers the job to Zoé", lambda: next(
        (x for x in ville.call(zoe, "GET", "/courier/runs").json()["runs"]
         if x["status"] == "offered"), None))
    assert ville.call(zoe, "POST", f"/runs/{run['id']}/accept").status_code == 200
    theirs = run["stops"][0]["job_id"]
    assert ville.call(zoe, "POST", f"/jobs/{theirs}/picked-up").status_code == 200
    assert ville.call(zoe, "POST", f"/jobs/{theirs}/delivered").status_code == 200

    seen = until("Lyon's shop sees it delivered", lambda: (
        j := lyon.call(shop, "GET", f"/jobs/{job['id']}").json())["status"] == "delivered" and j)
    assert seen["carried_by"]["courier_first_name"] == "Zoé"
    check = lyon.call(ca, "POST", f"/partners/{pid_a}/ledger/reconcile").json()
    assert check["match"] and check["entries"] == 1, check
    month = seen["delivered_at"][:7]
    a = lyon.call(ca, "GET", f"/partners/{pid_a}/ledger/{month}").json()
    b = ville.call(cb, "GET", f"/partners/{pid_b}/ledger/{month}").json()
    assert a["digest"] == b["digest"] and a["closing"] == b["closing"]
