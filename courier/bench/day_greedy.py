"""The baseline ``courier bench day`` measures the project's dispatch against: each job,
most urgent first, goes to the nearest idle courier who can still deliver it in its
window; one job per offer, no batching, no courier planned ahead of a run they ride,
no break planned (a courier whose break falls due before the job would be done gets
none).

It replaces only the planner: the cycle around it is the real one (snapshot, the
council's rules on each offer, offers, reasons for jobs left over), so both policies
are judged by the same system, and only the choice of who rides what differs.
"""

from __future__ import annotations

import time

from courier.routing import Plan, Problem, Route
from courier.routing.precheck import allowed_vehicles, travel
from courier.routing.problem import PlannedStep, Stats, Unassigned


def _fits(problem: Problem, v, sh) -> bool:
    return all(a <= c for a, c in zip(sh.amount, v.capacity, strict=False))


def _try(problem: Problem, v, sh) -> tuple[int, int, int] | None:
    """(pickup arrival, pickup start, delivery start) of ``sh`` alone on ``v`` from its
    start, or None when its window or working time cannot be kept."""
    t0 = v.time_window.start
    arrive = t0 + travel(problem, v, v.start, sh.pickup.location)
    start = max(arrive, sh.pickup.time_window.start)
    if start > sh.pickup.time_window.end:
        return None
    drop = start + sh.pickup.service + travel(problem, v, sh.pickup.location,
                                              sh.delivery.location)
    drop = max(drop, sh.delivery.time_window.start)
    if drop > sh.delivery.time_window.end or drop + sh.delivery.service > v.time_window.end:
        return None
    if v.max_working_time is not None and drop + sh.delivery.service - t0 > v.max_working_time:
        return None
    if any(max(w.end for w in b.time_windows) < drop + sh.delivery.service for b in v.breaks):
        return None  # the rules' break falls due on the way: greedy plans none
    return arrive, start, drop


def _route(problem: Problem, v, sh, times: tuple[int, int, int]) -> Route:
    arrive, start, drop = times
    pick, deliver = sh.pickup.location, sh.delivery.location
    d1 = int(problem.distances[v.start][pick]) if problem.distances is not None else 0
    d2 = d1 + (int(problem.distances[pick][deliver]) if problem.distances is not None else 0)
    empty = tuple(0 for _ in sh.amount)
    t0 = v.time_window.start
    arrive_drop = start + sh.pickup.service + travel(problem, v, pick, deliver)
    steps = (PlannedStep("start", v.start, t0, t0, empty, 0),
             PlannedStep("pickup", pick, arrive, start, tuple(sh.amount), d1, shipment=sh.id),
             PlannedStep("delivery", deliver, arrive_drop, drop, empty, d2, shipment=sh.id))
    return Route(v.id, steps, drop + sh.delivery.service - t0, d2)


def greedy_solve(problem: Problem, time_limit: float = 5.0, **_ignored) -> Plan:
    """Plan ``problem`` greedily (see the module docstring). Idle means free now: a
    courier riding a run is planned from when it ends, which greedy does not do."""
    started = time.perf_counter()
    taken: set[int] = set()
    routes, unassigned = [], []
    for sh in problem.shipments:  # the cycle lists jobs by deadline
        best = None
        for i in allowed_vehicles(problem, sh):
            v = problem.vehicles[i]
            if i in taken or v.time_window.start > 0 or not _fits(problem, v, sh):
                continue
            times = _try(problem, v, sh)
            if times is not None and (best is None or times[0] < best[1][0]):
                best = (i, times)
        if best is None:
            unassigned.append(Unassigned(sh.id, "no_room", "no idle courier can make it"))
            continue
        taken.add(best[0])
        routes.append(_route(problem, problem.vehicles[best[0]], sh, best[1]))
    stats = Stats(time.perf_counter() - started, "greedy" if routes else "empty",
                  vehicles_used=len(routes), distance=sum(r.distance for r in routes),
                  duration=sum(r.duration for r in routes))
    return Plan(tuple(routes), tuple(unassigned), stats)
