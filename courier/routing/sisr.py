"""Ruin and recreate search for plain pickup-and-delivery problems.

Slack Induction by String Removals (SISR, Christiaens and Vanden Berghe 2020),
adapted to pairs: the ruin removes strings of consecutive visits from a few
routes near a random seed visit (with the partner of every removed visit), the
recreate puts the removed pairs back one by one, each at its cheapest feasible
position over all routes (:mod:`courier.routing.lns`), skipping a position now
and then ("blinks") to diversify. Two phases:

- fleet minimisation: take one route out, and run ruin and recreate with one
  vehicle less, unserved pairs allowed; a candidate is accepted when fewer
  pairs are unserved, or as many whose absence counters (rounds spent
  unserved) sum lower, which pushes the hard pairs in first. When none is
  left unserved, the route is gone;
- distance: simulated annealing on travel cost, every pair served, at most
  the vehicles the first phase left, with one spare route allowed at a cost
  for a while (to move between the islands of plans that serve every pair
  with so few vehicles) and kicks when it stalls.

:mod:`courier.routing.sisr_c` runs the same search compiled (``_sisr.c``); this
module is its reference and the fallback when the extension is not built.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, replace

import numpy as np

from courier.routing.lns import Data, Route


@dataclass
class SisrConfig:
    avg_removed: float = 20.0  # visits removed per ruin, on average (SISR's c-bar)
    max_string: int = 10  # SISR's L-max
    blink: float = 0.01
    stall: int = 300  # rounds without fewer unserved pairs before a removal is given up
    focus: float = 0.5  # chance that the ruin starts at an unserved pair
    near_routes: int = 20  # routes of the nearest visits tried first (0: all routes)
    start_temperature: float = 0.3  # times the average arc cost of the current plan
    end_temperature: float = 0.01
    kick_after: int = 1000  # rounds without a new best before a route is rebuilt (0: never)
    # Distance phase: one route above the best plan's allowed, at this cost in
    # average arcs, for this share of the time (0: never).
    spare: float = 3.0
    spare_share: float = 0.6
    seed: int = 1


class Solution:
    """Routes (non-empty ones) and the pickups left unserved."""

    __slots__ = ("routes", "absent", "cost")

    def __init__(self, routes: list[Route], absent: list[int]):
        self.routes = [r for r in routes if r.nodes]
        self.absent = absent
        self.cost = sum(r.cost for r in self.routes)


class Search:
    """The state shared by both phases: data, random source, configuration."""

    def __init__(self, data: Data, cfg: SisrConfig | None = None):
        self.data = data
        self.cfg = cfg or SisrConfig()
        self.rng = random.Random(self.cfg.seed)
        self.nprng = np.random.default_rng(self.cfg.seed)
        self.empty = Route(data, [])
        T = data.T
        self.depot_dist = {p: int(T[data.start, p] + T[d, data.end]) for p, d in data.pairs}
        self.demand = {p: int(data.q[p].sum()) for p, _ in data.pairs}
        self.deadline = {p: int(data.late[d]) for p, d in data.pairs}
        self.absences = dict.fromkeys(self.depot_dist, 0)  # rounds each pair spent out
        self.stall_seconds = math.inf  # also give a removal up after this long without progress

    def fork(self, seed: int) -> Search:
        """Another search on the same data and settings, drawing from ``seed``, with
        absence counters of its own."""
        other = type(self)(self.data, replace(self.cfg, seed=seed))
        other.stall_seconds = self.stall_seconds
        return other

    def solution(self, node_routes: list[list[int]]) -> Solution:
        routes = [Route(self.data, r) for r in node_routes if r]
        served = {x for r in node_routes for x in r}
        return Solution(routes, [p for p, _ in self.data.pairs if p not in served])

    # Ruin ---------------------------------------------------------------
    def ruin(self, sol: Solution) -> tuple[list[Route], list[int]]:
        """Remove strings from routes near a random visit; return the routes left
        (untouched ones shared with ``sol``) and the pickups removed. With pairs
        unserved, the seed is one of their visits half of the time: room is made
        where it is needed."""
        cfg, rng, data = self.cfg, self.rng, self.data
        where = {}
        for k, r in enumerate(sol.routes):
            for x in r.nodes:
                where[x] = k
        if not where:
            return list(sol.routes), []
        avg = len(where) / len(sol.routes)
        ls_max = min(cfg.max_string, avg)
        ks_max = 4 * cfg.avg_removed / (1 + ls_max) - 1
        ks = int(rng.uniform(1, ks_max + 1))
        if sol.absent and rng.random() < self.cfg.focus:
            seed = rng.choice(sol.absent)
            seed = seed if rng.random() < 0.5 else int(data.partner[seed])
        else:
            seed = rng.choice(list(where))
        removed: set[int] = set()
        ruined: set[int] = set()
        for c in data.near[seed]:
            if len(ruined) >= ks:
                break
            k = where.get(c)
            if k is None or k in ruined or c in removed:
                continue
            nodes = sol.routes[k].nodes
            length = int(rng.uniform(1, min(len(nodes), ls_max) + 1))
            pos = nodes.index(c)
            first = rng.randint(max(0, pos - length + 1), min(pos, len(nodes) - length))
            for x in nodes[first:first + length]:
                removed.add(x)
                removed.add(int(data.partner[x]))
            ruined.add(k)
        routes = [Route(data, [x for x in r.nodes if x not in removed]) if k in ruined else r
                  for k, r in enumerate(sol.routes)]
        return routes, [x for x in removed if x in self.depot_dist]

    # Recreate -----------------------------------------------------------
    def order(self, pickups: list[int], absences=None) -> list[int]:
        """SISR's insertion orders: random, demand, far, close (weights 4, 4, 2, 1),
        plus earliest deadline; hardest first when absence counters are given."""
        rng = self.rng
        rng.shuffle(pickups)
        r = rng.random() * 12
        if r < 4:
            pass
        elif r < 8:
            pickups.sort(key=lambda p: -self.demand[p])
        elif r < 10:
            pickups.sort(key=lambda p: -self.depot_dist[p])
        elif r < 11:
            pickups.sort(key=lambda p: self.depot_dist[p])
        else:
            pickups.sort(key=lambda p: self.deadline[p])
        if absences is not None:
            pickups.sort(key=lambda p: -absences[p])
        return pickups

    def recreate(self, routes: list[Route], pickups: list[int], max_routes: int,
                 complete: bool = False) -> Solution:
        """Insert the pairs of ``pickups`` in turn, each at its cheapest position
        (with blinks); ``complete``: stop at the first pair that does not fit, the
        caller having no use for a plan that leaves any out."""
        data, blink = self.data, self.cfg.blink
        routes = [r for r in routes if r.nodes]
        where = {x: k for k, r in enumerate(routes) for x in r.nodes}
        near = self.cfg.near_routes
        absent = []
        for p in pickups:
            d = int(data.partner[p])
            best = None
            # Routes near the pair first; the others only if none of those fits.
            close = ({where.get(x) for x in data.near[p][:near]}
                     | {where.get(x) for x in data.near[d][:near]}) - {None} if near else set()
            for group in (close, set(range(len(routes))) - close):
                for k in group:
                    found = routes[k].best_insertion(data, p, d, self.nprng, blink)
                    if found and (best is None or found[0] < best[0]):
                        best = (found[0], k, found[1], found[2])
                if best is not None:
                    break
            if best is None and len(routes) < max_routes:
                found = self.empty.best_insertion(data, p, d, self.nprng, 0.0)
                if found:
                    best = (found[0], len(routes), found[1], found[2])
                    routes.append(self.empty)
            if best is None:
                absent.append(p)
                if complete:
                    break
                continue
            _, k, i, j = best
            where[p] = where[d] = k
            nodes = list(routes[k].nodes)
            nodes.insert(i, p)
            nodes.insert(j + 1, d)
            routes[k] = Route(data, nodes)
        return Solution(routes, absent)

    # Phases ---------------------------------------------------------------
    def minimise_vehicles(self, sol: Solution, until: float) -> Solution:
        """Fewer routes, every pair served (see the module docstring)."""
        best = sol
        while len(best.routes) > 1 and time.perf_counter() < until:
            victim = min(range(len(best.routes)), key=lambda k: (
                len(best.routes[k].nodes), self.rng.random()))
            fewer = self.repair(best, victim, len(best.routes) - 1, until)
            if fewer is None:
                break
            best = fewer
        return best

    def repair(self, sol: Solution, victim: int, limit: int, until: float) -> Solution | None:
        """Empty route ``victim`` of ``sol`` and put its pairs back on at most
        ``limit`` routes by ruin and recreate with absence counters; None when
        some are still out after ``stall`` rounds or ``stall_seconds`` without
        fewer pairs out (or at ``until``)."""
        absences = self.absences
        gone = [x for x in sol.routes[victim].nodes if x in self.depot_dist]
        cur = Solution([r for k, r in enumerate(sol.routes) if k != victim],
                       gone + list(sol.absent))
        fewest, since, progress_at = len(cur.absent), 0, time.perf_counter()
        while (cur.absent and (now := time.perf_counter()) < until and since < self.cfg.stall
               and now - progress_at < self.stall_seconds):
            routes, removed = self.ruin(cur)
            cand = self.recreate(routes, self.order(removed + list(cur.absent), absences), limit)
            for p in cand.absent:
                absences[p] += 1
            if len(cand.absent) < len(cur.absent) or sum(
                    absences[p] for p in cand.absent) < sum(absences[p] for p in cur.absent):
                cur = cand
            since += 1
            if len(cur.absent) < fewest:
                fewest, since, progress_at = len(cur.absent), 0, time.perf_counter()
        return None if cur.absent else cur

    def minimise_cost(self, sol: Solution, until: float) -> Solution:
        """Simulated annealing on travel cost with every pair served, never more
        vehicles than the best plan so far (fewer are welcome: the best plan is
        the one with the fewest routes, then the least travel).

        With so few vehicles the plans that serve everything form islands that
        ruin and recreate rarely leaves. Two ways out: during the first
        ``spare_share`` of the time the recreate may open one route more, at a
        cost of ``spare`` average arcs (such a plan is never the best; at the
        end of that period, or at a kick, the search goes back to the best
        plan if it is still on the spare route: on clustered instances one
        route more is much shorter and the search would stay there); and after
        ``kick_after`` rounds without a new best,
        a random route of the best plan is emptied and its pairs put back
        elsewhere (:meth:`repair`), and the search goes on from there. A
        recreate that leaves a pair out is rejected (letting such plans in at a
        penalty per pair out was worse)."""
        cfg = self.cfg
        begin = time.perf_counter()
        span = max(1e-6, until - begin)
        unit = sol.cost / (sum(len(r.nodes) + 1 for r in sol.routes) or 1)  # average arc
        t0, t1 = cfg.start_temperature * unit, cfg.end_temperature * unit
        extra = int(cfg.spare * unit)
        spare_until = begin + cfg.spare_share * span if extra else begin
        cur = best = sol
        since = 0
        while (now := time.perf_counter()) < until:
            limit = len(best.routes)
            spare = int(now < spare_until)
            if len(cur.routes) > limit + spare:
                cur = best  # the spare period is over
            since += 1
            if cfg.kick_after and since > cfg.kick_after:
                since = 0
                if len(cur.routes) > limit:
                    cur = best
                elif limit > 1:
                    kicked = self.repair(best, self.rng.randrange(limit), limit, until)
                    if kicked is not None:
                        cur = kicked
                        if better(cur, best):
                            best = cur
                continue
            routes, removed = self.ruin(cur)
            cand = self.recreate(routes, self.order(removed), limit + spare, complete=True)
            if cand.absent:
                continue
            temp = t0 * (t1 / t0) ** ((now - begin) / span)
            if (cand.cost + extra * len(cand.routes) < cur.cost + extra * len(cur.routes)
                    - temp * math.log(1.0 - self.rng.random())):
                cur = cand
                if better(cand, best):
                    best, since = cand, 0
        return best


def better(a: Solution, b: Solution) -> bool:
    """Fewer routes, then less travel."""
    return (len(a.routes), a.cost) < (len(b.routes), b.cost)
