"""An independent verifier of plans, for the benchmarks' side-by-side runs.

It knows nothing of the search: from the problem alone it recomputes travel
(at each vehicle's speed, rounded up), checks every route step by step and
lists what is wrong: each shipment routed once or reported unassigned,
pickup before delivery on one vehicle, windows of the stops and of the
vehicle, loads against capacities, working time, stop caps, breaks (each
taken once, in a window, not during a ride or a service), allowed vehicles,
on-board shipments on their vehicle, groups on one vehicle, all or none.
VROOM's plans are read into the same :class:`~courier.routing.Plan` form
(:mod:`courier.bench.city_vroom`) and judged alike.
"""

from __future__ import annotations

import math

from courier.routing import Plan, Problem


def _travel(problem: Problem, vehicle, a: int, b: int) -> int:
    return math.ceil(float(problem.durations[a][b]) * vehicle.speed_factor - 1e-9)


def violations(problem: Problem, plan: Plan) -> list[str]:
    """Everything wrong with ``plan`` (empty when it keeps every hard constraint)."""
    errors: list[str] = []
    ships = {s.id: s for s in problem.shipments}
    vehicles = {v.id: v for v in problem.vehicles}
    dims = max([len(v.capacity) for v in problem.vehicles]
               + [len(s.amount) for s in problem.shipments] + [0])
    carrier: dict = {}
    for route in plan.routes:
        v = vehicles.get(route.vehicle)
        if v is None or not route.steps or route.steps[0].type != "start":
            errors.append(f"{route.vehicle}: unknown vehicle or no start step")
            continue
        errors += [f"{v.id}: {e}" for e in _route(problem, v, route, ships, dims, carrier)]
    listed = [u.shipment for u in plan.unassigned]
    if len(listed) != len(set(listed)):
        errors.append("a shipment is unassigned twice")
    for sid in set(listed) & set(carrier):
        errors.append(f"{sid}: both routed and unassigned")
    for sid in set(ships) - set(listed) - set(carrier):
        errors.append(f"{sid}: neither routed nor unassigned")
    groups: dict = {}
    for s in problem.shipments:
        if s.group is not None:
            groups.setdefault(s.group, set()).add(carrier.get(s.id))
    for g, on in groups.items():
        if len(on) > 1:
            errors.append(f"group {g!r}: split or partly served ({sorted(map(str, on))})")
    return errors


def _route(problem: Problem, v, route, ships, dims, carrier) -> list[str]:
    errors: list[str] = []
    steps = route.steps
    start = steps[0].service_start
    if steps[0].location != v.start or not v.time_window.start <= start <= v.time_window.end:
        errors.append("starts at the wrong place or outside its shift")
    cap = [v.capacity[d] if d < len(v.capacity) else math.inf for d in range(dims)]
    load = [0] * dims
    served_here = {st.shipment for st in steps if st.type == "delivery"}
    for s in problem.shipments:
        if s.onboard == v.id and s.id in served_here:
            for d, a in enumerate(s.amount):
                load[d] += a
    t, here, picked, stops, rest_end, resting = start, v.start, set(), 0, start, 0
    taken: dict = {}
    for st in steps[1:]:
        if st.type == "break":
            brk = next((b for b in v.breaks if b.id == st.break_id), None)
            if brk is None or st.service_start < max(t, rest_end):
                errors.append(f"break {st.break_id!r} unknown or overlapping work")
                continue
            if not any(w.start <= st.service_start <= w.end for w in brk.time_windows):
                errors.append(f"break {st.break_id!r} outside its windows")
            taken[brk.id] = taken.get(brk.id, 0) + 1
            resting += brk.duration
            rest_end = st.service_start + brk.duration
            continue
        ride = _travel(problem, v, here, st.location)
        if st.service_start < max(t + ride + resting, rest_end):
            errors.append(f"{st.type} {st.shipment}: starts before it can be reached")
        t, here, resting = st.service_start, st.location, 0
        if st.type == "end":
            if st.location != v.end:
                errors.append("ends at the wrong place")
            continue
        s = ships.get(st.shipment)
        if s is None:
            errors.append(f"unknown shipment {st.shipment!r}")
            continue
        stop = s.pickup if st.type == "pickup" else s.delivery
        if stop.location != st.location or not (
                stop.time_window.start <= st.service_start <= stop.time_window.end):
            errors.append(f"{st.type} {s.id}: wrong place or outside its window")
        t += stop.service
        stops += 1
        if s.onboard is None and s.allowed_vehicles is not None and v.id not in s.allowed_vehicles:
            errors.append(f"{s.id}: not allowed on this vehicle")
        if st.type == "pickup":
            if s.onboard is not None or s.id in picked:
                errors.append(f"{s.id}: picked up twice or while on board")
            picked.add(s.id)
        else:
            if s.id not in picked and s.onboard != v.id:
                errors.append(f"{s.id}: delivered before its pickup")
            if s.id in carrier:
                errors.append(f"{s.id}: delivered twice")
            carrier[s.id] = v.id
        sign = 1 if st.type == "pickup" else -1
        for d, a in enumerate(s.amount):
            load[d] += sign * a
            if load[d] > cap[d]:
                errors.append(f"{s.id}: load {load[d]} over capacity {cap[d]}")
    if picked - set(carrier):
        errors.append("a pickup without its delivery")
    t = max(t, rest_end)
    if t > v.time_window.end:
        errors.append(f"ends at {t}, after its shift")
    if route.duration != t - start:
        errors.append(f"duration {route.duration} reported, {t - start} found")
    if v.max_working_time is not None and t - start > v.max_working_time:
        errors.append(f"works {t - start} s, more than {v.max_working_time}")
    if v.max_stops is not None and stops > v.max_stops:
        errors.append(f"{stops} stops, more than {v.max_stops}")
    if (v.end is None) != (steps[-1].type != "end"):
        errors.append("open/closed route mismatch")
    for b in v.breaks:
        if taken.get(b.id, 0) != 1:
            errors.append(f"break {b.id!r} taken {taken.get(b.id, 0)} times")
    return errors
