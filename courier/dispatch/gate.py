"""The rules, as dispatch sees them: per-courier bounds, balancing, run checks.

:func:`context` is called by :mod:`courier.dispatch.planning` for the couriers
free to take an offer: it loads the rules version in force, their tracked time
and (when balancing) their hours or pay so far this week, and says who is held
back and why. :func:`vehicle` puts one courier's bounds on the routing vehicle;
:func:`route_facts` and :func:`breaches` check a planned route afterwards.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime

from courier.fairwork import tracking, versions
from courier.fairwork.limits import Limits, courier_limits, week_start
from courier.fairwork.models import RulesVersion
from courier.routing import Break, TimeWindow
from courier.routing import Vehicle as RoutingVehicle
from courier.texts import N_, Phrase

log = logging.getLogger(__name__)
MIN_FACTOR, MAX_FACTOR = 0.5, 2.0
ON_BREAK = N_("on a break")
BUSY_UNTIL_LIMIT = N_("busy until the limit ({why})")


@dataclass
class Context:
    version: RulesVersion
    limits: dict[int, Limits] = field(default_factory=dict)
    held: dict[int, str] = field(default_factory=dict)  # courier id -> why no work now
    cost_factor: dict[int, float] = field(default_factory=dict)
    balance: int = 0
    figures: dict[int, dict] = field(default_factory=dict)  # so far this week

    @property
    def label(self) -> str:
        return self.version.label


def _factors(figures: dict[int, dict], key: str, strength: int) -> dict[int, float]:
    """Below 1 for couriers under the mean (they are preferred), above 1 over it."""
    values = {cid: f[key] for cid, f in figures.items()}
    mean = sum(values.values()) / len(values) if values else 0
    if mean <= 0:
        return {cid: 1.0 for cid in values}
    k = strength / 100
    return {cid: round(min(MAX_FACTOR, max(MIN_FACTOR, 1 + k * (v / mean - 1))), 3)
            for cid, v in values.items()}


def context(couriers: list, now: datetime, free_from: dict | None = None) -> Context:
    """The rules' view of ``couriers`` (those free to take an offer) at ``now``.

    ``free_from``: courier id -> (place, time) when each is next free; a courier
    whose working time runs out before that is held back too.
    """
    ctx = Context(versions.in_force(now))
    doc, tz = ctx.version.rules, tracking.timezone()
    ids = [c.id for c in couriers]
    tracked = tracking.load(ids, min(week_start(now, tz), now))
    for c in couriers:
        t = tracked[c.id]
        lim = courier_limits(doc, ctx.version.number, c.vehicle.value, t.work(now), now, tz)
        ctx.limits[c.id] = lim
        if t.on_break:
            ctx.held[c.id] = Phrase(ON_BREAK)
        elif lim.excluded:
            ctx.held[c.id] = lim.excluded
        elif free_from and lim.deadline_s is not None:
            busy = (free_from[c.id][1] - now).total_seconds()
            if busy >= lim.deadline_s:
                ctx.held[c.id] = Phrase(BUSY_UNTIL_LIMIT, why=lim.deadline_why)
    fair = doc["fairness"]
    free = [cid for cid in ids if cid not in ctx.held]
    if fair["balance"] != "off" and fair["strength"] > 0 and len(free) > 1:
        from courier.fairwork.reports import so_far

        ctx.figures = so_far(free, week_start(now, tz), now)
        key = "on_shift_s" if fair["balance"] == "hours" else "total_cents"
        ctx.cost_factor = _factors(ctx.figures, key, fair["strength"])
        ctx.balance = max(1, fair["strength"] // 25)
    return ctx


def vehicle(v: RoutingVehicle, lim: Limits, cost_factor: float = 1.0) -> RoutingVehicle:
    """``v`` with the blocking rules of ``lim`` as routing bounds."""
    changes: dict = {"cost_factor": cost_factor}
    if lim.deadline_s is not None:
        changes["time_window"] = TimeWindow(v.time_window.start,
                                            max(v.time_window.start, lim.deadline_s))
    if lim.max_run_s is not None:
        changes["max_working_time"] = lim.max_run_s
    if lim.max_stops is not None:
        changes["max_stops"] = lim.max_stops
    if lim.caps is not None and v.capacity:
        kg, litres = lim.caps
        changes["capacity"] = (min(v.capacity[0], round(kg * 1000)),
                               min(v.capacity[1], round(litres * 1000)))
    if lim.break_by_s is not None:
        changes["breaks"] = (Break("rest", (TimeWindow(0, lim.break_by_s),), lim.break_s),)
    return dataclasses.replace(v, **changes)


@dataclass
class RouteFacts:
    start_s: int
    end_s: int
    stops: int
    peak: tuple[float, float]  # kg, litres
    breaks: list[int]  # start of each break, seconds from now


def route_facts(route, service: dict[str, int]) -> RouteFacts:
    """What a planned route does; ``service`` is the time spent at a ``pickup`` and a
    ``delivery`` (the run ends when the last one is over)."""
    work = [s for s in route.steps if s.type in ("pickup", "delivery")]
    brk = [s.service_start for s in route.steps if s.type == "break"]
    kg = max((s.load[0] for s in work if s.load), default=0) / 1000
    litres = max((s.load[1] for s in work if len(s.load) > 1), default=0) / 1000
    start = route.steps[0].arrival if route.steps else 0
    end = max([s.service_start + service.get(s.type, 0) for s in work] + [start])
    return RouteFacts(start, end, len(work), (kg, litres), brk)


def breaches(lim: Limits, facts: RouteFacts) -> list[dict]:
    from courier.fairwork.limits import check_route

    return check_route(lim, facts.start_s, facts.end_s, facts.stops, facts.peak,
                       bool(facts.breaks))
