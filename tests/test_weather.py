"""The weather the safety rules go by: read from Open-Meteo (served here on loopback) or a
file beside the dispatch loop, kept with its age when the source is down, too old to use
after a while, and set by the council for a while (recorded in the event log). Dispatch
never stops for the weather."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from courier import settings
from courier.dispatch import conditions
from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from courier.models import Event, utcnow
from tests.weather_service import FakeOpenMeteo

CENTRE = [45.7640, 4.8357]


@pytest.fixture
def open_meteo(app):
    with FakeOpenMeteo() as service:
        app.config.update(WEATHER_PROVIDER="open-meteo", WEATHER_URL=service.url,
                          WEATHER_TIMEOUT=0.5)
        settings.put("center", CENTRE)
        db.session.commit()
        yield service


@pytest.fixture
def council(make_user):
    return make_user("council", "Chloé Council")


def _observed_now(service, minutes_ago=5):
    t = utcnow() - timedelta(minutes=minutes_ago)
    service.current["time"] = t.strftime("%Y-%m-%dT%H:%M")


def test_open_meteo_is_asked_for_the_coops_centre_and_its_reading_kept(open_meteo):
    _observed_now(open_meteo)
    reading = conditions.refresh()
    db.session.commit()
    assert (reading.temperature_c, reading.gusts_kmh) == (35.2, 22.0)
    assert reading.rain_mm_h == 2.0  # 0.5 mm in the last 15 minutes
    (asked,) = open_meteo.requests
    assert asked["latitude"] == "45.7640" and asked["longitude"] == "4.8357"
    assert asked["current"] == "temperature_2m,wind_gusts_10m,precipitation"
    assert asked["wind_speed_unit"] == "kmh"
    now = conditions.current()
    assert now.source == "open-meteo" and now.temperature_c == 35.2 and not now.stale
    assert 250 <= now.age_s <= 400


def test_a_source_down_leaves_the_last_reading_in_use_with_its_age(open_meteo, dispatcher):
    _observed_now(open_meteo, minutes_ago=70)
    conditions.refresh()
    open_meteo.status = 503
    assert conditions.refresh() is None  # logged, never raised
    db.session.commit()
    now = conditions.current()
    assert now.temperature_c == 35.2 and now.stale and now.age_s >= 70 * 60
    w = dispatcher.get("/weather").json
    assert w["in_use"]["stale"] is True and "HTTP 503" in w["error"]
    assert w["last_reading"]["age_s"] >= 70 * 60 and w["failed_at"]


def test_a_source_that_does_not_answer_in_time_is_a_failure_like_any_other(open_meteo):
    open_meteo.delay = 1.0
    assert conditions.refresh() is None
    db.session.commit()
    assert "Timeout" in conditions.status()["error"]
    assert conditions.current() is None  # nothing known yet: no weather rule applies


def test_a_reading_older_than_the_maximum_age_is_no_longer_used(open_meteo, dispatcher):
    _observed_now(open_meteo, minutes_ago=7 * 60)
    conditions.refresh()
    db.session.commit()
    assert conditions.current() is None
    w = dispatcher.get("/weather").json
    assert w["in_use"] is None and w["too_old"] is True


def test_dispatch_plans_and_offers_while_the_source_is_down(open_meteo, council, make_merchant,
                                                             make_courier, make_job):
    r = council.post("/rules", json={"rules": {"safety": {"heat": {
        "enforce": "warn", "above_c": 30, "max_run_s": 300}}}, "reason": "summer"})
    assert r.status_code == 201
    _observed_now(open_meteo, minutes_ago=90)
    conditions.refresh()
    open_meteo.status = 500
    conditions.refresh()
    db.session.commit()
    shop, ana = make_merchant(), make_courier("Ana")
    make_job(shop, dlat=0.01)
    result = run_cycle()
    (run,) = result.runs
    assert run.courier_id == ana.user.courier.id
    (warned,) = db.session.scalars(select(Event).where(Event.action == "rule_warning",
                                                       Event.run_id == run.id)).all()
    assert "35.2 °C, above 30 °C, measured 1 h 30 ago" in warned.reason


def test_dispatch_plans_when_no_source_ever_answered(open_meteo, council, make_merchant,
                                                     make_courier, make_job):
    council.post("/rules", json={"rules": {"safety": {"heat": {"enforce": "block"}}},
                                 "reason": "summer"})
    open_meteo.status = 502
    conditions.refresh()
    db.session.commit()
    make_courier("Ana")
    make_job(make_merchant())
    assert len(run_cycle().runs) == 1


def test_the_loop_asks_the_source_in_a_thread_of_its_own_once_per_interval(app, open_meteo):
    _observed_now(open_meteo)
    thread = conditions.refresh_if_due(app)
    thread.join(10)
    assert conditions.refresh_if_due(app) is None  # not due again before the interval
    db.session.expire_all()
    assert conditions.current().temperature_c == 35.2 and len(open_meteo.requests) == 1


def test_without_a_centre_the_source_is_not_asked_and_the_page_says_why(app, dispatcher):
    app.config.update(WEATHER_PROVIDER="open-meteo", WEATHER_URL="http://127.0.0.1:9/")
    assert conditions.refresh_if_due(app) is None
    assert dispatcher.get("/weather").json["no_centre"] is True


def test_a_file_of_the_coops_own_is_read_as_a_source(app, tmp_path):
    path = tmp_path / "weather.json"
    path.write_text(json.dumps({"temperature_c": 12.5, "gusts_kmh": 75, "rain_mm_h": None,
                                "observed_at": (utcnow() - timedelta(minutes=3)).isoformat()}))
    app.config.update(WEATHER_PROVIDER="file", WEATHER_FILE=str(path))
    settings.put("center", CENTRE)
    reading = conditions.refresh()
    assert (reading.source, reading.gusts_kmh, reading.rain_mm_h) == ("file", 75.0, None)
    path.write_text("{not json")
    assert conditions.refresh() is None
    assert conditions.status()["error"].startswith("file ")
    assert conditions.current().gusts_kmh == 75.0  # the last reading still


def test_the_councils_conditions_go_first_and_are_in_the_event_log(open_meteo, council,
                                                                   make_courier):
    _observed_now(open_meteo)
    conditions.refresh()
    db.session.commit()
    until = (utcnow() + timedelta(hours=3)).isoformat()
    body = {"override": {"temperature_c": 38, "gusts_kmh": None, "rain_mm_h": 0,
                         "until": until}, "reason": "heat wave, the model is late"}
    r = council._call("put", "/weather/override", json=body)
    assert r.status_code == 200, r.json
    assert r.json["in_use"]["source"] == "override" and r.json["in_use"]["temperature_c"] == 38
    assert r.json["override"]["set_by"] == "Chloé Council"
    assert make_courier()._call("put", "/weather/override", json=body).status_code == 403
    (ev,) = db.session.scalars(select(Event).where(Event.action == "weather_override")).all()
    assert "heat wave" in ev.reason and ev.data["weather_override"]["temperature_c"] == 38
    local = datetime.fromisoformat(until).astimezone(ZoneInfo("Europe/Paris"))  # the coop's
    assert f"until {local:%Y-%m-%d %H:%M}:" in ev.reason and "UTC" not in ev.reason
    r = council._call("put", "/weather/override", json={"override": None, "reason": "over"})
    assert r.status_code == 200 and r.json["override"] is None
    assert r.json["in_use"]["source"] == "open-meteo"
    assert db.session.scalars(select(Event).where(
        Event.action == "weather_override_ended")).one()


@pytest.mark.parametrize("override, field", [
    ({"temperature_c": 99}, "override.temperature_c"),
    ({"gusts_kmh": -3}, "override.gusts_kmh"),
    ({"rain_mm_h": "lots"}, "override.rain_mm_h"),
    ({"temperature_c": 30, "until": "tomorrow"}, "override.until"),
    ({}, "temperature_c"),  # no value at all
    ({"temperature_c": 30, "until": "past"}, "until"),
    ({"temperature_c": 30, "until": "in a week"}, "until"),
])
def test_bad_conditions_from_the_council_are_refused_naming_the_field(council, override, field):
    times = {"past": utcnow() - timedelta(hours=1), "in a week": utcnow() + timedelta(days=7)}
    until = override.get("until", "soon")
    body = {**override, "until": times[until].isoformat() if until in times else
            (until if until != "soon" else (utcnow() + timedelta(hours=1)).isoformat())}
    r = council._call("put", "/weather/override", json={"override": body, "reason": "test"})
    assert r.status_code == 422 and field in r.json["fields"], r.json
    assert conditions.status()["override"] is None  # nothing half-written
    assert not db.session.scalars(select(Event).where(Event.action == "weather_override")).all()


def test_the_page_data_lists_the_weather_rules_passed_now(open_meteo, council, make_courier):
    council.post("/rules", json={"rules": {"safety": {
        "heat": {"enforce": "block", "above_c": 30},
        "wind": {"enforce": "warn", "gusts_above_kmh": 50}}}, "reason": "summer"})
    _observed_now(open_meteo)
    conditions.refresh()
    db.session.commit()
    w = make_courier().get("/weather").json
    assert [(a["rule"], a["enforce"]) for a in w["applying"]] == [("safety.heat", "block")]
    assert w["applying"][0]["why_phrase"]["template"] == "{value} °C, above {limit} °C"
    assert w["elevation"] == {"configured": False, "sample_m": 100.0}
