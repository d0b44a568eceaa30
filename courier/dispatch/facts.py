"""What was true in a cycle, worked out apart from the plan: could each courier free on
shift have taken each pending job alone, and if not, the first fact that stops it.

The planner weighs everything at once and only says what it did; the reasons people
read (why a job waits, why a courier got no offer) are built from these facts instead,
so that each one states something that can be checked: the courier may not take the
job (a volunteer and paid work, an offer just turned down), it is too heavy or bulky
for the vehicle or for the rules' cap, it cannot be delivered in time from where the
courier is, or it would take them past their working time, the longest run allowed, or
their caps on a run's km or climbing.
Breaks are left out: a job that fits alone may still not fit beside a break.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from courier.routing import Problem
from courier.routing.precheck import travel

FITS = "fits"
# the order in which a pair's facts are tried: the first that holds is the one said
ORDER = ("volunteer", "refused", "reach", "not_allowed", "capacity", "cap", "stops", "late",
         "working_time", "run_length")


@dataclass(frozen=True)
class Fit:
    code: str  # FITS or one of ORDER
    figures: dict = field(default_factory=dict)


def _over(amounts: tuple, capacity: tuple) -> int | None:
    """The first dimension (0: kg, 1: litres) where ``amounts`` exceed ``capacity``."""
    for d, amount in enumerate(amounts):
        if d < len(capacity) and amount > capacity[d] + 1e-9:
            return d
    return None


def fit(problem: Problem, vi: int, si: int, courier, job, refused: dict,
        reach=None) -> Fit:
    """Could vehicle ``vi`` (``courier``) take shipment ``si`` (``job``) alone, now?
    ``refused``: courier id -> "declined" / "expired" for this job's recent offers;
    ``reach``: what keeps jobs past couriers' caps on a run's km or climbing
    (:class:`courier.dispatch.reach.Reach`)."""
    v, s = problem.vehicles[vi], problem.shipments[si]
    if s.allowed_vehicles is not None and v.id not in s.allowed_vehicles:
        if courier.volunteer and not job.solidarity:
            return Fit("volunteer")
        if courier.id in refused:
            return Fit("refused", {"how": refused[courier.id]})
        if reach and (past := reach.why(si, courier.id)) is not None:
            return past
        return Fit("not_allowed")
    amounts = (job.weight_kg, job.volume_l)
    d = _over(amounts, (courier.capacity_kg, courier.capacity_l))
    if d is not None:
        return Fit("capacity", {"dim": d, "amount": amounts[d],
                                "capacity": (courier.capacity_kg, courier.capacity_l)[d]})
    d = _over(s.amount, v.capacity)
    if d is not None:
        return Fit("cap", {"dim": d, "amount": amounts[d], "cap": v.capacity[d] / 1000})
    if v.max_stops is not None and v.max_stops < 2:
        return Fit("stops", {"limit": v.max_stops})
    t0 = v.time_window.start
    picked = max(t0 + travel(problem, v, v.start, s.pickup.location), s.pickup.time_window.start)
    t = max(picked + s.pickup.service + travel(problem, v, s.pickup.location,
                                               s.delivery.location),
            s.delivery.time_window.start)
    if picked > s.pickup.time_window.end or t > s.delivery.time_window.end:
        return Fit("late", {"arrival_s": t, "by_s": s.delivery.time_window.end})
    end = t + s.delivery.service
    if end > v.time_window.end:
        return Fit("working_time", {"end_s": end, "limit_s": v.time_window.end})
    if v.max_working_time is not None and end - t0 > v.max_working_time:
        return Fit("run_length", {"lasts_s": end - t0, "limit_s": v.max_working_time})
    return Fit(FITS, {"end_s": end})


def table(problem: Problem, couriers: list, jobs: list, refused: dict[int, dict[int, str]],
          only: set[int], reach=None) -> dict[int, dict[int, Fit]]:
    """job id -> courier id -> :class:`Fit` for the jobs of ``only`` (those the plan left
    over) and every courier planned in the cycle (``couriers`` and ``jobs`` are the
    problem's vehicles and shipments, in the same order)."""
    out: dict[int, dict[int, Fit]] = {}
    for si, job in enumerate(jobs):
        if job.id in only:
            out[job.id] = {c.id: fit(problem, vi, si, c, job, refused.get(job.id, {}), reach)
                           for vi, c in enumerate(couriers)}
    return out
