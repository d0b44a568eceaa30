"""The safety rules in the automatic cycle (run by dispatch on demand or by the worker's
loop): the weather shortens runs, lowers the caps, adds breaks and keeps cargo bikes in;
a run never goes past a blocking cap on its km or climbing (a job out of reach is never
planned with that courier, a run over the cap is cut back); a warning is recorded with
the offer; every reason says the rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from courier import settings
from courier.dispatch import conditions, scheduler
from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from courier.models import Courier, Event, Job, utcnow
from tests.conftest import LYON
from tests.fairwork.helpers import NOW, courier, delivered, job, rules


@pytest.fixture
def council(make_user):
    return make_user("council", "Chloé Council")


def weather(council, now=NOW, **values):
    """The council sets the conditions for the next three hours."""
    conditions.set_override(council.user, values, now + timedelta(hours=3), "test", now=now)
    db.session.commit()


def reason_of(j) -> str:
    return db.session.get(Job, j.id).unassigned_reason or ""


def told(c) -> list[str]:
    return [e.reason for e in db.session.scalars(select(Event).where(
        Event.courier_id == c.courier.id, Event.action == "not_offered"))]


@pytest.fixture
def heat(council):
    def set_(**rule):
        rules(council, "safety.heat", "block", above_c=30, **{
            "max_run_s": 0, "caps_pct": 0, "break_every_s": 0, **rule})
        weather(council, temperature_c=34)
    return set_


def test_a_heat_run_lasts_no_longer_than_the_rule_allows(make_user, make_merchant, heat):
    courier(make_user)
    shop = make_merchant()
    far = [job(shop, dlat=0.012, dlon=0), job(shop, dlat=0, dlon=0.016)]
    heat(max_run_s=15 * 60)
    (run,) = run_cycle(now=NOW).runs
    assert len({s.job_id for s in run.stops}) == 1  # together they take ~25 minutes
    assert run.planned_end <= NOW + timedelta(minutes=15, seconds=5)
    assert any(reason_of(j) for j in far)


def test_without_conditions_known_the_heat_rule_changes_nothing(make_user, make_merchant,
                                                                council):
    courier(make_user)
    shop = make_merchant()
    job(shop, dlat=0.012, dlon=0), job(shop, dlat=0, dlon=0.016)
    rules(council, "safety.heat", "block", above_c=30, max_run_s=15 * 60)
    (run,) = run_cycle(now=NOW).runs
    assert len({s.job_id for s in run.stops}) == 2


def test_the_heat_lowers_the_load_caps(make_user, make_merchant, heat):
    ana = courier(make_user)
    j = job(make_merchant(), weight=13.0)  # under the bike's 15 kg, over 15 less 20 %
    heat(caps_pct=20)
    assert run_cycle(now=NOW).runs == []
    assert "largest 12 kg" in reason_of(j)
    assert any("over your bike's 12 kg cap" in r for r in told(ana))


def test_the_heat_plans_a_break_every_hour(make_user, make_merchant, heat):
    courier(make_user, since=NOW - timedelta(minutes=55))
    job(make_merchant(), dlat=0.02)
    heat(break_every_s=3600, break_s=600)
    (run,) = run_cycle(now=NOW).runs
    assert "includes a 10 min break (55 min worked without one so far)" in run.reason


def test_strong_wind_keeps_cargo_bikes_in_and_says_why(make_user, make_merchant, council):
    carl = courier(make_user, "Carl", vehicle="cargo_bike")
    heavy = job(make_merchant(), weight=40.0)
    rules(council, "safety.wind", "block", gusts_above_kmh=60, cargo_bikes="stop")
    weather(council, gusts_kmh=85)
    assert run_cycle(now=NOW).runs == []
    assert "cargo bikes stay in: gusts of 85 km/h, above 60 km/h, as the council set it" \
        in reason_of(heavy)
    assert any("cargo bikes stay in" in r for r in told(carl))


def test_a_warning_weather_rule_offers_the_run_and_records_the_breach(make_user, make_merchant,
                                                                      council):
    courier(make_user)
    job(make_merchant(), dlat=0.02)
    rules(council, "safety.rain", "warn", above_mm_h=4, max_run_s=300)
    weather(council, rain_mm_h=12)
    (run,) = run_cycle(now=NOW).runs
    assert "warning: lasts" in run.reason and "(safety.rain)" in run.reason
    (ev,) = db.session.scalars(select(Event).where(Event.action == "rule_warning",
                                                   Event.run_id == run.id)).all()
    assert ev.data["warnings"][0]["rule"] == "safety.rain"
    assert "12 mm/h of rain, above 4 mm/h" in ev.reason


def test_a_job_out_of_a_couriers_reach_is_never_planned_with_them(make_user, make_merchant,
                                                                  council):
    courier(make_user)
    shop = make_merchant()
    near, far = job(shop, dlat=0.003, dlon=0), job(shop, dlat=0.03, dlon=0)
    rules(council, "safety.distance", "block", bike={"km": 2})
    (run,) = run_cycle(now=NOW).runs
    assert {s.job_id for s in run.stops} == {near.id}
    assert "past a cap" in reason_of(far) and "over 2 km" in reason_of(far)
    assert "safety.distance" in reason_of(far)


def test_a_run_over_its_km_cap_is_cut_back_and_the_job_left_says_why(make_user, make_merchant,
                                                                    council):
    courier(make_user)
    shop = make_merchant()
    a, b = job(shop, dlat=0.008, dlon=0), job(shop, dlat=0, dlon=0.012)  # ~1.5 km alone
    rules(council, "safety.distance", "block", bike={"km": 2})
    (run,) = run_cycle(now=NOW).runs
    assert len({s.job_id for s in run.stops}) == 1 and run.distance_m <= 2000
    (left,) = [j for j in (a, b) if j.id not in {s.job_id for s in run.stops}]
    assert "left out of Ana's run, which would go past a cap (rides" in reason_of(left)


def test_a_battery_low_on_km_takes_only_short_runs(make_user, make_merchant, council):
    carl = courier(make_user, "Carl", vehicle="cargo_bike")
    shop = make_merchant()
    near, far = job(shop, dlat=0.003, dlon=0), job(shop, dlat=0.03, dlon=0)
    delivered(carl.courier, shop, accepted=NOW - timedelta(minutes=20),
              delivered_at=[NOW - timedelta(minutes=5)], metres=38_000)
    rules(council, "safety.battery", "block", cargo_bike={"range_km": 50}, reserve_pct=20)
    (run,) = run_cycle(now=NOW).runs  # 40 km usable, 38 ridden since going on shift
    assert {s.job_id for s in run.stops} == {near.id}
    assert "safety.battery" in reason_of(far)


@pytest.fixture
def hill(app, tmp_path):
    """Heights rising 100 m every 0.01° north of Lyon's centre."""
    rows = [" ".join(str(170 + 100 * r) for _ in range(21)) for r in range(20, -1, -1)]
    path = tmp_path / "lyon.asc"
    path.write_text(f"ncols 21\nnrows 21\nxllcenter {LYON[1] - 0.1:.4f}\n"
                    f"yllcenter {LYON[0] - 0.1:.4f}\ncellsize 0.01\n" + "\n".join(rows) + "\n")
    app.config["ELEVATION_DEM"] = str(path)
    return path


def test_a_climb_over_the_cap_is_refused_when_an_elevation_model_is_set(
        make_user, make_merchant, council, hill):
    courier(make_user)
    shop = make_merchant()
    flat, uphill = job(shop, dlat=0, dlon=0.01), job(shop, dlat=0.02, dlon=0)
    rules(council, "safety.climb", "block", bike={"m": 100})
    (run,) = run_cycle(now=NOW).runs
    assert {s.job_id for s in run.stops} == {flat.id}
    assert "climbs 200 m, over 100 m" in reason_of(uphill)


def test_without_an_elevation_model_the_offer_says_climbing_is_not_checked(
        make_user, make_merchant, council):
    courier(make_user)
    job(make_merchant(), dlat=0.02)
    rules(council, "safety.climb", "block", bike={"m": 100})
    (run,) = run_cycle(now=NOW).runs
    assert "climbing not checked: no elevation source" in run.reason


def test_the_workers_loop_plans_under_the_weather_too(app, make_courier, make_merchant,
                                                      make_job, council):
    r = council.post("/rules", json={"rules": {"safety": {"heat": {
        "enforce": "block", "above_c": 30, "max_run_s": 15 * 60}}}, "reason": "heat"})
    assert r.status_code == 201
    weather(council, now=utcnow(), temperature_c=36)
    settings.put("center", list(LYON))
    db.session.commit()
    make_courier("Ana")
    shop = make_merchant()
    make_job(shop, dlat=0.012, dlon=0), make_job(shop, dlat=0, dlon=0.016)
    scheduler.tick(app, last_cycle=0.0, now=10**9)
    db.session.expire_all()
    ana = db.session.scalars(select(Courier)).one()
    offered = db.session.scalars(select(Job).where(Job.courier_id == ana.id)).all()
    assert len(offered) == 1  # one job in a run of at most 15 minutes
