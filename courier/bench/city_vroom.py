"""The city day solved by VROOM (pyvroom, the ``bench`` extra) on the same matrix,
read back into a :class:`~courier.routing.Plan` for the verifier.

The mapping keeps every rule VROOM has a field for: shift windows, capacities
(grams, millilitres), open routes (no end), stop caps (``max_tasks``), breaks,
service times and windows. The mixed fleet: VROOM's ``speed_factor`` divides
travel times where ours multiplies them, and rounds differently, so instead
each speed gets its own profile whose matrix is ours scaled and rounded up
exactly as the planner and the verifier do. VROOM has no cap on working time
(its ``max_travel_time`` counts riding only): the verifier checks ours on its
plans anyway. pyvroom is imported inside the function, never at module level.
"""

from __future__ import annotations

import math
import time

import numpy as np

from courier.routing import Plan, PlannedStep, Problem, Route, Stats, Unassigned


def profile_matrix(durations: np.ndarray, speed: float) -> np.ndarray:
    if speed == 1.0:
        return durations
    return np.ceil(durations * speed - 1e-9).astype(np.int64)


def solve_vroom(problem: Problem, exploration: int = 5, threads: int = 2) -> Plan:
    """VROOM's plan for ``problem`` (see the module docstring)."""
    import vroom

    started = time.perf_counter()
    durations = np.asarray(problem.durations, dtype=np.int64)
    inp = vroom.Input()
    speeds = sorted({v.speed_factor for v in problem.vehicles})
    for k, speed in enumerate(speeds):
        inp.set_durations_matrix(f"p{k}", profile_matrix(durations, speed))
    for i, v in enumerate(problem.vehicles):
        breaks = [vroom.Break(1000 * i + k, [vroom.TimeWindow(w.start, w.end)
                                             for w in b.time_windows], service=b.duration)
                  for k, b in enumerate(v.breaks)]
        inp.add_vehicle(vroom.Vehicle(
            i, start=v.start, end=v.end, profile=f"p{speeds.index(v.speed_factor)}",
            capacity=list(v.capacity), time_window=vroom.TimeWindow(*_window(v.time_window)),
            breaks=breaks, costs=vroom.VehicleCosts(fixed=int(v.fixed_cost)),
            **({"max_tasks": v.max_stops} if v.max_stops is not None else {})))
    for j, s in enumerate(problem.shipments):
        def step(stop, j=j):
            return vroom.ShipmentStep(j, stop.location, default_service=stop.service,
                                      time_windows=[vroom.TimeWindow(*_window(stop.time_window))])
        inp.add_shipment(step(s.pickup), step(s.delivery), amount=vroom.Amount(list(s.amount)),
                         priority=min(100, s.priority))
    solution = inp.solve(exploration_level=exploration, nb_threads=threads)
    return _plan(problem, solution, time.perf_counter() - started)


def _window(tw) -> tuple[int, int]:
    return int(tw.start), int(min(tw.end, 2**32 - 1))


def _plan(problem: Problem, solution, seconds: float) -> Plan:
    dims = max([len(v.capacity) for v in problem.vehicles]
               + [len(s.amount) for s in problem.shipments] + [0])
    dist = problem.distances
    routes, served = [], set()
    service = {(s.id, "pickup"): s.pickup.service for s in problem.shipments}
    service.update({(s.id, "delivery"): s.delivery.service for s in problem.shipments})
    frame = solution.routes
    for vi, rows in frame.groupby("vehicle_id", sort=True):
        v = problem.vehicles[int(vi)]
        load, steps, here, metres, breaks = [0] * dims, [], v.start, 0, {}
        for b in v.breaks:
            breaks[1000 * int(vi) + len(breaks)] = b.id
        for row in rows.itertuples():
            begin = int(row.arrival) + int(row.waiting_time)
            if row.type == "start":
                steps.append(PlannedStep("start", v.start, begin, begin, tuple(load), 0))
                continue
            if row.type == "break":
                steps.append(PlannedStep("break", None, int(row.arrival), begin, tuple(load),
                                         metres, break_id=breaks[int(row.id)]))
                continue
            loc = int(row.location_index)
            metres += int(dist[here][loc]) if dist is not None else 0
            here = loc
            if row.type == "end":
                if v.end is None:  # VROOM ends open routes at their last stop
                    continue
                steps.append(PlannedStep("end", loc, int(row.arrival), begin, tuple(load), metres))
                continue
            s = problem.shipments[int(row.id)]
            sign = 1 if row.type == "pickup" else -1
            for d, a in enumerate(s.amount):
                load[d] += sign * a
            if row.type == "delivery":
                served.add(s.id)
            steps.append(PlannedStep(row.type, loc, int(row.arrival), begin, tuple(load), metres,
                                     shipment=s.id))
        end = max(st.service_start + service.get((st.shipment, st.type), 0) for st in steps)
        if steps[-1].type == "break":
            end = max(end, steps[-1].service_start + next(
                b.duration for b in v.breaks if b.id == steps[-1].break_id))
        routes.append(Route(v.id, tuple(steps), end - steps[0].service_start, metres))
    unassigned = tuple(Unassigned(s.id, "no_room", "left out by VROOM")
                       for s in problem.shipments if s.id not in served)
    stats = Stats(seconds, "feasible", vehicles_used=len(routes),
                  distance=sum(r.distance for r in routes),
                  duration=sum(r.duration for r in routes))
    return Plan(tuple(routes), unassigned, stats)


def riding_seconds(problem: Problem, plan: Plan) -> int:
    """Seconds spent moving, at each vehicle's speed (rounded up per ride)."""
    speed = {v.id: v.speed_factor for v in problem.vehicles}
    total = 0
    for route in plan.routes:
        locs = [s.location for s in route.steps if s.location is not None]
        for a, b in zip(locs, locs[1:], strict=False):
            total += math.ceil(float(problem.durations[a][b]) * speed[route.vehicle] - 1e-9)
    return total
