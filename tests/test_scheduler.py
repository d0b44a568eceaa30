"""Cycles that run by themselves: offers expire on time, pending jobs get planned."""

from datetime import timedelta

from sqlalchemy import select

from courier.dispatch import scheduler
from courier.extensions import db
from courier.models import Job, JobStatus, Run, RunStatus, utcnow


def test_tick_plans_pending_jobs_once_the_interval_has_passed(app, make_merchant, make_courier,
                                                             make_job):
    shop = make_merchant()
    make_courier()
    job = make_job(shop)
    interval = app.config["DISPATCH_INTERVAL"]
    last = scheduler.tick(app, last_cycle=1000.0, now=1000.0 + interval - 1)
    assert last == 1000.0  # not due yet
    assert db.session.get(Job, job["id"]).status == JobStatus.PENDING
    last = scheduler.tick(app, last_cycle=1000.0, now=1000.0 + interval)
    assert last == 1000.0 + interval
    db.session.expire_all()
    assert db.session.get(Job, job["id"]).status == JobStatus.OFFERED


def test_tick_without_pending_jobs_runs_no_cycle(app):
    assert scheduler.tick(app, last_cycle=0.0, now=10_000.0) == 0.0


def test_tick_expires_lapsed_offers_every_time(app, make_merchant, make_courier, make_job,
                                               dispatcher):
    shop = make_merchant()
    make_courier()
    make_job(shop)
    run_id = dispatcher.post("/dispatch").json["runs"][0]["id"]
    run = db.session.get(Run, run_id)
    run.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    scheduler.tick(app, last_cycle=10.0, now=11.0)  # no cycle due, but expiry is
    db.session.expire_all()
    assert db.session.get(Run, run_id).status == RunStatus.EXPIRED


def test_loop_stops_when_asked(app):
    calls = []
    scheduler.loop(app, sleep=calls.append, stop=lambda: len(calls) >= 3)
    assert calls == [1, 1, 1]
    assert db.session.scalars(select(Run)).all() == []
