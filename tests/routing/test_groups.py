"""Multi-drop: shipments sharing a group ride one vehicle, all or none."""

from courier.routing import Problem, Shipment, Stop, TimeWindow, Vehicle, solve


def _line(n):
    """Points on a line, 100 s apart."""
    return [[abs(i - j) * 100 for j in range(n)] for i in range(n)]


def test_group_rides_one_vehicle_even_when_splitting_is_shorter():
    # Locations: 0 = vehicle A, 1 = shop, 2 = drop near A... 6 = vehicle B far right.
    durations = _line(7)
    vehicles = [Vehicle("A", start=0), Vehicle("B", start=6)]
    drops = [Shipment(f"part{i}", pickup=Stop(3), delivery=Stop(loc), amount=(1,), group="order-1")
             for i, loc in enumerate((1, 5))]
    plan = solve(Problem(drops, vehicles, durations, durations), time_limit=2)
    assert not plan.unassigned
    carriers = {route.vehicle for route in plan.routes
                for step in route.steps if step.type == "delivery"}
    assert len(carriers) == 1


def test_group_that_cannot_fit_one_vehicle_is_left_out_whole():
    durations = _line(4)  # three parts need six stops: more than any vehicle may make
    vehicles = [Vehicle("A", start=0, max_stops=4), Vehicle("B", start=0, max_stops=4)]
    parts = [Shipment(f"p{i}", pickup=Stop(1), delivery=Stop(2 + i % 2), amount=(1,), group="g")
             for i in range(3)]
    alone = Shipment("solo", pickup=Stop(1), delivery=Stop(2), amount=(1,))
    plan = solve(Problem([*parts, alone], vehicles, durations, durations), time_limit=2)
    served = {step.shipment for r in plan.routes for step in r.steps if step.type == "delivery"}
    assert served == {"solo"}
    assert {u.shipment for u in plan.unassigned} == {"p0", "p1", "p2"}


def test_groups_respect_time_windows_together():
    durations = _line(5)
    vehicles = [Vehicle("A", start=0), Vehicle("B", start=4)]
    tw = TimeWindow(0, 1000)
    parts = [Shipment(f"q{i}", pickup=Stop(2, tw), delivery=Stop(loc, tw), group="g")
             for i, loc in enumerate((1, 3))]
    plan = solve(Problem(parts, vehicles, durations, durations), time_limit=2)
    assert not plan.unassigned
    assert len([r for r in plan.routes if len(r.steps) > 2]) == 1
