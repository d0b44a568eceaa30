"""The vectorised pair insertion and the ruin and recreate search built on it.

The insertion is checked against brute force: every (pickup, delivery)
position pair simulated step by step on random problems with tight windows
and capacities.
"""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from plan_check import check_plan

from courier.routing import Problem, Shipment, Stop, TimeWindow, Vehicle, solve
from courier.routing.lns import BIG, Data, Route, plain
from courier.routing.model import build
from courier.routing.sisr import Search, SisrConfig, Solution, better


def random_problem(seed: int, pairs: int = 12, open_end: bool = False) -> Problem:
    rng = random.Random(seed)
    n = 2 * pairs + 1
    xy = [(rng.uniform(0, 50), rng.uniform(0, 50)) for _ in range(n)]
    matrix = [[int(round(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)) for b in xy]
              for a in xy]
    shipments = []
    for k in range(pairs):
        t = rng.randrange(0, 300)
        shipments.append(Shipment(
            k, Stop(1 + 2 * k, TimeWindow(t, t + rng.randrange(20, 120)), rng.randrange(5)),
            Stop(2 + 2 * k, TimeWindow(t, t + rng.randrange(60, 300)), rng.randrange(5)),
            amount=(rng.randint(1, 5), rng.randint(1, 3))))
    vehicles = [Vehicle(v, 0, None if open_end else 0, TimeWindow(0, 600), capacity=(9, 6))
                for v in range(pairs)]
    return Problem(shipments, vehicles, matrix, matrix)


def simulate(data: Data, nodes: list[int]) -> bool:
    """Step-by-step feasibility of start -> nodes -> end (windows and capacities)."""
    seq = [data.start, *nodes, data.end]
    t, load = int(data.early[data.start]), np.zeros_like(data.cap)
    for prev, node in zip(seq, seq[1:], strict=False):
        t = max(int(data.early[node]), t + int(data.svc[prev]) + int(data.T[prev, node]))
        load = load + data.q[node]
        if t > data.late[node] or (load > data.cap).any():
            return False
    return True


def brute_force(data: Data, nodes: list[int], p: int, d: int):
    base = sum(int(data.T[a, b]) for a, b in zip([data.start, *nodes],
                                                 [*nodes, data.end], strict=True))
    best = None
    for i in range(len(nodes) + 1):
        for j in range(i, len(nodes) + 1):
            trial = list(nodes)
            trial.insert(i, p)
            trial.insert(j + 1, d)
            if simulate(data, trial):
                cost = sum(int(data.T[a, b]) for a, b in zip(
                    [data.start, *trial], [*trial, data.end], strict=True)) - base
                if best is None or cost < best:
                    best = cost
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("open_end", [False, True])
def test_pair_insertion_finds_the_cheapest_feasible_position_pair(seed, open_end):
    problem = random_problem(seed, open_end=open_end)
    modelled = list(range(len(problem.shipments)))
    m = build(problem, modelled, {s: tuple(range(len(problem.vehicles))) for s in modelled},
              dict.fromkeys(modelled, 10**9))
    data = Data(m)
    rng = random.Random(seed)
    pairs = list(data.pairs)
    rng.shuffle(pairs)
    nodes: list[int] = []
    checked = 0
    for p, d in pairs:
        route = Route(data, nodes)
        found = route.best_insertion(data, p, d, np.random.default_rng(0))
        expected = brute_force(data, nodes, p, d)
        assert (found[0] if found else None) == expected
        if found:
            _, i, j = found
            nodes.insert(i, p)
            nodes.insert(j + 1, d)
            assert simulate(data, nodes) and Route(data, nodes).feasible(data)
            checked += 1
    assert checked >= 3


def test_only_plain_problems_go_to_ruin_and_recreate():
    problem = random_problem(0)
    everything = list(range(len(problem.shipments)))
    assert plain(problem, everything)
    mixed = Problem(problem.shipments, [*problem.vehicles[:-1],
                                        Vehicle("slow", 0, 0, speed_factor=1.5)],
                    problem.durations, problem.distances)
    assert not plain(mixed, everything)
    capped = Problem(problem.shipments, [Vehicle(v.id, 0, 0, max_working_time=100)
                                         for v in problem.vehicles],
                     problem.durations, problem.distances)
    assert not plain(capped, everything)


def test_search_keeps_every_pair_served_and_every_route_feasible():
    problem = random_problem(3, pairs=20)
    modelled = list(range(len(problem.shipments)))
    m = build(problem, modelled, {s: tuple(range(len(problem.vehicles))) for s in modelled},
              dict.fromkeys(modelled, 10**9))
    data = Data(m)
    search = Search(data, SisrConfig(seed=7))
    start = search.recreate([], [p for p, _ in data.pairs], len(problem.vehicles))
    assert not start.absent
    fewer = search.minimise_vehicles(start, time.perf_counter() + 0.3)
    better = search.minimise_cost(fewer, time.perf_counter() + 0.3)
    assert len(better.routes) <= len(fewer.routes) <= len(start.routes)
    assert (len(better.routes), better.cost) <= (len(fewer.routes), fewer.cost)
    assert not better.absent
    served = sorted(x for r in better.routes for x in r.nodes)
    assert served == sorted(x for pair in data.pairs for x in pair)
    assert all(simulate(data, r.nodes) for r in better.routes)
    assert all(c < BIG for c in (r.cost for r in better.routes))


def test_a_plan_with_fewer_routes_is_better_even_when_it_travels_more():
    data = Data(_model(random_problem(1)))
    (p1, d1), (p2, d2) = data.pairs[:2]
    one = Solution([Route(data, [p1, d1, p2, d2])], [])
    two = Solution([Route(data, [p1, d1]), Route(data, [p2, d2])], [])
    shorter = Solution([Route(data, [p1, d1, p2, d2])], [])
    shorter.cost -= 1
    assert better(one, two) and not better(two, one)
    assert better(shorter, one) and not better(one, shorter)


@pytest.mark.parametrize("seed", range(3))
def test_distance_phase_never_ends_on_the_spare_route(seed):
    """The spare route (one more than the best plan) is open for the whole
    search here, and priced at almost nothing: the plan returned still has no
    more routes than the one given, and serves every pair."""
    problem = random_problem(seed, pairs=16)
    data = Data(_model(problem))
    search = Search(data, SisrConfig(seed=seed, spare=0.01, spare_share=1.0))
    start = search.recreate([], [p for p, _ in data.pairs], len(problem.vehicles))
    fewer = search.minimise_vehicles(start, time.perf_counter() + 0.2)
    better = search.minimise_cost(fewer, time.perf_counter() + 0.2)
    assert len(better.routes) <= len(fewer.routes) and not better.absent
    assert sorted(x for r in better.routes for x in r.nodes) == sorted(
        x for pair in data.pairs for x in pair)
    assert all(simulate(data, r.nodes) for r in better.routes)


def _model(problem):
    modelled = list(range(len(problem.shipments)))
    return build(problem, modelled, {s: tuple(range(len(problem.vehicles))) for s in modelled},
                 dict.fromkeys(modelled, 10**9))


def test_vehicles_first_on_a_plain_problem_gives_a_valid_plan_with_few_vehicles():
    problem = random_problem(5, pairs=20)
    plan = solve(problem, 1.0, strategy="vehicles_first", full_time=True)
    check_plan(problem, plan)
    assert not plan.unassigned
    default = solve(problem, 1.0, full_time=True)
    assert plan.stats.vehicles_used <= default.stats.vehicles_used


class _TimedOutRouting:
    """An OR-Tools routing model whose search runs out of time before any solution."""

    read = object()

    def CloseModelWithParameters(self, params):
        pass

    def ReadAssignmentFromRoutes(self, routes, ignore_inactive):
        return self.read

    def SolveFromAssignmentWithParameters(self, initial, params):
        return None


def test_a_search_out_of_time_answers_with_the_routes_read_in():
    from types import SimpleNamespace

    from courier.routing.fleet import _search

    m = SimpleNamespace(routing=_TimedOutRouting())
    assert _search(m, 0.01, [[1, 2]]) is _TimedOutRouting.read


def test_the_spare_route_is_left_closed_below_three_seconds():
    from courier.routing.fleet import CONFIG, sisr_config

    assert sisr_config(CONFIG, 1.0).spare == 0
    assert sisr_config(CONFIG, 10.0).spare == CONFIG.sisr_config.spare > 0


@pytest.mark.parametrize("two_runs_from, runs", [(0.0, 2), (3.0, 1)])
def test_from_its_limit_on_the_travel_phase_is_two_runs_from_one_plan(
        monkeypatch, two_runs_from, runs):
    from dataclasses import replace

    from courier.routing import fleet
    from courier.routing.sisr_c import CompiledSearch

    calls = []
    for cls in (Search, CompiledSearch):
        def recorded(self, sol, until, original=cls.minimise_cost):
            calls.append((self.cfg.seed, sol))
            return original(self, sol, until)

        monkeypatch.setattr(cls, "minimise_cost", recorded)
    monkeypatch.setattr(fleet, "CONFIG", replace(fleet.CONFIG, sisr_two_runs_from=two_runs_from))
    problem = random_problem(5)
    plan = solve(problem, 0.6, strategy="vehicles_first", full_time=True)
    check_plan(problem, plan)
    assert not plan.unassigned
    assert len(calls) == runs
    assert len({seed for seed, _ in calls}) == runs  # other random draws
    assert all(sol is calls[0][1] for _, sol in calls)  # from the same plan
