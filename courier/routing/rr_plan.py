"""Between the ruin and recreate search and the boundary: the warm start read
into node sequences, and node sequences turned into a :class:`Plan`.

Both use the Python schedule (:mod:`courier.routing.rr_route`), so the times,
loads and breaks of a plan are the reference ones, whichever search ran.
"""

from __future__ import annotations

import time

from courier.routing.problem import Plan, PlannedStep, Route, Stats, Unassigned
from courier.routing.rr_data import Packed
from courier.routing.rr_route import evaluate, route_cost, schedule


def units_of(pk: Packed) -> dict[int, list[int]]:
    """The nodes of each unit (a shipment, or a whole group), by unit."""
    d = pk.data
    out: dict[int, list[int]] = {}
    for x in range(pk.n):
        s = int(d["ship"][x])
        g = int(d["group"][s])
        unit = int(d["rep"][int(d["gfirst"][g])]) if g >= 0 else int(d["rep"][s])
        out.setdefault(unit, []).append(x)
    return out


def warm_routes(pk: Packed) -> list[list[int]]:
    """``Problem.initial_routes`` as node lists, one per vehicle, each feasible.

    Entries that no longer make sense are skipped (unknown vehicles or
    shipments, shipments not modelled or not allowed there, repeats, a
    delivery before its pickup), as are units left incomplete on the route (a
    pickup without its delivery, part of a group); then the last units are
    dropped until the route is feasible. The search inserts the rest."""
    problem, d = pk.problem, pk.data
    vindex = {v.id: i for i, v in enumerate(problem.vehicles)}
    by_id = {problem.shipments[s].id: s for s in pk.modelled}
    units = units_of(pk)
    routes: list[list[int]] = [[] for _ in problem.vehicles]
    used: set[int] = set()
    for vid, entries in (problem.initial_routes or {}).items():
        v = vindex.get(vid)
        if v is None or routes[v]:
            continue
        seq: list[int] = []
        for entry in entries:
            try:
                sid, what = entry
                s = by_id.get(sid)
            except (TypeError, ValueError):
                continue
            node = (pk.pickup_node if what == "pickup" else pk.delivery_node).get(s) if (
                s is not None and what in ("pickup", "delivery")) else None
            if node is None or node in used or node in seq:
                continue
            k = int(d["ship"][node])
            if int(d["onboard"][k]) not in (-1, v) or (
                    int(d["onboard"][k]) < 0 and not d["allowed"][k][v]):
                continue
            partner = int(d["partner"][node])
            if what == "delivery" and partner >= 0 and partner not in seq:
                continue
            seq.append(node)
        on = set(seq)
        keep = [u for u, nodes in units.items() if u in on and all(x in on for x in nodes)]
        order = sorted(keep, key=lambda u: seq.index(u))
        while order:
            allowed_nodes = {x for u in order for x in units[u]}
            trial = [x for x in seq if x in allowed_nodes]
            if evaluate(pk, v, trial) is not None:
                routes[v] = trial
                used.update(trial)
                break
            order.pop()
    return routes


def make_plan(pk: Packed, routes: list[list[int]], rejected: list[Unassigned],
              started: float, mandatory_lost: bool) -> Plan:
    """The plan of ``routes`` (node lists, one per vehicle), checked by the
    reference schedule; a route it refuses is left out (its shipments then
    unassigned), which never happens unless the search is wrong."""
    problem, d = pk.problem, pk.data
    out: list[Route] = []
    served: set[int] = set()
    cost = 0
    dist = problem.distances
    for v, seq in enumerate(routes):
        if not seq:
            continue
        sched = schedule(pk, v, seq)
        if sched is None:
            continue
        cost += route_cost(pk, v, seq)
        vehicle = problem.vehicles[v]
        load = [0] * pk.dims
        for x in seq:
            if int(d["partner"][x]) < 0:
                amount = problem.shipments[pk.node_ship[x]].amount
                for c in range(min(pk.dims, len(amount))):
                    load[c] += amount[c]
        steps = [PlannedStep("start", vehicle.start, sched.start, sched.start, tuple(load), 0)]
        here, metres, end = vehicle.start, 0, sched.start
        for item in sched.items:
            if item.brk is not None:
                bid = _break_id(vehicle, int(d["bdur"][item.brk]), item.brk - _brk0(pk, v))
                steps.append(PlannedStep("break", None, item.arrival, item.start, tuple(load),
                                         metres, break_id=bid))
                continue
            if item.node is None:  # the end of a closed route
                metres += int(dist[here][vehicle.end]) if dist is not None else 0
                steps.append(PlannedStep("end", vehicle.end, item.arrival, item.start,
                                         tuple(load), metres))
                continue
            x = item.node
            sh = problem.shipments[pk.node_ship[x]]
            loc = int(d["loc"][x])
            metres += int(dist[here][loc]) if dist is not None else 0
            sign = 1 if pk.node_kind[x] == "pickup" else -1
            for c in range(min(pk.dims, len(sh.amount))):
                load[c] += sign * sh.amount[c]
            steps.append(PlannedStep(pk.node_kind[x], loc, item.arrival, item.start,
                                     tuple(load), metres, shipment=sh.id))
            here = loc
            if pk.node_kind[x] == "delivery":
                served.add(pk.node_ship[x])
        end = sched.end
        out.append(Route(vehicle.id, tuple(steps), end - sched.start, metres))
    unassigned = list(rejected)
    for s in pk.modelled:
        if s not in served:
            sh = problem.shipments[s]
            unassigned.append(Unassigned(sh.id, "no_room", "did not fit with the rest"))
            mandatory_lost = mandatory_lost or sh.mandatory or sh.onboard is not None
    if problem.balance and out:
        cost += problem.balance * max(r.duration for r in out)
    stats = Stats(solve_time=time.perf_counter() - started,
                  status="infeasible" if mandatory_lost else "feasible", cost=int(cost),
                  vehicles_used=len(out), distance=sum(r.distance for r in out),
                  duration=sum(r.duration for r in out))
    return Plan(tuple(out), tuple(unassigned), stats)


def _brk0(pk: Packed, v: int) -> int:
    return int(pk.data["veh_int"][v][7])


def _break_id(vehicle, duration: int, k: int):
    """The id of the vehicle's k-th break in the packed order (by first window)."""
    ordered = sorted(vehicle.breaks, key=lambda b: min(w.start for w in b.time_windows))
    return ordered[k].id
