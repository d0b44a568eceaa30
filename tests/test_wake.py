"""The dispatch loop skips a cycle that has nothing to decide: no job sent or sent back,
no courier freed or gone on shift, nothing answered, no hold or cool-down over; any of
these, or the recheck interval, wakes the next one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from courier import clock
from courier.dispatch import scheduler
from courier.extensions import db
from courier.models import Event, Job, JobStatus, utcnow


@pytest.fixture
def cycles(monkeypatch):
    """The cycles the loop runs, counted."""
    ran = []
    real = scheduler.run_cycle

    def counted(*args, **kwargs):
        ran.append(kwargs.get("now"))
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduler, "run_cycle", counted)
    return ran


def _tick(app, n: int) -> None:
    """The loop's n-th pass due for a cycle (the interval passed since the last)."""
    every = app.config["DISPATCH_INTERVAL"]
    scheduler.tick(app, last_cycle=1000.0 + every * (n - 1), now=1000.0 + every * n)


def _status(job) -> JobStatus:
    db.session.expire_all()
    return db.session.get(Job, job["id"]).status


def test_nothing_changed_no_cycle_and_a_courier_going_on_shift_wakes_it(
        app, cycles, make_merchant, make_courier, make_job):
    shop = make_merchant()
    job = make_job(shop)  # no courier on shift: the cycle leaves it pending
    _tick(app, 1)
    _tick(app, 2)
    _tick(app, 3)
    assert len(cycles) == 1, "the second and third passes had nothing to decide"
    assert _status(job) == JobStatus.PENDING
    make_courier("Ana")  # going on shift is in the event log
    _tick(app, 4)
    assert len(cycles) == 2
    assert _status(job) == JobStatus.OFFERED


def test_a_new_job_wakes_the_next_cycle(app, cycles, make_merchant, make_job):
    shop = make_merchant()
    make_job(shop)
    _tick(app, 1)
    _tick(app, 2)
    make_job(shop)
    _tick(app, 3)
    assert len(cycles) == 2


def test_an_offer_declined_wakes_the_next_cycle(app, cycles, make_merchant, make_courier,
                                                 make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    make_job(shop)
    _tick(app, 1)
    (run,) = ana.get("/courier/runs").json["runs"]
    assert ana.post(f"/runs/{run['id']}/decline", json={}).status_code == 200
    _tick(app, 2)
    assert len(cycles) == 2


def test_time_alone_wakes_it_after_the_recheck_interval(app, cycles, make_merchant,
                                                        make_job):
    make_job(make_merchant())
    _tick(app, 1)
    _tick(app, 2)
    later = utcnow() + timedelta(seconds=app.config["DISPATCH_RECHECK_S"] + 1)
    with clock.using(clock.SimulatedClock(later)):
        _tick(app, 3)
    assert len(cycles) == 2
    said = db.session.scalars(select(Event.reason).where(Event.action == "not_assigned")).all()
    assert said and all("no courier on shift" in r for r in said)
