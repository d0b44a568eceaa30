"""Live ETAs through the real app: every reader gets the same estimate (the jobs API, the
run's stops, the recipient's tracking link), worked out again when the courier accepts,
moves or marks a stop, and as time passes; a new position is taken into account at
most once per ``ETA_REFRESH_S``; nothing the ETA code does wrong takes down a request or
the dispatch cycle."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from courier.dispatch import eta, scheduler
from courier.extensions import db, socketio
from courier.models import Run, RunStop, StopKind, utcnow
from tests.conftest import base_config, job_body
from tests.spec_check import validating_client

FAR = {"lat": 45.85, "lon": 4.84}  # about 9.6 km north of the shop, 50 min away by bike


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, ETA_REFRESH_S=0, WEBHOOK_ALLOW_PRIVATE_URLS=True)


def at(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def ridden(shop, courier, dispatcher, make_job, **job):
    """A job of ``shop`` offered to ``courier`` by a cycle and accepted: (job id, run)."""
    job_id = make_job(shop, **job)["id"]
    (run,) = dispatcher.post("/dispatch").json["runs"]
    r = courier.post(f"/runs/{run['id']}/accept")
    assert r.status_code == 200, r.json
    return job_id, r.json


def test_an_accepted_job_has_the_same_eta_in_the_jobs_api_the_run_and_its_tracking_link(
        app, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    assert make_job(shop)["eta"] is None  # no courier yet
    job_id, run = ridden(shop, ana, dispatcher, make_job)
    shop.client = validating_client(app)  # every answer below matches the OpenAPI description
    job = shop.get(f"/jobs/{job_id}").json
    stops = {s["kind"]: s for s in run["stops"]}
    assert at(job["eta"]) == at(stops["dropoff"]["eta"])
    assert at(job["pickup_eta"]) == at(stops["pickup"]["eta"])
    assert at(job["pickup_eta"]) < at(job["eta"])
    token = job["tracking_url"].rsplit("/t/", 1)[1]
    public = shop.client.get(f"/api/v1/track/{token}").json
    assert at(public["eta"]) == at(job["eta"]) and public["delayed"] is False
    assert at(public["window"]["start"]) < at(public["eta"]) < at(public["window"]["end"])


def test_the_eta_follows_the_couriers_position_and_the_stops_they_mark(
        make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job_id, _ = ridden(shop, ana, dispatcher, make_job)
    first = at(shop.get(f"/jobs/{job_id}").json["eta"])
    ana.post("/courier/position", json=FAR)
    away = shop.get(f"/jobs/{job_id}").json
    assert at(away["eta"]) - first > timedelta(minutes=40)  # back to the shop, then on
    ana.post("/courier/position", json={"lat": 45.7641, "lon": 4.8358})  # at the shop
    ana.post(f"/jobs/{job_id}/picked-up")
    picked = shop.get(f"/jobs/{job_id}").json
    assert picked["pickup_eta"] is None and picked["eta"] is not None
    assert at(picked["eta"]) - utcnow() < timedelta(minutes=15)  # 1.3 km from the shop
    ana.post(f"/jobs/{job_id}/delivered")
    assert shop.get(f"/jobs/{job_id}").json["eta"] is None


def test_positions_rework_the_eta_at_most_once_per_refresh_interval(
        app, make_merchant, make_courier, dispatcher, make_job):
    app.config["ETA_REFRESH_S"] = 30
    shop, ana = make_merchant(), make_courier("Ana")
    job_id, run = ridden(shop, ana, dispatcher, make_job)
    before = shop.get(f"/jobs/{job_id}").json["eta"]
    ana.post("/courier/position", json=FAR)  # just after accepting: not yet
    assert shop.get(f"/jobs/{job_id}").json["eta"] == before
    row = db.session.get(Run, run["id"])
    row.etas_at = utcnow() - timedelta(seconds=31)  # the interval has passed
    db.session.commit()
    ana.post("/courier/position", json=FAR)
    assert at(shop.get(f"/jobs/{job_id}").json["eta"]) > at(before) + timedelta(minutes=40)


def test_time_passing_reworks_the_eta_of_a_courier_who_stands_still(
        app, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job_id, run = ridden(shop, ana, dispatcher, make_job)
    before = at(shop.get(f"/jobs/{job_id}").json["eta"])
    later = utcnow() + timedelta(minutes=20)  # she has not moved for 20 minutes
    eta.sweep(later)
    db.session.commit()
    assert at(shop.get(f"/jobs/{job_id}").json["eta"]) - before > timedelta(minutes=19)


def test_the_recipients_page_hears_the_new_eta_live(app, make_merchant, make_courier,
                                                     dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job = make_job(shop)
    token = job["tracking_url"].rsplit("/t/", 1)[1]
    assert not socketio.test_client(app, auth={"track": "no-such-link"}).is_connected()
    page = socketio.test_client(app, auth={"track": token})
    assert page.is_connected()
    (hello,) = [m["args"][0] for m in page.get_received() if m["name"] == "track.updated"]
    assert hello["status"] == "pending" and hello["eta"] is None
    (run,) = dispatcher.post("/dispatch").json["runs"]
    assert page.get_received() == []  # offered: the page shows the same as pending
    ana.post(f"/runs/{run['id']}/accept")
    ana.post("/courier/position", json=FAR)
    views = [m["args"][0] for m in page.get_received() if m["name"] == "track.updated"]
    assert views[0]["status"] == "accepted" and views[0]["eta"]
    assert at(views[-1]["eta"]) - at(views[0]["eta"]) > timedelta(minutes=40)
    assert set(views[-1]) == set(hello)  # only what the link shows: no address, no phone
    assert "Ana" == views[-1]["courier"]["first_name"] and "lat" not in views[-1]["courier"]


def test_a_failing_eta_is_logged_and_neither_requests_nor_the_cycle_stop(
        app, make_merchant, make_courier, dispatcher, make_job, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("travel times unavailable")

    monkeypatch.setattr(eta, "estimate", broken)
    shop, ana = make_merchant(), make_courier("Ana")
    with caplog.at_level(logging.ERROR, logger="courier.dispatch.eta"):
        job_id, run = ridden(shop, ana, dispatcher, make_job)  # a cycle after a failed sweep
        assert ana.post("/courier/position", json=FAR).status_code == 200
        assert ana.post(f"/jobs/{job_id}/picked-up").status_code == 200
        scheduler.tick(app, last_cycle=0.0, now=10**9)  # the loop goes on as well
    assert "live ETAs: " in caplog.text and "travel times unavailable" in caplog.text
    job = shop.get(f"/jobs/{job_id}").json
    assert job["status"] == "picked_up"
    planned = db.session.scalars(db.select(RunStop).where(RunStop.job_id == job_id)).all()
    assert all(s.eta is None for s in planned)  # the plan's times are shown meanwhile
    assert at(job["eta"]) == max(s.planned_arrival for s in planned)


def test_a_cancelled_job_leaves_the_run_and_the_others_are_expected_earlier_live(
        app, make_merchant, make_courier, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    far = shop.post("/jobs", json=job_body(dlat=0.03, dlon=0.0, minutes=120)).json["id"]
    near = shop.post("/jobs", json=job_body(dlat=0.005, dlon=0.005, minutes=120)).json["id"]
    (run,) = dispatcher.post("/dispatch").json["runs"]
    assert {s["job_id"] for s in run["stops"]} == {far, near}
    stops = ana.post(f"/runs/{run['id']}/accept").json["stops"]
    order = [s["job_id"] for s in stops if s["kind"] == "dropoff"]
    first, last = order
    before = at(shop.get(f"/jobs/{last}").json["eta"])
    live = shop.socket(app)
    live.get_received()
    shop.post(f"/jobs/{first}/cancel", json={"reason": "customer left"})
    told = [m["args"][0] for m in live.get_received() if m["name"] == "job.updated"
            and m["args"][0]["id"] == last]
    assert told and at(told[-1]["eta"]) < before - timedelta(minutes=1)
    assert at(shop.get(f"/jobs/{last}").json["eta"]) == at(told[-1]["eta"])


def test_a_failed_parcel_riding_back_has_the_eta_of_its_return(
        make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job_id, run = ridden(shop, ana, dispatcher, make_job)
    ana.post(f"/jobs/{job_id}/picked-up")
    dropoff = shop.get(f"/jobs/{job_id}").json["dropoff"]
    ana.post("/courier/position", json={"lat": dropoff["lat"], "lon": dropoff["lon"]})
    r = ana.post(f"/jobs/{job_id}/failed", json={"reason": "recipient absent"})
    assert r.status_code == 200, r.json
    (back,) = db.session.scalars(db.select(RunStop).where(
        RunStop.job_id == job_id, RunStop.kind == StopKind.RETURN)).all()
    assert back.eta - utcnow() > timedelta(minutes=4)  # 1.3 km back to the shop
    assert shop.get(f"/jobs/{job_id}").json["eta"] is None  # no drop-off to expect now
