"""The safety rules hold on every path that gives a courier work, through the one gate:
a dispatcher's assignment and reassignment, a courier accepting an offer (from the phone or
replayed by its offline queue), and the cycle (tests/test_safety_cycle.py). A blocking rule
answers 409 naming the rule, the rules version and the figures; a warning rule goes through
with the dispatcher's reason and is recorded for the council."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from courier.extensions import db
from courier.models import Event, utcnow

KEY = {"Idempotency-Key": "5f2d-queued-accept"}


@pytest.fixture
def council(make_user):
    return make_user("council", "Chloé Council")


def publish(council, **safety):
    r = council.post("/rules", json={"rules": {"safety": safety}, "reason": "safety"})
    assert r.status_code == 201, r.json
    return r.json["number"]


def weather(council, **values):
    until = (utcnow() + timedelta(hours=3)).isoformat()
    r = council._call("put", "/weather/override", json={
        "override": {**values, "until": until}, "reason": "as seen from the window"})
    assert r.status_code == 200, r.json


def refused(r, rule: str, version: int) -> dict:
    assert r.status_code == 409, r.json
    assert rule in r.json["fields"]["rules"], r.json
    assert r.json["fields"]["rules_version"] == version
    (breach,) = [b for b in r.json["fields"]["breaches"] if b["rule"] == rule]
    assert breach["figures"], r.json
    return breach


def test_a_dispatcher_cannot_assign_a_job_past_the_bikes_km_cap(make_merchant, make_courier,
                                                                make_job, dispatcher, council):
    ana = make_courier("Ana")
    far = make_job(make_merchant(), dlat=0.03, dlon=0)
    v = publish(council, distance={"enforce": "block", "bike": {"km": 2}})
    r = dispatcher.post(f"/jobs/{far['id']}/assign",
                        json={"courier_id": ana.user.courier.id, "reason": "she is close"})
    breach = refused(r, "safety.distance", v)
    assert breach["figures"]["limit_km"] == 2 and breach["figures"]["km"] > 4
    assert "over 2 km" in r.json["error"]
    assert dispatcher.get(f"/jobs/{far['id']}").json["status"] == "pending"


def test_a_warning_cap_is_overridden_with_the_dispatchers_reason(make_merchant, make_courier,
                                                                 make_job, dispatcher, council):
    ana = make_courier("Ana")
    far = make_job(make_merchant(), dlat=0.03, dlon=0)
    publish(council, distance={"enforce": "warn", "bike": {"km": 2}})
    r = dispatcher.post(f"/jobs/{far['id']}/assign",
                        json={"courier_id": ana.user.courier.id, "reason": "nobody else"})
    assert r.status_code == 200, r.json
    (ev,) = db.session.scalars(select(Event).where(Event.action == "rule_warning",
                                                   Event.run_id == r.json["id"])).all()
    assert ev.data["warnings"][0]["rule"] == "safety.distance"
    assert "nobody else" in ev.reason and "over 2 km" in ev.reason


def test_a_run_cannot_move_to_a_cargo_bike_kept_in_by_the_wind(make_merchant, make_courier,
                                                               make_job, dispatcher, council):
    ana = make_courier("Ana")
    make_job(make_merchant())
    run = dispatcher.post("/dispatch").json["runs"][0]
    yann, bob = make_courier("Yann", vehicle="cargo_bike"), make_courier("Bob")
    v = publish(council, wind={"enforce": "block", "gusts_above_kmh": 60,
                               "cargo_bikes": "stop"})
    weather(council, gusts_kmh=90)
    r = dispatcher.post(f"/runs/{run['id']}/reassign",
                        json={"courier_id": yann.user.courier.id, "reason": "swap"})
    breach = refused(r, "safety.wind", v)
    assert "cargo bikes stay in: gusts of 90 km/h" in breach["text"]
    assert dispatcher.get(f"/runs/{run['id']}").json["courier"]["id"] == ana.user.courier.id
    r = dispatcher.post(f"/runs/{run['id']}/reassign",
                        json={"courier_id": bob.user.courier.id, "reason": "swap"})
    assert r.status_code == 200, r.json  # a bike rides in the wind


def test_an_offer_made_before_the_heat_cannot_be_accepted_in_it(make_merchant, make_courier,
                                                                make_job, dispatcher, council):
    ana = make_courier("Ana")
    make_job(make_merchant(), dlat=0.02)
    run = dispatcher.post("/dispatch").json["runs"][0]
    v = publish(council, heat={"enforce": "block", "above_c": 30, "max_run_s": 300})
    weather(council, temperature_c=37)
    r = ana.post(f"/runs/{run['id']}/accept")
    breach = refused(r, "safety.heat", v)
    assert breach["text"].startswith("lasts ") and breach["figures"]["limit_s"] == 300
    assert "37 °C, above 30 °C, as the council set it" in breach["text"]
    # the phone's offline queue sends it again: the same answer, nothing accepted
    r = ana.post(f"/runs/{run['id']}/accept", headers=KEY)
    refused(r, "safety.heat", v)
    assert ana.get(f"/runs/{run['id']}").json["status"] == "offered"


def test_an_offer_over_the_battery_left_is_refused_at_acceptance(
        make_merchant, make_courier, make_job, dispatcher, council):
    carl = make_courier("Carl", vehicle="cargo_bike")
    shop = make_merchant()
    first = make_job(shop, dlat=0.02)
    run = dispatcher.post("/dispatch").json["runs"][0]
    assert carl.post(f"/runs/{run['id']}/accept").status_code == 200
    km = run["distance_m"] / 1000
    v = publish(council, battery={"enforce": "block", "cargo_bike": {"range_km": km + 1},
                                  "reserve_pct": 0})
    carl.post(f"/jobs/{first['id']}/picked-up")
    carl.post(f"/jobs/{first['id']}/delivered")
    make_job(shop, dlat=0.02)
    offer = dispatcher.post("/dispatch").json
    assert offer["runs"] == []  # 1 km left on the charge: nothing that far
    (why,) = [u["reason"] for u in offer["unassigned"]]
    assert "safety.battery" in why
    nearby = make_job(shop, dlat=0.0, dlon=0.001)
    r = dispatcher.post(f"/jobs/{nearby['id']}/assign",
                        json={"courier_id": carl.user.courier.id, "reason": "close by"})
    assert r.status_code == 200, r.json  # a short one still fits the charge
    far = make_job(shop, dlat=0.03)
    r = dispatcher.post(f"/jobs/{far['id']}/assign",
                        json={"courier_id": carl.user.courier.id, "reason": "urgent"})
    assert "ridden since going on shift" in refused(r, "safety.battery", v)["text"]


def test_going_on_shift_is_not_refused_by_the_weather(make_courier, council):
    publish(council, wind={"enforce": "block", "cargo_bikes": "stop"})
    weather(council, gusts_kmh=120)
    carl = make_courier("Carl", vehicle="cargo_bike", on_shift=False)
    r = carl.post("/courier/shift", json={"online": True, "lat": 45.76, "lon": 4.83})
    assert r.status_code == 200 and r.json["on_shift"] is True  # offered nothing, told why
