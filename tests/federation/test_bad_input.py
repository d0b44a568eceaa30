"""Bad input between coops: unsigned or wrongly signed requests, an expired timestamp, a
job outside the partner's zone, a price above its list, a body that is not an ask. Each
is refused with a JSON error naming the reason, recorded, and nothing is half-made on
either side."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from courier.extensions import db
from courier.federation import signing
from courier.models import Event, Handoff, Job, utcnow
from tests.federation.conftest import IN_BOTH, IN_LYON, on_duty, send_signed, shop_at, soon, submit


def _ask(key="ho_test_ask_0001", dropoff=IN_BOTH, **extra) -> dict:
    return {"idempotency_key": key, "job": {
        "ref": "41", "pickup": {"lat": IN_LYON[0], "lon": IN_LYON[1], "address": "a shop"},
        "dropoff": {"lat": dropoff[0], "lon": dropoff[1], "address": "a door"},
        "ready_at": utcnow().isoformat(), "deliver_by": soon(90), "weight_kg": 2,
        "recipient": {"name": "Rosa", "phone": "+33612345678"}}, **extra}


def _nothing_made_at_b(coops, reason: str) -> None:
    with coops.b.ctx():
        assert db.session.scalar(select(func.count(Job.id))) == 0
        assert db.session.scalar(select(func.count(Handoff.id))) == 0
        refused = db.session.scalars(select(Event).where(Event.subject == "federation",
                                                         Event.action == "refused")).all()
        assert [e.data["reason"] for e in refused] == [reason]


def _raw(coops, headers: dict, body: str):
    return coops.b.client.post("/federation/v1/handoffs", data=body,
                               headers={"content-type": "application/json", **headers})


def _headers(coops, body: str, *, secret=None, at=None, msg_id="msg_raw_1"):
    with coops.a.ctx():
        p = coops.a.partner()
        return signing.headers(p.our_key_id, secret or p.our_secret, msg_id, body,
                               at or utcnow())


def test_an_unsigned_request_is_refused(paired):
    r = _raw(paired, {}, json.dumps(_ask()))
    assert r.status_code == 401 and r.json["reason"] == "unsigned"
    assert "webhook-signature" in r.json["error"]
    _nothing_made_at_b(paired, "unsigned")


def test_a_wrong_signature_is_refused(paired):
    body = json.dumps(_ask())
    heads = _headers(paired, body, secret=signing.new_secret())
    r = _raw(paired, heads, body)
    assert r.status_code == 401 and r.json["reason"] == "bad_signature"
    _nothing_made_at_b(paired, "bad_signature")


def test_a_body_changed_after_signing_is_refused(paired):
    body = json.dumps(_ask())
    heads = _headers(paired, body)
    r = _raw(paired, heads, body.replace('"41"', '"42"'))
    assert r.status_code == 401 and r.json["reason"] == "bad_signature"


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_timestamp_more_than_five_minutes_off_is_refused(paired, minutes):
    body = json.dumps(_ask())
    heads = _headers(paired, body, at=utcnow() + timedelta(minutes=minutes))
    r = _raw(paired, heads, body)
    assert r.status_code == 401 and r.json["reason"] == "expired_timestamp"
    _nothing_made_at_b(paired, "expired_timestamp")


def test_an_unknown_key_is_refused(paired):
    body = json.dumps(_ask())
    heads = {**_headers(paired, body), "coop-key-id": "k_nobody"}
    r = _raw(paired, heads, body)
    assert r.status_code == 401 and r.json["reason"] == "unknown_key"
    _nothing_made_at_b(paired, "unknown_key")


def test_a_job_outside_the_partners_zone_is_refused(paired):
    far = (45.70, 4.95)  # south of Villeurbanne's zone
    r = send_signed(paired.a, "/federation/v1/handoffs", _ask(dropoff=far))
    assert r.status == 422 and r.data["reason"] == "outside_zone"
    assert r.data["fields"] == {"job.dropoff": "outside our service zone"}
    _nothing_made_at_b(paired, "outside_zone")


def test_a_price_above_the_partners_list_is_refused(paired):
    r = send_signed(paired.a, "/federation/v1/handoffs", _ask(price_cents=99_999))
    assert r.status == 422 and r.data["reason"] == "price_above_list"
    assert r.data["fields"] == {"price_cents": "above our list"}
    assert 0 < r.data["list_price_cents"] < 99_999
    _nothing_made_at_b(paired, "price_above_list")


def test_the_list_price_is_accepted_and_an_ask_again_is_the_same_answer(paired):
    on_duty(paired.b)
    listed = send_signed(paired.a, "/federation/v1/handoffs", _ask(price_cents=0))
    assert listed.status == 409 and listed.data["reason"] == "price_below_list"
    price = listed.data["list_price_cents"]
    first = send_signed(paired.a, "/federation/v1/handoffs", _ask(price_cents=price))
    again = send_signed(paired.a, "/federation/v1/handoffs", _ask(price_cents=price))
    assert (first.status, again.status) == (201, 200)
    assert first.data == again.data and first.data["price_cents"] == price
    with paired.b.ctx():
        assert db.session.scalar(select(func.count(Job.id))) == 1


@pytest.mark.parametrize("change, field", [
    ({"job": None}, "job"),
    ({"idempotency_key": "short"}, "idempotency_key"),
    ({"leg": "third"}, "leg"),
    ({"max_price_cents": -1}, "max_price_cents"),
])
def test_an_ask_that_is_not_one_is_refused_naming_the_field(paired, change, field):
    r = send_signed(paired.a, "/federation/v1/handoffs", {**_ask(), **change})
    assert r.status == 422 and r.data["reason"] == "invalid_body"
    assert field in r.data["fields"]
    _nothing_made_at_b(paired, "invalid_body")


def test_a_job_outside_the_partners_published_zone_is_not_offered(paired):
    coops = paired
    job = submit(shop_at(coops.a), dropoff=IN_LYON)
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/handoff", json={})
    assert r.status_code == 409 and r.json["fields"] == {"partner": "none covers it"}
    with coops.a.ctx():
        assert db.session.scalar(select(func.count(Handoff.id))) == 0
        assert db.session.get(Job, job["id"]).status.value == "pending"
    with coops.b.ctx():
        assert db.session.scalar(select(func.count(Handoff.id))) == 0
