"""A courier riding a shift planned ahead is offered only work that ends by the shift's
planned end, and nothing once it is over (with the reason said); going off and on shift
again, with no slot planned, lifts it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from courier import clock
from courier.extensions import db
from courier.models import Event, utcnow
from tests.conftest import LYON, job_body

HERE = {"online": True, "lat": LYON[0] + 0.002, "lon": LYON[1]}


def _on_a_planned_shift(dispatcher, courier, hours=1.0):
    """``courier`` signs up for a slot starting in 5 minutes and goes on shift now,
    which starts it; the slot's end."""
    start = utcnow() + timedelta(minutes=5)
    end = start + timedelta(hours=hours)
    r = dispatcher.post("/shifts/slots", json={
        "starts_at": start.isoformat(), "ends_at": end.isoformat(), "vehicle": "bike",
        "riders": 1})
    assert r.status_code == 201, r.json
    assert courier.post(f"/shifts/slots/{r.json['id']}/signup").status_code == 201
    assert courier.post("/courier/shift", json=HERE).status_code == 200
    return end


def _job_at(shop, t, minutes=90):
    body = job_body(ready_at=t.isoformat(), deliver_by=(t + timedelta(minutes=minutes)).isoformat())
    r = shop.post("/jobs", json=body)
    assert r.status_code == 201, r.json
    return r.json


def _planned(dispatcher, courier) -> set[int]:
    runs = [r for r in dispatcher.post("/dispatch").json["runs"]
            if r["courier"]["id"] == courier.user.courier.id]
    return {s["job_id"] for r in runs for s in r["stops"]}


def test_work_that_would_end_after_the_planned_shift_is_not_offered(
        dispatcher, make_courier, make_merchant):
    shop, ana = make_merchant(), make_courier("Ana", on_shift=False)
    end = _on_a_planned_shift(dispatcher, ana)
    now = utcnow()
    soon = _job_at(shop, now)
    after = _job_at(shop, end + timedelta(minutes=10))  # ready only once the shift is over
    assert _planned(dispatcher, ana) == {soon["id"]}
    assert dispatcher.get(f"/jobs/{after['id']}").json["status"] == "pending"


def test_off_and_on_again_with_no_slot_lifts_the_planned_end(
        dispatcher, make_courier, make_merchant):
    shop, ana = make_merchant(), make_courier("Ana", on_shift=False)
    end = _on_a_planned_shift(dispatcher, ana)
    assert ana.post("/courier/shift", json={"online": False}).status_code == 200
    assert ana.post("/courier/shift", json=HERE).status_code == 200
    after = _job_at(shop, end + timedelta(minutes=10))
    assert _planned(dispatcher, ana) == {after["id"]}


def test_once_the_planned_shift_is_over_no_offer_and_the_reason_says_when_it_ended(
        dispatcher, make_courier, make_merchant):
    shop, ana = make_merchant(), make_courier("Ana", on_shift=False)
    end = _on_a_planned_shift(dispatcher, ana, hours=0.5)
    later = end + timedelta(minutes=20)
    with clock.using(clock.SimulatedClock(later)):
        job = _job_at(shop, later)
        assert _planned(dispatcher, ana) == set()
    assert dispatcher.get(f"/jobs/{job['id']}").json["status"] == "pending"
    said = db.session.scalars(select(Event.reason).where(
        Event.action == "not_offered", Event.courier_id == ana.user.courier.id)).all()
    local = f"{end.astimezone(clock_zone()):%H:%M}"
    assert any(f"shift planned to end at {local}" in (r or "") for r in said), said


def clock_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


def test_a_second_slot_booked_right_after_carries_the_planned_end_on(
        dispatcher, make_courier, make_merchant):
    shop, ana = make_merchant(), make_courier("Ana", on_shift=False)
    end = _on_a_planned_shift(dispatcher, ana)
    r = dispatcher.post("/shifts/slots", json={
        "starts_at": end.isoformat(), "ends_at": (end + timedelta(hours=2)).isoformat(),
        "vehicle": "bike", "riders": 1})
    assert r.status_code == 201, r.json
    assert ana.post(f"/shifts/slots/{r.json['id']}/signup").status_code == 201
    after = _job_at(shop, end + timedelta(minutes=10))
    assert _planned(dispatcher, ana) == {after["id"]}
