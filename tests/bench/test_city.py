"""The city benchmark's generator and command."""

import json
from dataclasses import asdict

import numpy as np
import pytest
from click.testing import CliRunner

from courier.bench import bench
from courier.bench.city import make_city_problem, run_city
from courier.bench.lyon import BOUNDS, NEIGHBOURHOODS, SHOPS
from courier.routing import solve
from courier.routing.geo import validate


def test_same_seed_gives_the_same_day():
    p1, m1 = make_city_problem(40, 8, seed=5)
    p2, m2 = make_city_problem(40, 8, seed=5)
    assert p1.shipments == p2.shipments
    assert p1.vehicles == p2.vehicles
    assert m1 == m2
    np.testing.assert_array_equal(p1.durations, p2.durations)
    np.testing.assert_array_equal(p1.distances, p2.distances)


def test_another_seed_gives_another_day():
    p1, m1 = make_city_problem(40, 8, seed=5)
    p2, m2 = make_city_problem(40, 8, seed=6)
    assert p1.shipments != p2.shipments
    assert m1.points != m2.points


def test_every_point_is_a_real_position_inside_the_city():
    south, west, north, east = BOUNDS
    for anchor in [*SHOPS.values(), *NEIGHBOURHOODS.values()]:
        assert south <= anchor.lat <= north and west <= anchor.lon <= east
    problem, meta = make_city_problem(200, 20, seed=1)
    assert len(meta.points) == len(problem.durations) == 20 + 2 * 200
    for p in meta.points:
        validate(p)
        assert south <= p.lat <= north and west <= p.lon <= east


def test_day_has_realistic_jobs_and_a_mixed_fleet():
    problem, meta = make_city_problem(300, 60, seed=0)
    weights = [s.amount[0] for s in problem.shipments]
    assert 0 < min(weights) and max(weights) <= 25_000
    for s in problem.shipments:
        assert 8 * 3600 <= s.pickup.time_window.start < s.delivery.time_window.end <= 20 * 3600
        assert s.delivery.time_window.end - s.pickup.time_window.start >= 60 * 60 or (
            s.delivery.time_window.end == 20 * 3600
        )
    kinds = {v.id: k for v, k in zip(problem.vehicles, meta.kinds, strict=True)}
    assert set(meta.kinds) == {"bike", "cargo"}
    for v in problem.vehicles:
        if kinds[v.id] == "bike":
            assert (v.capacity, v.speed_factor) == ((15_000, 40_000), 1.0)
        else:
            assert v.capacity == (80_000, 250_000) and v.speed_factor > 1
    starts = min(v.time_window.start for v in problem.vehicles)
    ends = max(v.time_window.end for v in problem.vehicles)
    assert (starts, ends) == (8 * 3600, 20 * 3600)


def test_small_day_is_fully_served_by_the_solver():
    problem, _ = make_city_problem(15, 4, seed=2)
    plan = solve(problem, time_limit=2)
    assert plan.unassigned == ()
    served = {s.shipment for r in plan.routes for s in r.steps if s.type == "delivery"}
    assert served == {s.id for s in problem.shipments}


def test_city_command_prints_figures_as_json():
    result = CliRunner().invoke(
        bench, ["city", "--jobs", "10", "--couriers", "5", "--seed", "4", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert (figures["city"], figures["jobs"], figures["couriers"]) == ("Lyon", 10, 5)
    assert figures["served"] == figures["feasible"] == 10
    assert figures["km"] > 0 and figures["courier_hours"] >= figures["riding_hours"] > 0


def test_city_command_counts_jobs_no_courier_could_take_as_infeasible():
    # Two couriers are both plain bikes: the two jobs over 15 kg cannot be served.
    result = CliRunner().invoke(bench, ["city", "--jobs", "6", "--couriers", "2"])
    assert result.exit_code == 0, result.output
    assert "(2 bikes, 0 cargo bikes)" in result.output
    assert "jobs served    4/6 (4/4 feasible)" in result.output
    assert "km" in result.output and "courier hours" in result.output


@pytest.mark.slow
def test_issue_sized_day_serves_every_feasible_job():
    result = run_city(300, 60, seed=0, time_limit=4.5)
    assert result.served == result.feasible, asdict(result)
