"""Work held back a few minutes to be ridden with the jobs still to come
(DISPATCH_HOLD_S): a job with time to spare waits, saying why and until when, and the
courier it was planned for is told; a job sent meanwhile the same way rides with it;
an urgent job, or one just turned down, is offered at once; the hold's end wakes the
dispatch loop. A run planned after its courier's current work is offered only
DISPATCH_AHEAD_S before it begins."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from courier import clock
from courier.dispatch import scheduler
from courier.extensions import db
from courier.models import Event, utcnow
from tests.conftest import LYON, base_config

HOLD = 300
AHEAD = 900


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, DISPATCH_HOLD_S=HOLD, DISPATCH_HOLD_MARGIN_S=1200,
                       DISPATCH_AHEAD_S=AHEAD)


def _jobs_offered(dispatcher) -> list[set[int]]:
    return [{s["job_id"] for s in r["stops"]} for r in dispatcher.post("/dispatch").json["runs"]]


def test_a_job_with_time_to_spare_is_held_and_says_until_when(
        dispatcher, make_merchant, make_courier, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop, minutes=120)
    assert _jobs_offered(dispatcher) == []
    detail = shop.get(f"/jobs/{job['id']}").json
    assert detail["status"] == "pending"
    assert "planned for Ana, held until" in detail["unassigned_reason"]
    told = db.session.scalars(select(Event.reason).where(
        Event.action == "not_offered", Event.courier_id == ana.user.courier.id)).all()
    assert any("work planned for you is held until" in r for r in told), told


def test_a_job_sent_during_the_hold_rides_with_the_first(
        dispatcher, make_merchant, make_courier, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    first = make_job(shop, minutes=120)
    assert _jobs_offered(dispatcher) == []
    later = utcnow() + timedelta(seconds=HOLD - 60)
    with clock.using(clock.SimulatedClock(later)):
        second = make_job(shop, minutes=120, dlat=0.012)
        assert _jobs_offered(dispatcher) == [], "both still young"
    with clock.using(clock.SimulatedClock(later + timedelta(seconds=61))):
        assert _jobs_offered(dispatcher) == [{first["id"], second["id"]}], "one run for both"
    assert ana.get("/courier/runs").json["runs"][0]["status"] == "offered"


def test_an_urgent_job_is_offered_at_once(dispatcher, make_merchant, make_courier, make_job):
    shop, _ = make_merchant(), make_courier("Ana")
    job = make_job(shop, minutes=25)  # the hold and its margin would not fit in the window
    assert _jobs_offered(dispatcher) == [{job["id"]}]


def test_a_job_just_turned_down_is_offered_at_once_to_another(
        dispatcher, make_merchant, make_courier, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop, minutes=120)
    with clock.using(clock.SimulatedClock(utcnow() + timedelta(seconds=HOLD + 1))):
        (run,) = dispatcher.post("/dispatch").json["runs"]
        assert ana.post(f"/runs/{run['id']}/decline", json={}).status_code == 200
        bob = make_courier("Bob")
        (again,) = dispatcher.post("/dispatch").json["runs"]
    assert again["courier"]["id"] == bob.user.courier.id
    assert {s["job_id"] for s in again["stops"]} == {job["id"]}


def test_the_end_of_a_hold_wakes_the_dispatch_loop(app, make_merchant, make_courier, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    make_job(shop, minutes=120)
    every = app.config["DISPATCH_INTERVAL"]
    scheduler.tick(app, last_cycle=0.0, now=every)  # held
    assert ana.get("/courier/runs").json["runs"] == []
    scheduler.tick(app, last_cycle=every, now=2 * every)  # nothing new: skipped
    assert ana.get("/courier/runs").json["runs"] == []
    with clock.using(clock.SimulatedClock(utcnow() + timedelta(seconds=HOLD + 1))):
        scheduler.tick(app, last_cycle=2 * every, now=3 * every)
    assert [r["status"] for r in ana.get("/courier/runs").json["runs"]] == ["offered"]


def test_a_run_after_the_couriers_current_work_is_offered_only_shortly_before_it_begins(
        dispatcher, make_merchant, make_courier, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    far = make_job(shop, minutes=120, dlat=0.12)  # about 17 km of riding: an hour's run
    with clock.using(clock.SimulatedClock(utcnow() + timedelta(seconds=HOLD + 1))):
        (run,) = dispatcher.post("/dispatch").json["runs"]
        assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
        near = make_job(shop, minutes=180)
        assert _jobs_offered(dispatcher) == []  # Ana is busy for an hour
        said = shop.get(f"/jobs/{near['id']}").json["unassigned_reason"]
        assert said.startswith("not offered yet: planned for Ana after their current work")
    assert {s["job_id"] for s in run["stops"]} == {far["id"]}
    ends = datetime.fromisoformat(run["planned_end"])
    with clock.using(clock.SimulatedClock(ends - timedelta(seconds=AHEAD - 300))):
        assert _jobs_offered(dispatcher) == [{near["id"]}]


def test_a_run_offered_carries_only_the_jobs_it_picks_up_within_the_ahead_time(
        dispatcher, make_merchant, make_courier, make_job):
    here, _ = make_merchant(), make_courier("Ana")
    there = make_merchant(lat=LYON[0] + 0.06)  # some 8 km of riding away
    first = make_job(here, minutes=150)
    later = make_job(there, minutes=150, dlat=0.065)
    with clock.using(clock.SimulatedClock(utcnow() + timedelta(seconds=HOLD + 1))):
        assert _jobs_offered(dispatcher) == [{first["id"]}]
        said = there.get(f"/jobs/{later['id']}").json
        assert said["status"] == "pending"
        assert said["unassigned_reason"].startswith(
            "not offered yet: planned for Ana after their current work, offered by")
