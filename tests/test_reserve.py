"""Dispatch plans each drop-off a reserve of time before its deadline, when the job
can still be delivered with it; never so tight that a job which could be served
alone no longer can; and never on work already accepted or on a bike."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from courier.dispatch.planning import build_problem, snapshot
from courier.dispatch.reserve import keep_reserve, soonest_alone
from courier.models import utcnow
from courier.routing import Problem, Shipment, Stop, TimeWindow, Vehicle, solve
from tests.conftest import base_config

# places 0 (courier's home), 1 (shop), 2 (door): 600 s home -> shop, 900 s shop -> door
D = [[0, 600, 1500], [600, 0, 900], [1500, 900, 0]]


def problem(deadline: int, **ship) -> Problem:
    window = TimeWindow(0, deadline)
    job = Shipment("j", Stop(1, window, 180), Stop(2, window, 120), amount=(1,), **ship)
    return Problem([job], [Vehicle("c", start=0, capacity=(10,))], D, D)


def delivery_end(p: Problem) -> int:
    return p.shipments[0].delivery.time_window.end


def test_a_job_with_time_to_spare_is_planned_the_reserve_before_its_deadline():
    p = keep_reserve(problem(7200), 300)
    assert delivery_end(p) == 6900
    assert p.shipments[0].pickup.time_window.end == 6900
    plan = solve(p, time_limit=0.2)
    assert plan.routes and plan.routes[0].steps[-1].service_start <= 6900


def test_the_reserve_never_makes_a_job_that_could_be_served_alone_unservable():
    tight = problem(600 + 180 + 900 + 100)  # 100 s to spare when ridden straight
    assert soonest_alone(tight, tight.shipments[0]) == 1680
    p = keep_reserve(tight, 300)
    assert delivery_end(p) == 1681
    assert not solve(p, time_limit=0.2).unassigned


def test_a_job_no_one_can_serve_in_time_keeps_its_window():
    late = problem(1000)
    assert delivery_end(keep_reserve(late, 300)) == 1000


def test_work_accepted_or_on_a_bike_keeps_its_window():
    assert delivery_end(keep_reserve(problem(7200, mandatory=True), 300)) == 7200
    on_bike = problem(7200, onboard="c")
    assert delivery_end(keep_reserve(on_bike, 300)) == 7200


def test_only_couriers_allowed_and_able_to_carry_it_count_for_the_soonest():
    p = problem(7200, allowed_vehicles=frozenset({"far"}))
    far = Vehicle("far", start=0, capacity=(10,), time_window=TimeWindow(5000))
    p = replace(p, vehicles=[*p.vehicles, far])
    assert soonest_alone(p, p.shipments[0]) == 5000 + 600 + 180 + 900
    heavy = problem(7200)
    heavy = replace(heavy, shipments=[replace(heavy.shipments[0], amount=(50,))])
    assert soonest_alone(heavy, heavy.shipments[0]) is None
    assert delivery_end(keep_reserve(heavy, 300)) == 7200


def test_no_reserve_leaves_the_problem_as_it_was():
    p = problem(7200)
    assert keep_reserve(p, 0) is p


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, DISPATCH_RESERVE_S=600)


def test_the_cycle_plans_with_the_coops_reserve(app, make_merchant, make_courier, make_job):
    shop, _ = make_merchant(), make_courier("Ana")
    job = make_job(shop, minutes=90)
    snap = snapshot(utcnow())
    deadline = (datetime.fromisoformat(job["deliver_by"]) - snap.now).total_seconds()
    problem, _ = build_problem(snap)
    assert problem.shipments[0].delivery.time_window.end == int(deadline) - 600
    app.config["DISPATCH_RESERVE_S"] = 0
    problem, _ = build_problem(snap)
    assert problem.shipments[0].delivery.time_window.end == int(deadline)
