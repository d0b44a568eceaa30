"""The whole :class:`~courier.routing.problem.Problem` as flat arrays, for the
ruin and recreate search (:mod:`courier.routing.rr`, compiled in ``_rr``).

Nodes are the visits: for every modelled shipment its pickup then its
delivery, or only the delivery when it is on board. A *unit* is what the
search inserts and removes at once: a shipment, or every shipment of a group
(named by the first node of the group's first shipment). Vehicles keep their
own start, end, window, capacities, caps, breaks, speed and cost factors;
travel is read from the duration matrix by location and scaled by the
vehicle's speed factor (rounded up, as :func:`courier.routing.precheck.travel`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from courier.routing.problem import Problem

BIG = 10**15
NEAR = 40  # neighbours kept per visit (ruin and the routes tried first)
VEHICLES_NEAR = 16  # unused vehicles tried first for a new route, nearest start first
MAX_DIMS = 16


@dataclass
class Packed:
    """The arrays (``data``, a dict handed to ``_rr``) and the tables to read
    routes back: which shipment (problem index) and which end each node is."""

    problem: Problem
    modelled: list[int]
    node_ship: list[int]  # problem index of each node's shipment
    node_kind: list[str]  # "pickup" or "delivery"
    dims: int  # capacity dimensions of the plan's loads (0: none)
    data: dict
    pickup_node: dict[int, int]
    delivery_node: dict[int, int]

    @property
    def n(self) -> int:
        return len(self.node_ship)


def unit_weight(priority: int, mandatory: bool, tier: int) -> int:
    """What leaving a shipment out weighs: 1 + priority (0-100), or ``tier``
    (more than every other shipment together) when mandatory or on board."""
    return tier if mandatory else 1 + min(100, max(0, int(priority)))


def pack(problem: Problem, modelled: list[int], allowed: dict[int, tuple[int, ...]],
         preference_cost: int = 300, courier_cost: int = 0) -> Packed:
    """Pack the ``modelled`` shipments (problem indices), each allowed on the
    vehicles ``allowed[s]`` (vehicle indices)."""
    vehicles, shipments = problem.vehicles, problem.shipments
    nv, ns = len(vehicles), len(modelled)
    vindex = {v.id: i for i, v in enumerate(vehicles)}
    dims = max([len(v.capacity) for v in vehicles] + [len(shipments[s].amount) for s in modelled]
               + [0])
    cdims = max(1, dims)
    node_ship, kind, loc, early, late, svc, q, partner, ship = [], [], [], [], [], [], [], [], []
    rep, pickup_node, delivery_node = [], {}, {}
    for k, s in enumerate(modelled):
        sh = shipments[s]
        amount = [sh.amount[d] if d < len(sh.amount) else 0 for d in range(cdims)]
        stops = [("delivery", sh.delivery)]
        if sh.onboard is None:
            stops.insert(0, ("pickup", sh.pickup))
        rep.append(len(loc))
        for what, stop in stops:
            (pickup_node if what == "pickup" else delivery_node)[s] = len(loc)
            node_ship.append(s)
            kind.append(what)
            loc.append(stop.location)
            early.append(stop.time_window.start)
            late.append(stop.time_window.end)
            svc.append(stop.service)
            q.append(amount if what == "pickup" else [-a for a in amount])
            ship.append(k)
        if sh.onboard is None:
            p, d = pickup_node[s], delivery_node[s]
            partner += [d, p]
        else:
            partner.append(-1)
    n = len(loc)
    i64 = np.int64
    tier = 101 * (ns + 1)
    weights = [unit_weight(shipments[s].priority,
                           shipments[s].mandatory or shipments[s].onboard is not None, tier)
               for s in modelled]
    group_of: dict = {}
    group = np.full(ns, -1, dtype=i64)
    gnext = np.full(ns, -1, dtype=i64)
    gfirst, glast = [], []
    for k, s in enumerate(modelled):
        g = shipments[s].group
        if g is None:
            continue
        if g not in group_of:
            group_of[g] = len(gfirst)
            gfirst.append(k)
            glast.append(k)
        else:
            gnext[glast[group_of[g]]] = k
            glast[group_of[g]] = k
        group[k] = group_of[g]
    unit_w = np.zeros(max(n, 1), dtype=i64)[:n]
    for k in range(ns):
        g = group[k]
        unit = rep[gfirst[g]] if g >= 0 else rep[k]
        unit_w[unit] += weights[k]
    allowed_arr = np.zeros((ns, nv), dtype=np.int8)
    for k, s in enumerate(modelled):
        allowed_arr[k, list(allowed[s])] = 1
    cap = np.full((nv, cdims), BIG, dtype=i64)
    veh_int = np.zeros((nv, 9), dtype=i64)
    veh_float = np.ones((nv, 2), dtype=np.float64)
    bdur, bwoff, bws, bwe = [], [0], [], []
    for i, v in enumerate(vehicles):
        for d, c in enumerate(v.capacity):
            cap[i, d] = c
        breaks = sorted(v.breaks, key=lambda b: min(w.start for w in b.time_windows))
        veh_int[i] = (v.start, -1 if v.end is None else v.end, v.time_window.start,
                      v.time_window.end, BIG if v.max_working_time is None else v.max_working_time,
                      BIG if v.max_stops is None else v.max_stops, v.fixed_cost + courier_cost,
                      len(bdur), len(breaks))
        veh_float[i] = (v.speed_factor, v.cost_factor)
        for b in breaks:
            bdur.append(b.duration)
            for w in sorted(b.time_windows, key=lambda w: w.start):
                bws.append(w.start)
                bwe.append(w.end)
            bwoff.append(len(bws))
    D = np.ascontiguousarray(np.asarray(problem.durations, dtype=i64))
    locs = np.array(loc, dtype=i64)
    near = neighbours(D, locs, NEAR)
    starts = np.array([v.start for v in vehicles], dtype=i64)
    from_start = D[np.ix_(starts, locs)] if n else np.zeros((nv, 0), dtype=i64)
    vnear = vehicle_neighbours(from_start, VEHICLES_NEAR)
    pickups_or_only = [rep[ship[x]] for x in range(n)]
    deliveries = [x if partner[x] < 0 else max(x, partner[x]) for x in range(n)]
    data = {
        "n": n, "nloc": D.shape[0], "dims": cdims, "nv": nv, "nship": ns,
        "nnear": near.shape[1], "nvnear": vnear.shape[1], "pref_cost": int(preference_cost),
        "balance": int(problem.balance), "ngroups": len(gfirst), "nbreaks": len(bdur),
        "nwindows": len(bws), "D": D, "loc": locs,
        "early": np.array(early, dtype=i64), "late": np.array(late, dtype=i64),
        "svc": np.array(svc, dtype=i64), "q": np.array(q, dtype=i64).reshape(n, cdims),
        "partner": np.array(partner, dtype=i64), "ship": np.array(ship, dtype=i64),
        "key_demand": np.array([sum(max(0, a) for a in q[x]) for x in range(n)], dtype=i64),
        "key_far": from_start.min(axis=0) if n else np.zeros(0, dtype=i64),
        "key_deadline": np.array([late[d] for d in deliveries], dtype=i64),
        "key_ready": np.array([early[p] for p in pickups_or_only], dtype=i64),
        "unit_weight": unit_w, "rep": np.array(rep, dtype=i64), "group": group,
        "onboard": np.array([vindex.get(shipments[s].onboard, -1)
                             if shipments[s].onboard is not None else -1 for s in modelled],
                            dtype=i64),
        "preferred": np.array([vindex.get(shipments[s].preferred_vehicle, -1)
                               for s in modelled], dtype=i64),
        "gfirst": np.array(gfirst, dtype=i64), "gnext": gnext, "allowed": allowed_arr,
        "cap": cap, "near": near, "vnear": vnear,
        "bdur": np.array(bdur, dtype=i64), "bwoff": np.array(bwoff, dtype=i64),
        "bws": np.array(bws, dtype=i64), "bwe": np.array(bwe, dtype=i64),
        "veh_int": veh_int, "veh_float": veh_float,
    }
    return Packed(problem, list(modelled), node_ship, kind, dims, data, pickup_node,
                  delivery_node)


def neighbours(D: np.ndarray, locs: np.ndarray, k: int) -> np.ndarray:
    """For each node, the ``k`` other nodes nearest (travel both ways), nearest first."""
    n = len(locs)
    k = min(k, n - 1) if n > 1 else 0
    out = np.full((n, k), -1, dtype=np.int64)
    if not k:
        return out
    block = max(1, 2_000_000 // n)
    for lo in range(0, n, block):
        rows = np.arange(lo, min(n, lo + block))
        sym = D[np.ix_(locs[rows], locs)] + D[np.ix_(locs, locs[rows])].T
        sym[np.arange(len(rows)), rows] = np.iinfo(np.int64).max  # not oneself
        part = np.argpartition(sym, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sym, part, axis=1)
        out[rows] = np.take_along_axis(part, np.argsort(vals, axis=1, kind="stable"), axis=1)
    return out


def vehicle_neighbours(from_start: np.ndarray, k: int) -> np.ndarray:
    """For each node, the ``k`` vehicles whose start is nearest to it, nearest first."""
    nv, n = from_start.shape
    k = min(k, nv)
    if not n:
        return np.zeros((0, k), dtype=np.int64)
    part = np.argpartition(from_start, k - 1, axis=0)[:k].T
    vals = np.take_along_axis(from_start.T, part, axis=1)
    return np.ascontiguousarray(
        np.take_along_axis(part, np.argsort(vals, axis=1, kind="stable"), axis=1), dtype=np.int64)
