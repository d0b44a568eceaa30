"""Shifts planned ahead: slots published, members signing up under the council's rules,
the fairness of a short slot, swaps and releases, and a shift started from the phone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from courier import clock
from courier.models import utcnow

TZ = ZoneInfo("Europe/Paris")


def at(days: int, hour: int) -> datetime:
    """``hour`` o'clock, local, ``days`` from today."""
    day = datetime.now(TZ).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), TZ)


def slot_body(start: datetime, hours: float, vehicle="bike", riders=1) -> dict:
    return {"starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=hours)).isoformat(),
            "vehicle": vehicle, "riders": riders}


@pytest.fixture
def council(make_user):
    return make_user("council", "Carla Council")


def publish(planner, start, hours, **kw):
    r = planner.post("/shifts/slots", json=slot_body(start, hours, **kw))
    assert r.status_code == 201, r.json
    return r.json


def test_a_slot_ending_before_it_starts_or_wanting_no_rider_is_refused_naming_the_field(
        dispatcher):
    start = at(3, 10)
    r = dispatcher.post("/shifts/slots", json=slot_body(start, -2))
    assert r.status_code == 422 and "ends_at" in r.json["fields"], r.json
    r = dispatcher.post("/shifts/slots", json=slot_body(start, 2, riders=-1))
    assert r.status_code == 422 and "riders" in r.json["fields"], r.json
    r = dispatcher.post("/shifts/slots", json=slot_body(at(-2, 10), 2))
    assert r.status_code == 422 and "starts_at" in r.json["fields"], r.json


def test_an_overlapping_slot_of_the_same_vehicle_is_refused_another_vehicle_is_not(dispatcher):
    first = publish(dispatcher, at(3, 10), 4)
    r = dispatcher.post("/shifts/slots", json=slot_body(at(3, 12), 4))
    assert r.status_code == 422 and f"slot {first['id']}" in r.json["fields"]["starts_at"]
    publish(dispatcher, at(3, 12), 4, vehicle="cargo_bike")


def test_a_member_signs_up_and_the_week_shows_them_riding(dispatcher, make_courier):
    ana = make_courier("Ana", on_shift=False)
    slot = publish(dispatcher, at(3, 11), 3)
    r = ana.post(f"/shifts/slots/{slot['id']}/signup")
    assert r.status_code == 201, r.json
    assert r.json["warnings"] == [] and r.json["slot"]["booked"] == 1
    week = ana.get(f"/shifts?week={at(3, 11).date()}").json
    (shown,) = [s for s in week["slots"] if s["id"] == slot["id"]]
    assert shown["signups"][0]["name"] == "Ana" and shown["signups"][0]["place"] == "riding"
    assert max(week["booked"]) == 1


def test_a_slot_over_the_daily_limit_is_refused_naming_the_rule_in_words(
        dispatcher, make_courier):
    ana = make_courier("Ana", on_shift=False)
    morning = publish(dispatcher, at(3, 6), 6)
    evening = publish(dispatcher, at(3, 13), 6)
    assert ana.post(f"/shifts/slots/{morning['id']}/signup").status_code == 201
    r = ana.post(f"/shifts/slots/{evening['id']}/signup")
    assert r.status_code == 409, r.json
    assert r.json["fields"]["rules"] == ["working_time.max_day"]
    (breach,) = r.json["fields"]["breaches"]
    assert breach["label"] == "Temps de travail maximal par jour"  # the member's language
    assert breach["text"] == "12 h of work that day, at most 10 h a day"
    assert breach["figures"] == {"planned_day_s": 12 * 3600, "limit_s": 10 * 3600}


def test_too_little_rest_between_two_days_is_refused(dispatcher, make_courier):
    ana = make_courier("Ana", on_shift=False)
    late = publish(dispatcher, at(3, 17), 6)  # until 23:00
    early = publish(dispatcher, at(4, 6), 4)  # 7 h later
    assert ana.post(f"/shifts/slots/{late['id']}/signup").status_code == 201
    r = ana.post(f"/shifts/slots/{early['id']}/signup")
    assert r.status_code == 409 and r.json["fields"]["rules"] == ["working_time.daily_rest"]


def test_a_warning_rule_lets_the_sign_up_through_and_says_so(dispatcher, council, make_courier):
    r = council.post("/rules", json={"rules": {"working_time": {"max_day": {
        "enforce": "warn", "limit_s": 4 * 3600}}}, "reason": "short days"})
    assert r.status_code == 201, r.json
    ana = make_courier("Ana", on_shift=False)
    slot = publish(dispatcher, at(3, 10), 5)
    r = ana.post(f"/shifts/slots/{slot['id']}/signup")
    assert r.status_code == 201, r.json
    assert [w["rule"] for w in r.json["warnings"]] == ["working_time.max_day"]


def test_a_member_signs_up_once_and_not_for_another_vehicle(dispatcher, make_courier):
    ana = make_courier("Ana", on_shift=False)
    cargo = publish(dispatcher, at(3, 10), 3, vehicle="cargo_bike")
    r = ana.post(f"/shifts/slots/{cargo['id']}/signup")
    assert r.status_code == 409 and "vehicle" in r.json["fields"]
    bike = publish(dispatcher, at(3, 10), 3)
    assert ana.post(f"/shifts/slots/{bike['id']}/signup").status_code == 201
    r = ana.post(f"/shifts/slots/{bike['id']}/signup")
    assert r.status_code == 409 and "slot_id" in r.json["fields"]


def _worked(council, courier, hours):
    end = utcnow() - timedelta(minutes=1)
    r = council.post("/time/corrections", json={
        "courier_id": courier.user.courier.id, "kind": "shift", "reason": "paper rota",
        "start": (end - timedelta(hours=hours)).isoformat(), "end": end.isoformat()})
    assert r.status_code == 201, r.json


@pytest.mark.parametrize("balance, rides", [("hours", "Bea"), ("off", "Ana")])
def test_a_short_slot_goes_to_fewer_hours_first_under_the_fairness_setting(
        balance, rides, dispatcher, council, make_courier):
    if balance != "off":  # the template's setting
        r = council.post("/rules", json={"rules": {"fairness": {"balance": balance}},
                                         "reason": "fairness"})
        assert r.status_code == 201, r.json
    ana, bea = make_courier("Ana", on_shift=False), make_courier("Bea", on_shift=False)
    _worked(council, ana, 0.5)
    slot = publish(dispatcher, at(3, 10), 3)
    assert ana.post(f"/shifts/slots/{slot['id']}/signup").status_code == 201
    r = bea.post(f"/shifts/slots/{slot['id']}/signup")
    assert r.status_code == 201
    places = {s["name"]: s["place"] for s in r.json["slot"]["signups"]}
    assert places[rides] == "riding" and list(places.values()).count("waiting") == 1


def test_a_swap_offered_and_accepted_hands_over_the_place(dispatcher, make_courier):
    ana, bea = make_courier("Ana", on_shift=False), make_courier("Bea", on_shift=False)
    slot = publish(dispatcher, at(3, 10), 3)
    signup = ana.post(f"/shifts/slots/{slot['id']}/signup").json["signup_id"]
    assert bea.post(f"/shifts/signups/{signup}/accept").status_code == 409  # not offered
    r = ana.post(f"/shifts/signups/{signup}/offer", json={"courier_id": bea.user.courier.id})
    assert r.status_code == 200, r.json
    r = bea.post(f"/shifts/signups/{signup}/accept")
    assert r.status_code == 200, r.json
    assert [s["name"] for s in r.json["slot"]["signups"]] == ["Bea"]


def test_a_release_gives_the_place_to_the_next_one_waiting(dispatcher, make_courier):
    ana, bea = make_courier("Ana", on_shift=False), make_courier("Bea", on_shift=False)
    slot = publish(dispatcher, at(3, 10), 3)
    signup = ana.post(f"/shifts/slots/{slot['id']}/signup").json["signup_id"]
    assert bea.post(f"/shifts/slots/{slot['id']}/signup").json["slot"]["waiting"] == 1
    assert bea.post(f"/shifts/signups/{signup}/release").status_code == 404  # not hers
    r = ana.post(f"/shifts/signups/{signup}/release")
    assert r.status_code == 200, r.json
    assert [(s["name"], s["place"]) for s in r.json["signups"]] == [("Bea", "riding")]


def test_going_on_shift_late_starts_the_slot_and_the_council_sees_it(dispatcher, make_courier):
    ana = make_courier("Ana", on_shift=False)
    start = utcnow() + timedelta(minutes=5)
    slot = publish(dispatcher, start, 3)
    ana.post(f"/shifts/slots/{slot['id']}/signup")
    with clock.using(clock.SimulatedClock(start + timedelta(minutes=25))):
        r = ana.post("/courier/shift", json={"online": True, "lat": 45.76, "lon": 4.83})
        assert r.status_code == 200, r.json
        week = dispatcher.get(f"/shifts?week={start.astimezone(TZ).date()}").json
    (signup,) = [s for s in week["slots"] if s["id"] == slot["id"]][0]["signups"]
    assert signup["attendance"] == "late" and 1490 <= signup["late_s"] <= 1510


def test_a_member_who_never_came_is_a_no_show_to_the_council(dispatcher, make_courier):
    ana = make_courier("Ana", on_shift=False)
    start = utcnow() + timedelta(minutes=5)
    slot = publish(dispatcher, start, 1)
    ana.post(f"/shifts/slots/{slot['id']}/signup")
    with clock.using(clock.SimulatedClock(start + timedelta(hours=2))):
        week = dispatcher.get(f"/shifts?week={start.astimezone(TZ).date()}").json
    (signup,) = [s for s in week["slots"] if s["id"] == slot["id"]][0]["signups"]
    assert signup["attendance"] == "no_show"


def test_the_calendar_works_without_history_and_says_why_there_is_no_forecast(dispatcher):
    week = dispatcher.get("/shifts").json
    assert week["forecast"] is None and "no history of jobs yet" in week["forecast_message"]
    r = dispatcher.get("/shifts/forecast")
    assert r.status_code == 409 and "history" in r.json["fields"]


def test_the_forecast_repeats_last_weeks_hours_and_counts_riders(app, dispatcher, make_courier,
                                                                  make_merchant):
    from courier.extensions import db
    from courier.models import Job

    shop = make_merchant()
    shop.post("/jobs", json={"dropoff": {"lat": 45.75, "lon": 4.85}})
    job = db.session.scalars(db.select(Job)).one()
    job.created_at = at(-7, 12).astimezone(UTC) + timedelta(minutes=10)
    db.session.commit()
    f = dispatcher.get("/shifts/forecast").json
    noon = 12  # today 12:00 local, hour 12 of the forecast
    assert f["jobs"][noon] == 1.0 and f["jobs"][noon + 1] == 0.0
    assert f["jobs_per_courier_hour"] is None and f["riders"][noon] is None


def test_a_sign_up_within_a_day_of_the_start_comes_after_the_earlier_ones(
        dispatcher, council, make_courier):
    r = council.post("/rules", json={"rules": {"fairness": {"balance": "hours"}},
                                     "reason": "fairness"})
    assert r.status_code == 201, r.json
    ana, bea = make_courier("Ana", on_shift=False), make_courier("Bea", on_shift=False)
    _worked(council, ana, 0.5)  # Bea has fewer hours, but signs up too late to pass Ana
    start = utcnow() + timedelta(hours=25)
    slot = publish(dispatcher, start, 3, riders=1)
    assert ana.post(f"/shifts/slots/{slot['id']}/signup").status_code == 201
    with clock.using(clock.SimulatedClock(utcnow() + timedelta(hours=2))):
        r = bea.post(f"/shifts/slots/{slot['id']}/signup")
    assert r.status_code == 201, r.json
    assert [(s["name"], s["place"]) for s in r.json["slot"]["signups"]] == [
        ("Ana", "riding"), ("Bea", "waiting")]
