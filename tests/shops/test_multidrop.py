"""Multi-drop: one pickup and several drop-offs in one submission, priced as one
and planned as one delivery (every part on one courier)."""

import pytest

from courier.dispatch.planning import build_problem, snapshot
from courier.extensions import db
from courier.models import utcnow
from tests.conftest import LYON, job_body
from tests.shops.conftest import polygon

NORTH = {"lat": LYON[0] + 0.027, "lon": LYON[1], "address": "North", "weight_kg": 2,
         "recipient": {"name": "Nora"}}
SOUTH = {"lat": LYON[0] - 0.027, "lon": LYON[1], "address": "South", "weight_kg": 3,
         "volume_l": 4}


def multi(*dropoffs, **extra):
    body = job_body(**extra)
    for key in ("dropoff", "weight_kg", "volume_l", "recipient"):
        body.pop(key)
    body["dropoffs"] = list(dropoffs)
    return body


def test_several_dropoffs_make_one_delivery_priced_as_one(make_merchant):
    shop = make_merchant()
    body = multi(NORTH, SOUTH)
    quoted = shop.post("/quotes", json=body).json
    r = shop.post("/jobs", json=body, headers={"Idempotency-Key": "order-7"})
    assert r.status_code == 201, r.json
    parts = r.json["parts"]
    assert [p["dropoff"]["address"] for p in parts] == ["North", "South"]
    assert {p["group_id"] for p in parts} == {parts[0]["id"]}
    assert [p["weight_kg"] for p in parts] == [2, 3]
    assert parts[0]["recipient"]["name"] == "Nora"
    assert sum(p["price_cents"] for p in parts) == quoted["price_cents"]
    assert quoted["facts"]["dropoffs"] == 2 and quoted["facts"]["weight_kg"] == 5
    # pickup, nearest drop-off, then the other: 3 + 6 km straight, by street x 1.3
    assert quoted["facts"]["distance_km"] == pytest.approx(9 * 1.3, rel=0.01)
    assert parts[1]["price_breakdown"]["total_cents"] == quoted["price_cents"]
    again = shop.post("/jobs", json=body, headers={"Idempotency-Key": "order-7"})
    assert again.status_code == 200
    assert [p["id"] for p in again.json["parts"]] == [p["id"] for p in parts]
    assert shop.get("/jobs").json["total"] == 2


@pytest.mark.parametrize("body, field", [
    (multi(NORTH), "dropoffs"),
    ({**multi(NORTH, SOUTH), "dropoff": {"lat": 45.7, "lon": 4.8}}, "dropoffs"),
    ({**multi(NORTH, SOUTH), "weight_kg": 4}, "weight_kg"),
    (multi(NORTH, {"lat": 95, "lon": 4.8}), "dropoffs.1.lat"),
])
def test_bad_multi_drop_is_refused_naming_the_field(make_merchant, body, field):
    r = make_merchant().post("/jobs", json=body)
    assert r.status_code == 422, r.json
    assert field in r.json["fields"], r.json


def test_a_dropoff_outside_the_zones_is_named_by_its_index(make_merchant, dispatcher):
    dispatcher.post("/zones", json={"name": "Centre", "geometry": polygon(4.80, 45.75, 4.90,
                                                                           45.80)})
    r = make_merchant().post("/jobs", json=multi(NORTH, SOUTH))
    assert r.status_code == 422 and list(r.json["fields"]) == ["dropoffs[1]"]


def test_parts_share_a_group_in_the_routing_problem_and_one_pickup_service(app, make_merchant):
    shop = make_merchant()
    parts = shop.post("/jobs", json=multi(NORTH, SOUTH)).json["parts"]
    problem, _ = build_problem(snapshot(utcnow()))
    by_id = {s.id: s for s in problem.shipments}
    assert {by_id[p["id"]].group for p in parts} == {parts[0]["id"]}
    assert [by_id[p["id"]].pickup.service for p in parts] == [app.config["PICKUP_SERVICE_S"], 0]
    db.session.rollback()


def test_every_part_goes_to_one_courier(make_merchant, make_courier, dispatcher):
    shop = make_merchant()
    make_courier("Ana", lat=LYON[0], lon=LYON[1])
    make_courier("Bo", lat=LYON[0], lon=LYON[1] + 0.0005)
    parts = shop.post("/jobs", json=multi(NORTH, SOUTH, minutes=120)).json["parts"]
    runs = dispatcher.post("/dispatch").json["runs"]
    # Split, the two couriers would ride 3 + 3 km; together one rides 3 + 6 km:
    # only the group keeps the delivery on one courier.
    assert len(runs) == 1
    assert {s["job_id"] for s in runs[0]["stops"]} == {p["id"] for p in parts}
