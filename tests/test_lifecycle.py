"""Offers and the job lifecycle: accept, decline, expire, pick up, deliver, fail."""

from datetime import timedelta

from sqlalchemy import select

from courier.dispatch.runs import expire_offers
from courier.extensions import db
from courier.models import Event, Job, Run, utcnow


def offered_run(dispatcher, courier):
    r = dispatcher.post("/dispatch")
    assert r.status_code == 200, r.json
    runs = [run for run in r.json["runs"] if run["courier"]["id"] == courier.user.courier.id]
    assert runs, r.json
    return runs[0]


def test_courier_accepts_picks_up_and_delivers(make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    assert [s["kind"] for s in run["stops"]] == ["pickup", "dropoff"]
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "offered"

    assert ana.post(f"/runs/{run['id']}/accept").json["status"] == "accepted"
    assert ana.post(f"/jobs/{job['id']}/picked-up").json["status"] == "picked_up"
    assert ana.post(f"/jobs/{job['id']}/delivered").json["status"] == "delivered"

    detail = shop.get(f"/jobs/{job['id']}").json
    assert detail["courier"]["first_name"] == "Ana"
    assert detail["planned_dropoff_at"] is not None
    assert [e["action"] for e in detail["events"]] == [
        "created", "offered", "accepted", "picked_up", "delivered"]
    assert ana.get(f"/runs/{run['id']}").json["status"] == "done"
    assert ana.get("/courier/runs").json["runs"] == []


def test_delivered_before_picked_up_is_a_conflict(make_merchant, make_courier, dispatcher,
                                                   make_job):
    shop, ana = make_merchant(), make_courier()
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    ana.post(f"/runs/{run['id']}/accept")
    r = ana.post(f"/jobs/{job['id']}/delivered")
    assert r.status_code == 409
    assert r.json["fields"]["status"] == "accepted"
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "accepted"


def test_stops_cannot_be_marked_before_accepting(make_merchant, make_courier, dispatcher,
                                                 make_job):
    shop, ana = make_merchant(), make_courier()
    job = make_job(shop)
    offered_run(dispatcher, ana)
    assert ana.post(f"/jobs/{job['id']}/picked-up").status_code == 409


def test_double_accept_is_a_conflict_and_writes_one_event(make_merchant, make_courier,
                                                           dispatcher, make_job):
    shop, ana = make_merchant(), make_courier()
    make_job(shop)
    run = offered_run(dispatcher, ana)
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
    again = ana.post(f"/runs/{run['id']}/accept")
    assert again.status_code == 409
    assert again.json["fields"]["status"] == "accepted"
    replay = ana.post(f"/runs/{run['id']}/accept", headers={"Idempotency-Key": "a-1"})
    assert replay.status_code == 200 and replay.json["status"] == "accepted"
    accepted = db.session.scalars(select(Event).where(
        Event.run_id == run["id"], Event.subject == "run", Event.action == "accepted")).all()
    assert len(accepted) == 1


def test_someone_elses_run_and_job_are_403(make_merchant, make_courier, dispatcher, make_job):
    shop = make_merchant()
    ana = make_courier("Ana")
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    bob = make_courier("Bob", lat=45.70)
    assert bob.post(f"/runs/{run['id']}/accept").status_code == 403
    assert bob.post(f"/runs/{run['id']}/decline").status_code == 403
    assert bob.get(f"/runs/{run['id']}").status_code == 403
    ana.post(f"/runs/{run['id']}/accept")
    assert bob.post(f"/jobs/{job['id']}/picked-up").status_code == 403
    assert shop.post(f"/runs/{run['id']}/accept").status_code == 403
    assert bob.post("/runs/424242/accept").status_code == 404


def test_failed_needs_a_reason_and_the_run_ends_once_the_parcel_is_back(
        make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier()
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    ana.post(f"/runs/{run['id']}/accept")
    ana.post(f"/jobs/{job['id']}/picked-up")
    r = ana.post(f"/jobs/{job['id']}/failed", json={})
    assert r.status_code == 422 and "reason" in r.json["fields"]
    r = ana.post(f"/jobs/{job['id']}/failed", json={"reason": "nobody home"})
    assert r.json["status"] == "failed"
    assert r.json["failure_reason"] == "nobody home"
    assert ana.get(f"/runs/{run['id']}").json["status"] == "accepted"  # the parcel comes back
    assert ana.post(f"/jobs/{job['id']}/returned").json["returned_at"]
    assert ana.get(f"/runs/{run['id']}").json["status"] == "done"


def test_declined_jobs_go_to_someone_else_next_cycle(make_merchant, make_courier, dispatcher,
                                                     make_job):
    shop = make_merchant()
    ana = make_courier("Ana")
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    bob = make_courier("Bob", lat=45.77)  # arrives after the first cycle
    assert ana.post(f"/runs/{run['id']}/decline", json={"reason": "flat tyre"}).json[
        "status"] == "declined"
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "pending"
    second = offered_run(dispatcher, bob)
    assert [s["job_id"] for s in second["stops"]] == [job["id"], job["id"]]


def test_declined_job_is_not_offered_back_to_the_same_courier(make_merchant, make_courier,
                                                              dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    ana.post(f"/runs/{run['id']}/decline")
    r = dispatcher.post("/dispatch").json
    assert r["runs"] == []
    assert r["unassigned"][0]["job_id"] == job["id"]
    assert "declined" in r["unassigned"][0]["reason"]


def test_unanswered_offer_expires_and_counts_as_declined(make_merchant, make_courier, dispatcher,
                                                         make_job, app):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    later = utcnow() + timedelta(seconds=app.config["OFFER_TTL"] + 1)
    expired = expire_offers(later)
    db.session.commit()
    assert [r.id for r in expired] == [run["id"]]
    assert db.session.get(Run, run["id"]).status.value == "expired"
    assert db.session.get(Job, job["id"]).status.value == "pending"
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 409
    assert dispatcher.post("/dispatch").json["runs"] == []  # not back to Ana


def test_accept_after_expiry_time_is_refused_even_before_the_sweep(make_merchant, make_courier,
                                                                   dispatcher, make_job):
    shop, ana = make_merchant(), make_courier()
    make_job(shop)
    run = offered_run(dispatcher, ana)
    row = db.session.get(Run, run["id"])
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    r = ana.post(f"/runs/{run['id']}/accept")
    assert r.status_code == 409
    assert r.json["fields"]["status"] == "expired"


def test_cancelling_an_offered_job_cancels_an_emptied_run(make_merchant, make_courier,
                                                          dispatcher, make_job):
    shop, ana = make_merchant(), make_courier()
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    assert shop.post(f"/jobs/{job['id']}/cancel").json["status"] == "cancelled"
    assert ana.get(f"/runs/{run['id']}").json["status"] == "cancelled"
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 409


def test_picked_up_job_cannot_be_cancelled(make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier()
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    ana.post(f"/runs/{run['id']}/accept")
    ana.post(f"/jobs/{job['id']}/picked-up")
    r = shop.post(f"/jobs/{job['id']}/cancel")
    assert r.status_code == 409
    assert r.json["fields"]["status"] == "picked_up"


def test_going_off_shift_declines_the_open_offer(make_merchant, make_courier, dispatcher,
                                                 make_job):
    shop, ana = make_merchant(), make_courier()
    job = make_job(shop)
    run = offered_run(dispatcher, ana)
    assert ana.post("/courier/shift", json={"online": False}).json["on_shift"] is False
    assert ana.get(f"/runs/{run['id']}").json["status"] == "declined"
    assert shop.get(f"/jobs/{job['id']}").json["status"] == "pending"


def test_position_is_refused_off_shift_and_taken_on_shift(make_courier):
    ana = make_courier(on_shift=False)
    r = ana.post("/courier/position", json={"lat": 45.76, "lon": 4.84})
    assert r.status_code == 409
    assert ana.post("/courier/shift", json={"online": True}).status_code == 200
    r = ana.post("/courier/position", json={"lat": 45.761, "lon": 4.841})
    assert r.status_code == 200 and r.json["lat"] == 45.761
    assert ana.post("/courier/position", json={"lat": 145, "lon": 4}).status_code == 422


def test_event_log_is_append_only(make_merchant, make_job):
    shop = make_merchant()
    make_job(shop)
    ev = db.session.scalars(select(Event)).first()
    ev.reason = "rewritten"
    import pytest

    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
