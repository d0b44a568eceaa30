"""A dispatcher's manual overrides: give a job to a chosen courier, or move a
whole run to another courier. Each is recorded with who did it and why.

An override goes through the same gate as the automatic cycle
(:func:`courier.dispatch.gate.admit`): a blocking rule is never broken (409 naming the
rule, the rules version and the figures); a warning rule's breach is allowed, recorded
with the dispatcher's reason for the council. A multi-drop delivery or a round moves as
a whole, and nothing already on a bike moves (a parcel coming back after a failed
delivery included).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from courier.dispatch import explain, gate, returns, timing
from courier.dispatch.runs import drop_stops
from courier.errors import Conflict, Forbidden, InvalidInput
from courier.extensions import db
from courier.journal import announce_job, announce_run, move_job, move_run, record
from courier.models import Courier, Job, JobStatus, Role, Run, RunStatus, RunStop, User, utcnow
from courier.texts import N_, Phrase, stored

MOVABLE = (JobStatus.PENDING, JobStatus.OFFERED, JobStatus.ACCEPTED)
ASSIGNED_BY = N_("assigned to {name} by {actor}: {reason}")
OVERRIDDEN = N_("warning rule overridden by {actor} ({reason}): {breaches}")


def _check(actor: User, reason: str) -> None:
    if actor.role not in (Role.DISPATCHER, Role.COUNCIL):
        raise Forbidden("only dispatch can override the plan")
    if not reason or not reason.strip():
        raise InvalidInput("say why you override the plan", {"reason": "required"})


def with_group(job: Job) -> list[Job]:
    """``job`` and, for a multi-drop delivery or a round, every other open part of it."""
    if job.group_id is None:
        return [job]
    parts = db.session.scalars(select(Job).where(
        Job.group_id == job.group_id,
        Job.status.not_in((JobStatus.DELIVERED, JobStatus.FAILED, JobStatus.CANCELLED)))
        .order_by(Job.id)).all()
    return list(parts) or [job]


def assign_job(actor: User, job: Job, courier: Courier, reason: str,
               now: datetime | None = None) -> Run:
    """Offer ``job`` (with the rest of its group) to ``courier`` in a run of its own,
    taking it off any other run."""
    _check(actor, reason)
    now = now or utcnow()
    jobs = with_group(job)
    for j in jobs:
        if j.status not in MOVABLE:
            raise Conflict(f"a job that is {j.status.value} cannot be reassigned"
                           + ("" if j.id == job.id else f" (job {j.id} of the same delivery)"),
                           {"status": j.status.value, "job_id": j.id})
    timed = timing.time_legs(courier, timing.pickups_then_dropoffs(jobs), now)
    verdict = gate.admit(courier, jobs, timed.facts, now)
    for j in jobs:
        if j.status != JobStatus.PENDING:
            old = j.run
            move_job(j, (JobStatus.OFFERED, JobStatus.ACCEPTED), JobStatus.PENDING, actor,
                     "unassigned", run=old, reason=reason, announce=False, run_id=None,
                     courier_id=None, conflict="a job that is {status} cannot be reassigned")
            drop_stops(old, {j.id}, actor, reason, now)
    return _offer(actor, courier, jobs, now, reason, timed, verdict)


def reassign_run(actor: User, run: Run, courier: Courier, reason: str,
                 now: datetime | None = None) -> Run:
    """Move every job of ``run`` to ``courier``, as a new offer."""
    _check(actor, reason)
    now = now or utcnow()
    if courier.id == run.courier_id:
        raise Conflict("the run is already this courier's", {"courier_id": courier.id})
    jobs = list(dict.fromkeys(s.job for s in run.stops))
    on_board = [j.id for j in jobs if j.status == JobStatus.PICKED_UP]
    on_board += [s.job_id for s in returns.open_returns(run)]  # parcels coming back
    if on_board:
        raise Conflict(f"jobs {on_board} are on the courier's bike and cannot move",
                       {"jobs": on_board})
    moving = [j for j in jobs if j.status in (JobStatus.OFFERED, JobStatus.ACCEPTED)]
    if not moving:
        raise Conflict("none of the run's jobs can still move", {"jobs": []})
    timed = timing.time_legs(courier, timing.pickups_then_dropoffs(moving), now)
    verdict = gate.admit(courier, moving, timed.facts, now)
    move_run(run, (RunStatus.OFFERED, RunStatus.ACCEPTED), RunStatus.CANCELLED, actor,
             "reassigned", reason=reason, ended_at=now,
             conflict="a run that is {status} cannot be moved")
    for job in moving:
        move_job(job, (JobStatus.OFFERED, JobStatus.ACCEPTED), JobStatus.PENDING, actor,
                 "unassigned", run=run, reason=reason, announce=False, run_id=None,
                 courier_id=None, conflict="a job that is {status} cannot be reassigned")
    announce_run(run, "run.cancelled")
    return _offer(actor, courier, moving, now, reason, timed, verdict)


def _offer(actor: User, courier: Courier, jobs: list[Job], now: datetime, reason: str,
           timed: timing.Timed, verdict: gate.Verdict) -> Run:
    """A new offered run for ``courier`` with ``jobs``, timed as ``timed``."""
    ttl = current_app.config["OFFER_TTL"]
    run = Run(courier=courier, status=RunStatus.OFFERED, created_at=now, planned_start=now,
              planned_end=timed.end, distance_m=timed.distance_m,
              expires_at=now + timedelta(seconds=ttl), reason="")
    db.session.add(run)
    db.session.flush()
    for seq, (leg, at) in enumerate(zip(timing.pickups_then_dropoffs(jobs), timed.arrivals,
                                        strict=True)):
        run.stops.append(RunStop(seq=seq, job_id=leg.job.id, kind=leg.kind, lat=leg.at.lat,
                                 lon=leg.at.lon, planned_arrival=at))
    why = Phrase(ASSIGNED_BY, name=courier.user.first_name, actor=actor.name,
                 reason=reason.strip())
    run.reason, run.reason_phrase = stored(why)
    for job in jobs:
        move_job(job, JobStatus.PENDING, JobStatus.OFFERED, actor, "offered", run=run,
                 reason=why, announce=False, run_id=run.id, courier_id=courier.id,
                 unassigned_reason=None, unassigned_reason_phrase=None,
                 conflict="a job that is {status} cannot be offered")
    record(actor, "run", "offered", run=run, to_status=RunStatus.OFFERED, reason=why,
           data={"jobs": [j.id for j in jobs], "override": True,
                 "rules_version": verdict.version.number})
    if verdict.warnings:  # allowed with the dispatcher's reason; the council sees it
        breaches = explain.breaches_said(verdict.warnings)
        record(actor, "run", "rule_warning", run=run,
               reason=Phrase(OVERRIDDEN, actor=actor.name, reason=reason.strip(),
                             breaches=breaches),
               data={"rules_version": verdict.version.number, "override": True,
                     "warnings": [{"rule": w["rule"], "text": str(w["text"]),
                                   "figures": w.get("figures", {})} for w in verdict.warnings]})
    for job in jobs:
        announce_job(job)
    announce_run(run, "run.offered")
    return run
