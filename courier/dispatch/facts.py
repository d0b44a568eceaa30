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

import numpy as np

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
    problem's vehicles and shipments, in the same order): :func:`fit` of every pair,
    worked out for all couriers at once (a courier the job may not go to is asked of
    :func:`fit` itself)."""
    rows = [(si, job) for si, job in enumerate(jobs) if job.id in only]
    if not rows:
        return {}
    if not couriers:
        return {job.id: {} for _, job in rows}
    each = _Vehicles(problem, couriers)
    return {job.id: each.row(si, job, refused.get(job.id, {}), reach) for si, job in rows}


def _dim(amounts, limits, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``n`` vehicles: whether any of ``amounts`` exceeds its limit
    (``limits``: one array per dimension), and the first dimension that does (as
    :func:`_over`)."""
    over = [amounts[d] > lim + 1e-9 for d, lim in enumerate(limits) if d < len(amounts)]
    first = np.full(n, -1)
    for d in range(len(over) - 1, -1, -1):
        first = np.where(over[d], d, first)
    return first >= 0, first


class _Vehicles:
    """The cycle's vehicles as arrays, for :func:`table`."""

    def __init__(self, problem: Problem, couriers: list):
        vs = problem.vehicles
        self.problem, self.couriers = problem, couriers
        self.ids = [v.id for v in vs]
        self.d = np.asarray(problem.durations).astype(np.int64)  # as travel() truncates
        self.start = np.array([v.start for v in vs])
        self.t0 = np.array([v.time_window.start for v in vs], dtype=np.int64)
        self.tw_end = np.array([v.time_window.end for v in vs], dtype=np.int64)
        self.sf = np.array([v.speed_factor for v in vs], dtype=float)
        self.slow = self.sf != 1.0
        self.mwt = np.array([-1 if v.max_working_time is None else v.max_working_time
                             for v in vs], dtype=np.int64)
        self.stops = np.array([v.max_stops is not None and v.max_stops < 2 for v in vs])
        dims = max((len(v.capacity) for v in vs), default=0)
        self.cap = [np.array([v.capacity[d] if d < len(v.capacity) else np.inf for v in vs],
                             dtype=float) for d in range(dims)]
        self.own = [np.array([c.capacity_kg for c in couriers], dtype=float),
                    np.array([c.capacity_l for c in couriers], dtype=float)]

    def _travel(self, base) -> np.ndarray:
        """:func:`travel` for every vehicle from ``base`` (truncated matrix times)."""
        slow = np.ceil(base * self.sf - 1e-9).astype(np.int64)
        return np.where(self.slow, slow, base)

    def row(self, si: int, job, refused: dict, reach) -> dict[int, Fit]:
        problem, s = self.problem, self.problem.shipments[si]
        pu, de = s.pickup, s.delivery
        amounts = (job.weight_kg, job.volume_l)
        n = len(self.ids)
        own, own_dim = _dim(amounts, self.own, n)
        cap, cap_dim = _dim(s.amount, self.cap, n)
        picked = np.maximum(self.t0 + self._travel(self.d[self.start, pu.location]),
                            pu.time_window.start)
        ride = self._travel(np.full(n, self.d[pu.location, de.location]))
        t = np.maximum(picked + pu.service + ride, de.time_window.start)
        end = t + de.service
        late = (picked > pu.time_window.end) | (t > de.time_window.end)
        long = (self.mwt >= 0) & (end - self.t0 > self.mwt)
        out: dict[int, Fit] = {}
        allowed = s.allowed_vehicles
        for vi, c in enumerate(self.couriers):
            if allowed is not None and self.ids[vi] not in allowed:
                out[c.id] = fit(problem, vi, si, c, job, refused, reach)
            elif own[vi]:
                d = int(own_dim[vi])
                out[c.id] = Fit("capacity", {"dim": d, "amount": amounts[d],
                                             "capacity": (c.capacity_kg, c.capacity_l)[d]})
            elif cap[vi]:
                d = int(cap_dim[vi])
                out[c.id] = Fit("cap", {"dim": d, "amount": amounts[d],
                                        "cap": problem.vehicles[vi].capacity[d] / 1000})
            elif self.stops[vi]:
                out[c.id] = Fit("stops", {"limit": problem.vehicles[vi].max_stops})
            elif late[vi]:
                out[c.id] = Fit("late", {"arrival_s": int(t[vi]), "by_s": de.time_window.end})
            elif end[vi] > self.tw_end[vi]:
                out[c.id] = Fit("working_time", {"end_s": int(end[vi]),
                                                 "limit_s": int(self.tw_end[vi])})
            elif long[vi]:
                out[c.id] = Fit("run_length", {"lasts_s": int(end[vi] - self.t0[vi]),
                                               "limit_s": int(self.mwt[vi])})
            else:
                out[c.id] = Fit(FITS, {"end_s": int(end[vi])})
        return out
