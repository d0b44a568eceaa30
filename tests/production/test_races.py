"""Truly concurrent requests on two live web processes over PostgreSQL: whatever
the interleaving, exactly one contender wins and the event log agrees."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import timedelta

import requests
from sqlalchemy import func, select, update

from courier.extensions import db
from courier.models import Event, Job, Run, utcnow
from tests.conftest import job_body
from tests.production.invariants import check_consistency


def race(*calls) -> list[requests.Response]:
    """Send every ``(actor or headers, url, path, json)`` at the same instant, each from its own
    thread with a connection already open; return the responses in order."""
    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def go(i, actor, url, path, body):
        session = requests.Session()
        session.get(url + "/healthz", timeout=10)  # connect before the start line
        barrier.wait()
        headers = actor if isinstance(actor, dict) else actor.headers
        out[i] = session.post(url + "/api/v1" + path, json=body, headers=headers, timeout=30)

    threads = [threading.Thread(target=go, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def offer(web, shop, dispatcher, courier) -> tuple[int, int]:
    r = requests.post(web.url + "/api/v1/jobs", json=job_body(), headers=shop.headers, timeout=10)
    assert r.status_code == 201, r.text
    job_id = r.json()["id"]
    r = requests.post(f"{web.url}/api/v1/jobs/{job_id}/assign", headers=dispatcher.headers,
                      json={"courier_id": courier.user.courier.id, "reason": "race"}, timeout=10)
    assert r.status_code == 200, r.text
    return job_id, r.json()["id"]


def run_story(run_id: int) -> list[str]:
    """What the event log says happened to the run after it was offered, in order."""
    db.session.rollback()
    return db.session.scalars(select(Event.action).where(
        Event.run_id == run_id, Event.subject == "run", Event.from_status.is_not(None))
        .order_by(Event.id)).all()


def test_accept_decline_expiry_and_reassignment_have_one_winner(
        webs, make_merchant, make_courier, dispatcher):
    a, b = webs
    shop, xena, yann = make_merchant(), make_courier("Xena"), make_courier("Yann")
    winners = Counter()
    for _ in range(8):
        job_id, run_id = offer(a, shop, dispatcher, xena)
        db.session.execute(update(Run).where(Run.id == run_id).values(
            expires_at=utcnow() + timedelta(milliseconds=random.randint(-30, 150))))
        db.session.commit()
        accept, decline, reassign, cycle = race(
            (xena, a.url, f"/runs/{run_id}/accept", None),
            (xena, b.url, f"/runs/{run_id}/decline", {"reason": "race"}),
            (dispatcher, a.url, f"/runs/{run_id}/reassign",
             {"courier_id": yann.user.courier.id, "reason": "race"}),
            (dispatcher, b.url, "/dispatch", None))
        story = run_story(run_id)
        first = story[0]  # the one transition out of "offered"
        winners[first] += 1
        assert cycle.status_code == 200, cycle.text
        codes = (accept.status_code, decline.status_code, reassign.status_code)
        expected = {"accepted": (200, 409, 409), "declined": (409, 200, 409),
                    "reassigned": (409, 409, 200), "expired": (409, 409, 409)}[first]
        if story == ["accepted", "reassigned"]:  # dispatch may move an accepted run too
            expected = (200, 409, 200)
        assert codes == expected, (story, accept.text, decline.text, reassign.text)
        assert len(story) == 1 or story == ["accepted", "reassigned"], story
        assert check_consistency() == []
        if first != "accepted" or len(story) > 1:  # the job leaves the race
            db.session.execute(update(Run).where(Run.courier_id == xena.user.courier.id)
                               .values(expires_at=utcnow()))
            db.session.commit()
        else:
            r = requests.post(f"{a.url}/api/v1/jobs/{job_id}/cancel", headers=shop.headers,
                              timeout=10)
            assert r.status_code == 200, r.text
    print("winners:", dict(winners))
    assert len(winners) >= 2, f"the race never changed winner: {winners}"


def test_concurrent_submissions_with_one_idempotency_key_make_one_job(webs, make_merchant):
    shop = make_merchant()
    for round_ in range(3):
        body, key = job_body(), f"order-{round_}"
        headers = {**shop.headers, "Idempotency-Key": key}
        responses = race(*[(headers, webs[i % 2].url, "/jobs", body) for i in range(12)])
        codes = Counter(r.status_code for r in responses)
        assert codes == {201: 1, 200: 11}, [(r.status_code, r.text) for r in responses]
        assert len({r.json()["id"] for r in responses}) == 1
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Job).where(
            Job.idempotency_key == key)) == 1
    assert check_consistency() == []


def test_cancel_against_pickup_has_one_winner(webs, make_merchant, make_courier, dispatcher):
    a, b = webs
    shop, xena = make_merchant(), make_courier("Xena")
    outcomes = Counter()
    for _ in range(8):
        job_id, run_id = offer(a, shop, dispatcher, xena)
        r = requests.post(f"{a.url}/api/v1/runs/{run_id}/accept", headers=xena.headers,
                          timeout=10)
        assert r.status_code == 200, r.text
        cancel, pickup = race((shop, a.url, f"/jobs/{job_id}/cancel", None),
                              (xena, b.url, f"/jobs/{job_id}/picked-up", None))
        db.session.rollback()
        job = db.session.get(Job, job_id)
        outcomes[job.status.value] += 1
        expected = {"cancelled": (200, 409), "picked_up": (409, 200)}[job.status.value]
        assert (cancel.status_code, pickup.status_code) == expected, (cancel.text, pickup.text)
        actions = db.session.scalars(select(Event.action).where(
            Event.job_id == job_id, Event.action.in_(["cancelled", "picked_up"]),
            Event.subject == "job")).all()
        assert actions == [job.status.value], actions
        assert check_consistency() == []
        if job.status.value == "picked_up":  # finish the run so Xena is free again
            r = requests.post(f"{a.url}/api/v1/jobs/{job_id}/delivered", headers=xena.headers,
                              timeout=10)
            assert r.status_code == 200, r.text
    print("outcomes:", dict(outcomes))
