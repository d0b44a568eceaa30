"""Faults: a partner down, slow, refusing, failing at the door or giving a job back;
news duplicated or out of order; keys rotated; a partnership ended mid-job. A job is
delivered once or comes back, never lost, never twice."""

from datetime import timedelta

from sqlalchemy import func, select

from courier.extensions import db
from courier.models import Event, Handoff, HandoffStatus, Job, JobStatus, utcnow
from tests.federation.conftest import (
    deliver_messages,
    hand_off,
    on_duty,
    partner_job,
    ride,
    send_signed,
    shop_at,
    submit,
)


def _job_at_a(coops, job_id):
    with coops.a.ctx():
        job = db.session.get(Job, job_id)
        events = [(e.action, e.reason) for e in db.session.scalars(
            select(Event).where(Event.job_id == job_id).order_by(Event.id))]
        return job.status, job.carried_by_partner_id, events


def test_a_partner_that_does_not_answer_leaves_the_job_ours_with_the_reason(paired):
    coops = paired
    shop = shop_at(coops.a)
    job = submit(shop)
    coops.slow("b")
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/handoff", json={})
    assert r.status_code == 200 and r.json["status"] == "timed_out"
    assert "Villeurbanne did not answer in time" in r.json["reason"]
    status, carrier, events = _job_at_a(coops, job["id"])
    assert status == JobStatus.PENDING and carrier is None
    assert events[-1][0] == "handoff_timed_out" and "did not answer" in events[-1][1]
    coops.up("b")
    deliver_messages(coops)  # the withdrawal reaches B: a late ask is refused there
    with coops.b.ctx():
        h = db.session.scalars(select(Handoff)).one()
        assert h.status == HandoffStatus.CANCELLED and h.job_id is None
        key = h.idempotency_key
    late = send_signed(coops.a, "/federation/v1/handoffs", {
        "idempotency_key": key, "job": {"ref": "1"}})
    assert late.status in (409, 422)


def test_an_answer_lost_on_the_way_never_makes_two_deliveries(paired):
    coops = paired
    on_duty(coops.b)
    job = submit(shop_at(coops.a))
    coops.lose_answers("b")
    r = coops.a.actor("dispatcher").post(f"/jobs/{job['id']}/handoff", json={})
    assert r.json["status"] == "timed_out"
    with coops.b.ctx():
        assert partner_job(coops.b).status == JobStatus.PENDING  # made there meanwhile
    coops.up("b")
    deliver_messages(coops)
    with coops.b.ctx():
        theirs = partner_job(coops.b)
        assert theirs.status == JobStatus.CANCELLED
        h = db.session.scalars(select(Handoff)).one()
        assert h.status == HandoffStatus.CANCELLED
        key = h.idempotency_key
    assert _job_at_a(coops, job["id"])[0] == JobStatus.PENDING
    with coops.a.ctx():  # the first ask, arriving again late (a retry on the way)
        from courier.federation.handoffs import payload

        body = payload(db.session.get(Job, job["id"]), key, "whole", None, None, None)
    late = send_signed(coops.a, "/federation/v1/handoffs", body)
    assert late.status == 409 and late.data["reason"] == "withdrawn"


def test_a_refusal_gives_the_job_back_and_the_partner_is_not_asked_again(paired):
    coops = paired
    _, cb = coops.councils
    with coops.b.ctx():
        pid = coops.b.partner().id
    job = submit(shop_at(coops.a))
    with coops.b.ctx():  # B's council set an hour it takes no job from partners
        from courier.federation import config
        config.put({"hours": {"from": "03:00", "to": "03:01"}})
        db.session.commit()
    dispatcher = coops.a.actor("dispatcher")
    r = dispatcher.post(f"/jobs/{job['id']}/handoff", json={})
    assert r.json["status"] == "refused" and "outside_hours" in r.json["reason"]
    assert _job_at_a(coops, job["id"])[:2] == (JobStatus.PENDING, None)
    again = dispatcher.post(f"/jobs/{job['id']}/handoff", json={})
    assert again.status_code == 409 and again.json["fields"] == {"partner": "none covers it"}
    assert cb.post(f"/partners/{pid}/pause", json={}).status_code == 200
    other = submit(shop_at(coops.a))
    paused = dispatcher.post(f"/jobs/{other['id']}/handoff", json={})
    assert paused.json["status"] == "refused" and "partnership_paused" in paused.json["reason"]


def test_a_failure_at_the_door_comes_back_as_the_shops_failure(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    zoe = on_duty(coops.b)
    ride(coops.b, zoe, their_id, "failed", reason="nobody at the door")
    deliver_messages(coops)
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "failed"
    assert "nobody at the door" in seen["failure_reason"]
    assert "Villeurbanne" in seen["failure_reason"]


def test_a_job_the_partner_gives_back_is_ours_again(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    r = coops.b.actor("dispatcher").post(f"/jobs/{their_id}/cancel",
                                         json={"reason": "no courier left tonight"})
    assert r.status_code == 200, r.json
    deliver_messages(coops)
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "pending" and seen["carried_by"] is None
    assert seen["events"][-1]["action"] == "handoff_returned"
    assert "no courier left tonight" in seen["events"][-1]["reason"]
    with coops.a.ctx():
        assert db.session.scalars(select(Handoff)).one().status == HandoffStatus.RETURNED


def _news(coops, key, seq, status, **extra):
    return send_signed(coops.b, "/federation/v1/messages", {
        "kind": "handoff.status", "handoff": key, "seq": seq, "status": status,
        "at": utcnow().isoformat(), **extra})


def test_news_duplicated_or_out_of_order_is_applied_once_in_order(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, handoff = hand_off(coops, shop)
    key = handoff["key"]
    early = _news(coops, key, 2, "picked_up", courier_first_name="Zoé")
    assert early.status == 202 and early.data["buffered"]
    assert shop.get(f"/jobs/{job['id']}").json["carried_by"]["status"] == "pending"
    first = _news(coops, key, 1, "accepted", courier_first_name="Zoé")
    assert first.status == 200 and first.data["applied_seq"] == 2
    again = _news(coops, key, 1, "accepted")
    assert again.status == 200 and again.data["duplicate"]
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["carried_by"]["status"] == "picked_up"
    actions = [e["action"] for e in seen["events"]]
    assert actions.count("accepted") == 1 and actions.count("picked_up") == 1
    assert actions.index("accepted") < actions.index("picked_up")


def test_a_replayed_message_is_refused(paired):
    coops = paired
    job, handoff = hand_off(coops)
    body = {"kind": "handoff.status", "handoff": handoff["key"], "seq": 1,
            "status": "accepted"}
    assert send_signed(coops.b, "/federation/v1/messages", body, msg_id="msg_once").ok
    replay = send_signed(coops.b, "/federation/v1/messages", body, msg_id="msg_once")
    assert replay.status == 409 and replay.data["reason"] == "replayed"


def test_a_rotated_key_is_taken_and_the_old_one_works_only_for_a_day(paired):
    coops = paired
    _, cb = coops.councils
    with coops.b.ctx():
        pid = coops.b.partner().id
        old_id, old_secret = coops.b.partner().our_key_id, coops.b.partner().our_secret
    assert cb.post(f"/partners/{pid}/rotate-key").status_code == 200
    with coops.a.ctx():
        p = coops.a.partner()
        assert p.their_prev_key_id == old_id and p.their_key_id != old_id
    job, handoff = hand_off(coops)  # news signed with the new key
    body = {"kind": "handoff.status", "handoff": handoff["key"], "seq": 1,
            "status": "accepted"}
    with coops.b.ctx():  # a message still signed with the old key, as one in flight
        p = coops.b.partner()
        p.our_key_id, p.our_secret = old_id, old_secret
        db.session.commit()
    assert send_signed(coops.b, "/federation/v1/messages", body).ok
    with coops.a.ctx():
        coops.a.partner().their_prev_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    late = send_signed(coops.b, "/federation/v1/messages", {**body, "seq": 2})
    assert late.status == 401 and late.data["reason"] == "unknown_key"


def test_a_partnership_ended_mid_job_lets_the_job_finish(paired):
    coops = paired
    ca, _ = coops.councils
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    with coops.a.ctx():
        pid = coops.a.partner().id
    assert ca.post(f"/partners/{pid}/end", json={"reason": "moving"}).status_code == 200
    deliver_messages(coops)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    ride(coops.b, on_duty(coops.b), their_id)
    deliver_messages(coops)
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "delivered"
    other = submit(shop)
    r = coops.a.actor("dispatcher").post(f"/jobs/{other['id']}/handoff", json={})
    assert r.status_code == 409


def test_every_step_is_in_both_event_logs(paired):
    coops = paired
    job, _ = hand_off(coops)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    ride(coops.b, on_duty(coops.b), their_id)
    deliver_messages(coops)
    with coops.a.ctx():
        ours = db.session.scalars(select(Event.action).where(
            Event.job_id == job["id"]).order_by(Event.id)).all()
    with coops.b.ctx():
        theirs = db.session.scalars(select(Event.action).where(
            Event.job_id == their_id).order_by(Event.id)).all()
        jobs = db.session.scalar(select(func.count(Job.id)))
    assert ours == ["created", "handoff_asked", "handed_off", "accepted", "picked_up",
                    "delivered"]
    assert theirs[0] == "created" and theirs[-3:] == ["accepted", "picked_up", "delivered"]
    assert jobs == 1


def test_dispatch_withdraws_a_job_the_partners_courier_has_not_picked_up(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    dispatcher = coops.a.actor("dispatcher")
    r = dispatcher.post(f"/jobs/{job['id']}/handoff/withdraw", json={"reason": "our Ana is free"})
    assert r.status_code == 202
    deliver_messages(coops)
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "pending" and seen["carried_by"] is None
    with coops.b.ctx():
        assert partner_job(coops.b).status == JobStatus.CANCELLED
    again = dispatcher.post(f"/jobs/{job['id']}/handoff/withdraw", json={})
    assert again.status_code == 409


def test_a_job_already_on_the_partners_bike_is_not_withdrawn(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    ride(coops.b, on_duty(coops.b), their_id, "picked_up")
    deliver_messages(coops)
    dispatcher = coops.a.actor("dispatcher")
    assert dispatcher.post(f"/jobs/{job['id']}/handoff/withdraw", json={}).status_code == 202
    deliver_messages(coops)
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "with_partner" and seen["picked_up_at"]
    assert seen["events"][-1]["action"] == "handoff_not_withdrawn"
    with coops.b.ctx():
        assert partner_job(coops.b).status == JobStatus.PICKED_UP
