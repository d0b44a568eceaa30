"""Delivery slots: opening hours cut into slots, a same-day cut-off, a notice; a
job names a slot instead of explicit times."""

from datetime import UTC, date, datetime, timedelta

import pytest

from courier.errors import InvalidInput
from courier.shops import slots

WEEKDAYS = {d: [["09:00", "13:00"], ["14:00", "18:00"]] for d in ("mon", "tue", "wed", "thu",
                                                                  "fri")}
SETTINGS = slots.validate({"slot_minutes": 120, "opening_hours": WEEKDAYS,
                           "same_day_cutoff": "11:00", "min_notice_minutes": 60, "days_ahead": 2,
                           "closed_dates": ["2031-06-04"], "timezone": "Europe/Paris"})
MONDAY = date(2031, 6, 2)


def at(day: date, hhmm: str) -> datetime:
    """A Paris wall-clock time (UTC+2 in June) as an aware UTC datetime."""
    h, m = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=UTC) - timedelta(hours=2)


def starts(offered):
    return [s.id for s in offered]


def test_opening_hours_are_cut_into_slots_with_notice_and_horizon(app):
    offered = slots.offered(SETTINGS, at(MONDAY, "08:00"))
    assert starts(offered)[:5] == ["2031-06-02T09:00+02:00", "2031-06-02T11:00+02:00",
                                   "2031-06-02T14:00+02:00", "2031-06-02T16:00+02:00",
                                   "2031-06-03T09:00+02:00"]
    assert offered[0].end - offered[0].start == timedelta(hours=2)
    assert len(offered) == 8  # Monday and Tuesday; Wednesday the 4th is closed


def test_notice_and_same_day_cut_off(app):
    assert starts(slots.offered(SETTINGS, at(MONDAY, "10:30")))[:2] == [
        "2031-06-02T14:00+02:00", "2031-06-02T16:00+02:00"]  # 11:00 is within the notice
    after_cutoff = starts(slots.offered(SETTINGS, at(MONDAY, "11:05")))
    assert after_cutoff[0] == "2031-06-03T09:00+02:00"  # nothing more today


def test_closed_days_have_no_slots(app):
    saturday = date(2031, 6, 7)
    assert slots.offered(SETTINGS, at(saturday, "08:00"), days=1) == []


@pytest.mark.parametrize("slot_id, words", [
    ("tomorrow morning", "not a slot id"),
    ("2031-06-02T09:00", "not a slot id"),  # no UTC offset: ambiguous
    ("2031-06-02T10:00+02:00", "no delivery slot starts"),  # not a boundary
    ("2031-06-07T09:00+02:00", "no delivery slot starts"),  # Saturday
    ("2031-06-02T09:00+02:00", "already started"),
    ("2031-06-02T14:00+02:00", "same-day slots close at 11:00"),
    ("2031-06-05T09:00+02:00", "2 days ahead at most"),
])
def test_a_slot_that_cannot_be_booked_says_why(app, make_merchant, slot_id, words):
    shop = make_merchant()
    slots.set_schedule(shop.user, {**SETTINGS})
    with pytest.raises(InvalidInput) as err:
        slots.resolve(shop.user.merchant, slot_id, at(MONDAY, "11:30"))
    assert words in err.value.message and "slot" in err.value.fields


def test_job_naming_a_slot_gets_the_slot_as_its_window(make_merchant):
    shop = make_merchant()
    every_day = {d: [["00:00", "23:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                    "sun")}
    r = shop._call("put", "/slots/schedule", json={"slot_minutes": 60, "min_notice_minutes": 0,
                                                    "days_ahead": 1, "opening_hours": every_day})
    assert r.status_code == 200, r.json
    offered = shop.get("/slots").json["slots"]
    chosen = offered[-1]  # tomorrow evening, whenever the test runs
    body = {"dropoff": {"lat": 45.77, "lon": 4.84}, "slot": chosen["id"]}
    job = shop.post("/jobs", json=body)
    assert job.status_code == 201, job.json
    assert job.json["slot"] == chosen["id"]
    assert datetime.fromisoformat(job.json["ready_at"]) == datetime.fromisoformat(chosen["start"])
    assert datetime.fromisoformat(job.json["deliver_by"]) == datetime.fromisoformat(
        chosen["end"])
    r = shop.post("/jobs", json={**body, "ready_at": chosen["start"]})
    assert r.status_code == 422 and "slot" in r.json["fields"]


def test_shop_without_slots_cannot_name_one(make_merchant):
    r = make_merchant().post("/jobs", json={"dropoff": {"lat": 45.77, "lon": 4.84},
                                            "slot": "2031-06-02T09:00+02:00"})
    assert r.status_code == 422 and "no delivery slots" in r.json["error"]


@pytest.mark.parametrize("settings, field", [
    ({"slot_minutes": 5}, "slot_minutes"),
    ({"opening_hours": {"mon": [["18:00", "09:00"]]}}, "opening_hours.mon[0]"),
    ({"opening_hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}},
     "opening_hours.mon[1]"),
    ({"opening_hours": {"monday": []}}, "opening_hours"),
    ({"same_day_cutoff": "11h"}, "same_day_cutoff"),
    ({"closed_dates": ["25/12/2031"]}, "closed_dates[0]"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_schedule_is_refused_naming_the_field(make_merchant, settings, field):
    shop = make_merchant()
    r = shop._call("put", "/slots/schedule", json=settings)
    assert r.status_code == 422 and field in r.json["fields"], r.json
    assert shop.get("/slots/schedule").json["schedule"] is None
