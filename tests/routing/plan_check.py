"""An independent checker of routing plans, shared by the routing tests.

It recomputes everything from the problem: every shipment is either routed once
or reported unassigned once, pickups come before their deliveries on the same
route, time windows, availability, loads, capacities, working time, stop caps.
"""

from __future__ import annotations

import math

from courier.routing import Plan, Problem


def check_plan(problem: Problem, plan: Plan) -> None:
    """Raise AssertionError on the first violation found."""
    shipments = {s.id: s for s in problem.shipments}
    vehicles = {v.id: v for v in problem.vehicles}
    seen: dict = {}
    for route in plan.routes:
        v = vehicles[route.vehicle]
        steps = route.steps
        assert steps[0].type == "start" and steps[0].location == v.start
        start = steps[0].service_start
        assert v.time_window.start <= start <= v.time_window.end
        dims = max([len(x.capacity) for x in problem.vehicles]
                   + [len(x.amount) for x in problem.shipments])
        cap = [v.capacity[d] if d < len(v.capacity) else float("inf") for d in range(dims)]
        load = [0] * dims
        for sh in problem.shipments:
            if sh.onboard == v.id and any(st.shipment == sh.id for st in steps):
                for d, a in enumerate(sh.amount):
                    load[d] += a
        assert tuple(load) == tuple(steps[0].load)[: len(load)]
        t, loc, picked, stops = start, v.start, set(), 0
        resting, rest_end = 0, start  # breaks since the last stop: total, end of the last
        for st in steps[1:]:
            if st.type == "break":
                assert st.service_start >= max(t, rest_end)
                duration = next(b.duration for b in v.breaks if b.id == st.break_id)
                resting += duration
                rest_end = st.service_start + duration
                continue
            travel = problem.durations[loc][st.location]
            travel = math.ceil(travel * v.speed_factor - 1e-9)
            assert st.service_start >= t + travel + resting, (route.vehicle, st)
            assert st.service_start >= rest_end
            assert st.arrival <= st.service_start
            resting = 0
            t, loc = st.service_start, st.location
            if st.type == "end":
                assert st.location == v.end
                continue
            stops += 1
            sh = shipments[st.shipment]
            stop = sh.pickup if st.type == "pickup" else sh.delivery
            assert stop.location == st.location
            assert stop.time_window.start <= st.service_start <= stop.time_window.end, st
            t += stop.service
            if sh.allowed_vehicles is not None and sh.onboard is None:
                assert v.id in sh.allowed_vehicles
            if st.type == "pickup":
                assert sh.onboard is None and st.shipment not in seen
                picked.add(st.shipment)
                sign = 1
            else:
                assert st.shipment in picked or sh.onboard == v.id, st
                assert st.shipment not in seen
                seen[st.shipment] = v.id
                sign = -1
            for d, a in enumerate(sh.amount):
                load[d] += sign * a
                assert load[d] <= cap[d], (route.vehicle, st)
            assert tuple(load) == tuple(st.load)[: len(load)]
        assert picked <= set(seen), "a pickup without its delivery"
        t = max(t, rest_end)
        assert t <= v.time_window.end
        assert route.duration == t - start
        if v.max_working_time is not None:
            assert route.duration <= v.max_working_time
        if v.max_stops is not None:
            assert stops <= v.max_stops
        if v.end is None:
            assert steps[-1].type != "end"
        else:
            assert steps[-1].type == "end"
        for b in v.breaks:
            taken = [st for st in steps if st.break_id == b.id]
            assert len(taken) == 1, f"break {b.id} taken {len(taken)} times"
            assert any(w.start <= taken[0].service_start <= w.end for w in b.time_windows)
    for sh in problem.shipments:
        if sh.onboard is not None and sh.id in seen:
            assert seen[sh.id] == sh.onboard
    unassigned = [u.shipment for u in plan.unassigned]
    assert len(unassigned) == len(set(unassigned))
    assert set(unassigned).isdisjoint(seen)
    assert set(unassigned) | set(seen) == set(shipments)
