"""The council's rule hands jobs over by itself; dispatch leaves a handed job alone; the
shop and the recipient see who carries it."""

from datetime import timedelta

from sqlalchemy import select

from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from courier.federation import rules
from courier.models import Handoff, Job, JobStatus, Run
from tests.federation.conftest import (
    IN_LYON,
    IN_VILLEURBANNE,
    courier_at,
    deliver_messages,
    hand_off,
    on_duty,
    partner_job,
    ride,
    shop_at,
    submit,
)


def _settings(council, **kw):
    r = council._call("patch", "/federation/settings", json=kw)
    assert r.status_code == 200, r.json
    return r.json


def test_a_drop_off_beyond_our_zone_is_taken_only_when_the_council_hands_it_on(paired):
    coops = paired
    ca, _ = coops.councils
    on_duty(coops.b)
    shop = shop_at(coops.a)
    body = {"dropoff": {"lat": IN_VILLEURBANNE[0], "lon": IN_VILLEURBANNE[1]}}
    refused = shop.post("/jobs", json=body)
    assert refused.status_code == 422 and "dropoff" in refused.json["fields"]
    _settings(ca, outside_zone=True)
    job = submit(shop, dropoff=IN_VILLEURBANNE)
    deliver_messages(coops)  # the worker's scan hands it over
    seen = shop.get(f"/jobs/{job['id']}").json
    assert seen["status"] == "with_partner"
    assert seen["carried_by"]["partner"] == "Villeurbanne"
    with coops.a.ctx():
        assert db.session.scalars(select(Handoff)).one().asked_by == "rule"


def test_a_job_waiting_too_long_for_a_courier_is_handed_over_by_the_rule(paired):
    coops = paired
    ca, _ = coops.councils
    on_duty(coops.b)
    job = submit(shop_at(coops.a))
    with coops.a.ctx():
        run_cycle()  # no courier on shift: dispatch records why it waits
        row = db.session.get(Job, job["id"])
        assert row.unassigned_reason
        row.created_at -= timedelta(minutes=20)
        db.session.commit()
        assert rules.due() == []  # the rule is off until the council turns it on
    _settings(ca, auto_handoff=True, pending_minutes=15)
    with coops.a.ctx():
        (found, why), = rules.due()
        assert found.id == job["id"] and why.startswith("pending 20 min: ")
        assert rules.scan() == 1
        assert db.session.get(Job, job["id"]).status == JobStatus.WITH_PARTNER


def test_dispatch_leaves_a_handed_job_alone(paired):
    coops = paired
    courier_at(coops.a, "Ana", where=IN_LYON)
    job, _ = hand_off(coops)
    with coops.a.ctx():
        run_cycle()
        assert db.session.scalars(select(Run)).all() == []
        assert db.session.get(Job, job["id"]).status == JobStatus.WITH_PARTNER


def test_a_partners_job_is_never_handed_on(paired):
    coops = paired
    hand_off(coops)
    _, cb = coops.councils
    _settings(cb, auto_handoff=True, pending_minutes=1, outside_zone=True)
    with coops.b.ctx():
        job = partner_job(coops.b)
        job.created_at -= timedelta(minutes=30)
        job.unassigned_reason = "not assigned: no courier on shift"
        db.session.commit()
        assert rules.due() == []


def test_the_recipient_sees_the_partner_and_its_courier_first_name_only(paired):
    coops = paired
    shop = shop_at(coops.a)
    job, _ = hand_off(coops, shop)
    with coops.b.ctx():
        their_id = partner_job(coops.b).id
    ride(coops.b, on_duty(coops.b), their_id, "picked_up")
    deliver_messages(coops)
    token = shop.get(f"/jobs/{job['id']}").json["tracking_url"].rsplit("/", 1)[1]
    view = coops.a.client.get(f"/api/v1/track/{token}").json
    assert view["status"] == "picked_up" and view["carried_by"] == "Villeurbanne"
    assert view["courier"] == {"first_name": "Zoé"}
    page = coops.a.client.get(f"/t/{token}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Villeurbanne" in page.get_data(as_text=True)
    assert "Martin" not in page.get_data(as_text=True)


def test_the_rule_is_refused_naming_a_wrong_field(paired):
    ca, _ = paired.councils
    r = ca._call("patch", "/federation/settings", json={"hours": {"from": "25:00",
                                                                  "to": "10:00"}})
    assert r.status_code == 422 and "hours.from" in r.json["fields"]
    ok = _settings(ca, hours={"from": "08:00", "to": "20:00", "days": ["sat"]})
    assert ok["hours"] == {"from": "08:00", "to": "20:00", "days": ["sat"]}
