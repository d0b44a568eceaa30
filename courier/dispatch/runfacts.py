"""What a run does, as the gate judges it (:mod:`courier.dispatch.gate`): when it starts and
ends, its stops, the most it carries, its breaks, its km and its metres of climbing; and
the rules those facts break. A planned route gives them (:func:`route_facts`), a run timed
leg by leg too (:mod:`courier.dispatch.timing`)."""

from __future__ import annotations

from dataclasses import dataclass

from courier.dispatch import terrain
from courier.fairwork import safety
from courier.fairwork.limits import Limits, check_route


@dataclass
class RouteFacts:
    start_s: int
    end_s: int
    stops: int
    peak: tuple[float, float]  # kg, litres
    breaks: list[int]  # start of each break within the run, seconds from now
    km: float = 0.0  # from where the courier is to the last stop
    climb_m: float | None = None  # metres of ascent; None: not known (no elevation model)


def route_facts(route, service: dict[str, int], points=None) -> RouteFacts:
    """What a planned route does; ``service`` is the time spent at a ``pickup`` and a
    ``delivery`` (the run ends when the last one is over). A break planned after the
    last stop is no part of the run. With ``points`` (what the route's locations index),
    its climbing is measured on the elevation model."""
    work = [s for s in route.steps if s.type in ("pickup", "delivery")]
    last = max((s.service_start for s in work), default=0)
    brk = [s.service_start for s in route.steps if s.type == "break" and s.service_start < last]
    kg = max((s.load[0] for s in work if s.load), default=0) / 1000
    litres = max((s.load[1] for s in work if len(s.load) > 1), default=0) / 1000
    start = route.steps[0].arrival if route.steps else 0
    end = max([s.service_start + service.get(s.type, 0) for s in work] + [start])
    km = max((s.distance for s in work), default=0) / 1000
    climb = None
    if points is not None and work:
        ridden = [s for s in route.steps if s.type in ("start", "pickup", "delivery")]
        climb = terrain.climb_of([points[s.location] for s in ridden if s.location is not None])
    return RouteFacts(start, end, len(work), (kg, litres), brk, km, climb)


def breaches(lim: Limits, facts: RouteFacts) -> list[dict]:
    """The rules a run with these facts would break, blocking and warning alike: time and
    load (:func:`courier.fairwork.limits.check_route`), then safety
    (:func:`courier.fairwork.safety.check`)."""
    return (check_route(lim, facts.start_s, facts.end_s, facts.stops, facts.peak,
                        bool(facts.breaks))
            + safety.check(lim, facts.start_s, facts.end_s, facts.peak, bool(facts.breaks),
                           facts.km, facts.climb_m))
