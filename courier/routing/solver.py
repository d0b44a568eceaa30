"""``solve()``: the one entry point to OR-Tools.

Objective, in order of importance:

1. serve as many shipments as possible, weighted by priority: leaving a
   shipment out costs ``big * (1 + priority)``, where ``big`` exceeds any
   possible travel, fixed, preference and balance cost, so no saving can pay
   for a dropped shipment; mandatory and on-board shipments cost more than all
   the others together, so they are dropped only when nothing else works (the
   plan's status is then ``"infeasible"``);
2. then the sum of the vehicles' fixed costs and their travel time times
   ``cost_factor`` (plus ``preference_cost`` per shipment not on its
   ``preferred_vehicle``, plus ``balance`` times the global span of the time
   dimension).

Every problem is planned by the ruin and recreate search of
:mod:`courier.routing.rr`, which covers the whole model (its objective
puts served shipments first, then couriers sent out, then the cost above).
``strategy="vehicles_first"`` keeps, on *plain* problems (identical vehicles
and nothing but windows and capacities, as in Li & Lim), the search tuned for
them in :mod:`courier.routing.fleet`; ``strategy="ortools"`` is the former
OR-Tools search (first plan, then guided local search), kept as an option.

Small problems do not burn the whole time limit: unless ``full_time`` is set,
the search stops after ``min(time_limit, 0.1 s + 10 ms per node)``. The first
plan (or the warm start) is always complete: the time limit bounds the
improvement that follows, so a limit shorter than the first plan takes makes
the answer late, never empty (see :func:`first_solution`).
"""

from __future__ import annotations

import time as _time

from ortools.constraint_solver import routing_enums_pb2

from courier.routing.extract import extract_route
from courier.routing.fleet import solve_vehicles_first
from courier.routing.lns import plain
from courier.routing.model import Model, build
from courier.routing.params import penalties, search_parameters
from courier.routing.precheck import check_shipment, group_checks
from courier.routing.problem import Plan, Problem, Route, Stats, Unassigned
from courier.routing.rr import solve_rr
from courier.routing.validate import validate

STRATEGIES = ("default", "vehicles_first", "ortools")

#: What sending out one more courier weighs in the default objective, in
#: seconds of riding (see :mod:`courier.routing.rr`).
COURIER_COST = 600

#: Unless asked to search for the whole time limit (``full_time``), the cost
#: phase of the default search ends after this many rounds per shipment: a
#: problem of tens of shipments stops improving after 100-150 rounds per
#: shipment, so a small problem is planned in a fraction of its time limit and
#: the same problem gets the same plan however busy the machine is
#: (docs/routing.md, "Time limit and rounds").
ROUNDS_PER_SHIPMENT = 400

#: ... and its time limit is at most 0.1 s plus this per shipment: 150 open jobs are
#: planned in 1.6 s, so a cycle with them ends within 2 s (docs/benchmarks.md, "Live day").
SECONDS_PER_SHIPMENT = 0.01


def warm_start_routes(m: Model, allowed: dict[int, tuple[int, ...]]) -> list[list[int]]:
    """``Problem.initial_routes`` as lists of routing indices, one per vehicle.

    Entries that no longer make sense are skipped: unknown vehicles or
    shipments, shipments left out by the pre-check, vehicles a shipment may
    not use, duplicates, and pickups without their delivery after them on the
    same route (or deliveries without their pickup, unless on board).
    """
    problem = m.problem
    by_id = {problem.shipments[s].id: s for s in m.shipments}
    vehicle_of = {v.id: i for i, v in enumerate(problem.vehicles)}
    routes: list[list[int]] = [[] for _ in problem.vehicles]
    seen: set[int] = set()
    for vid, entries in (problem.initial_routes or {}).items():
        vi = vehicle_of.get(vid)
        if vi is None:
            continue
        nodes, picked, delivered = [], set(), set()
        for entry in entries:
            try:
                sid, what = entry
            except (TypeError, ValueError):
                continue
            s = by_id.get(sid)
            if s is None or s in seen or vi not in allowed[s]:
                continue
            if what == "pickup" and s in m.pickup_node and s not in picked:
                picked.add(s)
                nodes.append(m.pickup_node[s])
            elif what == "delivery" and s not in delivered and (
                    s in picked or s not in m.pickup_node):
                delivered.add(s)
                nodes.append(m.delivery_node[s])
        keep = delivered
        seen |= keep
        routes[vi] = [m.manager.NodeToIndex(n) for n in nodes if m.node_shipment[n] in keep]
    return routes


def _empty_plan(problem: Problem, started: float, status: str,
                unassigned: list[Unassigned]) -> Plan:
    return Plan((), tuple(unassigned), Stats(_time.perf_counter() - started, status))


def solve(problem: Problem, time_limit: float = 5.0, *, strategy: str = "default",
          full_time: bool = False, preference_cost: int = 300, log: bool = False,
          courier_cost: int | None = None) -> Plan:
    """Plan the shipments of ``problem`` on its vehicles within ``time_limit`` seconds.

    ``preference_cost``: extra cost (in seconds of travel) of serving a
    shipment with another vehicle than its ``preferred_vehicle``.
    ``full_time``: search for the whole ``time_limit`` even on a small problem.
    """
    started = _time.perf_counter()
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}, expected one of {STRATEGIES}")
    validate(problem)
    checks = group_checks(problem, [check_shipment(problem, sh) for sh in problem.shipments])
    rejected = [Unassigned(sh.id, c.reason, c.detail)
                for sh, c in zip(problem.shipments, checks, strict=True) if c.reason]
    modelled = [i for i, c in enumerate(checks) if c.reason is None]
    mandatory_lost = any(problem.shipments[i].mandatory for i, c in enumerate(checks)
                         if c.reason)
    if not problem.vehicles or not modelled:
        return _empty_plan(problem, started, "infeasible" if mandatory_lost else "empty",
                           rejected)
    allowed = {i: checks[i].vehicles for i in modelled}
    budget = (time_limit if full_time
              else min(time_limit, 0.1 + SECONDS_PER_SHIPMENT * len(modelled)))
    if strategy == "default" or (strategy == "vehicles_first" and not plain(problem, modelled)):
        return solve_rr(problem, modelled, allowed, rejected, started, budget,
                        preference_cost=preference_cost, mandatory_lost=mandatory_lost,
                        vehicles_first=strategy == "vehicles_first",
                        courier_cost=COURIER_COST if courier_cost is None else courier_cost,
                        max_rounds=0 if full_time else ROUNDS_PER_SHIPMENT * len(modelled))
    if strategy == "vehicles_first":
        m, assignment = solve_vehicles_first(problem, modelled, allowed, started, budget, log)
    else:
        m = build(problem, modelled, allowed, penalties(problem, modelled, preference_cost),
                  preference_cost)
        # The first solution strategy is fixed when the model is closed.
        params = search_parameters(budget - (_time.perf_counter() - started),
                                   first=first_strategy(m, budget), log=log)
        m.routing.CloseModelWithParameters(params)
        initial = None
        if problem.initial_routes:
            initial = m.routing.ReadAssignmentFromRoutes(warm_start_routes(m, allowed), True)
        if initial is None:
            initial = first_solution(m, params)
        assignment = initial
        left = budget - (_time.perf_counter() - started)
        if initial is not None and left > 0.005:
            params.time_limit.FromMilliseconds(max(1, int(left * 1000)))
            assignment = m.routing.SolveFromAssignmentWithParameters(initial, params) or initial
    return make_plan(m, assignment, rejected, started, mandatory_lost)


#: Seconds of time limit per modelled shipment below which the first plan is
#: built by local cheapest insertion (0.18 s for 300 city jobs and 60 couriers)
#: rather than parallel cheapest insertion (0.45 s, fewer couriers).
PARALLEL_INSERTION_SECONDS = 0.002


def first_strategy(m: Model, budget: float) -> str:
    """Parallel cheapest insertion when the time limit leaves it
    :data:`PARALLEL_INSERTION_SECONDS` per shipment, else local cheapest insertion."""
    if budget >= PARALLEL_INSERTION_SECONDS * len(m.shipments):
        return "PARALLEL_CHEAPEST_INSERTION"
    return "LOCAL_CHEAPEST_INSERTION"


def first_solution(m: Model, params):
    """A first plan, run to completion whatever the time limit (a search cut
    short there would serve nothing at all); the limit then bounds the
    improvement only. ``params``: those the model was closed with."""
    once = type(params)()
    once.CopyFrom(params)
    once.solution_limit = 1
    once.time_limit.FromSeconds(3600)
    return m.routing.SolveWithParameters(once)


def make_plan(m: Model, assignment, rejected: list[Unassigned], started: float,
              mandatory_lost: bool) -> Plan:
    """Turn the assignment into a :class:`Plan` (routes of used vehicles only)."""
    problem = m.problem
    if assignment is None:
        lost = rejected + [Unassigned(problem.shipments[s].id, "no_room", "no solution found")
                           for s in m.shipments]
        status = "infeasible" if mandatory_lost or any(
            problem.shipments[s].mandatory for s in m.shipments) else "no_solution"
        return _empty_plan(problem, started, status, lost)
    routes: list[Route] = []
    for vi in range(len(problem.vehicles)):
        if m.routing.IsVehicleUsed(assignment, vi):
            routes.append(extract_route(m, assignment, vi))
    served = {step.shipment for r in routes for step in r.steps if step.type == "delivery"}
    unassigned = list(rejected)
    for s in m.shipments:
        sh = problem.shipments[s]
        if sh.id not in served:
            unassigned.append(Unassigned(sh.id, "no_room", "did not fit with the rest"))
            mandatory_lost = mandatory_lost or sh.mandatory
    optimal = m.routing.status() == routing_enums_pb2.RoutingSearchStatus.ROUTING_OPTIMAL
    status = "infeasible" if mandatory_lost else ("optimal" if optimal else "feasible")
    stats = Stats(
        solve_time=_time.perf_counter() - started,
        status=status,
        cost=int(assignment.ObjectiveValue()),
        vehicles_used=len(routes),
        distance=sum(r.distance for r in routes),
        duration=sum(r.duration for r in routes),
    )
    return Plan(tuple(routes), tuple(unassigned), stats)
