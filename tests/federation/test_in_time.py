"""A carrying coop takes a partner's job only when one of its couriers (on shift, or booked
on a slot starting in time) can deliver it in its window, after the work queued for them
and under its council's rules; else it refuses (409 ``no_courier_in_time``) saying the
soonest it could, and nothing is made there. The council may turn the check off."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from courier.extensions import db
from courier.federation import signing
from courier.models import Event, Handoff, Job, JobStatus, Partner, PartnerStatus, Run, utcnow
from tests.federation.conftest import (
    IN_BOTH,
    IN_LYON,
    IN_VILLEURBANNE,
    on_duty,
    ride,
    send_signed,
    shop_at,
    soon,
    submit,
)


def _ask(key="ho_in_time_0001", deliver_by=None) -> dict:
    return {"idempotency_key": key, "job": {
        "ref": "77", "pickup": {"lat": IN_LYON[0], "lon": IN_LYON[1], "address": "a shop"},
        "dropoff": {"lat": IN_BOTH[0], "lon": IN_BOTH[1], "address": "a door"},
        "ready_at": utcnow().isoformat(), "deliver_by": deliver_by or soon(90),
        "weight_kg": 2, "recipient": {"name": "Rosa", "phone": "+33612345678"}}}


def _nothing_made_at_b(coops) -> list[Event]:
    """B made no job and no hand-off; returns its refusals in the event log."""
    with coops.b.ctx():
        assert db.session.scalar(select(func.count(Job.id)).where(
            Job.merchant.has(kind="coop"))) == 0
        assert db.session.scalar(select(func.count(Handoff.id))) == 0
        refused = db.session.scalars(select(Event).where(
            Event.subject == "federation", Event.action == "refused")).all()
        db.session.expunge_all()
        return refused


def _another_partner(coops) -> None:
    """A second partner of A covering the same zone (it never answers), asked after B."""
    with coops.a.ctx():
        b = coops.a.partner()
        db.session.add(Partner(name="Caluire", base_url="http://coop-c.test",
                               status=PartnerStatus.ACTIVE, zone=b.zone, terms=b.terms,
                               profile_at=b.profile_at, credit_limit_cents=100_000,
                               our_key_id="k_c_ours", our_secret=signing.new_secret(),
                               their_key_id="k_c", their_secret=signing.new_secret()))
        db.session.commit()


def test_a_partner_with_no_courier_on_shift_refuses_and_the_next_partner_is_asked(paired):
    coops = paired
    _another_partner(coops)
    shop = shop_at(coops.a)
    job = submit(shop)
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/handoff", json={})
    assert r.status_code == 200 and r.json["partner"]["name"] == "Caluire", r.json
    events = shop.get(f"/jobs/{job['id']}").json["events"]
    assert [e["action"] for e in events][1:] == ["handoff_asked", "handoff_refused",
                                                 "handoff_asked", "handoff_timed_out"]
    refused = events[2]["reason"]
    assert "Villeurbanne refused" in refused and "no_courier_in_time" in refused
    assert "no courier of ours is on shift or booked before" in refused
    with coops.a.ctx():
        assert db.session.get(Job, job["id"]).status == JobStatus.PENDING
        asked = db.session.scalars(select(Handoff).order_by(Handoff.id)).all()
        assert [h.status.value for h in asked] == ["refused", "timed_out"]
    (said,) = _nothing_made_at_b(coops)
    assert said.data["reason"] == "no_courier_in_time" and said.data["kind"] == "handoff.ask"


def test_the_refusal_says_the_reason_and_its_figures(paired):
    r = send_signed(paired.a, "/federation/v1/handoffs", _ask())
    assert r.status == 409 and r.data["reason"] == "no_courier_in_time"
    assert r.data["error"].startswith("no courier of ours is on shift or booked before")
    assert r.data["couriers_weighed"] == 0 and r.data["soonest_arrival"] is None
    assert r.data["deliver_by"]
    _nothing_made_at_b(paired)


def test_a_partner_with_a_free_courier_accepts(paired):
    on_duty(paired.b)
    r = send_signed(paired.a, "/federation/v1/handoffs", _ask())
    assert r.status == 201 and r.data["status"] == "accepted", r.data
    with paired.b.ctx():
        assert db.session.scalar(select(func.count(Handoff.id))) == 1


def test_a_partner_whose_only_courier_is_busy_until_after_the_window_refuses(paired):
    coops = paired
    zoe = on_duty(coops.b)
    own = submit(shop_at(coops.b, where=IN_VILLEURBANNE), dropoff=IN_VILLEURBANNE)
    ride(coops.b, zoe, own["id"], "accepted")
    with coops.b.ctx():  # a long run: Zoé is free again in three hours
        run = db.session.scalars(select(Run)).one()
        run.planned_end = utcnow() + timedelta(hours=3)
        db.session.commit()
    deliver_by = soon(90)
    r = send_signed(coops.a, "/federation/v1/handoffs", _ask(deliver_by=deliver_by))
    assert r.status == 409 and r.data["reason"] == "no_courier_in_time", r.data
    assert r.data["couriers_weighed"] == 1 and r.data["stopped"] == {"late": 1}
    soonest = datetime.fromisoformat(r.data["soonest_arrival"])
    assert soonest > datetime.fromisoformat(deliver_by) + timedelta(minutes=80)
    assert "the soonest would arrive at" in r.data["error"]
    _nothing_made_at_b(coops)


def test_a_courier_booked_on_a_slot_starting_in_time_is_counted(paired):
    coops = paired
    dispatcher = coops.b.actor("dispatcher")
    slot = dispatcher.post("/shifts/slots", json={
        "starts_at": soon(10), "ends_at": soon(10 + 4 * 60), "vehicle": "bike", "riders": 1})
    assert slot.status_code == 201, slot.json
    later = dispatcher.post("/shifts/slots", json={
        "starts_at": soon(5 * 60), "ends_at": soon(8 * 60), "vehicle": "cargo_bike",
        "riders": 1})
    assert later.status_code == 201, later.json
    lou = coops.b.actor("courier", name="Lou Cargo", lat=IN_VILLEURBANNE[0],
                        lon=IN_VILLEURBANNE[1], vehicle="cargo_bike")
    assert lou.post(f"/shifts/slots/{later.json['id']}/signup").status_code == 201
    refused = send_signed(coops.a, "/federation/v1/handoffs", _ask())  # Lou starts too late
    assert refused.status == 409 and refused.data["reason"] == "no_courier_in_time"
    assert refused.data["couriers_weighed"] == 0
    zoe = coops.b.actor("courier", name="Zoé Martin", lat=IN_VILLEURBANNE[0],
                        lon=IN_VILLEURBANNE[1])
    assert zoe.post(f"/shifts/slots/{slot.json['id']}/signup").status_code == 201
    r = send_signed(coops.a, "/federation/v1/handoffs", _ask(key="ho_in_time_0002"))
    assert r.status == 201 and r.data["status"] == "accepted", r.data


def test_a_courier_on_a_break_is_held_back_by_the_rules(paired):
    zoe = on_duty(paired.b)
    assert zoe.post("/courier/break", json={"on": True}).status_code == 200
    r = send_signed(paired.a, "/federation/v1/handoffs", _ask())
    assert r.status == 409 and r.data["reason"] == "no_courier_in_time"
    assert r.data["couriers_weighed"] == 1 and r.data["stopped"] == {"held": 1}
    assert "no courier of ours on shift or booked (1 weighed) can take it by" in r.data["error"]


def test_the_council_may_take_partners_jobs_without_the_check(paired):
    _, cb = paired.councils
    r = cb._call("patch", "/federation/settings", json={"accept_only_in_time": False})
    assert r.status_code == 200 and r.json["accept_only_in_time"] is False
    r = send_signed(paired.a, "/federation/v1/handoffs", _ask())
    assert r.status == 201 and r.data["status"] == "accepted", r.data
    bad = cb._call("patch", "/federation/settings", json={"accept_only_in_time": "no"})
    assert bad.status_code == 422 and "accept_only_in_time" in bad.json["fields"]
