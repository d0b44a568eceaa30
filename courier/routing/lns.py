"""Vectorised pickup-and-delivery insertion for ruin and recreate (numpy).

Works on the node numbering of :mod:`courier.routing.model` for a *plain*
problem (see :func:`plain`): every vehicle alike, time windows, capacities,
closed or open routes, nothing else. A route is the list of its visits; for
each route we keep, per position ``m`` of ``start, visits..., end``:

- ``st[m]``, the earliest service start, and ``lat[m]``, the latest service
  start that keeps the rest of the route feasible (both in closed form from
  ``cum``, the running sum of service and travel times, with cumulative
  maximum / minimum, as in Vidal et al.'s time-window segments);
- ``G[i, j] = min(l[m] - cum[m] for i < m <= j)``, so that pushing the start
  of position ``i + 1`` to ``x`` keeps positions ``i + 1 .. j`` in their
  windows iff ``x - cum[i + 1] <= G[i, j]``;
- ``LM[i, j]``, the largest load on positions ``i .. j`` (per dimension).

With these, every (pickup after ``i``, delivery after ``j``) insertion of a
pair into a route is checked and costed at once in a few numpy operations on
``(n + 1) x (n + 1)`` arrays, instead of a Python loop per position pair.
"""

from __future__ import annotations

import numpy as np

from courier.routing.model import Model, travel_matrix

BIG = 10**15


def plain(problem, modelled) -> bool:
    """Whether the problem has only what this module models (else use OR-Tools alone)."""
    vs = problem.vehicles
    v0 = vs[0]
    same = all((v.start, v.end, v.time_window, v.capacity, v.speed_factor, v.cost_factor,
                v.fixed_cost) == (v0.start, v0.end, v0.time_window, v0.capacity,
                                  v0.speed_factor, v0.cost_factor, v0.fixed_cost)
               for v in vs)
    simple_vehicles = all(not v.breaks and v.max_working_time is None and v.max_stops is None
                          for v in vs)
    simple_shipments = all(
        (s := problem.shipments[i]).allowed_vehicles is None and s.onboard is None
        and s.group is None and s.preferred_vehicle is None and not s.mandatory
        for i in modelled)
    return (same and simple_vehicles and simple_shipments and not problem.initial_routes
            and problem.balance == 0)


class Data:
    """Node arrays of a plain problem, in the model's node numbering."""

    def __init__(self, m: Model):
        problem = m.problem
        v = problem.vehicles[0]
        nv = len(problem.vehicles)
        self.start, self.end = 0, nv
        self.T = travel_matrix(problem, m, v.speed_factor)
        n = len(m.node_location)
        self.early = np.zeros(n, dtype=np.int64)
        self.late = np.full(n, BIG, dtype=np.int64)
        self.svc = np.array(m.node_service, dtype=np.int64)
        dims = max(1, m.dims)
        self.q = np.zeros((n, dims), dtype=np.int64)
        self.cap = np.array([v.capacity[d] if d < len(v.capacity) else BIG
                             for d in range(dims)], dtype=np.int64)
        self.partner = np.full(n, -1, dtype=np.int64)
        for node in (self.start, self.end):
            self.early[node], self.late[node] = v.time_window.start, v.time_window.end
        self.pairs: list[tuple[int, int]] = []
        for s in m.shipments:
            sh = problem.shipments[s]
            p, d = m.pickup_node[s], m.delivery_node[s]
            self.pairs.append((p, d))
            self.partner[p], self.partner[d] = d, p
            for node, stop in ((p, sh.pickup), (d, sh.delivery)):
                self.early[node], self.late[node] = stop.time_window.start, stop.time_window.end
            for k in range(min(dims, len(sh.amount))):
                self.q[p, k], self.q[d, k] = sh.amount[k], -sh.amount[k]
        customers = np.array([x for pair in self.pairs for x in pair], dtype=np.int64)
        self.customers = customers
        # Neighbours of each customer among customers, nearest first (for the ruin).
        sym = self.T[np.ix_(customers, customers)] + self.T[np.ix_(customers, customers)].T
        order = np.argsort(sym, axis=1, kind="stable")
        self.near = {int(c): customers[order[k]].tolist() for k, c in enumerate(customers)}


_TRIANGLES: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _triangles(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks of ``j > i``, ``j <= i`` and ``j < i`` for square arrays of ``size``."""
    if size not in _TRIANGLES:
        upper = np.triu(np.ones((size, size), dtype=bool), 1)
        _TRIANGLES[size] = (upper, ~upper, np.tril(np.ones((size, size), dtype=bool), -1))
    return _TRIANGLES[size]


class Route:
    """One route's visits and the arrays described in the module docstring."""

    __slots__ = ("seq", "nodes", "st", "dep", "lat", "cum", "load", "peak", "G", "_lm", "cost",
                 "a", "b", "arc")

    def __init__(self, data: Data, nodes: list[int]):
        self.nodes = list(nodes)
        self.refresh(data)

    def refresh(self, data: Data) -> None:
        seq = self.seq = np.array([data.start, *self.nodes, data.end], dtype=np.int64)
        a, b = seq[:-1], seq[1:]
        self.a, self.b = a, b
        arc = self.arc = data.T[a, b]
        self.cost = int(arc.sum())
        cum = np.zeros(len(seq), dtype=np.int64)
        np.cumsum(data.svc[a] + arc, out=cum[1:])
        self.cum = cum
        self.st = cum + np.maximum.accumulate(data.early[seq] - cum)
        self.dep = self.st[:-1] + data.svc[a]
        g = data.late[seq] - cum
        self.lat = cum + np.minimum.accumulate(g[::-1])[::-1]
        upper, not_upper, _ = _triangles(len(seq))
        G = np.where(upper, g[None, :], BIG)
        np.minimum.accumulate(G, axis=1, out=G)
        G[not_upper] = -BIG
        self.G = G
        load = np.cumsum(data.q[seq], axis=0)  # load after each position
        self.load = load
        self.peak = load.max(axis=0)
        self._lm = None

    @property
    def LM(self) -> np.ndarray:
        """``LM[k, i, j]``: the largest load of dimension k on positions i..j
        (computed on first use: only pairs that could overflow the route need it)."""
        if self._lm is None:
            lower = _triangles(len(self.seq))[2]
            lm = np.where(lower[None], -BIG, self.load.T[:, None, :])
            self._lm = np.maximum.accumulate(lm, axis=2)
        return self._lm

    def feasible(self, data: Data) -> bool:
        """Every window and capacity respected (a check for tests)."""
        return bool((self.st <= data.late[self.seq]).all()) and bool(
            (self.load <= data.cap[None, :]).all())

    def best_insertion(self, data: Data, p: int, d: int, rng, blink: float = 0.0):
        """(delta cost, i, j) of the cheapest feasible insertion of the pair (pickup
        after position ``i``, delivery after ``j >= i``), or None. ``blink``: the
        chance that each feasible position is skipped (SISR's blinks)."""
        T, early, late, svc = data.T, data.early, data.late, data.svc
        a, b = self.a, self.b
        ap = np.maximum(early[p], self.dep + T[a, p])
        pos = (ap <= late[p]).nonzero()[0]  # where the pickup can go
        if not pos.size:
            return None
        qp = data.q[p]
        tight = bool((self.peak + qp > data.cap).any())
        ai, bi = a[pos], b[pos]
        dp = ap[pos] + svc[p]
        best = None
        # The delivery right after the pickup (j == i).
        ad0 = np.maximum(early[d], dp + T[p, d])
        ok0 = (ad0 <= late[d]) & (ad0 + svc[d] + T[d, bi] <= self.lat[pos + 1])
        if tight:
            ok0 &= (self.load[pos] + qp <= data.cap).all(1)
        if blink:
            ok0 &= rng.random(ok0.shape) >= blink
        if ok0.any():
            cost0 = T[ai, p] + T[p, d] + T[d, bi] - self.arc[pos]
            k = int(np.where(ok0, cost0, BIG).argmin())
            best = (int(cost0[k]), int(pos[k]), int(pos[k]))
        # The delivery after a later position j > i; arriving there no earlier
        # than now, so positions already too late for it are left out.
        later = (self.dep + T[a, d] <= late[d]).nonzero()[0]
        later = later[later > pos[0]]
        if not later.size:
            return best
        x = np.maximum(early[bi], dp + T[p, bi]) - self.cum[pos + 1]
        ok = x[:, None] <= self.G[pos[:, None], later]
        if tight:
            ok &= (self.LM[:, pos[:, None], later[None, :]] + qp[:, None, None]
                   <= data.cap[:, None, None]).all(0)
        if not ok.any():
            return best
        aj, bj = a[later], b[later]
        newst = np.maximum(self.st[later][None, :], x[:, None] + self.cum[later][None, :])
        ad = np.maximum(early[d], newst + (svc[aj] + T[aj, d])[None, :])
        ok &= (ad <= late[d]) & (ad + (svc[d] + T[d, bj])[None, :] <= self.lat[later + 1][None, :])
        if blink:
            ok &= rng.random(ok.shape) >= blink
        if not ok.any():
            return best
        cost = (T[ai, p] + T[p, bi] - self.arc[pos])[:, None] + (
            T[aj, d] + T[d, bj] - self.arc[later])[None, :]
        k = int(np.where(ok, cost, BIG).argmin())
        r, c = divmod(k, len(later))
        if best is None or cost[r, c] < best[0]:
            best = (int(cost[r, c]), int(pos[r]), int(later[c]))
        return best
