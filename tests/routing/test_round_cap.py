"""The cost phase of the default search ends after its cap of rounds when the
time limit would let it run on, and a capped search is repeatable: the same
problem gives the same plan, however busy the machine is."""

from __future__ import annotations

from dataclasses import replace

from courier.bench.city import make_city_problem
from courier.routing import rr_c, solver
from courier.routing.rr import CONFIG
from tests.routing.test_rr import compiled, packed


def capped_search(rounds: int):
    problem, _ = make_city_problem(15, 8, seed=3)
    pk = packed(problem)
    search = rr_c.search_for(pk, replace(CONFIG, fleet=False, max_rounds=rounds))
    return search, search.construct([[] for _ in problem.vehicles])


@compiled
def test_the_cost_phase_stops_after_its_rounds_not_its_minute():
    search, first = capped_search(400)
    search.less_cost(first, 60.0)
    assert search.rounds == 400


@compiled
def test_a_capped_search_gives_the_same_plan_twice():
    a, first_a = capped_search(300)
    b, first_b = capped_search(300)
    assert first_a == first_b
    assert a.less_cost(first_a, 60.0) == b.less_cost(first_b, 60.0)


def test_dispatch_solves_cap_their_time_and_rounds_and_benchmarks_use_the_whole_limit(
        monkeypatch):
    seen = []
    real = solver.solve_rr

    def spy(*args, **kwargs):
        seen.append((round(args[5], 6), kwargs["max_rounds"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(solver, "solve_rr", spy)
    problem, _ = make_city_problem(6, 3, seed=1)
    solver.solve(problem, time_limit=0.5)
    solver.solve(problem, time_limit=0.5, full_time=True)
    solver.solve(problem, time_limit=0.12)
    per_job = 0.1 + solver.SECONDS_PER_SHIPMENT * 6
    assert seen == [(per_job, solver.ROUNDS_PER_SHIPMENT * 6), (0.5, 0),
                    (0.12, solver.ROUNDS_PER_SHIPMENT * 6)]
