"""A dispatch cycle: expire lapsed offers, plan pending jobs over free couriers,
offer one run to each courier who got work, explain what was left.

One cycle at a time: a PostgreSQL advisory lock across processes, a lock in the
process on SQLite (the embedded, single-process setup).
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from courier.dispatch import eta, explain, facts, holding, reach, reasons
from courier.dispatch.planning import build_problem, snapshot
from courier.dispatch.runs import expire_offers
from courier.errors import Conflict
from courier.extensions import db
from courier.journal import announce_job, announce_run, move_job, record
from courier.models import Courier, Job, JobStatus, Run, RunStatus, RunStop, StopKind, User, utcnow
from courier.routing import solve
from courier.texts import stored

log = logging.getLogger(__name__)
_LOCK_KEY = 0x636F7572  # "cour"
_local_lock = threading.Lock()


@dataclass
class CycleResult:
    runs: list[Run] = field(default_factory=list)
    unassigned: list[tuple[Job, str]] = field(default_factory=list)
    expired: list[Run] = field(default_factory=list)
    withdrawn: list[Run] = field(default_factory=list)  # offers whose plan became late
    stats: dict = field(default_factory=dict)
    held: dict = field(default_factory=dict)  # courier id -> (until, job ids, why): held back
    due: list[datetime] = field(default_factory=list)  # when its decisions fall due again


@contextmanager
def cycle_lock():
    """Hold the dispatch lock for the current transaction, or raise Conflict."""
    if db.engine.dialect.name == "postgresql":
        got = db.session.execute(select(func.pg_try_advisory_xact_lock(_LOCK_KEY))).scalar()
        if not got:
            raise Conflict("a dispatch cycle is already running")
        yield
        return
    if not _local_lock.acquire(timeout=0.1):
        raise Conflict("a dispatch cycle is already running")
    try:
        yield
    finally:
        _local_lock.release()


def run_cycle(actor: User | None = None, now: datetime | None = None,
              planner=None) -> CycleResult:
    """Run one cycle and commit it. Raises Conflict if another cycle is running.
    ``planner``: what plans the routing problem (:func:`courier.routing.solve`; a benchmark
    may set a baseline in its place)."""
    try:
        with cycle_lock():
            result = _plan_and_offer(actor, now or utcnow(), planner or solve)
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _plan_and_offer(actor: User | None, now: datetime, planner) -> CycleResult:
    result = CycleResult(expired=expire_offers(now))
    # offers whose plan became late: their jobs are planned again below
    result.withdrawn = eta.sweep(now, actor, offers_only=True) or []
    snap = snapshot(now)
    if not snap.jobs:
        return result
    problem, points = build_problem(snap)
    try:
        plan = planner(problem, time_limit=float(current_app.config["DISPATCH_TIME_LIMIT"]))
    except ValueError as err:  # a problem the planner cannot take: nothing is offered
        log.error("dispatch cycle failed, %d jobs left pending: %s", len(snap.jobs), err)
        result.stats = {"status": "failed", "error": str(err), "jobs": len(snap.jobs),
                        "couriers": len(snap.couriers)}
        return result
    result.stats = {"solve_time": plan.stats.solve_time, "status": plan.stats.status,
                    "jobs": len(snap.jobs), "couriers": len(snap.couriers)}
    plan = reach.trim(plan, problem, points, snap)  # runs cut back to their km and climb caps
    jobs = {j.id: j for j in snap.jobs}
    snap.planned = {route.vehicle for route in plan.routes
                    if any(s.type in ("pickup", "delivery") for s in route.steps)}
    couriers = {c.id: c for c in snap.couriers}
    plan, result.held, result.due = holding.hold(actor, plan, problem, jobs, couriers, now,
                                                 snap.refused)
    for route in plan.routes:
        run = _offer_route(actor, now, couriers[route.vehicle], route, jobs, points, snap)
        if run is not None:
            result.runs.append(run)
    given = {r.courier_id for r in result.runs} | set(result.held)
    left = {miss.shipment for miss in plan.unassigned}  # the facts are said of these alone
    snap.fits = facts.table(problem, snap.couriers, snap.jobs, snap.refused, left, snap.reach)
    if any(f.code == facts.FITS for row in snap.fits.values() for f in row.values()):
        result.due.append(now)  # a job some courier could take alone: try again next cycle
    for miss in plan.unassigned:
        job = jobs[miss.shipment]
        text = reasons.unassigned(job, snap, given)
        result.unassigned.append((job, text))
        sentence, phrase = stored(text)
        if job.unassigned_reason != sentence:
            job.unassigned_reason, job.unassigned_reason_phrase = sentence, phrase
            record(actor, "job", "not_assigned", job=job, reason=text,
                   data={"code": miss.reason, "rules_version": snap.rules.version.number
                         if snap.rules is not None else None})
    explain.not_offered(actor, snap, given, [job for job, _ in result.unassigned],
                        {cid: holding.for_courier(end, kind)
                         for cid, (end, _, kind) in result.held.items()})
    log.info("dispatch cycle: %d jobs, %d couriers, %d runs offered, %d unassigned",
             len(snap.jobs), len(snap.couriers), len(result.runs), len(result.unassigned))
    return result


def _offer_route(actor, now, courier: Courier, route, jobs: dict, points,
                 snap=None) -> Run | None:
    steps = [s for s in route.steps if s.type in ("pickup", "delivery")]
    if not steps:
        return None
    terms = explain.terms(courier, route, snap, points) if snap is not None else explain.Terms()
    if terms.blocked:  # never offer a run that breaks a blocking rule
        return None
    ttl = current_app.config["OFFER_TTL"]
    run = Run(courier=courier, status=RunStatus.OFFERED, created_at=now,
              expires_at=now + timedelta(seconds=ttl),
              planned_start=now + timedelta(seconds=route.steps[0].arrival),
              planned_end=now + timedelta(seconds=route.steps[-1].arrival),
              distance_m=route.distance)
    db.session.add(run)
    db.session.flush()
    taken = set()
    for job_id in dict.fromkeys(s.shipment for s in steps):
        if move_job(jobs[job_id], JobStatus.PENDING, JobStatus.OFFERED, actor, "offered",
                    run=run, announce=False, run_id=run.id, courier_id=courier.id,
                    unassigned_reason=None, unassigned_reason_phrase=None):
            taken.add(job_id)
    if not taken:  # every job changed meanwhile (cancelled): no offer
        db.session.delete(run)
        db.session.flush()
        return None
    seq, peak = 0, 0
    for s in steps:
        if s.shipment not in taken:
            continue
        p = points[s.location]
        run.stops.append(RunStop(seq=seq, job_id=s.shipment, lat=p.lat, lon=p.lon,
                                 kind=StopKind.PICKUP if s.type == "pickup" else StopKind.DROPOFF,
                                 planned_arrival=now + timedelta(seconds=s.arrival)))
        peak = max(peak, s.load[0] if s.load else 0)
        seq += 1
    reason = reasons.offer(courier, len(taken), route.distance / 1000, peak / 1000,
                           **terms.reason_kwargs())
    run.reason, run.reason_phrase = stored(reason)
    record(actor, "run", "offered", run=run, to_status=RunStatus.OFFERED, reason=reason,
           data={"jobs": sorted(taken), **terms.data()})
    explain.record_warnings(actor, run, terms)
    for job_id in sorted(taken):
        announce_job(jobs[job_id])
    announce_run(run, "run.offered")
    return run
