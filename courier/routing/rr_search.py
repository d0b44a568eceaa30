"""The ruin and recreate search of :mod:`courier.routing.rr` in Python: the
reference of ``_rr_search.c`` / ``_rr_phases.c`` and the fallback when the
extension is not built (hundreds of times slower, fine for a few dozen jobs).

The same steps as the compiled search: units (a shipment or a whole group)
are inserted at their cheapest feasible position (:func:`best_unit`) in the
used routes, else in the unused vehicle where it costs least; the first plan
inserts every unit, most important and earliest first; the ruin removes
strings of visits near a random seed visit (with the rest of their units);
plans compare by the weight left out, then routes used, then cost. The two
phases are simpler here: one loop that accepts a candidate when it is no
worse (fewer routes are tried by emptying the smallest route now and then).
"""

from __future__ import annotations

import random
import time

from courier.routing.rr_data import Packed
from courier.routing.rr_plan import units_of
from courier.routing.rr_route import best_insertion, evaluate, route_cost


class Search:
    def __init__(self, pk: Packed, cfg):
        self.pk, self.cfg = pk, cfg
        self.rng = random.Random(cfg.seed)
        self.units = units_of(pk)
        d = pk.data
        self.weight = {u: int(d["unit_weight"][u]) for u in self.units}

    # Plans --------------------------------------------------------------
    def key(self, routes: list[list[int]]) -> tuple[int, int, int]:
        """(weight left out, routes used, cost): smaller is better."""
        on = {x for r in routes for x in r}
        out = sum(w for u, w in self.weight.items() if u not in on)
        cost = sum(route_cost(self.pk, v, r) for v, r in enumerate(routes))
        if self.pk.data["balance"]:
            cost += int(self.pk.data["balance"]) * max(
                [evaluate(self.pk, v, r)[2] for v, r in enumerate(routes) if r] + [0])
        return out, sum(1 for r in routes if r), cost

    def best_unit(self, routes: list[list[int]], u: int, vehicles) -> tuple | None:
        """(cost, vehicle, new route) of the cheapest insertion of unit ``u``."""
        d = self.pk.data
        best = None
        for v in vehicles:
            seq, total = routes[v], 0
            for x in self.units[u]:
                if x != int(d["rep"][int(d["ship"][x])]):
                    continue  # deliveries of pairs come with their pickup
                partner = int(d["partner"][x])
                found = best_insertion(self.pk, v, seq, x, partner if partner >= 0 else None)
                if found is None:
                    break
                total += found[0]
                seq = found[1]
            else:
                if best is None or total < best[0]:
                    best = (total, v, seq)
        return best

    def recreate(self, routes: list[list[int]], units: list[int], max_routes: int):
        routes = [list(r) for r in routes]
        onboard = self.pk.data["onboard"]
        for u in units:
            used = [v for v, r in enumerate(routes) if r]
            found = self.best_unit(routes, u, used)
            own = int(onboard[int(self.pk.data["ship"][u])])
            if found is None and (len(used) < max_routes or own >= 0):
                found = self.best_unit(routes, u, [v for v, r in enumerate(routes) if not r])
            if found is not None:
                routes[found[1]] = found[2]
        return routes

    def ruin(self, routes: list[list[int]]) -> tuple[list[list[int]], list[int]]:
        d, rng = self.pk.data, self.rng
        served = [x for r in routes for x in r]
        if not served:
            return routes, []
        seed = rng.choice(served)
        near = [seed] + [int(x) for x in d["near"][seed] if x >= 0]
        where = {x: v for v, r in enumerate(routes) for x in r}
        unit_of = {x: u for u, xs in self.units.items() for x in xs}
        removed: set[int] = set()
        ruined: set[int] = set()
        ks = rng.randint(1, 3)
        for c in near:
            if len(ruined) >= ks:
                break
            v = where.get(c)
            if v is None or v in ruined:
                continue
            r = routes[v]
            length = rng.randint(1, min(len(r), self.cfg.max_string))
            pos = r.index(c)
            first = rng.randint(max(0, pos - length + 1), min(pos, len(r) - length))
            for x in r[first:first + length]:
                removed.add(unit_of[x])
            ruined.add(v)
        gone = {x for u in removed for x in self.units[u]}
        return [[x for x in r if x not in gone] for r in routes], list(removed)

    # Phases ---------------------------------------------------------------
    def construct(self, routes: list[list[int]]) -> list[list[int]]:
        d = self.pk.data
        on = {x for r in routes for x in r}
        todo = [u for u in self.units if u not in on]
        todo.sort(key=lambda u: (-self.weight[u], int(d["key_ready"][u]),
                                 int(d["key_deadline"][u])))
        return self.recreate(routes, todo, len(routes))

    def fewer_vehicles(self, routes: list[list[int]], seconds: float) -> list[list[int]]:
        return self._improve(routes, seconds, fleet=True)

    def less_cost(self, routes: list[list[int]], seconds: float) -> list[list[int]]:
        return self._improve(routes, seconds, fleet=False)

    def _improve(self, routes, seconds: float, fleet: bool):
        until = time.perf_counter() + seconds
        best, best_key = routes, self.key(routes)
        cap = 0 if fleet else self.cfg.max_rounds
        rounds = 0
        while time.perf_counter() < until and not (cap and rounds >= cap):
            rounds += 1
            cur = [list(r) for r in best]
            used = [v for v, r in enumerate(cur) if r]
            limit = len(used)
            if fleet and used and self.rng.random() < 0.3:
                victim = min(used, key=lambda v: (len(cur[v]), self.rng.random()))
                cur[victim] = []
                limit -= 1
            cur, removed = self.ruin(cur)
            on = {x for r in cur for x in r}
            out = [u for u in self.units if u not in on and u not in removed]
            self.rng.shuffle(removed)
            cand = self.recreate(cur, removed + out, limit)
            key = self.key(cand)
            if key <= best_key:
                best, best_key = cand, key
        return best
