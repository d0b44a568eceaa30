"""Build the OR-Tools model of a :class:`~courier.routing.problem.Problem`.

Nodes, in this order: one start node per vehicle, one end node per vehicle (a
dummy with zero-cost arcs in and out when the route is open, ``end=None``), then
for every modelled shipment its pickup (unless already on board) and its
delivery. Giving every vehicle its own start and end node keeps the node ->
step mapping trivial, and dummy ends make open routes cost nothing after the
last stop.

The model is built in the order of the OR-Tools samples: index manager, model,
transit callbacks, dimensions, pickup-and-delivery pairs, disjunctions. Search
parameters are the caller's business (:mod:`courier.routing.solver`).
Matrices are registered with ``RegisterTransitMatrix`` (no Python callback is
called during the search, which matters for speed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp

from courier.routing.problem import INFINITY, Problem, Shipment

TIME = "time"
STOPS = "stops"


@dataclass
class Model:
    """The OR-Tools objects plus the node tables needed to read a solution back."""

    problem: Problem
    shipments: list[int]  # indices into problem.shipments, in node order
    node_location: list[int | None]
    node_service: list[int]
    node_kind: list[str]  # "start", "end", "pickup", "delivery"
    node_shipment: list[int | None]  # index into problem.shipments
    pickup_node: dict[int, int] = field(default_factory=dict)
    delivery_node: dict[int, int] = field(default_factory=dict)
    dims: int = 0
    start_load: list[tuple[int, ...]] = field(default_factory=list)
    manager: pywrapcp.RoutingIndexManager | None = None
    routing: pywrapcp.RoutingModel | None = None
    breaks: dict[int, list] = field(default_factory=dict)  # vehicle -> [(Break, interval)]


def _layout(problem: Problem, shipments: list[int]) -> Model:
    """Number the nodes (see the module docstring)."""
    vehicles = problem.vehicles
    loc: list[int | None] = [v.start for v in vehicles] + [v.end for v in vehicles]
    service = [0] * (2 * len(vehicles))
    kind = ["start"] * len(vehicles) + ["end"] * len(vehicles)
    owner: list[int | None] = [None] * (2 * len(vehicles))
    m = Model(problem, shipments, loc, service, kind, owner)
    for s in shipments:
        sh = problem.shipments[s]
        stops = [("delivery", sh.delivery)]
        if sh.onboard is None:
            stops.insert(0, ("pickup", sh.pickup))
        for what, stop in stops:
            (m.pickup_node if what == "pickup" else m.delivery_node)[s] = len(loc)
            loc.append(stop.location)
            service.append(stop.service)
            kind.append(what)
            owner.append(s)
    m.dims = max([len(v.capacity) for v in vehicles]
                 + [len(problem.shipments[s].amount) for s in shipments] + [0])
    return m


def _amount(sh: Shipment, d: int) -> int:
    return sh.amount[d] if d < len(sh.amount) else 0


def travel_matrix(problem: Problem, m: Model, speed: float) -> np.ndarray:
    """Node-to-node travel times at ``speed``; arcs into or out of a dummy end are 0."""
    dur = np.asarray(problem.durations, dtype=np.float64)
    idx = np.array([x if x is not None else 0 for x in m.node_location], dtype=np.int64)
    t = dur[np.ix_(idx, idx)]
    if speed != 1.0:
        t = np.ceil(t * speed - 1e-9)
    dummy = np.array([x is None for x in m.node_location])
    t[dummy, :] = 0
    t[:, dummy] = 0
    return t.astype(np.int64)


def build(problem: Problem, shipments: list[int], allowed: dict[int, tuple[int, ...]],
          penalties: dict[int, int], preference_cost: int = 0) -> Model:
    """Return the closed-over model (not yet closed) for the ``shipments`` given.

    ``allowed`` maps each shipment to the vehicles it may use, ``penalties`` to
    the cost of leaving it out.
    """
    m = _layout(problem, shipments)
    vehicles = problem.vehicles
    nv = len(vehicles)
    starts, ends = list(range(nv)), list(range(nv, 2 * nv))
    m.manager = manager = pywrapcp.RoutingIndexManager(len(m.node_location), nv, starts, ends)
    m.routing = routing = pywrapcp.RoutingModel(manager)
    service = np.array(m.node_service, dtype=np.int64)

    # Transit callbacks: one time matrix per speed, one cost matrix per cost class.
    travel_by_speed: dict[float, np.ndarray] = {}
    time_cb: dict[float, int] = {}
    for v in vehicles:
        if v.speed_factor not in travel_by_speed:
            t = travel_by_speed[v.speed_factor] = travel_matrix(problem, m, v.speed_factor)
            time_cb[v.speed_factor] = routing.RegisterTransitMatrix(
                (t + service[:, None]).tolist())
    preferred = {problem.shipments[s].preferred_vehicle for s in shipments
                 if problem.shipments[s].preferred_vehicle is not None}
    cost_cb: dict[tuple, int] = {}
    for vi, v in enumerate(vehicles):
        key = (v.speed_factor, v.cost_factor, v.id if v.id in preferred else None)
        if key not in cost_cb:
            c = travel_by_speed[v.speed_factor].astype(np.float64) * v.cost_factor
            c = np.rint(c).astype(np.int64)
            if preference_cost and preferred:
                for s in shipments:
                    sh = problem.shipments[s]
                    if sh.preferred_vehicle is not None and sh.preferred_vehicle != key[2]:
                        c[:, m.pickup_node.get(s, m.delivery_node[s])] += preference_cost
            cost_cb[key] = routing.RegisterTransitMatrix(c.tolist())
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[key], vi)
        routing.SetFixedCostOfVehicle(int(v.fixed_cost), vi)

    # Dimensions: time (waiting allowed), one per capacity, stops if capped.
    horizon = max([v.time_window.end for v in vehicles]
                  + [problem.shipments[s].delivery.time_window.end for s in shipments]
                  + [problem.shipments[s].pickup.time_window.end for s in shipments])
    horizon = max(horizon, INFINITY)
    routing.AddDimensionWithVehicleTransits(
        [time_cb[v.speed_factor] for v in vehicles], horizon, horizon, False, TIME)
    time = routing.GetDimensionOrDie(TIME)
    for vi, v in enumerate(vehicles):
        time.CumulVar(routing.Start(vi)).SetRange(v.time_window.start, v.time_window.end)
        time.CumulVar(routing.End(vi)).SetRange(v.time_window.start, v.time_window.end)
        if v.max_working_time is not None:
            time.SetSpanUpperBoundForVehicle(int(v.max_working_time), vi)
    for s in shipments:
        sh = problem.shipments[s]
        for node, stop in ((m.pickup_node.get(s), sh.pickup), (m.delivery_node[s], sh.delivery)):
            if node is not None:
                tw = stop.time_window
                time.CumulVar(manager.NodeToIndex(node)).SetRange(tw.start, tw.end)
    if problem.balance > 0:
        time.SetGlobalSpanCostCoefficient(int(problem.balance))
    for vi in range(nv):
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(vi)))
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(vi)))
    _add_breaks(m, time)

    onboard = [[0] * m.dims for _ in vehicles]
    vehicle_index = {v.id: i for i, v in enumerate(vehicles)}
    for s in shipments:
        sh = problem.shipments[s]
        if sh.onboard is not None:
            for d in range(m.dims):
                onboard[vehicle_index[sh.onboard]][d] += _amount(sh, d)
    m.start_load = [tuple(x) for x in onboard]
    for d in range(m.dims):
        demand = [0] * len(m.node_location)
        for vi in range(nv):
            demand[vi] = onboard[vi][d]
        for s in shipments:
            a = _amount(problem.shipments[s], d)
            if s in m.pickup_node:
                demand[m.pickup_node[s]] = a
            demand[m.delivery_node[s]] = -a
        caps = [max(v.capacity[d] if d < len(v.capacity) else INFINITY, onboard[vi][d])
                for vi, v in enumerate(vehicles)]
        cb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"capacity{d}")
    if any(v.max_stops is not None for v in vehicles):
        ones = [0 if k in ("start", "end") else 1 for k in m.node_kind]
        cb = routing.RegisterUnaryTransitVector(ones)
        caps = [v.max_stops if v.max_stops is not None else len(ones) for v in vehicles]
        routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, STOPS)

    # Pickup and delivery pairs, allowed vehicles, disjunctions.
    solver = routing.solver()
    for s in shipments:
        d_index = manager.NodeToIndex(m.delivery_node[s])
        indices = [d_index]
        if s in m.pickup_node:
            p_index = manager.NodeToIndex(m.pickup_node[s])
            indices.insert(0, p_index)
            routing.AddPickupAndDelivery(p_index, d_index)
            solver.Add(routing.VehicleVar(p_index) == routing.VehicleVar(d_index))
            solver.Add(routing.ActiveVar(p_index) == routing.ActiveVar(d_index))
            solver.Add(time.CumulVar(p_index) <= time.CumulVar(d_index))
        if len(allowed[s]) < nv:  # (SetAllowedVehiclesForIndex is unusable from Python 9.15)
            for index in indices:
                routing.VehicleVar(index).SetValues([-1, *allowed[s]])
        for index in indices:
            routing.AddDisjunction([index], penalties[s])
    _tie_groups(m, shipments)
    return m


def _tie_groups(m: Model, shipments: list[int]) -> None:
    """Shipments sharing a ``group`` ride one vehicle, all of them or none."""
    routing, manager = m.routing, m.manager
    solver = routing.solver()
    first: dict = {}
    for s in shipments:
        group = m.problem.shipments[s].group
        if group is None:
            continue
        index = manager.NodeToIndex(m.delivery_node[s])
        if group not in first:
            first[group] = index
            continue
        solver.Add(routing.ActiveVar(index) == routing.ActiveVar(first[group]))
        solver.Add(routing.VehicleVar(index) == routing.VehicleVar(first[group]))


def _add_breaks(m: Model, time) -> None:
    """Breaks as OR-Tools break intervals: they may start in any of their windows,
    and never during service at a stop."""
    routing, manager = m.routing, m.manager
    solver = routing.solver()
    visit = [m.node_service[manager.IndexToNode(i)] for i in range(routing.Size())]
    for vi, v in enumerate(m.problem.vehicles):
        intervals = []
        for b in v.breaks:
            windows = sorted((tw.start, tw.end) for tw in b.time_windows)
            if not windows:
                continue
            iv = solver.FixedDurationIntervalVar(
                windows[0][0], windows[-1][1], int(b.duration), False, f"break {v.id} {b.id}")
            start = iv.StartExpr().Var()
            for (_, prev_end), (next_start, _) in zip(windows, windows[1:], strict=False):
                if next_start > prev_end + 1:
                    start.RemoveInterval(prev_end + 1, next_start - 1)
            intervals.append(iv)
            m.breaks.setdefault(vi, []).append((b, iv))
        if intervals:
            time.SetBreakIntervalsOfVehicle(intervals, vi, visit)
