"""Pricing rules: set by the council as validated, versioned data; quotes show the
breakdown; the price is fixed on the job at submission."""

from datetime import UTC, datetime, timedelta

import pytest

from courier.extensions import db
from courier.models import Job
from tests.conftest import LYON, job_body
from tests.shops.conftest import polygon

CENTRE = polygon(4.82, 45.75, 4.85, 45.77)  # holds LYON, the shops' location
EAST = polygon(4.86, 45.74, 4.95, 45.80)

TIERS = {"strategy": "first_match", "rules": [
    {"name": "short", "when": {"distance_km": {"max": 3}}, "price": {"fixed_cents": 500}},
    {"name": "long", "price": {"fixed_cents": 500, "per_km_cents": 100, "above_km": 3}},
]}


def publish(council, doc, note="test", **extra):
    return council.post("/pricing", json={**doc, "note": note, **extra})


def quote(shop, **kw):
    r = shop.post("/quotes", json=job_body(**kw))
    assert r.status_code == 200, r.json
    return r.json


def test_without_rules_the_default_price_applies(make_merchant):
    q = quote(make_merchant())
    assert q["version"] is None and q["strategy"] == "default"
    assert q["lines"][0]["rule"] == "default"
    assert q["price_cents"] == 450 + 90 * 2  # 1.36 km straight x 1.3 detour: 2 started km


def test_first_match_takes_the_first_rule_that_holds(council, make_merchant):
    assert publish(council, TIERS).status_code == 201
    shop = make_merchant()
    near = quote(shop, dlat=0.005, dlon=0.005)  # about 0.9 km
    assert [(line["rule"], line["cents"]) for line in near["lines"]] == [("short", 500)]
    far = quote(shop, dlat=0.04, dlon=0.0)  # 4.4 km straight, 5.8 km by street
    assert far["facts"]["distance_km"] == pytest.approx(5.78, abs=0.02)
    assert [line["rule"] for line in far["lines"]] == ["long"]
    per_km = far["lines"][0]["parts"][1]
    assert per_km == {"what": "per_km", "units": 3, "unit_cents": 100, "above": 3, "cents": 300}
    assert far["price_cents"] == 800 and far["version"] == 1


def test_sum_adds_every_match_and_percentages_apply_to_the_amounts(council, dispatcher,
                                                                    make_merchant):
    dispatcher.post("/zones", json={"name": "Centre", "geometry": CENTRE})
    dispatcher.post("/zones", json={"name": "East", "geometry": EAST})
    doc = {"strategy": "sum", "minimum_cents": 0, "rules": [
        {"name": "base", "price": {"fixed_cents": 400}},
        {"name": "heavy", "when": {"weight_kg": {"min": 10}},
         "price": {"per_kg_cents": 20, "above_kg": 10}},
        {"name": "to the east", "when": {"pickup_zone": {"in": ["Centre"]},
                                         "dropoff_zone": {"in": ["East"]}},
         "price": {"fixed_cents": 150}},
        {"name": "urgent", "when": {"urgency_minutes": {"max": 45}}, "price": {"percent": 50}},
        {"name": "never", "when": {"days": []}, "price": {"fixed_cents": 1}},
    ]}
    r = publish(council, doc)
    assert r.status_code == 422 and "rules[4].when.days" in r.json["fields"]
    doc["rules"].pop()
    assert publish(council, doc).status_code == 201
    q = quote(make_merchant(), dlat=0.0, dlon=0.04, weight_kg=12.5, minutes=30)
    assert [(line["rule"], line["cents"]) for line in q["lines"]] == [
        ("base", 400), ("heavy", 60), ("to the east", 150), ("urgent", 305)]
    assert q["price_cents"] == 915
    assert q["facts"]["pickup_zones"] == ["Centre"] and q["facts"]["dropoff_zones"] == [["East"]]


def test_day_and_time_conditions_use_the_coops_clock(council, make_merchant):
    publish(council, {"strategy": "sum", "rules": [
        {"name": "base", "price": {"fixed_cents": 500}},
        {"name": "night", "when": {"time": {"from": "22:00", "to": "06:00"}},
         "price": {"fixed_cents": 300}},
        {"name": "sunday", "when": {"days": ["sun"]}, "price": {"percent": 20}}]})
    shop = make_merchant()
    sunday_night = datetime(2031, 6, 1, 21, 30, tzinfo=UTC)  # 23:30 in Paris, a Sunday
    body = job_body(ready_at=sunday_night.isoformat(),
                    deliver_by=(sunday_night + timedelta(hours=1)).isoformat())
    q = shop.post("/quotes", json=body).json
    assert q["facts"]["weekday"] == "sun" and q["facts"]["time"] == "23:30"
    assert [line["rule"] for line in q["lines"]] == ["base", "night", "sunday"]
    assert q["price_cents"] == 500 + 300 + 160
    monday_noon = datetime(2031, 6, 2, 10, 0, tzinfo=UTC)
    body = job_body(ready_at=monday_noon.isoformat(),
                    deliver_by=(monday_noon + timedelta(hours=1)).isoformat())
    assert shop.post("/quotes", json=body).json["price_cents"] == 500


def test_no_matching_rule_refuses_the_delivery(council, make_merchant):
    publish(council, {"rules": [{"name": "light only", "when": {"weight_kg": {"max": 10}},
                                 "price": {"fixed_cents": 500}}]})
    shop = make_merchant()
    r = shop.post("/jobs", json=job_body(weight_kg=12))
    assert r.status_code == 422 and "no pricing rule covers" in r.json["error"]
    assert shop.get("/jobs").json["total"] == 0


@pytest.mark.parametrize("doc, field", [
    ({"strategy": "cheapest", "rules": TIERS["rules"]}, "strategy"),
    ({"rules": []}, "rules"),
    ({"rules": [{"name": "x", "price": {}}]}, "rules[0].price"),
    ({"rules": [{"name": "x", "price": {"fixed_cents": 4.5}}]}, "rules[0].price.fixed_cents"),
    ({"rules": [{"name": "x", "price": {"percent": 10}}]}, "rules[0].price.percent"),
    ({"rules": [{"name": "x", "when": {"distnce_km": {"max": 3}},
                 "price": {"fixed_cents": 1}}]}, "rules[0].when.distnce_km"),
    ({"rules": [{"name": "x", "when": {"distance_km": {"min": 5, "max": 3}},
                 "price": {"fixed_cents": 1}}]}, "rules[0].when.distance_km.max"),
    ({"rules": [{"name": "x", "when": {"time": {"from": "25:00", "to": "06:00"}},
                 "price": {"fixed_cents": 1}}]}, "rules[0].when.time"),
    ({"rules": [{"name": "x", "when": {"dropoff_zone": {"in": ["Atlantis"]}},
                 "price": {"fixed_cents": 1}}]}, "rules[0].when.dropoff_zone.in"),
    ({"rules": [{"name": "x", "price": {"fixed_cents": 1}},
                {"name": "x", "price": {"fixed_cents": 2}}]}, "rules[1].name"),
])
def test_invalid_rules_are_refused_naming_the_path(council, doc, field):
    r = publish(council, doc)
    assert r.status_code == 422, r.json
    assert field in r.json["fields"], r.json
    assert council.get("/pricing").json["current"] is None


def test_only_the_council_publishes_rules(make_merchant, dispatcher):
    for actor in (make_merchant(), dispatcher):
        assert publish(actor, TIERS).status_code == 403


def test_versions_are_kept_compared_and_take_effect_when_said(council, make_merchant):
    publish(council, TIERS, note="first tiers")
    later = datetime.now(UTC) + timedelta(days=1)
    second = {"strategy": "first_match", "rules": [
        {"name": "long", "price": {"fixed_cents": 600, "per_km_cents": 100, "above_km": 3}},
        {"name": "flat", "price": {"fixed_cents": 700}}]}
    r = publish(council, second, note="dearer", effective_from=later.isoformat())
    assert r.status_code == 201 and r.json["version"] == 2
    state = make_merchant().get("/pricing").json
    assert state["current"]["version"] == 1 and [v["version"] for v in state["scheduled"]] == [2]
    versions = council.get("/pricing/versions").json["versions"]
    assert [(v["version"], v["note"], v["created_by"]) for v in versions] == [
        (2, "dearer", "Cleo Council"), (1, "first tiers", "Cleo Council")]
    diff = council.get("/pricing/versions/1/compare?to=2").json
    assert [r["name"] for r in diff["added"]] == ["flat"]
    assert [r["name"] for r in diff["removed"]] == ["short"]
    assert [c["name"] for c in diff["changed"]] == ["long"]
    assert council.get("/pricing/versions/9").status_code == 404
    past = datetime.now(UTC) - timedelta(hours=1)
    r = publish(council, second, effective_from=past.isoformat())
    assert r.status_code == 422 and "effective_from" in r.json["fields"]


def test_price_is_fixed_at_submission_and_never_recomputed(council, make_merchant, dispatcher):
    shop = make_merchant()
    job = shop.post("/jobs", json=job_body(dlat=0.04, dlon=0)).json
    assert job["price_cents"] == 450 + 6 * 90 and job["pricing_version"] is None
    publish(council, TIERS)
    dispatcher.post("/dispatch")  # the job moves through dispatch: nothing reprices it
    again = shop.get(f"/jobs/{job['id']}").json
    assert again["price_cents"] == 990 and again["price_breakdown"]["lines"][0]["rule"] == \
        "default"
    new = shop.post("/jobs", json=job_body(dlat=0.04, dlon=0)).json
    assert new["price_cents"] == 800 and new["pricing_version"] == 1
    assert new["price_breakdown"]["facts"]["distance_km"] == pytest.approx(5.78, abs=0.02)
    assert db.session.get(Job, job["id"]).price_cents == 990


def test_zone_named_by_the_rules_in_force_cannot_be_deleted(council, dispatcher):
    zone = dispatcher.post("/zones", json={"name": "Centre", "geometry": CENTRE}).json
    publish(council, {"rules": [{"name": "centre", "when": {"pickup_zone": {"in": ["Centre"]}},
                                 "price": {"fixed_cents": 400}}]})
    r = dispatcher._call("delete", f"/zones/{zone['id']}")
    assert r.status_code == 409 and "pricing rules v1" in r.json["error"]


def test_quote_needs_a_pickup_when_dispatch_asks(dispatcher):
    r = dispatcher.post("/quotes", json={"dropoff": {"lat": LYON[0], "lon": LYON[1]}})
    assert r.status_code == 422 and "pickup" in r.json["fields"]
    r = dispatcher.post("/quotes", json={"pickup": {"lat": LYON[0], "lon": LYON[1]},
                                         "dropoff": {"lat": LYON[0] + 0.01, "lon": LYON[1]}})
    assert r.status_code == 200 and r.json["price_cents"] > 0
