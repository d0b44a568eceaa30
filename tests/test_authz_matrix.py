"""Who may call what: every operation of the OpenAPI description, called by every role,
on objects of their own and of someone else, with tokens of every scope.

The table below is the expectation. An operation that appears in the description
without a row fails with "no authorization expectation for ...": whoever adds an
endpoint decides here who may call it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from courier import create_app
from courier.accounts import issue_token
from courier.extensions import db
from courier.models import (
    ApiToken,
    Event,
    Job,
    PushSubscription,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from tests.spec_check import validating_client

OK = "ok"  # past authorization: any status but 401 and 403 (and 404 for a path's object)
ROLES = ("anonymous", "merchant", "courier", "dispatcher", "council", "partner")


def allow(*roles, others=None, body=None, scope=None, deletes=False, **extra) -> dict:
    """An expectation: ``roles`` pass, anonymous gets 401, other roles 403; ``others``
    maps "other_merchant" / "other_courier" (someone else's object) to a status, checked
    first. ``body`` is sent (a valid one, so that ownership is what decides), ``scope`` is
    the token scope the operation needs when it is not its blueprint's read/write;
    ``deletes``: once a caller deleted the object, the next allowed ones may find it gone."""
    row = dict(others or {})
    row["anonymous"] = OK if "anonymous" in roles else 401
    row.update({r: (OK if r in roles else 403) for r in ROLES if r != "anonymous"})
    row.update(extra)
    return {"who": row, "body": body or {}, "scope": scope, "deletes": deletes}


EVERYONE = ("merchant", "courier", "dispatcher", "council")
DISPATCH = ("dispatcher", "council")
MEMBERS = ("courier", "dispatcher", "council")
NOT_YOURS = {"other_merchant": 403, "other_courier": 403}
ANYONE = (*EVERYONE, "partner")  # any logged-in user
SOON = utcnow() + timedelta(days=2)
SCHEDULE = {"rrule": "FREQ=WEEKLY;BYDAY=MO", "starts": "2030-01-07T18:00:00",
            "job": {"dropoff": {"lat": 45.75, "lon": 4.85}}}

EXPECTATIONS = {
    "POST /jobs": allow("merchant"),
    "GET /jobs": allow("merchant", "partner", *DISPATCH),
    "GET /jobs/{job_id}": allow("merchant", "courier", *DISPATCH, others=NOT_YOURS),
    "POST /jobs/{job_id}/cancel": allow("merchant", "dispatcher",
                                        others={"other_merchant": 403}),
    "POST /jobs/{job_id}/picked-up": allow("courier", others={"other_courier": 403}),
    "POST /jobs/{job_id}/delivered": allow("courier", others={"other_courier": 403}),
    "POST /jobs/{job_id}/failed": allow("courier", others={"other_courier": 403},
                                        body={"reason": "flat tyre"}),
    "POST /jobs/{job_id}/returned": allow("courier", others={"other_courier": 403}),
    "POST /jobs/{job_id}/release": allow("courier", others={"other_courier": 403},
                                         body={"reason": "flat tyre"}),
    "GET /return-hub": allow("courier", *DISPATCH),
    "PUT /return-hub": allow("council", body={"return_hub": None}),
    "GET /weather": allow(*MEMBERS),
    "PUT /weather/override": allow("council", body={"override": None, "reason": "test"}),
    "POST /courier/shift": allow("courier"),
    "POST /courier/position": allow("courier"),
    "GET /courier/me": allow("courier"),
    "GET /courier/runs": allow("courier"),
    "GET /runs": allow(*DISPATCH),
    "GET /runs/{run_id}": allow("courier", *DISPATCH, others={"other_courier": 403}),
    "POST /runs/{run_id}/accept": allow("courier", others={"other_courier": 403}),
    "POST /runs/{run_id}/decline": allow("courier", others={"other_courier": 403}),
    "POST /dispatch": allow(*DISPATCH),
    "GET /couriers": allow(*DISPATCH),
    "POST /jobs/{job_id}/assign": allow(*DISPATCH),
    "POST /runs/{run_id}/reassign": allow(*DISPATCH),
    "GET /track/{token}": allow("anonymous", *ANYONE),
    "GET /rules": allow(*MEMBERS),
    "POST /rules": allow("council"),
    "GET /rules/template": allow(*MEMBERS),
    "GET /rules/versions": allow(*MEMBERS),
    "GET /rules/versions/{number}": allow(*MEMBERS),
    "GET /rules/versions/compare": allow(*MEMBERS),
    "GET /rules/warnings": allow(*DISPATCH),
    "POST /rules/what-if": allow("council"),
    "GET /reports/earnings": allow(*EVERYONE),
    "GET /reports/runs": allow("courier", "council"),
    "GET /reports/statements/{month}.pdf": allow("courier", "council"),
    "GET /dashboard": allow("merchant", *MEMBERS),  # a shop: its own jobs' charts
    "POST /courier/break": allow("courier"),
    "GET /time": allow("courier", "council"),
    "POST /time/corrections": allow("council"),
    "GET /courier/decisions": allow("courier"),
    "POST /events/{event_id}/contest": allow("courier", others={"other_courier": 403},
                                             body={"body": "why not me?"}),
    "GET /contests": allow("courier", "council"),
    "POST /contests/{contest_id}/answer": allow("council"),
    # shops
    "GET /zones": allow(*ANYONE),
    "POST /zones": allow(*DISPATCH),
    "POST /zones/import": allow(*DISPATCH),
    "GET /zones/lookup": allow(*ANYONE),
    "GET /zones/{zone_id}": allow(*ANYONE),
    "PATCH /zones/{zone_id}": allow(*DISPATCH),
    "DELETE /zones/{zone_id}": allow(*DISPATCH, deletes=True),
    "POST /quotes": allow("merchant", *DISPATCH),
    "GET /pricing": allow(*ANYONE),
    "POST /pricing": allow("council"),
    "GET /pricing/versions": allow(*ANYONE),
    "GET /pricing/versions/{number}": allow(*ANYONE),
    "GET /pricing/versions/{number}/compare": allow(*ANYONE),
    "GET /slots": allow("merchant"),
    "GET /slots/schedule": allow("merchant"),
    "PUT /slots/schedule": allow("merchant"),
    "GET /webhooks": allow("merchant"),
    "POST /webhooks": allow("merchant"),
    "GET /webhooks/{endpoint_id}": allow("merchant", *DISPATCH, others={"other_merchant": 403}),
    "PATCH /webhooks/{endpoint_id}": allow("merchant", others={"other_merchant": 403}),
    "DELETE /webhooks/{endpoint_id}": allow("merchant", others={"other_merchant": 403},
                                            deletes=True),
    "POST /webhooks/{endpoint_id}/rotate-secret": allow("merchant",
                                                        others={"other_merchant": 403}),
    "POST /webhooks/{endpoint_id}/test": allow("merchant", others={"other_merchant": 403}),
    "GET /webhooks/{endpoint_id}/deliveries": allow("merchant", *DISPATCH,
                                                    others={"other_merchant": 403}),
    "GET /webhooks/deliveries/{delivery_id}": allow("merchant", *DISPATCH,
                                                    others={"other_merchant": 403}),
    "POST /webhooks/deliveries/{delivery_id}/replay": allow("merchant",
                                                            others={"other_merchant": 403}),
    "GET /statements/{month}": allow("merchant", *DISPATCH),
    "GET /statements/{month}/invoice.pdf": allow("merchant", *DISPATCH),
    "POST /jobs/import": allow("merchant"),
    "GET /tokens": allow(*ANYONE),
    "POST /tokens": allow(*ANYONE),
    # {token_id} is the shop's: everybody else is told it does not exist
    "POST /tokens/{token_id}/revoke": allow("merchant", courier=404, dispatcher=404,
                                            council=404, partner=404,
                                            others={"other_merchant": 404}),
    # solidarity: food hubs ("merchant" is a hub here), partners, volunteers, the coop
    "GET /hub/producers": allow("merchant"),
    "POST /hub/producers": allow("merchant", body={"name": "Ferme", "lat": 45.8, "lon": 4.9}),
    "GET /hub/schedules": allow("merchant"),
    "POST /hub/schedules": allow("merchant", body={
        "name": "Tuesdays", "kind": "distribute", "weekdays": [1], "start": "10:00",
        "end": "12:00"}),
    "GET /hub/rounds": allow("merchant", *DISPATCH),
    "POST /hub/rounds": allow("merchant", body={
        "kind": "distribute", "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=2)).isoformat()}),
    "GET /hub/rounds/{round_id}": allow("merchant", *DISPATCH, others={"other_merchant": 403}),
    "POST /hub/rounds/{round_id}/orders": allow("merchant", others={"other_merchant": 403}),
    "POST /hub/rounds/{round_id}/release": allow("merchant", others={"other_merchant": 403}),
    "POST /solidarity/deliveries": allow("partner", body={"dropoff": {"lat": 45.75,
                                                                       "lon": 4.85}}),
    "GET /solidarity/deliveries": allow("partner", *DISPATCH),
    "POST /couriers/{courier_id}/volunteer": allow("council", body={"volunteer": False}),
    "GET /coop": allow("anonymous", *ANYONE),
    "PATCH /coop": allow("council", body={"name": "Coop"}),
    "GET /setup/checklist": allow(*DISPATCH),
    "GET /open-data/weekly.json": allow("anonymous", *ANYONE),
    "GET /open-data/weekly.csv": allow("anonymous", *ANYONE),
    # the council makes the dispatcher a council member too (their sessions end)
    "PATCH /members/{user_id}": allow("council", body={"role": "council"}),
    # Web Push: couriers subscribe their devices; {device_id} is the courier's
    "GET /push/key": allow("courier"),
    "GET /push/devices": allow(*ANYONE),
    "POST /push/devices": allow("courier", body={
        "endpoint": "https://push.example.org/send/matrix",
        "keys": {"p256dh": "BBVBsdpbLS5aFOrekMgAquxVL6YWQegxt5RV_TAV4j6nDZXqgiMEKr0N5XVQAlL3"
                           "EPjGn2VUUKcQ6BGLAqvuWhU", "auth": "CZZPTdtAvgLdCtZkqWWtzQ"}}),
    "DELETE /push/devices/{device_id}": allow("courier", merchant=404, dispatcher=404,
                                              council=404, partner=404, deletes=True,
                                              others={"other_courier": 404}),
    # proofs of delivery, recipients' personal data
    "GET /shop/proof-policy": allow("merchant"),
    "PUT /shop/proof-policy": allow("merchant", body={"required": "none"}),
    "GET /jobs/{job_id}/proof": allow("merchant", "courier", *DISPATCH, others=NOT_YOURS),
    "GET /proofs/{proof_id}/file": allow("merchant", "courier", *DISPATCH, others=NOT_YOURS),
    "GET /proofs/export": allow("merchant", "partner"),
    "GET /privacy/retention": allow(*DISPATCH),
    "PUT /privacy/retention": allow("council", body={"days": 30}),
    "POST /privacy/requests": allow("council", body={"action": "see", "phone": "0600000000"}),
    # shifts planned ahead; {signup_id} is the courier's sign-up to {slot_id}
    "GET /shifts": allow(*MEMBERS),
    "GET /shifts/forecast": allow(*MEMBERS),
    "POST /shifts/slots": allow(*DISPATCH, body={
        "starts_at": (SOON + timedelta(days=1)).isoformat(),
        "ends_at": (SOON + timedelta(days=1, hours=3)).isoformat(),
        "vehicle": "bike", "riders": 2}),
    "POST /shifts/slots/{slot_id}/cancel": allow(*DISPATCH),
    "POST /shifts/slots/{slot_id}/signup": allow("courier"),
    "POST /shifts/signups/{signup_id}/release": allow("courier", deletes=True,
                                                      others={"other_courier": 404}),
    "POST /shifts/signups/{signup_id}/offer": allow("courier", body={"courier_id": None},
                                                    others={"other_courier": 404}),
    "POST /shifts/signups/{signup_id}/accept": allow("courier"),
    # messages to recipients, shops' recurring jobs
    "GET /shop/messages": allow("merchant"),
    "PUT /shop/messages": allow("merchant", body={"kinds": ["delivered"]}),
    "GET /jobs/{job_id}/messages": allow("merchant", *DISPATCH, others={"other_merchant": 403}),
    "GET /message-settings": allow("merchant", *DISPATCH),
    "PUT /message-settings": allow("council", body={"per_hour": 4}),
    "GET /schedules": allow("merchant"),
    "POST /schedules": allow("merchant", body=SCHEDULE),
    "GET /schedules/{schedule_id}": allow("merchant", others={"other_merchant": 404}),
    "PATCH /schedules/{schedule_id}": allow("merchant", others={"other_merchant": 404},
                                            body={"name": "Evenings"}),
    "DELETE /schedules/{schedule_id}": allow("merchant", others={"other_merchant": 404},
                                             deletes=True),
    "POST /schedules/{schedule_id}/pause": allow("merchant", others={"other_merchant": 404}),
    "POST /schedules/{schedule_id}/resume": allow("merchant", others={"other_merchant": 404}),
    "GET /schedules/{schedule_id}/occurrences": allow("merchant",
                                                      others={"other_merchant": 404}),
    "GET /schedule-settings": allow("merchant", *DISPATCH),
    "PUT /schedule-settings": allow("council", body={"horizon_days": 2, "daily_cap": 12}),
    # federation: partner coops (the partner's address answers nothing here)
    "GET /federation": allow(*DISPATCH),
    "PATCH /federation/settings": allow("council", body={"auto_handoff": False}),
    "POST /federation/invitations": allow("council"),
    "POST /partners": allow("council", body={"url": "https://coop.example", "code": "x"}),
    "GET /partners/{partner_id}": allow(*DISPATCH),
    "POST /partners/{partner_id}/approve": allow("council"),
    "POST /partners/{partner_id}/pause": allow("council", body={"reason": "matrix"}),
    "POST /partners/{partner_id}/resume": allow("council", body={"reason": "matrix"}),
    "POST /partners/{partner_id}/end": allow("council", body={"reason": "matrix"}),
    "PUT /partners/{partner_id}/limit": allow("council", body={"credit_limit_cents": 1000}),
    "POST /partners/{partner_id}/rotate-key": allow("council"),
    "POST /partners/{partner_id}/refresh": allow("council"),
    "POST /jobs/{job_id}/handoff": allow(*DISPATCH),
    "POST /jobs/{job_id}/handoff/withdraw": allow(*DISPATCH),
    "GET /jobs/{job_id}/handoffs": allow(*DISPATCH),
    "GET /handoffs": allow(*DISPATCH),
    # federation: the mutual-credit ledger of a partnership, and jobs relayed through a hub
    "GET /ledger": allow("council"),
    "GET /partners/{partner_id}/ledger": allow("council"),
    "GET /partners/{partner_id}/ledger/{month}": allow("council"),
    "GET /partners/{partner_id}/ledger/{month}/statement.pdf": allow("council"),
    "POST /partners/{partner_id}/settlements": allow("council", body={
        "payer": "us", "amount_cents": 100, "paid_at": "2026-01-05T10:00:00+01:00"}),
    "POST /partners/{partner_id}/ledger/reconcile": allow("council"),
    "GET /partners/{partner_id}/relay-hubs": allow(*DISPATCH),
    "PUT /partners/{partner_id}/relay-hubs": allow("council", body={"hubs": []}),
    "POST /jobs/{job_id}/relay": allow(*DISPATCH),
    "GET /jobs/{job_id}/relay": allow(*DISPATCH),
    "GET /relays/possible": allow(*DISPATCH),
}


def _operations() -> list[tuple[str, dict]]:
    app = create_app({"DATABASE_URL": "sqlite://", "AUTO_MIGRATE": False,
                      "SECRET_KEY": "spec-only"})
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                ops.append((f"{method.upper()} {path.removeprefix('/api/v1')}", op))
    return ops


OPERATIONS = _operations()


def test_every_operation_has_an_authorization_expectation():
    missing = [name for name, _ in OPERATIONS if name not in EXPECTATIONS]
    assert not missing, "\n".join(f"no authorization expectation for {m}" for m in missing)


@pytest.fixture
def client(app):
    """Every answer of the matrix is also checked against the OpenAPI description."""
    return validating_client(app)


@pytest.fixture
def world(app, make_merchant, make_courier, make_user, dispatcher, tmp_path):
    """A shop's job on the accepted run of a courier; another shop, another courier."""
    shop, other_shop = make_merchant("Shop A"), make_merchant("Shop B")
    xena, yann = make_courier("Xena"), make_courier("Yann", lat=45.77)
    council = make_user("council", "Carla Council")
    job = shop.post("/jobs", json={"dropoff": {"lat": 45.75, "lon": 4.85}}).json
    run = dispatcher.post(f"/jobs/{job['id']}/assign",
                          json={"courier_id": xena.user.courier.id, "reason": "matrix"}).json
    assert xena.post(f"/runs/{run['id']}/accept").status_code == 200
    offered = db.session.scalars(select(Event.id).where(
        Event.run_id == run["id"], Event.action == "offered", Event.subject == "run")).first()
    contest = xena.post(f"/events/{offered}/contest", json={"body": "why?"}).json
    zone = dispatcher.post("/zones", json={"name": "Lyon", "geometry": {
        "type": "Polygon", "coordinates": [[[4.7, 45.7], [5.0, 45.7], [5.0, 45.9], [4.7, 45.9],
                                            [4.7, 45.7]]]}}).json
    pricing = council.post("/pricing", json={"strategy": "first_match", "note": "matrix", "rules": [
        {"name": "flat", "price": {"fixed_cents": 500}}]})
    assert pricing.status_code == 201 and pricing.json["version"] == 1, pricing.json
    hook = WebhookEndpoint(merchant_id=shop.user.merchant.id, url="https://hooks.example.org/x",
                           events=["job.delivered"], secret="whsec_matrix")
    db.session.add(hook)
    db.session.flush()
    delivery = WebhookDelivery(endpoint_id=hook.id, message_id="msg_matrix",
                               event_type="job.delivered", job_id=job["id"], payload="{}")
    device = PushSubscription(user_id=xena.user.id, endpoint="https://push.example.org/x",
                              p256dh="key", auth="secret", label="matrix")
    db.session.add(device)
    spare = ApiToken.issue(shop.user, name="spare")[0]
    db.session.add(delivery)
    db.session.add(spare)
    db.session.commit()
    partner, hub_round = _solidarity(shop, make_user)
    slot, signup = _shift(dispatcher, xena)
    schedule = shop.post("/schedules", json=SCHEDULE).json
    proof = _proof(app, job["id"], tmp_path)
    partner_coop = _partner_coop(app)
    actors = {"merchant": shop, "other_merchant": other_shop, "courier": xena,
              "other_courier": yann, "dispatcher": dispatcher, "council": council,
              "partner": partner}
    params = {"job_id": job["id"], "run_id": run["id"], "token_id": spare.id,
              "token": db.session.get(Job, job["id"]).tracking_token,
              "number": 1,  # the first rules version and the first pricing version
              "event_id": offered, "contest_id": contest["id"], "zone_id": zone["id"],
              "endpoint_id": hook.id, "delivery_id": delivery.id,
              "month": utcnow().strftime("%Y-%m"), "round_id": hub_round.id,
              "courier_id": xena.user.courier.id, "user_id": dispatcher.user.id,
              "device_id": device.id, "proof_id": proof.id,
              "slot_id": slot, "signup_id": signup, "schedule_id": schedule["id"],
              "partner_id": partner_coop.id}
    return actors, params


def _partner_coop(app):
    """A partner coop, active, whose address answers nothing (no request leaves)."""
    import requests
    from requests.adapters import BaseAdapter

    from courier.federation import signing
    from courier.federation.transport import EXTENSION
    from courier.models import Partner, PartnerStatus

    class Nowhere(BaseAdapter):
        def send(self, request, **kw):
            raise requests.ConnectionError("no network in the matrix")

        def close(self):
            pass

    session = requests.Session()
    session.mount("https://", Nowhere())
    session.mount("http://", Nowhere())
    app.extensions[EXTENSION] = session
    partner = Partner(name="Villeurbanne", base_url="https://coop-b.example",
                      status=PartnerStatus.ACTIVE, our_key_id="k_matrix_a",
                      our_secret=signing.new_secret(), their_key_id="k_matrix_b",
                      their_secret=signing.new_secret())
    db.session.add(partner)
    db.session.commit()
    return partner


def _proof(app, job_id, folder):
    """A photo of the job's delivery, in a store of the test's own."""
    from courier.models import Proof, ProofKind
    from courier.proofs.store import EXTENSION_KEY, FileStore

    app.extensions[EXTENSION_KEY] = FileStore(folder)
    app.extensions[EXTENSION_KEY].put("matrix/photo.jpg", b"\xff\xd8\xff", "image/jpeg")
    proof = Proof(job_id=job_id, kind=ProofKind.PHOTO, outcome="delivered",
                  key="matrix/photo.jpg", content_type="image/jpeg", size=3)
    db.session.add(proof)
    db.session.commit()
    return proof


def _shift(dispatcher, xena):
    """A slot published by dispatch, the courier signed up to it."""
    slot = dispatcher.post("/shifts/slots", json={
        "starts_at": SOON.isoformat(), "ends_at": (SOON + timedelta(hours=4)).isoformat(),
        "vehicle": "bike", "riders": 2}).json["id"]
    signup = xena.post(f"/shifts/slots/{slot}/signup").json["signup_id"]
    return slot, signup


def _solidarity(shop, make_user):
    """Shop A is also a food hub with a round; a partner; the coop publishes open data."""
    from courier import settings
    from courier.models import MerchantKind
    from courier.solidarity.models import Round, RoundKind

    shop.user.merchant.kind = MerchantKind.HUB
    hub_round = Round(hub_id=shop.user.merchant.id, kind=RoundKind.DISTRIBUTE, starts_at=SOON,
                      ends_at=SOON + timedelta(hours=2), cutoff_at=SOON)
    db.session.add(hub_round)
    settings.put("open_data", True)
    db.session.commit()
    return make_user("partner", "Pia Partner", lat=45.76, lon=4.84), hub_round


def _url(name: str, params: dict) -> tuple[str, str]:
    method, path = name.split(" ", 1)
    for key, value in params.items():
        path = path.replace("{" + key + "}", str(value))
    assert "{" not in path, f"no value for a path parameter of {name}: add it to world()"
    return method, path


def _call(client, actor, method, path, headers=None, body=None):
    headers = {**(actor.headers if actor else {}), **(headers or {})}
    kw = {"json": body or {}} if method in ("POST", "PUT", "PATCH") else {}
    return client.open("/api/v1" + path, method=method, headers=headers, **kw)


def _check(expected, response, name, who):
    code = response.status_code
    if expected == OK:
        assert code not in (401, 403, 404), f"{who} on {name}: {code} {response.get_json()}"
    else:
        assert code == expected, f"{who} on {name}: {code}, expected {expected}"


@pytest.mark.parametrize("name", [n for n, _ in OPERATIONS])
def test_who_may_call_what_and_with_which_token_scope(name, client, world):
    assert name in EXPECTATIONS, f"no authorization expectation for {name}"
    actors, params = world
    method, path = _url(name, params)
    row = EXPECTATIONS[name]
    gone = False
    for who, expected in row["who"].items():
        actor = None if who == "anonymous" else actors[who]
        response = _call(client, actor, method, path, body=row["body"])
        if not (gone and expected == OK and response.status_code == 404):
            _check(expected, response, name, who)
        gone = gone or (row["deletes"] and expected == OK)
    if dict(OPERATIONS)[name].get("security"):
        _check_scopes(name, client, actors, method, path, gone)


def _check_scopes(name, client, actors, method, path, gone=False):
    """A token whose scopes do not cover the operation is refused (403); one with exactly
    the operation's scope gets past authorization."""
    area = dict(OPERATIONS)[name]["tags"][0]
    row = EXPECTATIONS[name]
    needed = row["scope"] or f"{area}:{'read' if method == 'GET' else 'write'}"
    who = next(w for w in ANYONE if row["who"][w] == OK)
    actor = actors[who]
    narrow = issue_token(actor.user, name="narrow", scopes="unrelated:read")
    exact = issue_token(actor.user, name="exact", scopes=needed)
    db.session.commit()
    refused = _call(client, None, method, path, {"Authorization": f"Bearer {narrow}"},
                    row["body"])
    assert refused.status_code == 403, (name, refused.status_code)
    assert refused.get_json()["fields"] == {"scope": needed}
    response = _call(client, None, method, path, {"Authorization": f"Bearer {exact}"},
                     row["body"])
    if not (gone and response.status_code == 404):
        _check(OK, response, name, f"{who} with scope {needed}")
