"""What the OR-Tools search is given: the penalty of leaving each shipment unserved
(above any routing cost, priorities and mandatory shipments in tiers) and the search
parameters every strategy shares."""

from __future__ import annotations

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from courier.routing.problem import Problem

MAX_COST = 2**62


def search_parameters(time_limit: float, first: str = "PARALLEL_CHEAPEST_INSERTION",
                      metaheuristic: str = "GUIDED_LOCAL_SEARCH", log: bool = False):
    """The search parameters shared by all strategies."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic)
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    params.log_search = log
    return params


def _cost_bound(problem: Problem, preference_cost: int) -> int:
    """An upper bound on the routing part of the objective (everything but drops)."""
    dur = problem.durations
    n = len(dur)
    max_arc = int(np.asarray(dur).max()) if n else 0
    max_factor = max(max(v.speed_factor, 1.0) * max(v.cost_factor, 1.0)
                     for v in problem.vehicles)
    nodes = 2 * len(problem.shipments) + 2 * len(problem.vehicles)
    bound = int(nodes * (max_arc + 1) * max_factor) + 1
    bound += sum(int(v.fixed_cost) for v in problem.vehicles)
    bound += preference_cost * len(problem.shipments)
    if problem.balance > 0:
        starts = min(v.time_window.start for v in problem.vehicles)
        stops_end = max([s.delivery.time_window.end for s in problem.shipments] + [0])
        latest = min(max(v.time_window.end for v in problem.vehicles),
                     stops_end + bound)
        bound += problem.balance * max(0, latest - starts)
    return bound + 1


def penalties(problem: Problem, shipments: list[int], preference_cost: int) -> dict[int, int]:
    """Drop penalty per modelled shipment (see the module docstring)."""
    big = _cost_bound(problem, preference_cost)
    tier = big * 101 * (len(shipments) + 1)
    out = {}
    for s in shipments:
        sh = problem.shipments[s]
        if sh.mandatory or sh.onboard is not None:
            out[s] = tier
        else:
            out[s] = big * (1 + min(100, max(0, int(sh.priority))))
    if tier * (len(shipments) + 1) > MAX_COST:
        raise ValueError("costs too large for 64-bit arithmetic: scale durations down")
    return out
