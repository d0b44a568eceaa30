"""A shop cancels a job a partner coop carries as it cancels its own: until the partner's
courier picks it up, the partner is asked to give it back and the job ends cancelled
(both books reversed); once picked up, the cancel is refused (409 JSON naming why)."""

from datetime import timedelta

from sqlalchemy import select

from courier import clock
from courier.extensions import db
from courier.federation import ledger
from courier.models import (
    Event,
    Handoff,
    HandoffStatus,
    Job,
    JobStatus,
    Relay,
    RelayStatus,
    utcnow,
)
from tests.federation.conftest import (
    IN_BOTH,
    IN_LYON,
    IN_VILLEURBANNE,
    deliver_messages,
    hand_off,
    on_duty,
    partner_job,
    ride,
    shop_at,
    submit,
)


def _books(coops) -> tuple[int, int]:
    out = []
    for coop in (coops.a, coops.b):
        with coop.ctx():
            out.append(ledger.balance(coop.partner()))
    return tuple(out)


def test_a_shop_cancels_a_job_the_partner_has_not_picked_up(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, handed = hand_off(coops, shop)
    assert _books(coops) != (0, 0)
    r = shop.post(f"/jobs/{job['id']}/cancel", json={"reason": "the customer came by"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "cancelled"
    seen = shop.get(f"/jobs/{job['id']}").json
    assert [e["action"] for e in seen["events"]][-2:] == ["cancel_requested", "cancelled"]
    assert seen["carried_by"]["partner"] == "Villeurbanne"
    with coops.b.ctx():
        theirs = partner_job(coops.b)
        assert theirs.status == JobStatus.CANCELLED
        said = db.session.scalars(select(Event.reason).where(
            Event.job_id == theirs.id, Event.action == "cancelled")).one()
        assert said == "withdrawn by partner coop Lyon: the customer came by"
        assert db.session.scalars(select(Handoff)).one().status == HandoffStatus.CANCELLED
    with coops.a.ctx():
        assert db.session.get(Handoff, handed["id"]).status == HandoffStatus.CANCELLED
    assert _books(coops) == (0, 0)  # the hand-off's entry reversed on both sides


def test_a_job_the_partners_courier_accepted_but_has_not_picked_up_is_cancelled(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    ride(coops.b, on_duty(coops.b), their_id, "accepted")
    deliver_messages(coops)
    r = shop.post(f"/jobs/{job['id']}/cancel", json={})
    assert r.status_code == 200 and r.json["status"] == "cancelled", r.json
    with coops.b.ctx():
        assert db.session.get(Job, their_id).status == JobStatus.CANCELLED


def test_a_job_picked_up_at_the_partner_is_not_cancelled(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    ride(coops.b, on_duty(coops.b), their_id, "picked_up")
    deliver_messages(coops)  # we know it is on the partner's bike
    r = shop.post(f"/jobs/{job['id']}/cancel", json={})
    assert r.status_code == 409
    assert r.json["fields"] == {"status": "picked_up", "partner": "Villeurbanne"}
    assert "can no longer be cancelled" in r.json["error"]
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "with_partner" and "cancel_requested" not in [
        e["action"] for e in seen["events"]]


def test_a_cancel_that_meets_the_partners_pickup_on_the_way_is_refused(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    ride(coops.b, on_duty(coops.b), their_id, "picked_up")  # its news not sent yet
    r = shop.post(f"/jobs/{job['id']}/cancel", json={})
    assert r.status_code == 409 and r.json["fields"]["status"] == "picked_up", r.json
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "with_partner" and not seen["carried_by"]["cancelling"]
    assert seen["events"][-1]["action"] == "cancel_refused"
    with coops.b.ctx():
        assert db.session.get(Job, their_id).status == JobStatus.PICKED_UP
    deliver_messages(coops)
    assert shop.get(f"/jobs/{job['id']}").json["carried_by"]["status"] == "picked_up"


def test_with_the_partner_unreachable_the_job_is_cancelling_until_it_answers(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    coops.down("b")
    r = shop.post(f"/jobs/{job['id']}/cancel", json={})
    assert r.status_code == 202, r.json
    assert r.json["status"] == "with_partner" and r.json["carried_by"]["cancelling"] is True
    again = shop.post(f"/jobs/{job['id']}/cancel", json={})  # asked once, still waiting
    assert again.status_code == 202
    listed = shop.get("/jobs").json["jobs"][0]
    assert listed["carried_by"]["cancelling"] is True
    coops.up("b")
    with clock.using(clock.SimulatedClock(utcnow() + timedelta(minutes=1))):
        deliver_messages(coops)  # the worker's retry, a minute later
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "cancelled"
    assert [e["action"] for e in seen["events"]].count("cancel_requested") == 1
    with coops.b.ctx():
        assert partner_job(coops.b).status == JobStatus.CANCELLED


def test_another_shop_may_not_cancel_it(paired):
    coops = paired
    job, _ = hand_off(coops)
    r = shop_at(coops.a).post(f"/jobs/{job['id']}/cancel", json={})
    assert r.status_code == 403 and "error" in r.json


def test_a_relayed_job_is_cancelled_before_our_first_leg_is_picked_up(paired):
    coops = paired
    ca = coops.councils[0]
    on_duty(coops.b, where=IN_BOTH)
    assert ca._call("patch", "/federation/settings", json={"outside_zone": True}
                    ).status_code == 200
    with coops.a.ctx():
        pid = coops.a.partner().id
    hub = {"name": "Halles du Tonkin", "address": "5 rue du Tonkin", "lat": IN_BOTH[0],
           "lon": IN_BOTH[1]}
    assert ca._call("put", f"/partners/{pid}/relay-hubs", json={"hubs": [hub]}
                    ).status_code == 200
    shop = shop_at(coops.a, where=IN_LYON)
    job = submit(shop, dropoff=IN_VILLEURBANNE)
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/relay", json={})
    assert r.status_code == 200 and r.json["status"] == "first_leg", r.json
    leg_id = r.json["leg_job_id"]
    r = shop.post(f"/jobs/{job['id']}/cancel", json={})
    assert r.status_code == 200 and r.json["status"] == "cancelled", r.json
    with coops.a.ctx():
        assert db.session.get(Job, leg_id).status == JobStatus.CANCELLED
        assert db.session.scalars(select(Relay)).one().status == RelayStatus.STOPPED
    with coops.b.ctx():
        assert partner_job(coops.b).status == JobStatus.CANCELLED
