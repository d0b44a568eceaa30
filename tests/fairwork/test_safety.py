"""The safety rules as the council writes them and as they bound a courier's next run:
weather thresholds that shorten runs, add breaks, lower the caps or keep cargo bikes in;
caps on a run's km, climbing and battery. Pure functions, and the rules API's answer to
bad values."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from courier.fairwork import labels, safety
from courier.fairwork import rules as R
from courier.fairwork.limits import Limits, courier_limits
from courier.fairwork.safety import Weather
from tests.fairwork.helpers import NOW, H

HOT = Weather(temperature_c=35.0, gusts_kmh=20.0, rain_mm_h=0.0, source="open-meteo")
STORM = Weather(temperature_c=15.0, gusts_kmh=80.0, rain_mm_h=9.0, source="open-meteo")


def doc(**safety_change) -> dict:
    return R.validate(R.merge(R.template(), {"safety": safety_change}))


def limits_for(d, vehicle="bike", weather=HOT, work=(), ridden_km=0.0, climb_on=False):
    lim = courier_limits(d, 2, vehicle, list(work), NOW, ZoneInfo("Europe/Paris"))
    return safety.attach(lim, safety.assess(d, vehicle, weather, list(work), NOW, ridden_km,
                                            climb_on))


def test_the_template_has_every_safety_rule_off_and_a_stored_version_reads_as_off():
    t = R.template()["safety"]
    assert {k: v["enforce"] for k, v in t.items()} == {
        "heat": "off", "wind": "off", "rain": "off", "distance": "off", "climb": "off",
        "battery": "off"}
    old = R.template()
    del old["safety"]
    assert R.complete(old)["safety"] == t  # what dispatch did before the rules existed
    lim = limits_for(old)
    assert lim.safety.passed == [] and lim.safety.caps == []


@pytest.mark.parametrize("change, field", [
    ({"heat": {"enforce": "sometimes"}}, "rules.safety.heat.enforce"),
    ({"heat": {"above_c": 90}}, "rules.safety.heat.above_c"),
    ({"wind": {"gusts_above_kmh": "strong"}}, "rules.safety.wind.gusts_above_kmh"),
    ({"rain": {"caps_pct": 100}}, "rules.safety.rain.caps_pct"),
    ({"heat": {"break_every_s": 600, "break_s": 900}}, "rules.safety.heat.break_s"),
    ({"heat": {"max_run_s": 60}}, "rules.safety.heat.max_run_s"),
    ({"wind": {"cargo_bikes": "maybe"}}, "rules.safety.wind.cargo_bikes"),
    ({"distance": {"bike": {"km": -5}}}, "rules.safety.distance.bike.km"),
    ({"climb": {"tandem": {"m": 100}}}, "rules.safety.climb.tandem.m"),
    ({"battery": {"reserve_pct": 95}}, "rules.safety.battery.reserve_pct"),
])
def test_a_bad_safety_value_is_refused_with_422_naming_the_field(make_user, change, field):
    council = make_user("council")
    r = council.post("/rules", json={"rules": {"safety": change}, "reason": "summer"})
    assert r.status_code == 422 and field in r.json["fields"], r.json
    assert len(council.get("/rules/versions").json["versions"]) == 1  # nothing half-written


def test_the_council_publishes_heat_rules_and_the_history_reads_them_in_words(app, make_user):
    council = make_user("council")
    r = council.post("/rules", json={"rules": {"safety": {"heat": {
        "enforce": "block", "above_c": 30, "max_run_s": 45 * 60}}}, "reason": "heat wave"})
    assert r.status_code == 201, r.json
    with app.test_request_context():
        with force_locale("en"):
            said = sorted(labels.change(c) for c in r.json["diff"])
        with force_locale("fr"):
            dit = sorted(labels.change(c) for c in r.json["diff"])
    said = [s.replace("\u00a0", " ") for s in said]
    assert "Heat: from this temperature: 32 °C → 30 °C" in said
    assert "Heat, enforcement: off → block" in said
    assert "Forte chaleur : à partir de cette température : 32 °C → 30 °C" in [
        s.replace("\u00a0", " ").replace("\u202f", " ") for s in dit]


def test_heat_shortens_runs_lowers_caps_and_plans_a_break_when_blocking():
    d = doc(heat={"enforce": "block", "above_c": 32, "max_run_s": 45 * 60,
                  "break_every_s": H, "break_s": 600, "caps_pct": 20})
    worked = [(NOW - timedelta(minutes=50), NOW)]
    lim = limits_for(d, work=worked)
    tight = safety.tighten(lim)
    assert tight.max_run_s == 45 * 60  # the load rule's 3 h stays in lim itself
    assert lim.max_run_s == 3 * H
    assert tight.caps == (12.0, 32.0)  # the bike's 15 kg / 40 L less 20 %
    assert tight.break_by_s == 10 * 60 and tight.break_s == 30 * 60  # the longer break of two
    found = safety.check(lim, 0, 50 * 60, (13.0, 10.0), False, 3.0, None)
    assert [(b["rule"], b["enforce"]) for b in found] == [("safety.heat", "block")] * 3
    assert "over 45 min (35 °C, above 32 °C)" in found[0]["text"]
    assert "lowered by 20" in found[1]["text"] and found[2]["figures"]["due_s"] == 600


def test_below_the_threshold_or_without_conditions_no_weather_rule_applies():
    d = doc(heat={"enforce": "block", "above_c": 36})
    assert limits_for(d).safety.passed == []
    assert limits_for(d, weather=None).safety.passed == []
    assert limits_for(d, weather=Weather(temperature_c=None)).safety.passed == []


def test_strong_wind_keeps_cargo_bikes_in_when_blocking_and_warns_when_warning():
    held = limits_for(doc(wind={"enforce": "block", "cargo_bikes": "stop"}), "cargo_bike",
                      STORM)
    assert held.excluded_rule == "safety.wind"
    assert held.excluded == "cargo bikes stay in: gusts of 80 km/h, above 60 km/h"
    bike = limits_for(doc(wind={"enforce": "block", "cargo_bikes": "stop"}), "bike", STORM)
    assert bike.excluded is None
    warned = limits_for(doc(wind={"enforce": "warn", "cargo_bikes": "stop"}), "cargo_bike",
                        STORM)
    assert warned.excluded is None
    (b,) = [b for b in safety.check(warned, 0, 600, (1, 1), False, 1, None)
            if b["rule"] == "safety.wind" and "cargo" in b["text"]]
    assert b["enforce"] == "warn"


def test_stale_conditions_and_the_councils_say_so_in_the_reason():
    d = doc(rain={"enforce": "warn", "above_mm_h": 4, "max_run_s": 1800})
    old = Weather(rain_mm_h=9.0, source="open-meteo", age_s=2 * H + 300, stale=True)
    (b,) = safety.check(limits_for(d, weather=old), 0, H, (1, 1), False, 1, None)
    assert b["text"].endswith("(9 mm/h of rain, above 4 mm/h, measured 2 h 05 ago)")
    council = Weather(rain_mm_h=9.0, source="override")
    (b,) = safety.check(limits_for(d, weather=council), 0, H, (1, 1), False, 1, None)
    assert b["text"].endswith("above 4 mm/h, as the council set it)")


def test_distance_climb_and_battery_caps_per_vehicle():
    d = doc(distance={"enforce": "block", "bike": {"km": 20}, "cargo_bike": {"km": 12}},
            climb={"enforce": "warn", "bike": {"m": 300}, "cargo_bike": {"m": 150}},
            battery={"enforce": "block", "cargo_bike": {"range_km": 50}, "reserve_pct": 20})
    cargo = limits_for(d, "cargo_bike", ridden_km=35, climb_on=True)
    assert safety.caps_left(cargo) == (5.0, None)  # 50 km less 20 %, 35 already: 5 left
    found = safety.check(cargo, 0, 600, (1, 1), False, 8.0, 200.0)
    assert [(b["rule"], b["enforce"]) for b in found] == [  # 8 km: within the 12 km cap
        ("safety.climb", "warn"), ("safety.battery", "block")]
    assert "35.0 km ridden since going on shift" in found[1]["text"]
    bike = limits_for(d, "bike", climb_on=True)
    assert safety.caps_left(bike) == (20.0, None)
    assert [b["rule"] for b in safety.check(bike, 0, 600, (1, 1), False, 21.0, 10.0)] == [
        "safety.distance"]


def test_without_an_elevation_source_the_climbing_rule_is_said_unchecked():
    d = doc(climb={"enforce": "block"})
    lim = limits_for(d, climb_on=False)
    assert lim.safety.climb_unchecked and safety.caps_left(lim) == (None, None)
    assert safety.check(lim, 0, 600, (1, 1), False, 1.0, 999.0) == []


def test_tighten_leaves_limits_alone_without_a_blocking_weather_rule():
    lim = Limits(2, max_run_s=3 * H)
    assert safety.tighten(lim) is lim
