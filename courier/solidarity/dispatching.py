"""Solidarity work as dispatch sees it: served first when not everything fits, and
the only work volunteers are ever offered.

Priorities are the routing's (0-100): leaving out a shipment costs more the
higher its priority, far more than any detour, so when couriers are too few the
plan drops paid work before solidarity work. Volunteers are kept off paid jobs
with the shipment's ``allowed_vehicles``; the council's safety rules (hours,
rest, load) bound them like every courier (:mod:`courier.dispatch.gate`).
"""

from __future__ import annotations

from courier.errors import Conflict

PAID = 0
ROUND = 70  # a solidarity round of a food hub
PRIORITIES = {"normal": 80, "high": 90, "urgent": 100}  # a partner's deliveries


def allowed_couriers(job, everyone: frozenset, volunteers: frozenset,
                     excluded: set) -> frozenset | None:
    """Who may carry ``job`` (None: anyone): not those who just declined it, and
    no volunteer unless it is solidarity work."""
    if job.solidarity or not volunteers:
        return (everyone - excluded) if excluded else None
    return everyone - volunteers - excluded


def check_assignable(courier, jobs) -> None:
    """A dispatcher's override may not give paid work to a volunteer."""
    paid = [j.id for j in jobs if not j.solidarity]
    if courier.volunteer and paid:
        raise Conflict(f"{courier.user.name} is a volunteer and takes solidarity jobs only "
                       f"(jobs {paid} are paid work)", {"courier_id": courier.id})
