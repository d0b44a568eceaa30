"""Delay alerts: a job whose drop-off is now expected past the end of its window, by
more than the margin the coop sets (``delay_margin_min``; negative: warn that many
minutes before the end is reached), gets one ``delayed`` event with the reason in words.
The shop and dispatch hear it live (``job.delayed``) and the shop's webhooks get
``job.delayed``. It is said again only when the lateness moves by ``DELAY_STEP_S``;
once the job is back in its window the alert is lifted (a ``back_on_time`` event).

Accepted work stays with its courier: a late run is alerted, never taken away. An offer
not yet accepted whose plan has become late is withdrawn by :mod:`courier.dispatch.eta`
(:func:`late_plan` says which job, :func:`withdrawn` why), and its jobs are planned
again by the next cycle.
"""

from __future__ import annotations

import math
from datetime import datetime

from flask import current_app

from courier import outbox, settings
from courier.extensions import db
from courier.journal import DISPATCH_ROOM, record, user_room
from courier.models import Job, Run, RunStop, StopKind
from courier.routing.matrix import ellipsoid_distance
from courier.texts import N_, Phrase, stored

LATE = N_("expected {minutes} min after the end of its window: {cause}")
CLOSE = N_("expected only {minutes} min before the end of its window: {cause}")
BACK = N_("expected within its window again")
AT_PICKUP = N_("the courier is waiting at a pickup")
BEHIND = N_("the courier is behind on earlier stops ({stops} before this one)")
RUNNING_LATE = N_("the courier is running {minutes} min behind the plan")
PLANNED_LATE = N_("the run was planned past this window")
WITHDRAWN = N_("offer withdrawn to be planned again: job {job} would arrive {minutes} min "
               "after the end of its window")
NEAR_M = 150  # a courier this close to a stop is at it


def margin_s() -> int:
    """How far past the end of its window a drop-off may be expected before the job is
    late (the coop's ``delay_margin_min``, in seconds; negative: before the end)."""
    return int(float(settings.get("delay_margin_min") or 0) * 60)


def _late_by(stop: RunStop, at: datetime) -> int:
    return int((at - stop.job.deliver_by).total_seconds())


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(abs(seconds) / 60))


def judge(run: Run, etas: list[tuple[RunStop, datetime]], here, now: datetime,
          margin: int | None = None) -> list[Job]:
    """Alert the jobs of ridden ``run`` newly late by its new estimates ``etas`` (or
    whose lateness moved by a step), lift the alert of those back in their window.
    ``here``: where the courier is (to tell waiting at a pickup); ``margin``: the
    coop's (:func:`margin_s`) if already read. Returns the jobs whose alert changed."""
    margin = margin_s() if margin is None else margin
    step = int(current_app.config["DELAY_STEP_S"])
    changed = []
    for stop, at in etas:
        if stop.kind != StopKind.DROPOFF:
            continue
        job, late = stop.job, _late_by(stop, at)
        if late > margin:
            if job.late_by_s is None or abs(late - job.late_by_s) >= step:
                _alert(job, run, at, late, _cause(stop, etas, here, margin), now)
                changed.append(job)
        elif job.late_by_s is not None and late <= min(0, margin):
            job.late_by_s, job.delay_reason, job.delay_reason_phrase = None, None, None
            record(None, "job", "back_on_time", job=job, run=run, reason=Phrase(BACK),
                   data={"eta": at.isoformat()}, at=now)
            changed.append(job)
    return changed


def _cause(stop: RunStop, etas: list, here, margin: int) -> tuple[str, Phrase]:
    """Why ``stop`` is late, as a code and in words."""
    if _late_by(stop, stop.planned_arrival) > margin:
        return "planned_late", Phrase(PLANNED_LATE)
    first = etas[0][0]
    if (first.kind == StopKind.PICKUP and here is not None
            and ellipsoid_distance((here.lat, here.lon), (first.lat, first.lon)) <= NEAR_M):
        return "waiting_at_pickup", Phrase(AT_PICKUP)
    before = [s for s, _ in etas if s.seq < stop.seq and s.job_id != stop.job_id]
    if before:
        return "behind_on_earlier_stops", Phrase(BEHIND, stops=len(before))
    at = next(a for s, a in etas if s is stop)
    return "courier_late", Phrase(RUNNING_LATE,
                                  minutes=_minutes((at - stop.planned_arrival).total_seconds()))


def _alert(job: Job, run: Run, at: datetime, late: int, cause: tuple[str, Phrase],
           now: datetime) -> None:
    code, words = cause
    why = Phrase(LATE if late > 0 else CLOSE, minutes=_minutes(late), cause=words)
    before, job.late_by_s = job.late_by_s, late
    job.delay_reason, job.delay_reason_phrase = stored(why)
    ev = record(None, "job", "delayed", job=job, run=run, reason=why, at=now, data={
        "late_by_s": late, "previous_late_by_s": before, "eta": at.isoformat(),
        "deliver_by": job.deliver_by.isoformat(), "cause": code})
    outbox.publish(db.session, "job.delayed", {
        "job_id": job.id, "event_id": ev.id, "eta": at.isoformat(), "late_by_s": late,
        "deliver_by": job.deliver_by.isoformat(), "cause": code, "reason": str(why),
        "reason_phrase": why.as_json()}, user_room(job.merchant.user_id), DISPATCH_ROOM)


def late_plan(etas: list[tuple[RunStop, datetime]]) -> tuple[Job, int] | None:
    """The job an offer's estimates ``etas`` bring latest past its window by more than
    the margin, with its lateness in seconds, when its plan did not; else None."""
    margin = margin_s()
    late = [(stop.job, _late_by(stop, at)) for stop, at in etas
            if stop.kind == StopKind.DROPOFF and _late_by(stop, at) > margin
            and _late_by(stop, stop.planned_arrival) <= margin]
    return max(late, key=lambda jl: jl[1], default=None)


def withdrawn(job: Job, late: int) -> Phrase:
    return Phrase(WITHDRAWN, job=job.id, minutes=_minutes(late))
