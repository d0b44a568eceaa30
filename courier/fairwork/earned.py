"""What each courier has worked and earned in a period, from the record: time on shift
(breaks out), deliveries, runs accepted and ridden, time active on a run. Pay is
computed from these facts (:mod:`courier.fairwork.pay`); the earnings reports and
dispatch's balancing both read them here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courier.extensions import db
from courier.fairwork import tracking
from courier.fairwork.intervals import clip, seconds
from courier.fairwork.pay import Work, pay_lines, pays_failed_ride
from courier.fairwork.versions import Timeline
from courier.models import Courier, Event, Job, JobStatus, Run, RunStatus, StopKind


def failed_at(job_ids: list[int]) -> dict[int, datetime]:
    """When each of these failed jobs failed (its ``failed`` event)."""
    if not job_ids:
        return {}
    rows = db.session.execute(select(Event.job_id, Event.at).where(
        Event.action == "failed", Event.job_id.in_(job_ids))).all()
    return {job_id: at for job_id, at in rows}


def counted(stop, pay_ride: bool) -> bool:
    """Whether a stop of a run that ended counts towards its km: done, or the dropoff of
    a failed attempt when the rules pay its ride."""
    return stop.done_at is not None or (
        pay_ride and stop.kind == StopKind.DROPOFF and stop.job.status == JobStatus.FAILED)


def ridden_m(run: Run, timeline: Timeline) -> int:
    """The km a run that ended counts (metres): its distance in proportion to the stops
    counted, under the rules in force when it ended."""
    if not run.stops:
        return 0
    ride = pays_failed_ride(timeline.at(run.ended_at or run.planned_end))
    return run.distance_m * sum(1 for s in run.stops if counted(s, ride)) // len(run.stops)


def _active(run: Run, now: datetime) -> tuple[datetime, datetime] | None:
    if run.accepted_at is None:
        return None
    done = [s.done_at for s in run.stops if s.done_at is not None]
    if run.status == RunStatus.ACCEPTED:
        end = now
    else:
        end = max(done) if done else (run.ended_at or run.accepted_at)
    return (run.accepted_at, max(run.accepted_at, end))


def collect(start: datetime, end: datetime, now: datetime,
            courier_ids: list[int] | None = None) -> dict[int, dict]:
    """Per courier: their :class:`Work` cut to ``[start, end)`` and the other figures."""
    q = select(Courier).options(selectinload(Courier.user)).order_by(Courier.id)
    if courier_ids is not None:
        q = q.where(Courier.id.in_(courier_ids))
    couriers = db.session.scalars(q).all()
    ids = [c.id for c in couriers]
    until = min(end, now)
    tracked = tracking.load(ids, start)
    out = {c.id: {"courier": c, "work": Work(), "km_planned_m": 0, "active": []}
           for c in couriers}
    for cid, t in tracked.items():
        out[cid]["work"].shifts = clip(t.work(until), start, until)
    jobs = db.session.execute(select(Job.id, Job.courier_id, Job.delivered_at).where(
        Job.status == JobStatus.DELIVERED, Job.courier_id.in_(ids),
        Job.delivered_at >= start, Job.delivered_at < end)).all()
    for job_id, cid, at in jobs:
        out[cid]["work"].deliveries.append((job_id, at))
    failed = dict(db.session.execute(select(Job.id, Job.courier_id).where(
        Job.status == JobStatus.FAILED, Job.courier_id.in_(ids),
        Job.updated_at >= start)).all())  # it changed when it failed, if not since
    for job_id, at in failed_at(list(failed)).items():
        if start <= at < end:
            out[failed[job_id]]["work"].failed.append((job_id, at))
    timeline = Timeline()
    runs = db.session.scalars(select(Run).options(selectinload(Run.stops)).where(
        Run.courier_id.in_(ids), Run.accepted_at.is_not(None), Run.accepted_at < end,
        (Run.ended_at.is_(None)) | (Run.ended_at >= start))).all()
    for run in runs:
        row = out[run.courier_id]
        if start <= run.accepted_at < end:
            row["km_planned_m"] += run.distance_m
        if run.status == RunStatus.DONE and run.ended_at and start <= run.ended_at < end:
            row["work"].rides.append((run.id, run.ended_at, ridden_m(run, timeline)))
        span = _active(run, now)
        if span:
            row["active"].append(span)
    return out


def so_far(courier_ids: list[int], start: datetime, now: datetime) -> dict[int, dict]:
    """Hours on shift and pay since ``start``: the figures balancing evens out."""
    tz = tracking.timezone()
    timeline = Timeline()
    out = {}
    for cid, entry in collect(start, now, now, courier_ids).items():
        volunteer = entry["courier"].volunteer  # never paid
        lines = [] if volunteer else pay_lines(entry["work"], timeline, tz)
        out[cid] = {"on_shift_s": seconds(entry["work"].shifts),
                    "total_cents": sum(x.cents for x in lines)}
    return out


def balanced_by(figures: dict, mode: str) -> int:
    """The figure of :func:`so_far` the council's fairness ``mode`` evens out: hours on
    shift (``hours``), pay (``pay``), or pay per hour on shift (``hourly``: so that no
    member waits on shift for work while others ride, under the guaranteed rate)."""
    if mode == "hours":
        return figures["on_shift_s"]
    if mode == "pay":
        return figures["total_cents"]
    if mode == "hourly":
        shift = figures["on_shift_s"]
        return round(figures["total_cents"] * 3600 / shift) if shift else 0
    raise ValueError(f"unknown fairness mode {mode!r}")
