"""Recurring jobs: a shop's schedule (RRULE, skipped dates, an end) makes its jobs ahead
through the one submission path, once per occurrence whatever runs it, and bad rules
are refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from courier import settings
from courier.extensions import db
from courier.models import Event, Job, JobSchedule
from courier.shops import recurring
from tests.concurrency import at_once
from tests.conftest import LYON

# Monday 7 December 2026, 09:00 in Lyon
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
BODY = {"name": "Evening delivery", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "starts": "2026-12-07T18:00:00", "window_minutes": 45,
        "job": {"dropoff": {"lat": LYON[0] + 0.01, "lon": LYON[1] + 0.01, "address": "Rue X"},
                "weight_kg": 2, "recipient": {"name": "Rita", "phone": "0600000000"}}}


@pytest.fixture
def frozen(monkeypatch):
    from courier import clock

    now = {"at": MONDAY}
    monkeypatch.setattr(clock, "now", lambda: now["at"])
    return now


@pytest.fixture
def shop(make_merchant):
    return make_merchant("Bakery")


def _jobs():
    return db.session.scalars(select(Job).order_by(Job.ready_at)).all()


def test_a_weekday_schedule_makes_the_jobs_within_the_horizon_once(shop, frozen):
    made = shop.post("/schedules", json=BODY)
    assert made.status_code == 201, made.json
    assert [o["at"] for o in made.json["next"]][:3] == [
        "2026-12-07T17:00:00+00:00", "2026-12-08T17:00:00+00:00", "2026-12-09T17:00:00+00:00"]
    assert recurring.make_due() == 2  # horizon of 2 days: Monday and Tuesday evenings
    assert recurring.make_due() == 0  # a second pass (a restart) makes nothing more
    db.session.query(JobSchedule).update({"made_until": None})  # as if it forgot
    db.session.commit()
    assert recurring.make_due() == 0
    jobs = _jobs()
    assert [j.ready_at for j in jobs] == [datetime(2026, 12, 7, 17, tzinfo=UTC),
                                         datetime(2026, 12, 8, 17, tzinfo=UTC)]
    assert all(j.deliver_by - j.ready_at == timedelta(minutes=45) for j in jobs)
    assert all(j.price_cents is not None and j.recipient_name == "Rita" for j in jobs)
    listed = shop.get(f"/schedules/{made.json['id']}/occurrences?count=3").json
    assert [o["job_id"] for o in listed["occurrences"]] == [jobs[0].id, jobs[1].id, None]


def test_skipped_dates_and_the_end_of_the_rule_make_no_job(shop, frozen):
    body = {**BODY, "rrule": "FREQ=DAILY;COUNT=3", "exdates": ["2026-12-08"]}
    made = shop.post("/schedules", json=body).json
    assert [o["at"][:10] for o in made["next"]] == ["2026-12-07", "2026-12-09"]
    settings.put("schedule_horizon_days", 7)
    db.session.commit()
    assert recurring.make_due() == 2


def test_a_paused_schedule_makes_nothing_until_resumed(shop, frozen):
    made = shop.post("/schedules", json=BODY).json
    assert shop.post(f"/schedules/{made['id']}/pause").json["paused"] is True
    assert recurring.make_due() == 0
    assert shop.post(f"/schedules/{made['id']}/resume").json["paused"] is False
    assert recurring.make_due() == 2


def test_a_shop_edits_and_deletes_its_schedule_and_another_shop_cannot(shop, frozen,
                                                                        make_merchant):
    made = shop.post("/schedules", json=BODY).json
    other = make_merchant("Other")
    assert other.get(f"/schedules/{made['id']}").status_code == 404
    edited = shop._call("patch", f"/schedules/{made['id']}",
                        json={"rrule": "FREQ=WEEKLY;BYDAY=SA", "starts": "2026-12-12T10:00:00"})
    assert edited.status_code == 200, edited.json
    assert edited.json["next"][0]["at"] == "2026-12-12T09:00:00+00:00"
    assert shop._call("delete", f"/schedules/{made['id']}").status_code == 204
    assert shop.get("/schedules").json == {"schedules": []}


@pytest.mark.parametrize("rrule, why", [
    ("FREQ=SOMETIMES", "not a valid RRULE"),
    ("every weekday", "not a valid RRULE"),
    ("FREQ=DAILY;UNTIL=20200101T000000Z", "gives no date"),
    ("FREQ=HOURLY", "more than 12 jobs a day"),
    ("FREQ=WEEKLY\nEXDATE:20261208", "one RRULE line"),
])
def test_a_bad_rule_is_refused_naming_the_field(shop, frozen, rrule, why):
    r = shop.post("/schedules", json={**BODY, "rrule": rrule})
    assert r.status_code == 422, r.json
    assert why in r.json["fields"]["rrule"]


def test_the_council_sets_the_daily_cap_that_refuses_rules(shop, frozen, make_user):
    council = make_user("council")
    r = council._call("put", "/schedule-settings", json={"horizon_days": 2, "daily_cap": 2})
    assert r.status_code == 200, r.json
    refused = shop.post("/schedules", json={**BODY, "rrule": "FREQ=DAILY;BYHOUR=9,12,18"})
    assert refused.status_code == 422
    assert "more than 2 jobs a day" in refused.json["fields"]["rrule"]
    bad = council._call("put", "/schedule-settings", json={"horizon_days": 99, "daily_cap": 2})
    assert bad.status_code == 422 and "horizon_days" in bad.json["fields"]


def test_a_schedule_gives_no_times_of_its_own_job(shop, frozen):
    body = {**BODY, "job": {**BODY["job"], "ready_at": "2026-12-07T18:00:00+01:00"}}
    r = shop.post("/schedules", json=body)
    assert r.status_code == 422 and "job.ready_at" in r.json["fields"]


def test_an_occurrence_refused_is_recorded_on_the_schedule(shop, frozen, dispatcher):
    made = shop.post("/schedules", json=BODY).json
    paris = [[[2.2, 48.8], [2.4, 48.8], [2.4, 48.9], [2.2, 48.9], [2.2, 48.8]]]
    zone = dispatcher.post("/zones", json={"name": "Paris", "geometry": {
        "type": "Polygon", "coordinates": paris}})  # the coop now rides in Paris only
    assert zone.status_code == 201, zone.json
    assert recurring.make_due() == 0
    row = db.session.get(JobSchedule, made["id"])
    assert row.last_error
    assert db.session.scalar(select(func.count()).select_from(Event).where(
        Event.action == "occurrence_refused")) == 2


def test_two_workers_at_once_make_each_occurrence_once(app, shop, frozen):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent inserts are checked on PostgreSQL")
    shop.post("/schedules", json=BODY)
    counts = at_once(app, recurring.make_due, timeout=30)
    assert sorted(counts) in ([0, 2], [1, 1])
    assert db.session.scalar(select(func.count()).select_from(Job)) == 2


def test_a_rule_ending_on_a_date_makes_its_jobs_up_to_that_date(shop, frozen):
    body = {**BODY, "rrule": "FREQ=DAILY;UNTIL=20261208T235959Z"}
    made = shop.post("/schedules", json=body)
    assert made.status_code == 201, made.json
    assert [o["at"] for o in made.json["next"]] == ["2026-12-07T17:00:00+00:00",
                                                    "2026-12-08T17:00:00+00:00"]
    settings.put("schedule_horizon_days", 7)
    db.session.commit()
    assert recurring.make_due() == 2


def test_the_time_of_day_stays_local_across_the_change_to_summer_time(shop, frozen):
    frozen["at"] = datetime(2027, 3, 26, 8, 0, tzinfo=UTC)  # Friday; summer time on Sunday
    made = shop.post("/schedules", json={**BODY, "rrule": "FREQ=DAILY",
                                         "starts": "2027-03-26T18:00:00"})
    assert made.status_code == 201, made.json
    assert [o["at"] for o in made.json["next"]][:4] == [
        "2027-03-26T17:00:00+00:00", "2027-03-27T17:00:00+00:00",
        "2027-03-28T16:00:00+00:00", "2027-03-29T16:00:00+00:00"]  # 18:00 in Lyon each day


@pytest.mark.parametrize("rrule", ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
                                   "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",
                                   "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;BYHOUR=18",
                                   "FREQ=WEEKLY;BYWEEKNO=53;BYMONTH=6",
                                   # days that exist, never landed on by the rule's steps
                                   "FREQ=DAILY;INTERVAL=7;BYDAY=SA",  # from a Monday
                                   "FREQ=HOURLY;INTERVAL=168;BYDAY=SA",
                                   "FREQ=MONTHLY;INTERVAL=12;BYMONTH=6",  # from December
                                   "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29"])
def test_a_rule_whose_days_never_come_is_refused_naming_the_field(shop, frozen, rrule):
    r = shop.post("/schedules", json={**BODY, "rrule": rrule})
    assert r.status_code == 422, r.json
    assert r.json["fields"] == {"rrule": "gives no date after the start"}
    assert "never come" in r.json["error"]  # found out on the calendar's cycle


def test_an_edit_to_a_rule_whose_steps_never_land_is_refused_and_keeps_the_old_rule(shop,
                                                                                   frozen):
    made = shop.post("/schedules", json=BODY)
    assert made.status_code == 201, made.json
    r = shop._call("patch", f"/schedules/{made.json['id']}",
                   json={"rrule": "FREQ=DAILY;INTERVAL=7;BYDAY=SA"})  # from a Monday
    assert r.status_code == 422, r.json
    assert r.json["fields"] == {"rrule": "gives no date after the start"}
    assert "never come" in r.json["error"]
    assert shop.get(f"/schedules/{made.json['id']}").json["rrule"] == BODY["rrule"]


@pytest.mark.parametrize("rrule, first", [
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29T17:00:00+00:00"),  # leap years
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU", "2028-02-29T17:00:00+00:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=31", "2026-12-31T17:00:00+00:00"),
    ("FREQ=DAILY;BYHOUR=9,18;BYSETPOS=2", "2026-12-07T17:00:00+00:00"),
    ("FREQ=DAILY;INTERVAL=7;BYMONTHDAY=1", "2027-02-01T17:00:00+00:00"),  # a Monday the 1st
    ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31", "2026-12-31T17:00:00+00:00"),
])
def test_rare_days_that_do_come_are_kept(shop, frozen, rrule, first):
    r = shop.post("/schedules", json={**BODY, "rrule": rrule})
    assert r.status_code == 201, r.json
    assert r.json["next"][0]["at"] == first


def test_a_schedule_whose_jobs_would_be_refused_is_refused_naming_the_field(shop, frozen,
                                                                            dispatcher):
    lyon = [[[4.7, 45.7], [5.0, 45.7], [5.0, 45.85], [4.7, 45.85], [4.7, 45.7]]]
    zone = dispatcher.post("/zones", json={"name": "Lyon", "geometry": {
        "type": "Polygon", "coordinates": lyon}})
    assert zone.status_code == 201, zone.json
    paris = {**BODY["job"], "dropoff": {"lat": 48.85, "lon": 2.35, "address": "Paris"}}
    r = shop.post("/schedules", json={**BODY, "job": paris})
    assert r.status_code == 422, r.json
    assert list(r.json["fields"]) == ["job.dropoff"]
    assert shop.get("/schedules").json == {"schedules": []}  # nothing half made

    made = shop.post("/schedules", json=BODY)
    assert made.status_code == 201, made.json
    moved = shop._call("patch", f"/schedules/{made.json['id']}", json={"job": paris})
    assert moved.status_code == 422 and list(moved.json["fields"]) == ["job.dropoff"]
    kept = shop.get(f"/schedules/{made.json['id']}").json
    assert kept["job"]["dropoff"] == BODY["job"]["dropoff"]
    renamed = shop._call("patch", f"/schedules/{made.json['id']}", json={"name": "Soir"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Soir"


def test_a_made_schedule_is_looked_at_again_once_its_horizon_moved_on(shop, frozen):
    made = shop.post("/schedules", json={**BODY, "rrule": "FREQ=DAILY;BYHOUR=8,12,16,20",
                                         "starts": "2026-12-07T00:00:00"})
    assert made.status_code == 201, made.json
    assert recurring.make_due() == 8  # from Monday 12:00 to Wednesday 08:00 (Lyon)
    row = db.session.get(JobSchedule, made.json["id"])
    first = row.made_until
    frozen["at"] = MONDAY + timedelta(minutes=1)
    assert recurring.make_due() == 0
    db.session.refresh(row)
    assert row.made_until == first  # nothing written a minute later
    frozen["at"] = MONDAY + timedelta(hours=4)  # the horizon passed Wednesday 12:00
    assert recurring.make_due() == 1
    db.session.refresh(row)
    assert row.made_until == MONDAY + timedelta(hours=4) + recurring.horizon()
