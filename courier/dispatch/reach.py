"""The caps on a run's km and climbing (``safety.distance``, ``safety.climb``,
``safety.battery``) in the automatic cycle.

The routing problem bounds a route's time, stops and load, not its distance or ascent, so
the cycle keeps these caps in two steps:

- before planning (:func:`exclude`), a courier may not be given a job they could not ride
  alone within their caps (from where they are, to its pickup, to its drop-off; the climb
  counted between those three points only, a lower bound of the ride's): the job is
  never planned with them, and the reason says so;
- after planning (:func:`trim`), a route still over a blocking cap is cut back: its last
  deliveries (a multi-drop delivery or a round as a whole) are left for the next cycle
  until the run keeps to the caps, and each job left says why.

A warning cap cuts nothing: the run is offered and the breach recorded with it, like the
other warning rules (:func:`courier.dispatch.runfacts.breaches`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from courier.dispatch import terrain
from courier.dispatch.facts import Fit
from courier.fairwork import safety
from courier.routing import Plan, Problem, Route, Unassigned, cut
from courier.texts import Phrase


def _caps(snap) -> dict:
    """Courier id -> (km cap, climb cap) of those with a blocking one."""
    if snap.rules is None:
        return {}
    out = {}
    for c in snap.couriers:
        km, climb = safety.caps_left(snap.rules.limits[c.id])
        if km is not None or climb is not None:
            out[c.id] = (km, climb)
    return out


def _rule(snap, cid: int, kind: str) -> str:
    caps = snap.rules.limits[cid].safety.caps_of(kind)
    return min(caps, key=lambda c: c.limit).rule


class Reach:
    """Which job each capped courier could not ride alone within their caps, kept as one
    row of figures per courier (a cycle of 100 couriers and 300 jobs may hold thousands of
    such pairs): :meth:`why` says it in a :class:`Fit` when a reason needs it."""

    def __init__(self) -> None:
        self.rows: dict = {}  # courier id -> (km, over km, climb, over climb, rules, caps)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def why(self, si: int, cid) -> Fit | None:
        """Why shipment ``si`` (its index in the problem) is out of courier ``cid``'s
        reach, or None."""
        row = self.rows.get(cid)
        if row is None:
            return None
        km, far, up, high, rules, (km_cap, climb_cap) = row
        if far[si]:
            return Fit("reach", {"rule": rules["km"], "kind": "km",
                                 "value": round(km.item(si), 1), "limit": round(km_cap, 1)})
        if high[si]:
            return Fit("reach", {"rule": rules["climb"], "kind": "climb",
                                 "value": round(up.item(si)), "limit": climb_cap})
        return None


def exclude(problem: Problem, points, snap) -> Problem:
    """``problem`` with each job kept from the couriers who could not ride it alone within
    their caps; ``snap.reach`` (a :class:`Reach`) says why."""
    caps = _caps(snap)
    if not caps or not problem.shipments:
        return problem
    d = np.asarray(problem.distances, dtype=float)
    shipments = list(problem.shipments)
    pick = np.array([s.pickup.location for s in shipments])
    drop = np.array([s.delivery.location for s in shipments])
    ride = d[pick, drop]  # pickup to drop-off, each job
    grid = terrain.grid()
    h = None if grid is None else grid.at([p.lat for p in points], [p.lon for p in points])
    rise = None if h is None else np.fmax(h[drop] - h[pick], 0)  # unknown heights: no rise
    none = np.zeros(len(shipments), bool)
    ids, masks = [], []
    for vehicle in problem.vehicles:
        if vehicle.id not in caps:
            continue
        km_cap, climb_cap = caps[vehicle.id]
        km = (d[vehicle.start, pick] + ride) / 1000
        up = None if rise is None else np.fmax(h[pick] - h[vehicle.start], 0) + rise
        far = km > km_cap + 1e-9 if km_cap is not None else none
        high = up > climb_cap + 1e-9 if climb_cap is not None and up is not None else none
        if not (far.any() or high.any()):
            continue
        rules = {"km": _rule(snap, vehicle.id, "km") if far.any() else None,
                 "climb": _rule(snap, vehicle.id, "climb") if high.any() else None}
        snap.reach.rows[vehicle.id] = (km, far, up, high, rules, (km_cap, climb_cap))
        ids.append(vehicle.id)
        masks.append(far | high)
    if not ids:
        return problem
    out, ids = np.array(masks), np.array(ids, dtype=object)
    everyone = frozenset(v.id for v in problem.vehicles)
    for i in np.flatnonzero(out.any(axis=0)).tolist():
        s = shipments[i]
        allowed = everyone if s.allowed_vehicles is None else s.allowed_vehicles
        shipments[i] = dataclasses.replace(s, allowed_vehicles=allowed - set(ids[out[:, i]]))
    return dataclasses.replace(problem, shipments=shipments)


def _over(route: Route, points, km_cap, climb_cap) -> tuple | None:
    """The first cap ``route`` goes past: ``("km" | "climb", value, cap)``."""
    work = [s for s in route.steps if s.type in ("pickup", "delivery")]
    km = max((s.distance for s in work), default=0) / 1000
    if km_cap is not None and km > km_cap + 1e-9:
        return "km", km, km_cap
    if climb_cap is not None and work:
        ridden = [points[s.location] for s in route.steps
                  if s.type in ("start", "pickup", "delivery")]
        up = terrain.climb_of(ridden)
        if up is not None and up > climb_cap + 1e-9:
            return "climb", up, climb_cap
    return None


def trim(plan: Plan, problem: Problem, points, snap) -> Plan:
    """``plan`` with each route cut back to its courier's blocking caps; the jobs left out
    join the plan's unassigned, with why in ``snap.trimmed`` (job id -> (courier id, the
    breach in words, its rule))."""
    caps = _caps(snap)
    if not caps:
        return plan
    groups = {s.id: s.group for s in problem.shipments}
    routes, left = [], list(plan.unassigned)
    for route in plan.routes:
        if route.vehicle not in caps:
            routes.append(route)
            continue
        km_cap, climb_cap = caps[route.vehicle]
        gone: set = set()
        trimmed, over, first_over = route, _over(route, points, km_cap, climb_cap), None
        while over is not None:
            first_over = first_over or over
            order = [s.shipment for s in trimmed.steps if s.type == "delivery"]
            if not order:
                break
            last = order[-1]
            gone |= {sid for sid in order if sid == last or (
                groups[last] is not None and groups[sid] == groups[last])}
            trimmed = cut.without(route, gone, problem)
            over = _over(trimmed, points, km_cap, climb_cap)
        routes.append(trimmed)
        if gone:
            text, rule = _breach(snap, route.vehicle, first_over)
            for sid in sorted(gone, key=str):
                snap.trimmed[sid] = (route.vehicle, text, rule)
                left.append(Unassigned(sid, "no_room", "past a safety cap"))
    return dataclasses.replace(plan, routes=tuple(routes), unassigned=tuple(left))


def _breach(snap, cid: int, over: tuple) -> tuple[Phrase, str]:
    kind, value, cap = over
    rule = _rule(snap, cid, kind)
    if kind == "km":
        return Phrase(safety.RIDES_KM, km=f"{value:.1f}", limit=f"{round(cap, 1):g}"), rule
    return Phrase(safety.CLIMBS, m=f"{value:.0f}", limit=f"{cap:g}"), rule


def said(f: Fit) -> Phrase:
    """A ``reach`` fact in words: "rides 12.4 km, over 10 km"."""
    g = f.figures
    if g["kind"] == "km":
        return Phrase(safety.RIDES_KM, km=f"{g['value']:.1f}", limit=f"{round(g['limit'], 1):g}")
    return Phrase(safety.CLIMBS, m=f"{g['value']:.0f}", limit=f"{g['limit']:g}")
