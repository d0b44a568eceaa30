"""Delay alerts through the real app: a job whose drop-off is now expected past its window
(by more than the coop's margin) gets one ``delayed`` event with its reason, heard live by
its shop and dispatch and sent to the shop's ``job.delayed`` webhooks; said again only
when the lateness moves by a step, lifted once back in the window. Accepted work stays
with its courier; an offer whose plan became late is withdrawn and planned again."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from courier.dispatch import eta
from courier.extensions import db
from courier.models import Event, Run, RunStatus, WebhookDelivery, utcnow
from tests.conftest import base_config

FAR = {"lat": 45.85, "lon": 4.84}  # about 50 min from the shop by bike
FARTHER = {"lat": 45.87, "lon": 4.84}  # about 10 min more
SHOP = {"lat": 45.7641, "lon": 4.8358}


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, ETA_REFRESH_S=0, WEBHOOK_ALLOW_PRIVATE_URLS=True)


def events(job_id, action):
    return db.session.scalars(select(Event).where(
        Event.job_id == job_id, Event.action == action).order_by(Event.id)).all()


def received(client, name):
    return [m["args"][0] for m in client.get_received() if m["name"] == name]


def accepted(shop, courier, dispatcher, make_job, minutes=25):
    job_id = make_job(shop, minutes=minutes)["id"]
    (run,) = dispatcher.post("/dispatch").json["runs"]
    assert courier.post(f"/runs/{run['id']}/accept").status_code == 200
    return job_id, run["id"]


def test_a_job_expected_past_its_window_is_alerted_once_live_and_by_webhook(
        app, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    hook = shop.post("/webhooks", json={"url": "http://127.0.0.1:9/hooks",
                                        "events": ["job.delayed"]})
    assert hook.status_code == 201, hook.json
    job_id, _ = accepted(shop, ana, dispatcher, make_job)
    shop_live, board = shop.socket(app), dispatcher.socket(app)
    for s in (shop_live, board):
        s.get_received()
    assert shop.get(f"/jobs/{job_id}").json["late_by_s"] is None

    ana.post("/courier/position", json=FAR)
    (ev,) = events(job_id, "delayed")
    assert ev.reason.startswith("expected ") and "after the end of its window" in ev.reason
    assert ev.data["cause"] == "courier_late" and ev.data["late_by_s"] > 5 * 60
    job = shop.get(f"/jobs/{job_id}").json
    assert job["late_by_s"] == ev.data["late_by_s"] and job["delay_reason"] == ev.reason
    assert job["delay_reason_phrase"]["template"].startswith("expected {minutes} min after")
    for live in (shop_live, board):
        (alert,) = received(live, "job.delayed")
        assert alert["job_id"] == job_id and alert["reason"] == ev.reason
    (delivery,) = db.session.scalars(select(WebhookDelivery)).all()
    body = json.loads(delivery.payload)
    assert delivery.event_type == body["type"] == "job.delayed"
    assert body["data"]["event"]["reason"] == ev.reason
    assert body["data"]["job"]["late_by_s"] == ev.data["late_by_s"]

    ana.post("/courier/position", json={"lat": 45.8495, "lon": 4.8401})  # a little on
    assert len(events(job_id, "delayed")) == 1  # not repeated on every estimate
    assert received(shop_live, "job.delayed") == []


def test_lateness_is_told_again_when_it_moves_by_a_step_and_lifted_back_in_the_window(
        make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job_id, _ = accepted(shop, ana, dispatcher, make_job)
    ana.post("/courier/position", json=FAR)
    ana.post("/courier/position", json=FARTHER)
    first, second = events(job_id, "delayed")
    assert second.data["late_by_s"] - first.data["late_by_s"] >= 600
    assert second.data["previous_late_by_s"] == first.data["late_by_s"]
    ana.post("/courier/position", json=SHOP)  # she was only a street away after all
    (back,) = events(job_id, "back_on_time")
    assert back.reason == "expected within its window again"
    assert shop.get(f"/jobs/{job_id}").json["late_by_s"] is None


def test_the_reason_says_the_courier_waits_at_the_pickup(
        make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job_id, run_id = accepted(shop, ana, dispatcher, make_job, minutes=12)
    ana.post("/courier/position", json=SHOP)
    eta.sweep(utcnow() + timedelta(minutes=9))  # nine minutes on, still at the shop
    db.session.commit()
    (ev,) = events(job_id, "delayed")
    assert ev.data["cause"] == "waiting_at_pickup"
    assert "the courier is waiting at a pickup" in ev.reason


def test_an_accepted_late_run_keeps_its_work_and_is_alerted_instead(
        make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    make_courier("Bob")  # free beside the shop
    job_id, run_id = accepted(shop, ana, dispatcher, make_job)
    ana.post("/courier/position", json=FAR)
    dispatcher.post("/dispatch")
    assert db.session.get(Run, run_id).status == RunStatus.ACCEPTED
    job = shop.get(f"/jobs/{job_id}").json
    assert job["status"] == "accepted" and job["courier"]["first_name"] == "Ana"
    assert job["late_by_s"] is not None


def test_an_offer_whose_plan_became_late_is_withdrawn_and_planned_again(
        app, make_merchant, make_courier, dispatcher, make_job):
    shop, ana = make_merchant(), make_courier("Ana")
    job_id = make_job(shop, minutes=25)["id"]
    (offer,) = dispatcher.post("/dispatch").json["runs"]
    phone = ana.socket(app)
    phone.get_received()
    ana.post("/courier/position", json=FAR)  # she rode off before answering
    make_courier("Bob")  # and Bob is beside the shop
    (again,) = dispatcher.post("/dispatch").json["runs"]
    assert db.session.get(Run, offer["id"]).status == RunStatus.CANCELLED
    (withdrawn,) = db.session.scalars(select(Event).where(
        Event.run_id == offer["id"], Event.action == "withdrawn")).all()
    assert withdrawn.reason.startswith("offer withdrawn to be planned again: job ")
    (back,) = events(job_id, "replanned")
    assert back.from_status == "offered" and back.to_status == "pending"
    assert [r["id"] for r in received(phone, "run.cancelled")] == [offer["id"]]
    assert again["courier"]["first_name"] == "Bob"
    assert {s["job_id"] for s in again["stops"]} == {job_id}
    assert ana.post(f"/runs/{offer['id']}/accept").status_code == 409


def test_the_council_sets_the_margin_and_a_bad_one_is_refused_naming_the_field(
        make_user, make_merchant, make_courier, dispatcher, make_job):
    council = make_user("council")
    assert council.get("/coop").json["delay_margin_min"] == 5
    r = council.client.patch("/api/v1/coop", json={"delay_margin_min": 600},
                             headers=council.headers)
    assert r.status_code == 422 and "delay_margin_min" in r.json["fields"], r.json
    r = council.client.patch("/api/v1/coop", json={"delay_margin_min": 90},
                             headers=council.headers)
    assert r.status_code == 200 and r.json["delay_margin_min"] == 90
    shop, ana = make_merchant(), make_courier("Ana")
    job_id, _ = accepted(shop, ana, dispatcher, make_job)
    ana.post("/courier/position", json=FAR)  # under an hour and a half late: no alert
    assert events(job_id, "delayed") == []
