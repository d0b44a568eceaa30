"""Prices: the council's rules in force (or the default when there are none)
applied to a delivery's facts, with the breakdown of which rule gave what.

Rule sets are versions: publishing makes a new one, effective from a given time;
nothing is edited in place. A job's price is fixed at submission under the
version in force then, and stored with its breakdown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from courier.errors import Conflict, Forbidden, InvalidInput
from courier.extensions import db
from courier.models import PricingVersion, Role, User, Zone, utcnow
from courier.routing.matrix import ellipsoid_distance
from courier.shops.rules import Facts, RuleError, validate, zones_named

__all__ = ["Facts", "Price", "compare", "current_version", "price_for", "publish", "zones_named"]


@dataclass
class Price:
    cents: int
    lines: list[dict] = field(default_factory=list)
    version: int | None = None
    strategy: str = "default"
    currency: str = "EUR"

    def breakdown(self) -> dict:
        return {"total_cents": self.cents, "currency": self.currency, "version": self.version,
                "strategy": self.strategy, "lines": self.lines}


def _half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _started(x: float) -> int:
    """Started units: 2.0 -> 2, 2.001 -> 3 (to the metre or gram, so 2.0000001 -> 2)."""
    return max(0, math.ceil(round(x, 3)))


def _check(key: str, cond) -> callable:
    if key in ("pickup_zone", "dropoff_zone"):
        (how, names), = cond.items()
        names = frozenset(names)
        if key == "pickup_zone":
            return (lambda f: bool(f.pickup_zones & names)) if how == "in" \
                else (lambda f: not f.pickup_zones & names)
        return (lambda f: all(z & names for z in f.dropoff_zones)) if how == "in" \
            else (lambda f: not any(z & names for z in f.dropoff_zones))
    if key == "days":
        days = frozenset(cond)
        return lambda f: f.weekday in days
    if key == "time":
        lo = int(cond["from"][:2]) * 60 + int(cond["from"][3:])
        hi = int(cond["to"][:2]) * 60 + int(cond["to"][3:])
        return (lambda f: lo <= f.minute < hi) if lo < hi \
            else (lambda f: f.minute >= lo or f.minute < hi)
    get = attrgetter(key)
    lo, hi = cond.get("min", -math.inf), cond.get("max", math.inf)
    return lambda f: lo <= get(f) < hi


def _amount(price: dict) -> callable:
    fixed = price.get("fixed_cents", 0)
    per_km, above_km = price.get("per_km_cents"), price.get("above_km", 0)
    per_kg, above_kg = price.get("per_kg_cents"), price.get("above_kg", 0)
    per_drop = price.get("per_dropoff_cents")

    def amount(f: Facts) -> tuple[int, list[dict]]:
        parts = [{"what": "fixed", "cents": fixed}] if "fixed_cents" in price else []
        if per_km is not None:
            n = _started(f.distance_km - above_km)
            parts.append({"what": "per_km", "units": n, "unit_cents": per_km,
                          "above": above_km, "cents": n * per_km})
        if per_kg is not None:
            n = _started(f.weight_kg - above_kg)
            parts.append({"what": "per_kg", "units": n, "unit_cents": per_kg,
                          "above": above_kg, "cents": n * per_kg})
        if per_drop is not None:
            n = max(0, f.dropoffs - 1)
            parts.append({"what": "per_extra_dropoff", "units": n, "unit_cents": per_drop,
                          "cents": n * per_drop})
        return sum(p["cents"] for p in parts), parts

    return amount


@dataclass
class Compiled:
    strategy: str
    minimum: int
    currency: str
    rules: list[tuple[str, tuple, float | None, callable]]  # name, checks, percent, amount

    @classmethod
    def of(cls, doc: dict) -> Compiled:
        rules = []
        for r in doc["rules"]:
            checks = tuple(_check(k, c) for k, c in r["when"].items())
            pct = r["price"].get("percent")
            rules.append((r["name"], checks, pct, None if pct is not None else _amount(r["price"])))
        return cls(doc["strategy"], doc.get("minimum_cents", 0), doc.get("currency", "EUR"),
                   rules)

    def evaluate(self, f: Facts, version: int | None) -> Price:
        lines: list[dict] = []
        subtotal, percents = 0, []
        for name, checks, pct, amount in self.rules:
            if not all(check(f) for check in checks):
                continue
            if pct is not None:
                percents.append((name, pct))
                continue
            cents, parts = amount(f)
            lines.append({"rule": name, "cents": cents, "parts": parts})
            subtotal += cents
            if self.strategy == "first_match":
                break
        if not lines:
            raise InvalidInput(f"no pricing rule covers this delivery (pricing v{version}): "
                               f"the coop does not take it at these conditions",
                               {"price": "no rule matches"})
        for name, pct in percents:
            lines.append({"rule": name, "cents": _half_up(subtotal * pct / 100),
                          "parts": [{"what": "percent", "percent": pct, "of": subtotal}]})
        total = sum(line["cents"] for line in lines)
        floor = max(self.minimum, 0)
        if total < floor:
            lines.append({"rule": "minimum price", "cents": floor - total, "parts": []})
            total = floor
        return Price(total, lines, version, self.strategy, self.currency)


def default_price(f: Facts) -> Price:
    """Without published rules: a base price plus a price per started km."""
    cfg = current_app.config
    km = _started(f.distance_km)
    lines = [{"rule": "default", "cents": cfg["PRICE_BASE_CENTS"] + km * cfg["PRICE_PER_KM_CENTS"],
              "parts": [{"what": "fixed", "cents": cfg["PRICE_BASE_CENTS"]},
                        {"what": "per_km", "units": km, "unit_cents": cfg["PRICE_PER_KM_CENTS"],
                         "above": 0, "cents": km * cfg["PRICE_PER_KM_CENTS"]}]}]
    return Price(lines[0]["cents"], lines)


def current_version(now: datetime | None = None) -> PricingVersion | None:
    """The version in force at ``now``: the newest one already effective."""
    return db.session.scalars(
        select(PricingVersion).where(PricingVersion.effective_from <= (now or utcnow()))
        .order_by(PricingVersion.version.desc()).limit(1)).first()


_IN_FORCE = (select(PricingVersion.id, PricingVersion.version)
             .where(PricingVersion.effective_from <= bindparam("now"))
             .order_by(PricingVersion.version.desc()).limit(1))


def in_force_columns(now):
    """The id and number of the version in force at ``now`` (a datetime or a bound
    parameter), as two scalar subqueries: a caller can read them in the same round trip
    as something else."""
    latest = (select(PricingVersion.id, PricingVersion.version)
              .where(PricingVersion.effective_from <= now)
              .order_by(PricingVersion.version.desc()).limit(1).subquery())
    return select(latest.c.id).scalar_subquery(), select(latest.c.version).scalar_subquery()


_NOT_READ = object()


def price_for(f: Facts, now: datetime | None = None, in_force=_NOT_READ) -> Price:
    """The price of a delivery with facts ``f`` under the rules in force at ``now``.

    Versions never change, so each is compiled once per process; finding the one
    in force is a single indexed Core query, unless the caller passes ``in_force``,
    the ``(id, version)`` it has already read (None: no version yet).
    """
    if in_force is _NOT_READ:
        in_force = db.session.connection().execute(_IN_FORCE, {"now": now or utcnow()}).first()
    row = in_force if in_force is None or hasattr(in_force, "id") else _Row(*in_force)
    if row is None:
        return default_price(f)
    cache = current_app.extensions.setdefault("courier.pricing", {})
    compiled = cache.get(row.id)
    if compiled is None:
        compiled = cache[row.id] = Compiled.of(db.session.get(PricingVersion, row.id).rules)
    return compiled.evaluate(f, row.version)


@dataclass(frozen=True)
class _Row:
    id: int
    version: int


def route_km(points: list[tuple[float, float]]) -> float:
    """Street km estimate of a ride from ``points[0]`` (lat, lon) through the rest,
    nearest first: ellipsoidal distances (as dispatch's geodesic matrix) times
    the detour factor."""
    here, rest, metres = 0, list(range(1, len(points))), 0.0
    while rest:
        legs = {j: ellipsoid_distance(points[here], points[j]) for j in rest}
        nxt = min(rest, key=legs.__getitem__)
        metres += legs[nxt]
        rest.remove(nxt)
        here = nxt
    return metres * current_app.config["DETOUR_FACTOR"] / 1000


def publish(actor: User, doc, note: str, effective_from: datetime | None = None,
            now: datetime | None = None) -> PricingVersion:
    """A new version of the pricing rules (council only), effective now or later."""
    if actor.role != Role.COUNCIL:
        raise Forbidden("only the council sets pricing rules")
    now = now or utcnow()
    if not note or not note.strip():
        raise InvalidInput("say why the rules change", {"note": "required"})
    if effective_from is not None and effective_from < now:
        raise InvalidInput("a version cannot take effect in the past",
                           {"effective_from": "must not be in the past"})
    try:
        rules = validate(doc, set(db.session.scalars(select(Zone.name))))  # zones it may name
    except RuleError as err:
        first = next(iter(err.problems.items()))
        raise InvalidInput(f"invalid pricing rules: {first[0]}: {first[1]}",
                           err.problems) from None
    latest = db.session.scalar(select(func.max(PricingVersion.version))) or 0
    version = PricingVersion(version=latest + 1, strategy=rules["strategy"], rules=rules,
                             note=note.strip()[:500], created_by_id=actor.id, created_at=now,
                             effective_from=effective_from or now)
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:
        raise Conflict("another version was published at the same moment: reload and retry",
                       {"version": "taken"}) from None
    return version


def compare(old: PricingVersion, new: PricingVersion) -> dict:
    """What changed from ``old`` to ``new``: settings, rules added, removed, changed, moved."""
    a = {r["name"]: r for r in old.rules["rules"]}
    b = {r["name"]: r for r in new.rules["rules"]}
    settings = {k: {"from": old.rules.get(k), "to": new.rules.get(k)}
                for k in ("strategy", "minimum_cents", "currency")
                if old.rules.get(k) != new.rules.get(k)}
    common_a = [n for n in a if n in b]
    common_b = [n for n in b if n in a]
    return {"from": old.version, "to": new.version, "settings": settings,
            "added": [b[n] for n in b if n not in a],
            "removed": [a[n] for n in a if n not in b],
            "changed": [{"name": n, "from": a[n], "to": b[n]} for n in common_b if a[n] != b[n]],
            "reordered": common_a != common_b}
