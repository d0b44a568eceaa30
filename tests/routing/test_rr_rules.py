"""Rules of the planner that dispatch relies on: where breaks go, what a warm
start keeps, and which problems are refused (with the field at fault)."""

from __future__ import annotations

import pytest

from courier.bench.verify import violations
from courier.routing import Break, Problem, Shipment, Stop, TimeWindow, Vehicle, solve

POS = [0, 10, 20, 30, 40, 100]
LINE = [[abs(a - b) for b in POS] for a in POS]


def ship(sid, p, d, ready=0, by=10**6, service=0, **kw) -> Shipment:
    tw = TimeWindow(ready, by)
    return Shipment(sid, Stop(p, tw, service), Stop(d, tw, service), amount=(1,), **kw)


def run(shipments, vehicles, **kw):
    problem = Problem(shipments, vehicles, LINE, LINE, **kw)
    plan = solve(problem, 0.5)
    assert violations(problem, plan) == []
    return plan


def rest(by: int, duration: int = 30) -> tuple[Break, ...]:
    return (Break("rest", (TimeWindow(0, by),), duration),)


def test_a_break_due_by_a_time_does_not_delay_the_first_pickup():
    plan = run([ship("a", 1, 2, ready=0), ship("b", 3, 4, ready=0)],
               [Vehicle("v", 0, None, breaks=rest(by=1000))])
    steps = plan.routes[0].steps
    assert [s.type for s in steps] == ["start", "pickup", "delivery", "pickup", "delivery",
                                       "break"]
    assert steps[1].service_start == 10  # straight to the first pickup
    assert steps[-1].service_start == 40  # the rest once the work is done


def test_a_break_comes_between_stops_when_work_would_end_too_late_for_it():
    plan = run([ship("a", 1, 2, service=20), ship("b", 3, 4, service=20)],
               [Vehicle("v", 0, None, breaks=rest(by=60))])
    steps = plan.routes[0].steps
    kinds = [s.type for s in steps]
    assert kinds.index("break") < len(kinds) - 1
    brk = steps[kinds.index("break")]
    assert brk.service_start <= 60
    assert steps[1].service_start == 10  # still straight to the first pickup


def test_a_route_leaves_as_late_as_its_first_window_allows():
    plan = run([ship("a", 1, 2, ready=500)], [Vehicle("v", 0, None, max_working_time=100)])
    (route,) = plan.routes
    assert route.steps[0].service_start == 490 and route.duration == 20


def test_groups_ride_one_vehicle_all_or_none():
    ships = [ship(f"g{k}", 1, 2 + k, group="order") for k in range(3)]
    plan = run(ships, [Vehicle("v", 0, None, max_stops=4), Vehicle("w", 0, None, max_stops=4)])
    assert {u.shipment for u in plan.unassigned} == {"g0", "g1", "g2"}
    plan = run(ships, [Vehicle("v", 0, None, max_stops=6), Vehicle("w", 0, None, max_stops=2)])
    assert not plan.unassigned and len(plan.routes) == 1


def test_warm_start_keeps_a_still_good_plan():
    ships = [ship("a", 1, 2), ship("b", 3, 4)]
    initial = {"w": [("a", "pickup"), ("a", "delivery"), ("b", "pickup"), ("b", "delivery")]}
    plan = run(ships, [Vehicle("v", 0, None), Vehicle("w", 0, None)], initial_routes=initial)
    assert [r.vehicle for r in plan.routes] == ["w"]


@pytest.mark.parametrize("change, field", [
    (dict(durations=[[0, 1], [1, 0]]), "durations"),
    (dict(durations=[[0, 1, 2]] * 6), "durations"),
    (dict(durations=[[-1] * 6] * 6), "durations"),
    (dict(distances=[[0] * 5] * 5), "distances"),
    (dict(vehicles=[Vehicle("v", 0, breaks=(Break("b", (TimeWindow(500, 600),), 10),),
                            time_window=TimeWindow(0, 100))]), "vehicles[0].breaks[0]"),
    (dict(vehicles=[Vehicle("v", 0, capacity=(5, 5))]), "shipments[0].amount"),
    (dict(vehicles=[Vehicle("v", 0, capacity=(5,)), Vehicle("w", 0, capacity=(5, 5))]),
     "vehicles.capacity"),
])
def test_a_problem_the_planner_cannot_take_is_refused_naming_the_field(change, field):
    args = dict(shipments=[ship("a", 1, 2)], vehicles=[Vehicle("v", 0, capacity=(5,))],
                durations=LINE, distances=LINE)
    args.update(change)
    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]")):
        solve(Problem(**args), 0.1)
