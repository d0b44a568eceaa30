"""The compiled insertion's shortcuts change nothing: travel read from the
matrices built once per speed (and their transposes), positions cut off once
service starts pass the pair's windows. On one-way streets (asymmetric
matrices), mixed speeds, cost factors and long routes with tight windows, the
compiled cheapest insertion costs exactly what the Python reference finds,
and the plans keep every rule.
"""

from __future__ import annotations

import random

import pytest

from courier.bench.verify import violations
from courier.routing import Problem, Shipment, Stop, TimeWindow, Vehicle, rr_c, solve
from courier.routing.rr_plan import units_of
from courier.routing.rr_route import best_insertion, evaluate, route_cost
from tests.routing.test_rr import compiled, packed


def one_way_problem(seed: int, ships: int = 12, speed: float = 1.25) -> Problem:
    rng = random.Random(seed)
    n = 2 * ships + 2
    pts = [(rng.randint(0, 80), rng.randint(0, 80)) for _ in range(n)]
    dur = [[0 if a is b else abs(a[0] - b[0]) + abs(a[1] - b[1]) + rng.randint(0, 15)
            for b in pts] for a in pts]
    vehicle = Vehicle("v0", start=2 * ships, end=rng.choice([None, 2 * ships + 1]),
                      time_window=TimeWindow(0, 2000), capacity=(rng.randint(6, 12),),
                      speed_factor=speed, cost_factor=rng.choice([1.0, 0.7, 1.3]))
    out = []
    for j in range(ships):
        ready = rng.randint(0, 1200)
        tw = TimeWindow(ready, ready + rng.choice([80, 200, 600]))
        out.append(Shipment(f"s{j}", Stop(2 * j, tw, rng.randint(0, 10)),
                            Stop(2 * j + 1, tw, rng.randint(0, 10)), amount=(rng.randint(1, 4),)))
    return Problem(out, [vehicle], dur, dur)


@compiled
@pytest.mark.parametrize("speed", [1.0, 1.25])
@pytest.mark.parametrize("seed", range(25))
def test_compiled_insertion_on_one_way_streets_is_the_python_one(seed, speed):
    problem = one_way_problem(seed, speed=speed)
    pk = packed(problem)
    seq: list[int] = []
    for u in units_of(pk):
        partner = int(pk.data["partner"][u])
        py = best_insertion(pk, 0, seq, u, partner if partner >= 0 else None)
        c = rr_c.insertion(pk, 0, seq, u)
        assert (c is None) == (py is None)
        if c is not None:
            assert rr_c.evaluate(pk, 0, c[0]) == evaluate(pk, 0, c[0])
            assert route_cost(pk, 0, c[0]) - route_cost(pk, 0, seq) == py[0]
            seq = c[0]


@pytest.mark.parametrize("seed", range(5))
def test_plans_on_one_way_streets_keep_every_rule(seed):
    problem = one_way_problem(seed, ships=15)
    plan = solve(problem, 0.2, full_time=True)
    assert violations(problem, plan) == []
