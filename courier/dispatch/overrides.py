"""A dispatcher's manual overrides: give a job to a chosen courier, or move a
whole run to another courier. Each is recorded with who did it and why.

Nothing already on a bike moves: a picked-up job stays with its courier.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from courier.dispatch.planning import travel_matrix
from courier.errors import Conflict, Forbidden, InvalidInput
from courier.extensions import db
from courier.journal import announce_job, announce_run, move_job, move_run, record
from courier.models import (
    Courier,
    Job,
    JobStatus,
    Role,
    Run,
    RunStatus,
    RunStop,
    StopKind,
    User,
    utcnow,
)
from courier.routing.geo import LatLon
from courier.solidarity.dispatching import check_assignable
from courier.texts import N_, Phrase, stored

MOVABLE = (JobStatus.PENDING, JobStatus.OFFERED, JobStatus.ACCEPTED)
ASSIGNED_BY = N_("assigned to {name} by {actor}: {reason}")


def _check(actor: User, courier: Courier, reason: str) -> None:
    if actor.role not in (Role.DISPATCHER, Role.COUNCIL):
        raise Forbidden("only dispatch can override the plan")
    if not reason or not reason.strip():
        raise InvalidInput("say why you override the plan", {"reason": "required"})
    if not courier.on_shift or courier.lat is None:
        raise Conflict(f"{courier.user.name} is not on shift", {"courier_id": courier.id})


def assign_job(actor: User, job: Job, courier: Courier, reason: str,
               now: datetime | None = None) -> Run:
    """Offer ``job`` to ``courier`` in a run of its own, taking it off any other run."""
    _check(actor, courier, reason)
    check_assignable(courier, [job])
    now = now or utcnow()
    if job.status not in MOVABLE:
        raise Conflict(f"a job that is {job.status.value} cannot be reassigned",
                       {"status": job.status.value})
    old = job.run
    if job.status != JobStatus.PENDING:
        move_job(job, (JobStatus.OFFERED, JobStatus.ACCEPTED), JobStatus.PENDING, actor,
                 "unassigned", run=old, reason=reason, announce=False, run_id=None,
                 courier_id=None, conflict="a job that is {status} cannot be reassigned")
        _drop_stops(old, {job.id}, actor, reason)
    return _offer(actor, courier, [job], now, reason)


def reassign_run(actor: User, run: Run, courier: Courier, reason: str,
                 now: datetime | None = None) -> Run:
    """Move every job of ``run`` to ``courier``, as a new offer in the same order."""
    _check(actor, courier, reason)
    now = now or utcnow()
    if courier.id == run.courier_id:
        raise Conflict("the run is already this courier's", {"courier_id": courier.id})
    jobs = list(dict.fromkeys(s.job for s in run.stops))
    check_assignable(courier, jobs)
    on_board = [j.id for j in jobs if j.status == JobStatus.PICKED_UP]
    if on_board:
        raise Conflict(f"jobs {on_board} are on the courier's bike and cannot move",
                       {"jobs": on_board})
    move_run(run, (RunStatus.OFFERED, RunStatus.ACCEPTED), RunStatus.CANCELLED, actor,
             "reassigned", reason=reason, ended_at=now,
             conflict="a run that is {status} cannot be moved")
    moving = []
    for job in jobs:
        if move_job(job, (JobStatus.OFFERED, JobStatus.ACCEPTED), JobStatus.PENDING, actor,
                    "unassigned", run=run, reason=reason, announce=False, run_id=None,
                    courier_id=None):
            moving.append(job)
    announce_run(run, "run.cancelled")
    if not moving:
        raise Conflict("none of the run's jobs can still move", {"jobs": []})
    return _offer(actor, courier, moving, now, reason)


def _drop_stops(run: Run | None, job_ids: set[int], actor: User, reason: str) -> None:
    if run is None:
        return
    for stop in [s for s in run.stops if s.job_id in job_ids]:
        run.stops.remove(stop)
    from courier.dispatch.runs import finish_run_if_complete

    db.session.flush()
    if not run.stops:
        move_run(run, (RunStatus.OFFERED, RunStatus.ACCEPTED), RunStatus.CANCELLED, actor,
                 "cancelled", reason=reason, ended_at=utcnow())
        announce_run(run, "run.cancelled")
    elif not finish_run_if_complete(run, actor):
        announce_run(run, "run.updated")


def _offer(actor: User, courier: Courier, jobs: list[Job], now: datetime, reason: str) -> Run:
    """A new offered run for ``courier`` with ``jobs``: all pickups, then all drop-offs."""
    stops = ([(j, StopKind.PICKUP, LatLon(j.pickup_lat, j.pickup_lon)) for j in jobs]
             + [(j, StopKind.DROPOFF, LatLon(j.dropoff_lat, j.dropoff_lon)) for j in jobs])
    points = [LatLon(courier.lat, courier.lon)] + [p for _, _, p in stops]
    matrix = travel_matrix(points)
    ttl = current_app.config["OFFER_TTL"]
    run = Run(courier=courier, status=RunStatus.OFFERED, created_at=now, planned_start=now,
              planned_end=now, expires_at=now + timedelta(seconds=ttl), reason="")
    db.session.add(run)
    db.session.flush()
    t, dist = now, 0
    for seq, (job, kind, _) in enumerate(stops):
        t += timedelta(seconds=int(matrix.durations[seq][seq + 1]))
        dist += int(matrix.distances[seq][seq + 1])
        run.stops.append(RunStop(seq=seq, job_id=job.id, kind=kind, lat=points[seq + 1].lat,
                                 lon=points[seq + 1].lon, planned_arrival=t))
        service = "PICKUP_SERVICE_S" if kind == StopKind.PICKUP else "DROPOFF_SERVICE_S"
        t += timedelta(seconds=current_app.config[service])
    run.planned_end, run.distance_m = t, dist
    why = Phrase(ASSIGNED_BY, name=courier.user.first_name, actor=actor.name,
                 reason=reason.strip())
    run.reason, run.reason_phrase = stored(why)
    for job in jobs:
        move_job(job, JobStatus.PENDING, JobStatus.OFFERED, actor, "offered", run=run,
                 reason=why, announce=False, run_id=run.id, courier_id=courier.id,
                 unassigned_reason=None, unassigned_reason_phrase=None,
                 conflict="a job that is {status} cannot be offered")
    record(actor, "run", "offered", run=run, to_status=RunStatus.OFFERED, reason=why,
           data={"jobs": [j.id for j in jobs], "override": True})
    for job in jobs:
        announce_job(job)
    announce_run(run, "run.offered")
    return run
