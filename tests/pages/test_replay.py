"""A courier's phone replays its queued actions once back online, possibly twice
(the first answer lost on the way). Each queued action carries its id as an
Idempotency-Key: a replay is answered as a success and changes nothing; without
the key a repeated action is a conflict; a different action on a finished job is
still refused."""

from sqlalchemy import func, select

from courier.extensions import db
from courier.models import Event
from tests.pages.helpers import carried_job

KEY = {"Idempotency-Key": "7b0e6f7e-queued-action"}


def events(action, job_id=None, run_id=None):
    stmt = select(func.count()).select_from(Event).where(Event.action == action)
    if job_id:
        stmt = stmt.where(Event.job_id == job_id, Event.subject == "job")
    if run_id:
        stmt = stmt.where(Event.run_id == run_id, Event.subject == "run")
    return db.session.scalar(stmt)


def test_delivered_sent_twice_is_one_delivery(app, make_merchant, make_courier, dispatcher,
                                              make_job):
    shop, ana, job_id, _ = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                       "picked_up")
    sock = shop.socket(app)
    sock.get_received()
    first = ana.post(f"/jobs/{job_id}/delivered", headers=KEY)
    second = ana.post(f"/jobs/{job_id}/delivered", headers=KEY)
    assert first.status_code == second.status_code == 200
    assert second.json["status"] == "delivered"
    assert second.json["delivered_at"] == first.json["delivered_at"]
    assert events("delivered", job_id=job_id) == 1
    updates = [m for m in sock.get_received() if m["name"] == "job.updated"]
    assert len(updates) == 1  # the replay announced nothing


def test_whole_queue_replayed_after_it_went_through(make_merchant, make_courier, dispatcher,
                                                    make_job):
    """accept, picked-up, delivered all reached the server; the phone sends them again."""
    _, ana, job_id, run_id = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                         "delivered")
    for path in (f"/runs/{run_id}/accept", f"/jobs/{job_id}/picked-up",
                 f"/jobs/{job_id}/delivered"):
        r = ana.post(path, headers=KEY)
        assert r.status_code == 200, (path, r.json)
    assert events("picked_up", job_id=job_id) == 1
    assert events("accepted", run_id=run_id) == 1
    assert ana.get(f"/jobs/{job_id}").json["status"] == "delivered"


def test_failed_twice_keeps_the_first_reason(make_merchant, make_courier, dispatcher, make_job):
    _, ana, job_id, _ = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                    "picked_up")
    first = ana.post(f"/jobs/{job_id}/failed", json={"reason": "recipient absent"}, headers=KEY)
    assert first.status_code == 200
    again = ana.post(f"/jobs/{job_id}/failed", json={"reason": "recipient absent"}, headers=KEY)
    assert again.status_code == 200 and again.json["failure_reason"] == "recipient absent"
    assert events("failed", job_id=job_id) == 1


def test_delivering_a_failed_job_is_still_a_conflict(make_merchant, make_courier, dispatcher,
                                                     make_job):
    _, ana, job_id, _ = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                    "picked_up")
    ana.post(f"/jobs/{job_id}/failed", json={"reason": "wrong address"})
    r = ana.post(f"/jobs/{job_id}/delivered", headers=KEY)
    assert r.status_code == 409 and r.json["fields"]["status"] == "failed"


def test_decline_sent_twice_declines_once(make_merchant, make_courier, dispatcher, make_job):
    _, ana, _, run_id = carried_job(make_merchant, make_courier, dispatcher, make_job, "offered")
    assert ana.post(f"/runs/{run_id}/decline", json={}, headers=KEY).status_code == 200
    again = ana.post(f"/runs/{run_id}/decline", json={}, headers=KEY)
    assert again.status_code == 200 and again.json["status"] == "declined"
    assert events("declined", run_id=run_id) == 1


def test_another_courier_replaying_is_still_refused(make_merchant, make_courier, dispatcher,
                                                    make_job):
    _, _, job_id, run_id = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                       "delivered")
    bob = make_courier("Bob")
    assert bob.post(f"/jobs/{job_id}/delivered", headers=KEY).status_code == 403
    assert bob.post(f"/runs/{run_id}/accept", headers=KEY).status_code == 403


def test_repeated_action_without_a_key_is_a_conflict(make_merchant, make_courier, dispatcher,
                                                     make_job):
    """Only a client that says it may be replaying gets a repeat answered as done."""
    _, ana, job_id, run_id = carried_job(make_merchant, make_courier, dispatcher, make_job,
                                         "delivered")
    for path in (f"/runs/{run_id}/accept", f"/jobs/{job_id}/picked-up",
                 f"/jobs/{job_id}/delivered"):
        r = ana.post(path)
        assert r.status_code == 409, (path, r.json)
    assert events("delivered", job_id=job_id) == 1
