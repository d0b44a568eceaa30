"""Per-shipment feasibility checks, done before the search.

Each shipment is tried alone on every vehicle it may use. A shipment that fits
no vehicle even alone is left out of the OR-Tools model (it could only slow the
search down) and reported with the most telling reason: the first test that
fails for *every* allowed vehicle, in the order capacity, time windows,
working time. A shipment that passes is modelled; if the search then leaves it
out, its reason is ``no_room``.

The checks are exact for a route ``start -> pickup -> delivery [-> end]`` with
waiting allowed; breaks are ignored (they can only make things harder, so a
shipment is never rejected here when it could be served).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from courier.routing.problem import Problem, Shipment, Vehicle


def travel(problem: Problem, vehicle: Vehicle, a: int, b: int) -> int:
    """Travel time from location ``a`` to ``b`` for ``vehicle`` (speed factor applied,
    rounded up so the model never promises an arrival that is too early)."""
    t = int(problem.durations[a][b])
    if vehicle.speed_factor == 1.0:
        return t
    return int(math.ceil(t * vehicle.speed_factor - 1e-9))


def allowed_vehicles(problem: Problem, shipment: Shipment) -> list[int]:
    """Indices of the vehicles that may carry ``shipment``: only its vehicle when it
    is on board, else those in ``allowed_vehicles`` (all when None)."""
    if shipment.onboard is not None:
        return [i for i, v in enumerate(problem.vehicles) if v.id == shipment.onboard]
    if shipment.allowed_vehicles is None:
        return list(range(len(problem.vehicles)))
    return [i for i, v in enumerate(problem.vehicles) if v.id in shipment.allowed_vehicles]


def fits_capacity(shipment: Shipment, vehicle: Vehicle) -> bool:
    """Whether the shipment's amounts fit an empty vehicle (missing entries: no limit)."""
    for d, amount in enumerate(shipment.amount):
        if d < len(vehicle.capacity) and amount > vehicle.capacity[d]:
            return False
    return True


def _schedule(problem: Problem, shipment: Shipment, vehicle: Vehicle) -> tuple[bool, int]:
    """Forward pass on ``start -> [pickup ->] delivery [-> end]`` from the earliest
    start: returns (windows respected, minimal route duration)."""
    stops = [shipment.delivery] if shipment.onboard is not None else [
        shipment.pickup, shipment.delivery]
    seq = []  # (location, window start, window end, service)
    for s in stops:
        seq.append((s.location, s.time_window.start, s.time_window.end, s.service))
    if vehicle.end is not None:
        seq.append((vehicle.end, vehicle.time_window.start, vehicle.time_window.end, 0))
    t, loc = vehicle.time_window.start, vehicle.start
    times = []
    for location, lo, hi, _service in seq:
        t = max(t + travel(problem, vehicle, loc, location), lo)
        if t > hi:
            return False, 0
        times.append(t)
        t += _service
        loc = location
    finish = t
    if finish > vehicle.time_window.end:
        return False, 0
    # Backward pass: the latest start that still finishes at ``finish``.
    latest = finish
    nxt_loc = None
    for (location, _lo, hi, service) in reversed(seq):
        back = latest - service if nxt_loc is None else latest - service - travel(
            problem, vehicle, location, nxt_loc)
        latest = min(hi, back)
        nxt_loc = location
    depart = min(latest - travel(problem, vehicle, vehicle.start, seq[0][0]),
                 vehicle.time_window.end)
    return True, finish - max(depart, vehicle.time_window.start)


@dataclass(frozen=True)
class Check:
    """Outcome of the check of one shipment: the vehicles worth modelling it on,
    or the reason why there are none."""

    vehicles: tuple[int, ...]
    reason: str | None = None
    detail: str = ""


def check_shipment(problem: Problem, shipment: Shipment) -> Check:
    """Try ``shipment`` alone on each vehicle it may use (see the module docstring)."""
    if not problem.vehicles:
        return Check((), "no_vehicle", "there are no vehicles")
    allowed = allowed_vehicles(problem, shipment)
    if not allowed:
        what = f"vehicle {shipment.onboard!r} is not in the problem" if (
            shipment.onboard is not None) else "none of its allowed vehicles is available"
        return Check((), "not_allowed", what)
    stops_needed = 1 if shipment.onboard is not None else 2
    roomy = [i for i in allowed if shipment.onboard is not None or (
        fits_capacity(shipment, problem.vehicles[i])
        and (problem.vehicles[i].max_stops is None
             or problem.vehicles[i].max_stops >= stops_needed))]
    if not roomy:
        return Check((), "capacity", "exceeds the capacity of every allowed vehicle")
    timely, durations = [], {}
    for i in roomy:
        ok, duration = _schedule(problem, shipment, problem.vehicles[i])
        if ok:
            timely.append(i)
            durations[i] = duration
    if not timely:
        return Check((), "time_window", "no allowed vehicle can serve it within the windows")
    working = [i for i in timely if problem.vehicles[i].max_working_time is None
               or durations[i] <= problem.vehicles[i].max_working_time]
    if not working:
        shortest = min(durations.values())
        return Check((), "working_time", f"needs at least {shortest} s of working time")
    return Check(tuple(working))


def group_checks(problem: Problem, checks: list[Check]) -> list[Check]:
    """``checks`` with groups made whole: the shipments of a group ride one
    vehicle, all or none, so each may only use the vehicles every other may
    use, and when one of them cannot be served, none is."""
    members: dict = {}
    for i, sh in enumerate(problem.shipments):
        if sh.group is not None:
            members.setdefault(sh.group, []).append(i)
    out = list(checks)
    for group, idx in members.items():
        if len(idx) < 2:
            continue
        failed = [checks[i] for i in idx if checks[i].reason]
        common = set.intersection(*(set(checks[i].vehicles) for i in idx))
        for i in idx:
            if failed and not checks[i].reason:
                out[i] = Check((), failed[0].reason,
                               f"another shipment of group {group!r} cannot be served")
            elif not failed:
                if not common:
                    out[i] = Check((), "not_allowed",
                                   f"no vehicle may carry the whole group {group!r}")
                else:
                    out[i] = Check(tuple(v for v in checks[i].vehicles if v in common))
    return out
