"""``strategy="vehicles_first"``: fewest vehicles first, then least travel.

On a *plain* problem (:func:`courier.routing.lns.plain`: every vehicle alike,
no breaks, caps, restrictions or warm start, as in the Li & Lim benchmark),
the first plan of OR-Tools is handed to the ruin and recreate search of
:mod:`courier.routing.sisr` (fewer vehicles, then travel; compiled,
:mod:`courier.routing.sisr_c`, when the extension was built), and OR-Tools
checks the result against the full model; anything else, or a failed check,
takes the OR-Tools route below.

A huge fixed cost per vehicle makes OR-Tools' guided local search stall, so the
number of vehicles is driven from here instead, in three phases, all of them
OR-Tools searches on the model of :mod:`courier.routing.model`:

1. a first plan: parallel cheapest insertion and guided local search (with a
   moderate fixed cost per vehicle when the time limit is short, below 3 s,
   as the next phase then has no time to work);
2. route elimination: empty one route (the smallest, ties broken by how hard
   its shipments were to place so far), forbid more than ``k - 1`` vehicles and
   let OR-Tools put the orphaned shipments back, in short rounds warm-started
   from the previous round. Dropping a shipment costs its normal penalty times
   ``1 + absences``, where ``absences`` counts the rounds it spent unserved,
   and the swap-active operators (take a served shipment out to put an
   unserved one in) are on. Hard shipments thus get in at the
   expense of easy ones, which are tried elsewhere in the next round: the
   ejection-pool idea of Nagata and Bräysy, and the absence counters of
   SISR (Christiaens and Vanden Berghe), with OR-Tools doing the moves. When
   nothing is dropped any more, the route is gone; when a route resists for
   too long, the next one is tried;
3. travel: the best plan found, with at most its number of vehicles, plain
   penalties and guided local search for the remaining time.

Every search runs with all of OR-Tools' local search operators on (several,
the swap-active ones included, are off by default); the figures behind these
choices are in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from ortools.util import optional_boolean_pb2

from courier.routing.lns import Data, plain
from courier.routing.model import Model, build
from courier.routing.params import penalties, search_parameters
from courier.routing.sisr import SisrConfig, better
from courier.routing.sisr_c import CompiledSearch, search_class


def _all_operators_on(params, but=()) -> None:
    """Switch every local search operator on, ``but`` those named.

    OR-Tools leaves several off by default, among them the LNS ones that
    remove a few nearby or expensive visits and insert them again. From the
    same 13-vehicle start, guided local search on lr103 ends at 1373.5 in 3 s
    with the default set, at 1327.8 with all on (best known 1292.7); see
    docs/benchmarks.md.
    """
    for op in params.local_search_operators.DESCRIPTOR.fields:
        on = op.name not in but
        setattr(params.local_search_operators, op.name,
                optional_boolean_pb2.BOOL_TRUE if on else optional_boolean_pb2.BOOL_FALSE)


#: Left off in elimination rounds: with them, lr104 kept 2 shipments unserved
#: for 22 rounds in a row; without them it loses two routes in 10 s.
SWAP_OPERATORS = ("use_relocate_and_make_active", "use_exchange_and_make_active",
                  "use_extended_swap_active", "use_node_pair_swap_active")


@dataclass
class FleetConfig:
    """Knobs of the vehicles-first search (shares are of the whole time limit)."""

    first_share: float = 0.05  # phase 1
    final_share: float = 0.3  # kept for phase 3
    round_share: float = 0.02  # one elimination round
    min_round: float = 0.05  # seconds
    max_round: float = 0.2  # seconds
    attempt_share: float = 0.35  # longest attempt at removing one route
    stall_rounds: int = 10  # rounds without fewer drops before giving up a route
    failed_attempts: int = 2  # routes tried in vain before settling for k vehicles
    growth: float = 1.0  # penalty growth per round of absence
    round_metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    final_metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    all_operators: bool = True  # every local search operator on (see above)
    vehicle_cost: float = 0.0  # phase 1 fixed cost per vehicle, in longest arcs
    # Below ``short_budget`` seconds, elimination rounds are too short to work:
    # phase 1 then gets most of the time and a fixed cost per vehicle instead.
    short_budget: float = 3.0
    short_first_share: float = 0.7
    short_vehicle_cost: float = 5.0
    # Parallel cheapest insertion gives fewer routes but takes 5 s for 400 pairs,
    # local cheapest insertion 0.4 s.
    parallel_insertion_max: int = 150
    # Plain problems (:func:`courier.routing.lns.plain`): ruin and recreate
    # (:mod:`courier.routing.sisr`) from the first plan instead of phases 1-3,
    # with this share of the time for fewer vehicles, the rest for travel.
    sisr: bool = True
    sisr_vehicle_share: float = 0.8
    sisr_stall_share: float = 0.15  # a removal is given up after this long without progress
    sisr_polish_share: float = 0.15  # guided local search at the end, from 3 s on
    sisr_polish_from: float = 3.0
    # The spare route of the distance phase (``SisrConfig.spare``) from this
    # limit on: below it the phase has a few hundred rounds, too few to explore.
    sisr_spare_from: float = 3.0
    # From this limit on, the travel phase is two runs from the same plan with other random
    # draws, each half the time, and the better plan is kept: where it ends is a lottery
    # between a few islands, and two draws make the bad ones rarer (docs/benchmarks.md).
    sisr_two_runs_from: float = 3.0
    sisr_config: SisrConfig = field(default_factory=SisrConfig)
    # The compiled search (courier/routing/_sisr.c) when it was built, else the Python one.
    # It runs about 100 times the rounds: a removal is given up after this many rounds
    # without progress (the Python search: ``SisrConfig.stall``), and the polish share
    # replaces ``sisr_polish_share`` (no polish: no better on the 56 instances at 3 and
    # 10 s, and OR-Tools overran the limit by a second on 200 pairs; docs/benchmarks.md).
    sisr_compiled: bool = True
    compiled_stall: int = 30000
    compiled_polish_share: float = 0.0


CONFIG = FleetConfig()


def routes_of(m: Model, assignment) -> list[list[int]]:
    """Routing indices of every vehicle's visits, in order."""
    routing, out = m.routing, []
    for v in range(routing.vehicles()):
        index, route = assignment.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(index):
            route.append(index)
            index = assignment.Value(routing.NextVar(index))
        out.append(route)
    return out


def dropped(m: Model, assignment) -> set[int]:
    """Shipments (problem indices) left unserved by the assignment."""
    routing, out = m.routing, set()
    for index in range(routing.Size()):
        if not routing.IsStart(index) and assignment.Value(routing.NextVar(index)) == index:
            out.add(m.node_shipment[m.manager.IndexToNode(index)])
    return out


def _hardness(m: Model, route: list[int], absences: dict[int, int]) -> tuple[int, int]:
    """Sort key of the routes to eliminate: fewest visits, then hardest shipments last."""
    ships = {m.node_shipment[m.manager.IndexToNode(i)] for i in route}
    return len(route), -sum(absences[s] for s in ships)


def _search(m: Model, seconds: float, routes=None, metaheuristic="GUIDED_LOCAL_SEARCH",
            log=False, all_operators=True, first=None, swap=True, check_only=False):
    """Close the model and search; ``first`` names the first solution strategy of
    a cold start, which then runs to completion before the local search.
    ``check_only``: the routes read in are the answer, no search (OR-Tools
    scans a whole neighbourhood before it looks at the clock: on 200 pairs
    and more, over a second past its limit)."""
    # Reading routes in is itself a search under the time limit (~10 ms for 200
    # pairs): a check alone gets all the time it needs.
    params = search_parameters(3600.0 if check_only else max(0.01, seconds),
                               metaheuristic=metaheuristic, log=log)
    if all_operators:
        _all_operators_on(params, but=() if swap else SWAP_OPERATORS)
    m.routing.CloseModelWithParameters(params)
    if first is not None:
        once = search_parameters(3600.0, first=first)
        once.solution_limit = 1
        found = m.routing.SolveWithParameters(once)
        if found is None:
            return None
        routes = routes_of(m, found)
    if routes is not None:
        initial = m.routing.ReadAssignmentFromRoutes(routes, True)
        if initial is None or check_only:
            return initial
        # A search that runs out of time before its first solution returns None:
        # the routes read in are then the answer.
        return m.routing.SolveFromAssignmentWithParameters(initial, params) or initial
    return m.routing.SolveWithParameters(params)


def solve_vehicles_first(problem, modelled, allowed, started, budget, log=False,
                         config: FleetConfig | None = None):
    """Return ``(model, assignment)`` of the best plan found (see module docstring)."""
    cfg = config or CONFIG
    if budget < cfg.short_budget:
        cfg = replace(cfg, first_share=cfg.short_first_share, vehicle_cost=cfg.short_vehicle_cost)
    deadline = started + budget
    base = penalties(problem, modelled, 0)

    def left() -> float:
        return deadline - time.perf_counter()

    if cfg.sisr and plain(problem, modelled):
        found = _solve_sisr(problem, modelled, allowed, base, deadline, budget, cfg)
        if found is not None:
            return found
    m = build(problem, modelled, allowed, base)
    if cfg.vehicle_cost:
        longest = max(int(max(row)) for row in problem.durations)
        m.routing.SetFixedCostOfAllVehicles(int(cfg.vehicle_cost * longest))
    first = ("PARALLEL_CHEAPEST_INSERTION" if len(modelled) <= cfg.parallel_insertion_max
             else "LOCAL_CHEAPEST_INSERTION")
    assignment = _search(m, min(left(), budget * cfg.first_share), log=log,
                         all_operators=cfg.all_operators, first=first)
    if assignment is None:
        return m, None
    routes = routes_of(m, assignment)
    lost = len(dropped(m, assignment))
    k = sum(1 for r in routes if r)
    absences = dict.fromkeys(modelled, 0)
    given_up: set[int] = set()
    reserve = budget * cfg.final_share
    round_time = min(cfg.max_round, max(cfg.min_round, budget * cfg.round_share))

    while k > 1 and left() > reserve + round_time:
        candidates = [v for v, r in enumerate(routes) if r and v not in given_up]
        if not candidates or len(given_up) >= cfg.failed_attempts:
            break
        victim = min(candidates, key=lambda v: _hardness(m, routes[v], absences))
        current = [r if v != victim else [] for v, r in enumerate(routes)]
        attempt_end = time.perf_counter() + budget * cfg.attempt_share
        best_drops, stall, success = None, 0, None
        while left() > reserve + round_time / 2 and time.perf_counter() < attempt_end:
            weighted = {s: int(base[s] * (1 + cfg.growth * absences[s])) for s in modelled}
            built = time.perf_counter()
            trial = build(problem, modelled, allowed, weighted)
            built = time.perf_counter() - built
            trial.routing.SetMaximumNumberOfActiveVehicles(k - 1)
            result = _search(trial, min(max(round_time, 2 * built), left() - reserve), current,
                             cfg.round_metaheuristic, all_operators=cfg.all_operators,
                             swap=False)
            if result is None:
                break
            out = dropped(trial, result)
            current = routes_of(trial, result)
            if len(out) <= lost:
                success = (trial, result)
                break
            for s in out:
                absences[s] += 1
            if best_drops is None or len(out) < best_drops:
                best_drops, stall = len(out), 0
            else:
                stall += 1
                if stall >= cfg.stall_rounds:
                    break
        if success:
            m, assignment = success
            routes, k, given_up = current, k - 1, set()
        else:
            given_up.add(victim)

    final = build(problem, modelled, allowed, base)
    final.routing.SetMaximumNumberOfActiveVehicles(k)
    result = _search(final, left(), routes, cfg.final_metaheuristic, log=log,
                     all_operators=cfg.all_operators)
    if result is not None and len(dropped(final, result)) <= lost:
        return final, result
    return m, assignment


def _first_routes(m: Model, cfg: FleetConfig) -> list[list[int]] | None:
    """Node numbers of the routes of the first plan (run to completion), or None
    when it leaves anything unserved."""
    first = ("PARALLEL_CHEAPEST_INSERTION" if len(m.shipments) <= cfg.parallel_insertion_max
             else "LOCAL_CHEAPEST_INSERTION")
    params = search_parameters(3600.0, first=first)
    params.solution_limit = 1
    m.routing.CloseModelWithParameters(params)
    found = m.routing.SolveWithParameters(params)
    if found is None or dropped(m, found):
        return None
    return [[m.manager.IndexToNode(i) for i in r] for r in routes_of(m, found) if r]


def sisr_config(cfg: FleetConfig, budget: float) -> SisrConfig:
    """The ruin and recreate settings for a time limit of ``budget`` seconds."""
    if budget < cfg.sisr_spare_from:
        return replace(cfg.sisr_config, spare=0.0)
    return cfg.sisr_config


def _solve_sisr(problem, modelled, allowed, base, deadline, budget, cfg: FleetConfig):
    """Ruin and recreate from the first plan; OR-Tools then checks the result
    (``ReadAssignmentFromRoutes`` fails on any violated constraint). None when
    there is no complete first plan or the check fails."""
    built = time.perf_counter()
    m = build(problem, modelled, allowed, base)
    built = time.perf_counter() - built  # the check at the end builds it again, then reads the plan
    first = _first_routes(m, cfg)
    if first is None:
        return None
    Search = search_class(cfg.sisr_compiled)
    compiled = Search is CompiledSearch
    scfg = sisr_config(cfg, budget)
    if compiled:
        scfg = replace(scfg, stall=cfg.compiled_stall)
    search = Search(Data(m), scfg)
    search.stall_seconds = cfg.sisr_stall_share * budget
    sol = search.solution(first)
    now = time.perf_counter()
    share = cfg.compiled_polish_share if compiled else cfg.sisr_polish_share
    polish = share * budget if budget >= cfg.sisr_polish_from else 0.0
    reserve = min(0.05, 0.03 * budget) + min(2 * built, 0.2 * budget) + polish
    sol = search.minimise_vehicles(sol, now + (deadline - reserve - now) * cfg.sisr_vehicle_share)
    if budget < cfg.sisr_two_runs_from:
        sol = search.minimise_cost(sol, deadline - reserve)
    else:
        other = search.fork(search.cfg.seed + 1)
        now = time.perf_counter()
        one = search.minimise_cost(sol, now + (deadline - reserve - now) / 2)
        two = other.minimise_cost(sol, deadline - reserve)
        sol = two if better(two, one) else one
    final = build(problem, modelled, allowed, base)
    final.routing.SetMaximumNumberOfActiveVehicles(len(sol.routes))
    routes = [[final.manager.NodeToIndex(x) for x in r.nodes] for r in sol.routes]
    routes += [[] for _ in range(len(problem.vehicles) - len(routes))]
    # Guided local search for the polish time (OR-Tools' pair exchanges finish
    # what the Python ruin and recreate leaves on clustered instances), or only
    # the check; ``_search`` reads the routes in first, which fails on any
    # violated constraint.
    assignment = _search(final, deadline - time.perf_counter(), routes,
                         cfg.final_metaheuristic, all_operators=cfg.all_operators,
                         check_only=not polish)
    if assignment is None or dropped(final, assignment):
        return None
    return final, assignment
