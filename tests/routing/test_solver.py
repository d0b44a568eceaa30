"""solve() on tiny hand-made problems whose answers are known.

Locations sit on a line (``POS``); travel time = distance = gap between them.
"""

from __future__ import annotations

import random

import pytest
from plan_check import check_plan

from courier.routing import (
    Break,
    Problem,
    Shipment,
    Stop,
    TimeWindow,
    Vehicle,
    solve,
)

POS = [0, 10, 20, 30, 40, 100]
LINE = [[abs(a - b) for b in POS] for a in POS]


def problem(shipments, vehicles, **kw) -> Problem:
    return Problem(shipments=shipments, vehicles=vehicles, durations=LINE, distances=LINE, **kw)


def ship(sid, p, d, amount=(1,), p_tw=None, d_tw=None, service=0, **kw) -> Shipment:
    return Shipment(sid, Stop(p, p_tw or TimeWindow(), service), Stop(d, d_tw or TimeWindow(),
                    service), amount=amount, **kw)


def run(prob, time_limit=2.0, **kw):
    plan = solve(prob, time_limit, **kw)
    check_plan(prob, plan)
    return plan


def reasons(plan) -> dict:
    return {u.shipment: u.reason for u in plan.unassigned}


def carrier(plan) -> dict:
    return {st.shipment: r.vehicle for r in plan.routes for st in r.steps if st.shipment}


def test_serves_pickup_then_delivery_on_one_vehicle_with_times_and_loads():
    prob = problem([ship("a", 1, 3, amount=(2,), service=5)], [Vehicle("v", 0, 0, capacity=(5,))])
    plan = run(prob)
    assert not plan.unassigned
    (route,) = plan.routes
    assert [s.type for s in route.steps] == ["start", "pickup", "delivery", "end"]
    assert [s.service_start for s in route.steps] == [0, 10, 35, 70]
    assert [s.load for s in route.steps] == [(0,), (2,), (0,), (0,)]
    assert [s.distance for s in route.steps] == [0, 10, 30, 60]
    assert route.distance == 60 and route.duration == 70
    assert plan.stats.vehicles_used == 1 and plan.stats.distance == 60


def test_waiting_shows_between_arrival_and_service_start():
    prob = problem([ship("a", 1, 2, p_tw=TimeWindow(50, 60))], [Vehicle("v", 0, None)])
    step = run(prob).routes[0].steps[1]
    assert step.service_start == 50 and step.arrival <= 50


def test_shipment_heavier_than_every_vehicle_is_unassigned_for_capacity():
    prob = problem([ship("big", 1, 2, amount=(9,)), ship("ok", 1, 2, amount=(3,))],
                   [Vehicle("v1", 0, capacity=(5,)), Vehicle("v2", 0, capacity=(4,))])
    plan = run(prob)
    assert reasons(plan) == {"big": "capacity"}


def test_time_window_only_one_vehicle_can_reach_goes_to_that_vehicle():
    near, far = Vehicle("near", 3, capacity=(5,)), Vehicle("far", 0, capacity=(5,))
    prob = problem([ship("a", 4, 2, p_tw=TimeWindow(0, 15))], [far, near])
    assert carrier(run(prob)) == {"a": "near"}


def test_unreachable_time_window_is_reported_as_time_window():
    prob = problem([ship("late", 5, 1, d_tw=TimeWindow(0, 50))], [Vehicle("v", 0)])
    assert reasons(run(prob)) == {"late": "time_window"}


def test_vehicle_availability_counts_as_a_time_window():
    prob = problem([ship("a", 1, 2)], [Vehicle("v", 0, 0, time_window=TimeWindow(0, 30))])
    assert reasons(run(prob)) == {"a": "time_window"}


def test_shipment_longer_than_any_working_time_is_reported_as_working_time():
    prob = problem([ship("long", 0, 5)], [Vehicle("v", 0, None, max_working_time=60)])
    assert reasons(run(prob)) == {"long": "working_time"}


def test_working_time_excludes_waiting_that_a_later_start_avoids():
    prob = problem([ship("a", 1, 2, p_tw=TimeWindow(500, 600))],
                   [Vehicle("v", 0, None, max_working_time=30)])
    plan = run(prob)
    assert not plan.unassigned and plan.routes[0].duration == 20


def test_no_allowed_vehicle_is_reported_as_not_allowed():
    prob = problem([ship("a", 1, 2, allowed_vehicles=frozenset({"gone"}))], [Vehicle("v", 0)])
    assert reasons(run(prob)) == {"a": "not_allowed"}


def test_no_vehicles_reports_every_shipment_as_no_vehicle():
    plan = run(problem([ship("a", 1, 2), ship("b", 2, 3)], []))
    assert reasons(plan) == {"a": "no_vehicle", "b": "no_vehicle"}
    assert plan.routes == () and plan.stats.status == "empty"


def test_no_shipments_gives_an_empty_plan():
    plan = run(problem([], [Vehicle("v", 0)]))
    assert plan.routes == () and plan.unassigned == () and plan.stats.status == "empty"


def test_allowed_vehicles_are_honoured_even_when_another_is_closer():
    prob = problem([ship("a", 1, 2, allowed_vehicles=frozenset({"far"}))],
                   [Vehicle("near", 1), Vehicle("far", 5)])
    assert carrier(run(prob)) == {"a": "far"}


def test_onboard_shipment_is_only_delivered_by_its_vehicle_and_counts_in_start_load():
    prob = problem([ship("ob", 0, 4, amount=(3,), onboard="b"), ship("x", 1, 2, amount=(2,))],
                   [Vehicle("a", 4, capacity=(5,)), Vehicle("b", 1, capacity=(5,))])
    plan = run(prob)
    route = next(r for r in plan.routes if r.vehicle == "b")
    assert route.steps[0].load == (3,)
    assert not any(s.type == "pickup" and s.shipment == "ob" for s in route.steps)
    assert carrier(plan)["ob"] == "b"


def test_onboard_load_limits_what_else_the_vehicle_picks_up():
    prob = problem([ship("ob", 0, 5, amount=(4,), onboard="v"), ship("x", 1, 2, amount=(2,))],
                   [Vehicle("v", 0, capacity=(5,))])
    plan = run(prob)
    # x fits only after the onboard delivery at location 5, far from x.
    steps = [(s.type, s.shipment) for s in plan.routes[0].steps]
    assert steps.index(("delivery", "ob")) < steps.index(("pickup", "x"))


def test_open_route_ends_at_its_last_stop():
    prob = problem([ship("a", 1, 3)], [Vehicle("v", 0, None)])
    route = run(prob).routes[0]
    assert route.steps[-1].type == "delivery" and route.distance == 30 and route.duration == 30


def test_closed_route_returns_to_its_end():
    prob = problem([ship("a", 1, 3)], [Vehicle("v", 0, 5)])
    route = run(prob).routes[0]
    assert route.steps[-1].type == "end" and route.steps[-1].location == 5
    assert route.distance == 30 + 70


def test_max_working_time_moves_work_to_another_vehicle():
    ships = [ship("a", 1, 2), ship("b", 3, 4)]
    free = run(problem(ships, [Vehicle("v1", 0, None), Vehicle("v2", 5, None)]))
    assert carrier(free) == {"a": "v1", "b": "v1"}
    capped = problem(ships, [Vehicle("v1", 0, None, max_working_time=25),
                             Vehicle("v2", 5, None)])
    assert carrier(run(capped, courier_cost=0)) == {"a": "v1", "b": "v2"}


def test_a_courier_sent_out_weighs_in_the_default_objective():
    ships = [ship("a", 1, 2), ship("b", 3, 4)]
    capped = problem(ships, [Vehicle("v1", 0, None, max_working_time=25),
                             Vehicle("v2", 5, None)])
    # 100 s of riding on two couriers, or 120 s on one: the courier weighs more.
    assert carrier(run(capped)) == {"a": "v2", "b": "v2"}
    assert carrier(run(capped, courier_cost=10)) == {"a": "v1", "b": "v2"}


def test_max_stops_caps_the_number_of_stops():
    ships = [ship("a", 1, 2), ship("b", 1, 2)]
    plan = run(problem(ships, [Vehicle("v", 0, None, max_stops=2)]))
    assert len(plan.unassigned) == 1 and plan.unassigned[0].reason == "no_room"


def test_break_is_taken_within_its_window_and_outside_service():
    brk = Break("lunch", (TimeWindow(20, 25),), 30)
    prob = problem([ship("a", 1, 3, service=10)], [Vehicle("v", 0, None, breaks=(brk,))])
    route = run(prob).routes[0]
    types = [s.type for s in route.steps]
    assert "break" in types
    assert route.duration >= 30 + 30 + 20  # travel, break, service


def test_break_with_two_windows_uses_one_of_them():
    brk = Break("rest", (TimeWindow(0, 5), TimeWindow(100, 110)), 10)
    prob = problem([ship("a", 1, 3, p_tw=TimeWindow(0, 10))], [Vehicle("v", 1, None,
                                                                        breaks=(brk,))])
    (step,) = [s for s in run(prob).routes[0].steps if s.type == "break"]
    assert step.service_start <= 5 or 100 <= step.service_start <= 110


def test_higher_priority_wins_when_not_everything_fits():
    ships = [ship("low", 2, 1, amount=(3,)), ship("high", 3, 4, amount=(3,), priority=50),
             ship("low2", 2, 1, amount=(3,))]
    # Time for one shipment only: high alone 40, low alone 30, any two 50 or more.
    veh = Vehicle("v", 0, None, capacity=(3,), max_working_time=45)
    plan = run(problem(ships, [veh]))
    assert set(carrier(plan)) == {"high"}
    assert reasons(plan) == {"low": "no_room", "low2": "no_room"}


def test_mandatory_shipment_is_served_before_any_priority():
    ships = [ship("must", 4, 5, mandatory=True), ship("high", 2, 1, priority=100)]
    veh = Vehicle("v", 0, None, max_working_time=100)
    plan = run(problem(ships, [veh]))
    assert set(carrier(plan)) == {"must"} and plan.stats.status == "feasible"


def test_impossible_mandatory_shipment_makes_the_plan_infeasible():
    plan = run(problem([ship("must", 1, 2, amount=(9,), mandatory=True)],
                       [Vehicle("v", 0, capacity=(5,))]))
    assert plan.stats.status == "infeasible" and reasons(plan) == {"must": "capacity"}


def test_serving_more_shipments_beats_any_travel_saving():
    ships = [ship("near", 1, 1), ship("far", 5, 5)]
    plan = run(problem(ships, [Vehicle("v", 0, 0)]))
    assert not plan.unassigned


def test_fixed_cost_steers_work_to_the_cheaper_vehicle():
    prob = problem([ship("a", 1, 2)], [Vehicle("dear", 0, fixed_cost=1000), Vehicle("cheap", 0)])
    assert carrier(run(prob)) == {"a": "cheap"}


def test_cost_factor_steers_work_to_the_vehicle_with_the_lower_factor():
    prob = problem([ship("a", 1, 2)], [Vehicle("rested", 0, cost_factor=2.0),
                                       Vehicle("tired", 0, cost_factor=0.5)])
    assert carrier(run(prob)) == {"a": "tired"}


def test_speed_factor_stretches_travel_times():
    prob = problem([ship("a", 1, 2)], [Vehicle("v", 0, None, speed_factor=1.5)])
    steps = run(prob).routes[0].steps
    assert [s.service_start for s in steps[1:]] == [15, 30]


def test_preferred_vehicle_keeps_a_shipment_where_it_was():
    prob = problem([ship("a", 1, 2, preferred_vehicle="second")],
                   [Vehicle("first", 0), Vehicle("second", 0)])
    assert carrier(run(prob)) == {"a": "second"}


def test_balance_spreads_work_over_vehicles():
    ships = [ship("a", 1, 1, service=25), ship("b", 1, 1, service=25)]
    vehicles = [Vehicle("v1", 0, None), Vehicle("v2", 0, None)]
    assert run(problem(ships, vehicles)).stats.vehicles_used == 1
    assert run(problem(ships, vehicles, balance=100)).stats.vehicles_used == 2


def test_warm_start_ignores_stale_and_invalid_entries():
    ships = [ship("a", 1, 2), ship("b", 3, 4)]
    initial = {
        "v": [("b", "delivery"), ("b", "pickup"), ("gone", "pickup"), ("a", "pickup"),
              ("a", "delivery"), "junk"],
        "ghost": [("a", "pickup")],
    }
    plan = run(problem(ships, [Vehicle("v", 0)], initial_routes=initial))
    assert not plan.unassigned


def test_warm_start_is_kept_when_it_is_already_best():
    ships = [ship("a", 1, 2), ship("b", 1, 2)]
    initial = {"w": [("a", "pickup"), ("b", "pickup"), ("a", "delivery"), ("b", "delivery")]}
    plan = run(problem(ships, [Vehicle("v", 0, None), Vehicle("w", 0, None)],
                       initial_routes=initial))
    assert carrier(plan) == {"a": "w", "b": "w"}


def test_vehicles_first_strategy_trades_travel_for_fewer_vehicles():
    ships = [ship("a", 1, 1), ship("b", 4, 4)]
    vehicles = [Vehicle("west", 0, None), Vehicle("east", 4, None)]
    assert run(problem(ships, vehicles), courier_cost=0).stats.vehicles_used == 2
    plan = run(problem(ships, vehicles), strategy="vehicles_first", courier_cost=0)
    assert plan.stats.vehicles_used == 1 and not plan.unassigned


def test_vehicles_first_strategy_keeps_what_cannot_be_served_unassigned():
    ships = [ship("a", 1, 2), ship("b", 3, 4), ship("big", 1, 2, amount=(9,))]
    plan = run(problem(ships, [Vehicle("v1", 0, capacity=(5,)), Vehicle("v2", 5, capacity=(5,))]),
               strategy="vehicles_first")
    assert reasons(plan) == {"big": "capacity"} and plan.stats.vehicles_used == 1


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError):
        solve(problem([ship("a", 1, 2)], [Vehicle("v", 0)]), 1.0, strategy="fastest")


@pytest.mark.parametrize("seed", range(8))
def test_random_problems_give_valid_plans(seed):
    rng = random.Random(seed)
    ships = []
    for i in range(12):
        t0 = rng.randrange(0, 200)
        ships.append(ship(
            f"s{i}", rng.randrange(6), rng.randrange(6), amount=(rng.randint(1, 4),),
            p_tw=TimeWindow(t0, t0 + rng.randrange(10, 200)),
            d_tw=TimeWindow(t0, t0 + rng.randrange(100, 400)), service=rng.randrange(5),
            priority=rng.randrange(3), onboard="v0" if i == 0 else None,
            allowed_vehicles=frozenset({"v1", "v2"}) if i % 5 == 4 else None))
    vehicles = [Vehicle(f"v{k}", rng.randrange(6), rng.choice([None, 0]), capacity=(6,),
                        max_working_time=rng.choice([None, 300]), max_stops=8,
                        speed_factor=rng.choice([1.0, 1.2]),
                        breaks=(Break("b", (TimeWindow(100, 200),), 10),) if k == 1 else ())
                for k in range(3)]
    run(problem(ships, vehicles), 0.5)


def test_a_time_limit_shorter_than_the_first_plan_still_serves_every_feasible_job():
    from courier.bench.city import make_city_problem

    problem, _ = make_city_problem(300, 60, seed=0)
    plan = solve(problem, 0.3)
    check_plan(problem, plan)
    assert plan.unassigned == () and plan.stats.status == "feasible"

