"""The rules document the council sets: working time, load, pay and fairness.

A rules document is plain JSON, the same shape in the database, the API and the
editor. Every limit is a rule with ``enforce``: ``"block"`` (dispatch never
breaks it), ``"warn"`` (a breach is recorded on the run for the council) or
``"off"``. Units are in the key names: seconds, kilograms, litres, cents.

:func:`validate` checks a whole document field by field and returns it
normalised; :func:`merge` lays a partial change over a full document (so the
council can send only what changes); :func:`diff` lists what differs between
two documents, path by path.
"""

from __future__ import annotations

import copy

from courier.errors import InvalidInput
from courier.fairwork import safety_rules

ENFORCE = ("block", "warn", "off")
BALANCE = ("off", "hours", "pay", "hourly")
# What a failed delivery attempt pays: nothing beyond the stops done, its ride (the km as
# if delivered), or the full delivery rate and the ride.
FAILED_ATTEMPT = ("none", "ride", "full")
VEHICLES = ("bike", "cargo_bike")
HOUR = 3600
DAY = 24 * HOUR

# The first published version: limits of the French road-transport convention
# (10 h a day, 48 h a week, 11 h daily rest, a 30-minute break after 6 h of work,
# at most 6 consecutive working days). Hours and load block by default.
TEMPLATE: dict = {
    "working_time": {
        "max_day": {"enforce": "block", "limit_s": 10 * HOUR},
        "max_week": {"enforce": "block", "limit_s": 48 * HOUR},
        "daily_rest": {"enforce": "block", "min_s": 11 * HOUR},
        "break": {"enforce": "block", "after_s": 6 * HOUR, "duration_s": 30 * 60},
        "consecutive_days": {"enforce": "block", "max_days": 6},
    },
    "load": {
        "vehicle_caps": {"enforce": "block", "bike": {"kg": 15.0, "l": 40.0},
                         "cargo_bike": {"kg": 80.0, "l": 250.0}},
        "max_stops": {"enforce": "block", "limit": 20},
        "max_run": {"enforce": "block", "limit_s": 3 * HOUR},
    },
    "pay": {
        "per_delivery_cents": 250,
        "per_km_cents": 40,
        "per_hour_cents": 900,
        "guaranteed_hourly_cents": 1200,
        "night_bonus_pct": 25,
        "night_from_h": 22,
        "night_to_h": 6,
        "sunday_bonus_pct": 25,
        "failed_attempt": "none",
    },
    # The effective hourly pay is shown only over at least this much time on shift.
    "fairness": {"balance": "off", "strength": 50, "hourly_shown_from_s": 2 * HOUR},
    # Weather, distance, climbing and battery (courier/fairwork/safety_rules.py): all off.
    "safety": copy.deepcopy(safety_rules.SAFETY),
}

TEMPLATE_REASON = "published template: French road-transport convention"

# path -> (kind, bounds or choices); kinds: int, num, enum
_FIELDS: dict[str, tuple] = {
    "working_time.max_day.limit_s": ("int", 0, DAY),
    "working_time.max_week.limit_s": ("int", 0, 7 * DAY),
    "working_time.daily_rest.min_s": ("int", 0, DAY),
    "working_time.break.after_s": ("int", 60, DAY),
    "working_time.break.duration_s": ("int", 60, 4 * HOUR),
    "working_time.consecutive_days.max_days": ("int", 1, 31),
    "load.vehicle_caps.bike.kg": ("num", 0, 1000),
    "load.vehicle_caps.bike.l": ("num", 0, 5000),
    "load.vehicle_caps.cargo_bike.kg": ("num", 0, 1000),
    "load.vehicle_caps.cargo_bike.l": ("num", 0, 5000),
    "load.max_stops.limit": ("int", 2, 500),
    "load.max_run.limit_s": ("int", 300, DAY),
    "pay.per_delivery_cents": ("int", 0, 100_000),
    "pay.per_km_cents": ("int", 0, 100_000),
    "pay.per_hour_cents": ("int", 0, 100_000),
    "pay.guaranteed_hourly_cents": ("int", 0, 100_000),
    "pay.night_bonus_pct": ("int", 0, 500),
    "pay.night_from_h": ("int", 0, 23),
    "pay.night_to_h": ("int", 0, 23),
    "pay.sunday_bonus_pct": ("int", 0, 500),
    "pay.failed_attempt": ("enum", FAILED_ATTEMPT),
    "fairness.balance": ("enum", BALANCE),
    "fairness.strength": ("int", 0, 100),
    "fairness.hourly_shown_from_s": ("int", 0, 7 * DAY),
}
for _rule in ("working_time.max_day", "working_time.max_week", "working_time.daily_rest",
              "working_time.break", "working_time.consecutive_days", "load.vehicle_caps",
              "load.max_stops", "load.max_run"):
    _FIELDS[f"{_rule}.enforce"] = ("enum", ENFORCE)
_FIELDS.update(safety_rules.FIELDS)
for _rule in safety_rules.RULES:
    _FIELDS[f"{_rule}.enforce"] = ("enum", ENFORCE)

RULES = tuple(sorted({p.rsplit(".", 1)[0] for p in _FIELDS if p.endswith(".enforce")}))


def _leaves(doc, prefix="") -> dict:
    out = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = doc
    return out


def _check(path: str, value, spec) -> str | None:
    kind = spec[0]
    if kind == "enum":
        return None if value in spec[1] else f"must be one of {', '.join(spec[1])}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    if kind == "int" and value != int(value):
        return "must be a whole number"
    lo, hi = spec[1], spec[2]
    if not lo <= value <= hi:
        return f"must be between {lo} and {hi}"
    return None


def validate(doc) -> dict:
    """``doc`` checked against the schema and returned normalised (a deep copy).

    Raises InvalidInput naming every wrong field as ``rules.<path>``.
    """
    if not isinstance(doc, dict):
        raise InvalidInput("the rules must be an object", {"rules": "must be an object"})
    errors: dict[str, str] = {}
    leaves = _leaves(doc)
    for path in leaves:
        if path not in _FIELDS:
            errors[f"rules.{path}"] = "unknown rule"
    for path, spec in _FIELDS.items():
        if path not in leaves:
            errors[f"rules.{path}"] = "missing"
            continue
        problem = _check(path, leaves[path], spec)
        if problem:
            errors[f"rules.{path}"] = problem
    if not errors:
        wt = doc["working_time"]
        if wt["max_week"]["limit_s"] < wt["max_day"]["limit_s"]:
            errors["rules.working_time.max_week.limit_s"] = "must be at least the daily limit"
        if wt["break"]["duration_s"] >= wt["break"]["after_s"]:
            errors["rules.working_time.break.duration_s"] = "must be shorter than after_s"
        errors.update(safety_rules.check(doc))
    if errors:
        first = next(iter(errors.items()))
        raise InvalidInput(f"invalid {first[0]}: {first[1]}", errors)
    out = copy.deepcopy(doc)
    for path, spec in _FIELDS.items():
        if spec[0] == "int":
            _set(out, path, int(leaves[path]))
        elif spec[0] == "num":
            _set(out, path, float(leaves[path]))
    return out


def _set(doc: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for p in parents:
        doc = doc[p]
    doc[last] = value


def get(doc: dict, path: str):
    for p in path.split("."):
        doc = doc[p]
    return doc


def merge(base: dict, change: dict) -> dict:
    """``change`` laid over ``base``: nested objects merge, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in (change or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def diff(old: dict | None, new: dict) -> list[dict]:
    """What changed from ``old`` to ``new``: ``[{"path", "from", "to"}]`` in path order."""
    a, b = _leaves(old or {}), _leaves(new)
    return [{"path": p, "from": a.get(p), "to": b.get(p)}
            for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]


def enforcement(doc: dict, rule: str) -> str:
    """``"block"``, ``"warn"`` or ``"off"`` for a rule path such as ``"working_time.max_day"``."""
    return get(doc, rule)["enforce"]


def template() -> dict:
    return copy.deepcopy(TEMPLATE)


# Rules added after a document was stored, with the value that keeps its meaning (what
# the code did before the rule existed): the readers of a stored version use these.
ADDED = {"pay.failed_attempt": "none", "fairness.hourly_shown_from_s": 0,
         **safety_rules.added()}


def value(doc: dict, path: str):
    """``path`` of a stored document, or, for a rule added since, its meaning then."""
    try:
        return get(doc, path)
    except (KeyError, TypeError):
        return ADDED[path]


def complete(doc: dict) -> dict:
    """``doc`` with every rule added since it was stored (a deep copy)."""
    out = copy.deepcopy(doc)
    for path, default in ADDED.items():
        *parents, last = path.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node.setdefault(last, default)
    return out
