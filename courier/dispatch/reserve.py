"""A reserve of time planned before each drop-off's deadline.

A plan is timed at the matrix's speed, and a courier rides slower on some legs
than the matrix says (traffic lights, a hill, a parcel to find). A run planned
to reach its last door a minute before the window closes is late as soon as one
leg goes slower. So dispatch plans every drop-off to be done ``DISPATCH_RESERVE_S``
before its deadline, when that is possible: a job is never given less time than
the soonest any courier who may carry it could deliver it alone, so the reserve
never turns a job that could be served into one that cannot. Jobs already on a
bike (``onboard``) and accepted work (``mandatory``) keep their windows as they
are: their plan must not fail. The real deadline is what ETAs, delay alerts and
the figures are judged against.
"""

from __future__ import annotations

from dataclasses import replace

from courier.routing import Problem, Shipment, TimeWindow
from courier.routing.precheck import allowed_vehicles, fits_capacity, travel


def soonest_alone(problem: Problem, sh: Shipment) -> int | None:
    """The soonest second any vehicle allowed to carry ``sh`` could deliver it
    alone, straight from its start (breaks and caps aside), or None if none can."""
    pick, drop = sh.pickup, sh.delivery
    soonest = None
    for vi in allowed_vehicles(problem, sh):
        v = problem.vehicles[vi]
        if not fits_capacity(sh, v):
            continue
        at_pickup = max(pick.time_window.start,
                        v.time_window.start + travel(problem, v, v.start, pick.location))
        done = max(drop.time_window.start,
                   at_pickup + pick.service + travel(problem, v, pick.location, drop.location))
        if soonest is None or done < soonest:
            soonest = done
    return soonest


def keep_reserve(problem: Problem, seconds: int) -> Problem:
    """``problem`` with each drop-off's window ending ``seconds`` earlier, but never
    before the soonest it could be delivered alone (see the module docstring)."""
    if seconds <= 0 or not problem.shipments:
        return problem
    shipments = []
    for sh in problem.shipments:
        window = sh.delivery.time_window
        if sh.onboard is not None or sh.mandatory or window.end - seconds < window.start:
            shipments.append(sh)
            continue
        soonest = soonest_alone(problem, sh)
        if soonest is None or soonest >= window.end:
            shipments.append(sh)
            continue
        end = max(window.end - seconds, soonest + 1)
        shipments.append(replace(sh, delivery=replace(
            sh.delivery, time_window=TimeWindow(window.start, end)),
            pickup=replace(sh.pickup, time_window=TimeWindow(
                sh.pickup.time_window.start, min(sh.pickup.time_window.end, end)))))
    return replace(problem, shipments=shipments)
