"""The safety section of the rules document: weather thresholds, and caps on a run's
distance, climbing and battery, per vehicle kind.

Weather rules (``safety.heat``, ``safety.wind``, ``safety.rain``) share one shape: a
threshold (``above_c``, ``gusts_above_kmh``, ``above_mm_h``) and what applies while the
conditions pass it:

- ``max_run_s``: the longest run allowed (0: the usual ``load.max_run``);
- ``break_every_s`` and ``break_s``: a break of ``break_s`` after every ``break_every_s``
  of continuous work (0: no extra break);
- ``caps_pct``: the load caps of ``load.vehicle_caps`` lowered by this percentage;
- ``cargo_bikes``: ``"ride"``, or ``"stop"`` to keep cargo bikes in.

``safety.distance`` caps a run's km and ``safety.climb`` its metres of ascent, per vehicle
kind; ``safety.battery`` caps the km an electric cargo bike rides on one charge (its range
less a reserve, counted from going on shift). Every one has ``enforce`` like the other
limits. The template has them all ``off``, with values a coop may start from.
"""

from __future__ import annotations

HOUR = 3600
DAY = 24 * HOUR
CARGO = ("ride", "stop")
WEATHER = {"safety.heat": "above_c", "safety.wind": "gusts_above_kmh",
           "safety.rain": "above_mm_h"}


def _weather(threshold: str, value: float, max_run_s: int, every_s: int, caps_pct: int,
             cargo: str) -> dict:
    return {"enforce": "off", threshold: value, "max_run_s": max_run_s,
            "break_every_s": every_s, "break_s": 10 * 60, "caps_pct": caps_pct,
            "cargo_bikes": cargo}


SAFETY: dict = {
    "heat": _weather("above_c", 32.0, 45 * 60, HOUR, 20, "ride"),
    "wind": _weather("gusts_above_kmh", 60.0, HOUR, 0, 30, "stop"),
    "rain": _weather("above_mm_h", 4.0, HOUR, 0, 0, "ride"),
    "distance": {"enforce": "off", "bike": {"km": 40.0}, "cargo_bike": {"km": 30.0}},
    "climb": {"enforce": "off", "bike": {"m": 600.0}, "cargo_bike": {"m": 300.0}},
    "battery": {"enforce": "off", "cargo_bike": {"range_km": 50.0}, "reserve_pct": 20},
}

THRESHOLDS = {"above_c": ("num", -30, 60), "gusts_above_kmh": ("num", 0, 250),
              "above_mm_h": ("num", 0, 200)}
FIELDS: dict[str, tuple] = {}
for _rule, _key in WEATHER.items():
    FIELDS[f"{_rule}.{_key}"] = THRESHOLDS[_key]
    FIELDS[f"{_rule}.max_run_s"] = ("int", 0, DAY)
    FIELDS[f"{_rule}.break_every_s"] = ("int", 0, DAY)
    FIELDS[f"{_rule}.break_s"] = ("int", 60, 4 * HOUR)
    FIELDS[f"{_rule}.caps_pct"] = ("int", 0, 90)
    FIELDS[f"{_rule}.cargo_bikes"] = ("enum", CARGO)
for _vehicle in ("bike", "cargo_bike"):
    FIELDS[f"safety.distance.{_vehicle}.km"] = ("num", 1, 500)
    FIELDS[f"safety.climb.{_vehicle}.m"] = ("num", 0, 10_000)
FIELDS["safety.battery.cargo_bike.range_km"] = ("num", 1, 500)
FIELDS["safety.battery.reserve_pct"] = ("int", 0, 90)
RULES = (*WEATHER, "safety.distance", "safety.climb", "safety.battery")


def check(doc: dict) -> dict[str, str]:
    """What the bounds of each field cannot say: a break shorter than the work it follows,
    a run long enough to hold a stop."""
    errors = {}
    for rule in WEATHER:
        r = doc["safety"][rule.split(".")[1]]
        if r["break_every_s"] and r["break_s"] >= r["break_every_s"]:
            errors[f"rules.{rule}.break_s"] = "must be shorter than break_every_s"
        if 0 < r["max_run_s"] < 300:
            errors[f"rules.{rule}.max_run_s"] = "must be 0 (unchanged) or at least 300"
    return errors


def added() -> dict:
    """Every path of the section with its template value: a document stored before the
    section existed reads as all ``off`` (what dispatch did then)."""
    out = {}

    def walk(node, prefix):
        for k, v in node.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}.{k}")
            else:
                out[f"{prefix}.{k}"] = v
    walk(SAFETY, "safety")
    return out
