"""Pricing rules as data: validated field by field, compiled once, evaluated fast.

A rule set is ``{"strategy": "first_match" | "sum", "rules": [...],
"minimum_cents": n}``; each rule ``{"name", "when": {conditions}, "price": {...}}``.

Conditions (all must hold; none means "always"):
``distance_km``, ``weight_kg``, ``volume_l``, ``urgency_minutes`` (deliver_by minus
ready_at), ``dropoffs`` as ``{"min": a, "max": b}`` meaning ``a <= value < b``;
``pickup_zone`` / ``dropoff_zone`` as ``{"in": [names]}`` or ``{"not_in": [names]}``
(every drop-off must satisfy it); ``days`` as ``["mon", ... "sun"]``; ``time`` as
``{"from": "HH:MM", "to": "HH:MM"}`` (``from`` included, ``to`` excluded, over
midnight when ``from`` > ``to``). Days and times are those of ``ready_at`` on the
coop's clock.

Price: any of ``fixed_cents``, ``per_km_cents`` (per started km above
``above_km``), ``per_kg_cents`` (per started kg above ``above_kg``),
``per_dropoff_cents`` (per drop-off after the first), added up; or, alone,
``percent`` (-100 to 1000) of the amount the other matching rules gave (``sum``
strategy only). No code is ever evaluated: a rule is a record, not an expression.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STRATEGIES = ("first_match", "sum")
RANGES = {"distance_km": 1000, "weight_kg": 1000, "volume_l": 5000,
          "urgency_minutes": 60 * 24 * 31, "dropoffs": 100}
AMOUNTS = {"fixed_cents", "per_km_cents", "per_kg_cents", "per_dropoff_cents"}
PRICE_KEYS = AMOUNTS | {"above_km", "above_kg", "percent"}
CONDITIONS = (*RANGES, "pickup_zone", "dropoff_zone", "days", "time")
MAX_RULES = 200
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Facts:
    """What a price depends on, for one delivery."""

    distance_km: float
    weight_kg: float
    volume_l: float
    urgency_minutes: float
    dropoffs: int
    pickup_zones: frozenset
    dropoff_zones: tuple  # one frozenset of zone names per drop-off
    weekday: str  # "mon" .. "sun"
    minute: int  # minute of the day, 0 .. 1439


class RuleError(ValueError):
    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_range(cond, path, top, problems) -> None:
    if not isinstance(cond, dict) or not cond or set(cond) - {"min", "max"}:
        problems[path] = "give {\"min\": a} and/or {\"max\": b} (a <= value < b)"
        return
    for k, v in cond.items():
        if not _num(v) or not 0 <= v <= top:
            problems[f"{path}.{k}"] = f"must be a number from 0 to {top}"
    if _num(cond.get("min")) and _num(cond.get("max")) and cond["min"] >= cond["max"]:
        problems[f"{path}.max"] = "must be greater than min"


def _check_zones(cond, path, zones, problems) -> None:
    if not isinstance(cond, dict) or len(cond) != 1 or next(iter(cond)) not in ("in", "not_in"):
        problems[path] = "give {\"in\": [zone names]} or {\"not_in\": [zone names]}"
        return
    key, names = next(iter(cond.items()))
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        problems[f"{path}.{key}"] = "a non-empty list of zone names"
        return
    unknown = [n for n in names if zones is not None and n not in zones]
    if unknown:
        problems[f"{path}.{key}"] = f"unknown zone(s): {', '.join(map(repr, unknown))}"


def _check_when(when, path, zones, problems) -> None:
    if not isinstance(when, dict):
        problems[path] = "conditions are an object (or leave \"when\" out: always)"
        return
    for key, cond in when.items():
        p = f"{path}.{key}"
        if key in RANGES:
            _check_range(cond, p, RANGES[key], problems)
        elif key in ("pickup_zone", "dropoff_zone"):
            _check_zones(cond, p, zones, problems)
        elif key == "days":
            if not isinstance(cond, list) or not cond or not all(d in DAYS for d in cond):
                problems[p] = f"a non-empty list of {', '.join(DAYS)}"
        elif key == "time":
            if not isinstance(cond, dict) or set(cond) != {"from", "to"} or not all(
                    isinstance(v, str) and _HHMM.match(v) for v in cond.values()):
                problems[p] = "give {\"from\": \"HH:MM\", \"to\": \"HH:MM\"}"
            elif cond["from"] == cond["to"]:
                problems[f"{p}.to"] = "must differ from \"from\""
        else:
            problems[p] = f"unknown condition; known: {', '.join(CONDITIONS)}"


def _check_price(price, path, strategy, problems) -> None:
    if not isinstance(price, dict) or not price:
        problems[path] = "a price is required, e.g. {\"fixed_cents\": 450}"
        return
    for key in set(price) - PRICE_KEYS:
        problems[f"{path}.{key}"] = f"unknown; known: {', '.join(sorted(PRICE_KEYS))}"
    if "percent" in price:
        if set(price) != {"percent"}:
            problems[path] = "a percentage stands alone in its rule"
        elif not _num(price["percent"]) or not -100 <= price["percent"] <= 1000:
            problems[f"{path}.percent"] = "must be a number from -100 to 1000"
        elif strategy == "first_match":
            problems[f"{path}.percent"] = ("with first_match the rule's percentage would apply "
                                           "to nothing: use the sum strategy")
        return
    if not AMOUNTS & set(price):
        problems[path] = f"give at least one of {', '.join(sorted(AMOUNTS))}"
    for key in AMOUNTS & set(price):
        if not _int(price[key]) or not -100_000 <= price[key] <= 1_000_000:
            problems[f"{path}.{key}"] = "must be a whole number of cents"
    for key, unit in (("above_km", "per_km_cents"), ("above_kg", "per_kg_cents")):
        if key in price and (not _num(price[key]) or price[key] < 0 or unit not in price):
            problems[f"{path}.{key}"] = f"a number >= 0, with {unit}"


def validate(doc, zones: set[str] | None = None) -> dict:
    """The normalised rule set, or RuleError naming each problem by its path.

    ``zones``: the zone names rules may refer to (None: not checked).
    """
    problems: dict[str, str] = {}
    if not isinstance(doc, dict):
        raise RuleError({"_body": "a rule set is an object with a strategy and rules"})
    for key in set(doc) - {"strategy", "rules", "minimum_cents", "currency"}:
        problems[key] = "unknown field"
    strategy = doc.get("strategy", "first_match")
    if strategy not in STRATEGIES:
        problems["strategy"] = f"one of {', '.join(STRATEGIES)}"
    minimum = doc.get("minimum_cents", 0)
    if not _int(minimum) or minimum < 0:
        problems["minimum_cents"] = "a whole number of cents >= 0"
    rules = doc.get("rules")
    if not isinstance(rules, list) or not rules or len(rules) > MAX_RULES:
        problems["rules"] = f"a list of 1 to {MAX_RULES} rules"
        rules = []
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        path = f"rules[{i}]"
        if not isinstance(rule, dict):
            problems[path] = "a rule is an object with a name, conditions and a price"
            continue
        for key in set(rule) - {"name", "when", "price"}:
            problems[f"{path}.{key}"] = "unknown field (a rule has name, when, price)"
        name = rule.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 80:
            problems[f"{path}.name"] = "a name of 1 to 80 characters"
        elif name in seen:
            problems[f"{path}.name"] = f"{name!r} is used twice"
        seen.add(name if isinstance(name, str) else "")
        _check_when(rule.get("when", {}), f"{path}.when", zones, problems)
        _check_price(rule.get("price"), f"{path}.price", strategy, problems)
    if strategy == "sum" and rules and all(
            isinstance(r, dict) and "percent" in (r.get("price") or {}) for r in rules):
        problems["rules"] = "every rule is a percentage: at least one must give an amount"
    if problems:
        raise RuleError(problems)
    return {"strategy": strategy, "minimum_cents": minimum,
            "currency": str(doc.get("currency", "EUR"))[:3],
            "rules": [{"name": r["name"], "when": r.get("when", {}), "price": r["price"]}
                      for r in rules]}


def zones_named(doc: dict) -> set[str]:
    out: set[str] = set()
    for rule in doc.get("rules", []):
        for key in ("pickup_zone", "dropoff_zone"):
            for names in (rule.get("when", {}).get(key) or {}).values():
                out.update(names)
    return out
