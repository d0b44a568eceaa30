"""The planner's search: ruin and recreate over the whole routing model.

One search for every problem dispatch builds: mixed fleets (each vehicle its
own start, optional end, shift window, capacities, speed and cost factors,
fixed cost), working-time and stop caps, breaks, allowed vehicles, groups
(all shipments of a group on one vehicle, or none), shipments on board,
preferred vehicles, mandatory shipments, priorities, warm starts and
balance. It is SISR (Christiaens and Vanden Berghe 2020; as in
:mod:`courier.routing.sisr`) on the data of :mod:`courier.routing.rr_data`:

1. **first plan**: every unit inserted in turn at its cheapest feasible
   position (most important first, then by ready time), opening the vehicle
   whose start is nearest when no used one can take it (or from the warm
   start, ``Problem.initial_routes``); linear in the jobs times the routes
   near each, so it is ready in a fraction of the time limit at any size;
2. **fewer couriers**: empty the smallest route and put its units back on
   the others by ruin and recreate, with absence counters;
3. **less cost**: simulated annealing on the cost below, with a spare route
   and kicks.

The objective, in this order (see docs/routing.md):

1. the weight of the shipments left out: 1 + priority each, mandatory and
   on-board shipments more than all the others together (a plan never drops
   one to save anything);
2. with ``vehicles_first`` only: the couriers sent out (routes used);
3. the cost: each ride's travel time at the vehicle's speed times its
   ``cost_factor`` (the fairness rules' lever), plus ``fixed_cost`` and
   ``courier_cost`` (the default weight of a courier sent out, 600 s) of
   every vehicle used, ``preference_cost`` per shipment away from its
   ``preferred_vehicle``, and ``balance`` times the longest route's duration.
   Phase 2 above runs only with ``vehicles_first``.

Waiting is not priced: it costs no legwork and every route leaves as late as
it can (:mod:`courier.routing.rr_route`), so route hours hold riding, service
and only the waiting the windows impose. Breaks are placed by the schedule,
as late as the route allows and after the last stop when work ends first
(see :mod:`courier.routing.rr_route`); such a break is the route's last
step, after which dispatch may drop it.

The compiled search (``_rr``, :mod:`courier.routing.rr_c`) runs the phases;
without it the Python reference (:mod:`courier.routing.rr_search`) does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from courier.routing import rr_c
from courier.routing.problem import Plan, Problem, Unassigned
from courier.routing.rr_data import pack
from courier.routing.rr_plan import make_plan, warm_routes


@dataclass(frozen=True)
class RrConfig:
    """Knobs of the search (shares are of the time left after the first plan)."""

    # visits removed per ruin, on average (SISR's c-bar): small ruins, many rounds
    avg_removed: float = 5.0
    max_string: int = 10
    blink: float = 0.01
    stall: int = 30000  # rounds without progress before a route removal is given up
    stall_share: float = 0.15  # ... or this share of the time
    focus: float = 0.5
    near_routes: int = 30  # nearest visits whose routes are tried first (rr_data.NEAR kept)
    start_temperature: float = 2.0  # times the plan's average arc cost
    end_temperature: float = 0.01
    kick_after: int = 1000
    spare: float = 3.0
    spare_share: float = 0.6
    spare_from: float = 3.0  # seconds: below, no spare route
    vehicle_share: float = 0.5  # of the search time, for fewer couriers
    seed: int = 1
    fleet: bool = True  # couriers first (vehicles_first); False: cost first (default)
    max_rounds: int = 0  # rounds of the cost phase at most; 0: until the time limit

    def tuple_for(self, seconds: float) -> tuple:
        return (self.avg_removed, self.max_string, self.blink, self.stall, self.focus,
                self.near_routes, self.start_temperature, self.end_temperature,
                self.kick_after, self.spare if seconds >= self.spare_from else 0.0,
                self.spare_share, max(1e-3, self.stall_share * seconds), int(self.fleet),
                self.max_rounds)


CONFIG = RrConfig()

#: Seconds kept back for turning the routes into a plan, per visit and in all.
PLAN_SECONDS_PER_NODE = 4e-5
PLAN_SECONDS = 0.01


def solve_rr(problem: Problem, modelled: list[int], allowed: dict[int, tuple[int, ...]],
             rejected: list[Unassigned], started: float, budget: float, *,
             preference_cost: int = 300, mandatory_lost: bool = False,
             config: RrConfig | None = None, compiled: bool = True,
             vehicles_first: bool = False, courier_cost: int = 0,
             max_rounds: int = 0) -> Plan:
    """Plan the ``modelled`` shipments (each on ``allowed[s]`` vehicles) by ruin
    and recreate, ending by ``started + budget`` or, when ``max_rounds`` is
    positive, after that many rounds of the cost phase, whichever comes first
    (see the module docstring)."""
    cfg = replace(config or CONFIG, fleet=vehicles_first, max_rounds=max(0, int(max_rounds)))
    pk = pack(problem, modelled, allowed, preference_cost, courier_cost)
    routes = warm_routes(pk) if problem.initial_routes else [[] for _ in problem.vehicles]
    deadline = started + budget - PLAN_SECONDS - PLAN_SECONDS_PER_NODE * pk.n
    search = rr_c.search_for(pk, cfg, compiled)
    routes = search.construct(routes)
    left = deadline - time.perf_counter()
    if left > 0:
        if cfg.fleet:
            routes = search.fewer_vehicles(routes, left * cfg.vehicle_share)
        routes = search.less_cost(routes, deadline - time.perf_counter())
    return make_plan(pk, routes, rejected, started, mandatory_lost)

