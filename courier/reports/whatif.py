"""What-if: replay a past period's jobs under proposed rules, beside what happened.

The replay uses the real optimiser (:func:`courier.routing.solve`) and the same
rule bounds as live dispatch (:mod:`courier.fairwork.limits`), with simulated
couriers: each real courier, on shift exactly when they really were (breaks
taken out), starting from their last known position, accepting every offer and
riding it as planned; a simulated courier gets no run past the end of their
shift. Every ``step`` seconds of the period, jobs submitted so far and not yet
planned are planned over the couriers on shift, as dispatch does.

The same replay under the rules that were really in force is given too, so
that the effect of the change can be told apart from the simulation's own bias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from courier.dispatch.gate import _factors, vehicle
from courier.dispatch.planning import Places, matrix_provider
from courier.errors import InvalidInput
from courier.extensions import db
from courier.fairwork import intervals, tracking
from courier.fairwork import rules as R
from courier.fairwork.limits import courier_limits
from courier.fairwork.models import RulesVersion
from courier.fairwork.pay import Work
from courier.fairwork.versions import EPOCH, Timeline, latest
from courier.models import Job, JobStatus, utcnow
from courier.reports import earnings as reports
from courier.routing import Problem, Shipment, Stop, TimeWindow, solve
from courier.routing import Vehicle as RoutingVehicle
from courier.routing.geo import LatLon
from courier.solidarity.dispatching import allowed_couriers

MAX_DAYS = 7
MAX_JOBS = 2000


@dataclass
class Sim:
    work: dict[int, Work] = field(default_factory=dict)
    metres: dict[int, int] = field(default_factory=dict)
    served: set[int] = field(default_factory=set)
    late: set[int] = field(default_factory=set)
    cycles: int = 0


def _shift_end(intervals, t: datetime) -> datetime | None:
    return next((e for s, e in intervals if s <= t < e), None)


def replay(jobs: list[Job], couriers: dict, timeline: Timeline, start: datetime,
           end: datetime, step: int, time_limit: float) -> Sim:
    """Plan ``jobs`` over simulated ``couriers`` (id -> (Courier, work intervals))."""
    cfg = current_app.config
    tz = tracking.timezone()
    sim = Sim(work={cid: Work(shifts=intervals.clip(w, start, end)) for cid, (_, w) in
                    couriers.items()}, metres={cid: 0 for cid in couriers})
    todo = sorted(jobs, key=lambda j: (j.created_at, j.id))
    fallback = LatLon(todo[0].pickup_lat, todo[0].pickup_lon) if todo else LatLon(0, 0)
    where = {cid: (LatLon(c.lat, c.lon) if c.lat is not None else fallback, start)
             for cid, (c, _) in couriers.items()}
    pending: list[Job] = []
    t, i = start, 0
    while t < end + timedelta(hours=3) and (i < len(todo) or pending):
        while i < len(todo) and todo[i].created_at <= t:
            pending.append(todo[i])
            i += 1
        pending = [j for j in pending if j.deliver_by > t]
        version = timeline.at(t)
        on = {cid: _shift_end(w, t) for cid, (_, w) in couriers.items()}
        on = {cid: e for cid, e in on.items() if e is not None and where[cid][1] < e}
        if pending and on:
            sim.cycles += 1
            _cycle(sim, pending, couriers, on, where, version, t, tz, cfg, time_limit,
                   matrix_provider())
            pending = [j for j in pending if j.id not in sim.served]
        t += timedelta(seconds=step)
    return sim


def _cycle(sim, pending, couriers, on, where, version, t, tz, cfg, time_limit, provider):
    loc = Places()
    points = loc.points

    doc = version.rules
    fair = doc["fairness"]
    factors = {}
    if fair["balance"] != "off" and fair["strength"] > 0:
        week = t - timedelta(days=7)  # the replay prices nothing: its deliveries stand for pay
        figures = {cid: {"on_shift_s": intervals.seconds(intervals.clip(couriers[cid][1], week, t)),
                         "total_cents": len(sim.work[cid].deliveries)} for cid in on}
        factors = _factors(figures, fair["balance"], fair["strength"])
    vehicles = []
    for cid, shift_end in on.items():
        c, work = couriers[cid]
        lim = courier_limits(doc, version.number, c.vehicle.value, work, t, tz)
        if lim.excluded:
            continue
        pos, free = where[cid]
        begin = max(0, int((free - t).total_seconds()))
        v = RoutingVehicle(id=cid, start=loc(pos), time_window=TimeWindow(
            begin, max(begin, int((shift_end - t).total_seconds()))),
            capacity=(round(c.capacity_kg * 1000), round(c.capacity_l * 1000)),
            speed_factor=cfg["CARGO_SPEED_FACTOR"] if c.vehicle.value == "cargo_bike" else 1.0)
        v = vehicle(v, lim, factors.get(cid, 1.0))
        if lim.deadline_s is None or v.time_window.end > v.time_window.start:
            vehicles.append(v)
    if not vehicles:
        return
    shipments = []
    everyone = frozenset(v.id for v in vehicles)
    volunteers = frozenset(cid for cid in everyone if couriers[cid][0].volunteer)
    for j in pending:
        window = TimeWindow(max(0, int((j.ready_at - t).total_seconds())),
                            max(0, int((j.deliver_by - t).total_seconds())))
        shipments.append(Shipment(
            id=j.id, pickup=Stop(loc(LatLon(j.pickup_lat, j.pickup_lon)), window,
                                 cfg["PICKUP_SERVICE_S"]),
            delivery=Stop(loc(LatLon(j.dropoff_lat, j.dropoff_lon)), window,
                          cfg["DROPOFF_SERVICE_S"]),
            amount=(round(j.weight_kg * 1000), round(j.volume_l * 1000)),
            priority=j.priority,  # as live dispatch: solidarity first, volunteers on it only
            allowed_vehicles=allowed_couriers(j, everyone, volunteers, set())))
    m = provider.matrix(points)
    plan = solve(Problem(shipments, vehicles, m.durations, m.distances,
                         balance=max(1, fair["strength"] // 25) if factors else 0), time_limit)
    jobs = {j.id: j for j in pending}
    for route in plan.routes:
        work = [s for s in route.steps if s.type in ("pickup", "delivery")]
        if not work:
            continue
        for s in work:
            if s.type == "delivery":
                at = t + timedelta(seconds=s.service_start)
                sim.served.add(s.shipment)
                sim.work[route.vehicle].deliveries.append((s.shipment, at))
                if at > jobs[s.shipment].deliver_by:
                    sim.late.add(s.shipment)
        last = work[-1]
        done = t + timedelta(seconds=last.service_start + cfg["DROPOFF_SERVICE_S"])
        sim.work[route.vehicle].rides.append((0, done, route.distance))
        sim.metres[route.vehicle] += route.distance
        where[route.vehicle] = (points[last.location], done)


def _summary(members: list[dict], jobs: int, served: int, late: int, metres: int) -> dict:
    """One side of the comparison; its hourly figures are over ``on_shift_s``, the members'
    hours on shift, beside which pages show them."""
    return {"jobs": jobs, "served": served, "late": late, "unassigned": jobs - served,
            "km": round(metres / 1000, 2),
            "on_shift_s": sum(m["on_shift_s"] for m in members),
            "members": [{"courier_id": m["courier_id"], "name": m["name"],
                         "on_shift_s": m["on_shift_s"], "deliveries": m["deliveries"],
                         "total_cents": m["total_cents"], "topup_cents": m["topup_cents"]}
                        for m in members],
            "total_cents": sum(m["total_cents"] for m in members),
            "fairness": reports.fairness(members)}


def what_if(first: date, last: date, change: dict, step: int = 120,
            time_limit: float = 0.5, now: datetime | None = None) -> dict:
    """Replay ``[first, last]`` under the latest rules with ``change`` laid over them."""
    if (last - first).days + 1 > MAX_DAYS or last < first:
        raise InvalidInput(f"replay 1 to {MAX_DAYS} days", {"to": f"at most {MAX_DAYS} days"})
    now = now or utcnow()
    tz = tracking.timezone()
    start, end = reports.bounds(first, last, tz)
    if end > now:
        raise InvalidInput("replay a period that is over", {"to": "must be in the past"})
    base = latest()
    proposed = RulesVersion(number=base.number + 1, reason="what-if", effective_from=EPOCH,
                            rules=R.validate(R.merge(R.complete(base.rules), change)))
    jobs = db.session.scalars(select(Job).where(
        Job.created_at >= start, Job.created_at < end, Job.status != JobStatus.CANCELLED)
        .order_by(Job.created_at).limit(MAX_JOBS + 1)).all()
    if len(jobs) > MAX_JOBS:
        raise InvalidInput(f"more than {MAX_JOBS} jobs: replay a shorter period",
                           {"from": "period too busy"})
    entries = reports.collect(start, end, now)
    history = tracking.load(list(entries), start - timedelta(days=31))
    couriers = {cid: (e["courier"], history[cid].work(end)) for cid, e in entries.items()
                if e["work"].shifts}
    real = Timeline()
    # an hourly figure over fewer hours than the council set is not shown (nor counted)
    shown = R.value(real.at(now).rules, "fairness.hourly_shown_from_s")
    actual_members = [reports.member_row(e, real, tz, shown) for e in entries.values()
                      if e["work"].shifts or e["work"].deliveries]
    delivered = [j for j in jobs if j.status == JobStatus.DELIVERED]
    actual = _summary(actual_members, len(jobs), len(delivered),
                      sum(1 for j in delivered if j.delivered_at > j.deliver_by),
                      sum(e["km_planned_m"] for e in entries.values()))
    out = {"from": first.isoformat(), "to": last.isoformat(), "base_version": base.number,
           "changes": R.diff(R.complete(base.rules), proposed.rules), "actual": actual}
    for key, timeline in (("replayed_current", real), ("proposed", Timeline([proposed]))):
        sim = replay(jobs, couriers, timeline, start, end, step, time_limit)
        members = [reports.member_row({"courier": couriers[cid][0], "work": sim.work[cid],
                                       "km_planned_m": sim.metres[cid], "active": []},
                                      timeline, tz, shown) for cid in couriers]
        out[key] = _summary(members, len(jobs), len(sim.served), len(sim.late),
                            sum(sim.metres.values()))
        out[key]["cycles"] = sim.cycles
    return out

