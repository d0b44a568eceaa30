"""Work held back a few minutes, to be ridden with the jobs still to come.

A cycle that offers every job the moment it arrives sends one courier per job: the
jobs a shop sends a few minutes apart, to the same part of town, go to different
couriers, each riding to the shop and back out. So a planned run is not offered yet
while every job on it was sent less than ``DISPATCH_HOLD_S`` ago and the run, started
that much later, would still bring each of its jobs to the door with
``DISPATCH_HOLD_MARGIN_S`` to spare: its jobs stay pending and are planned again with
the jobs sent meanwhile, at the latest when the oldest of them has waited
``DISPATCH_HOLD_S``. An urgent job, a job sent back by a courier, or a run that would
come too close to a window is offered at once. ``DISPATCH_HOLD_S`` = 0 holds nothing.

The shop reads why its job waits (held until when, for which courier), and so does
the courier the run was planned for.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from flask import current_app

from courier.fairwork import tracking
from courier.journal import record
from courier.texts import N_, Phrase, stored

HELD = N_("not offered yet: planned for {name}, held until {time} to be ridden with jobs "
          "still to come the same way")
HELD_FOR_YOU = N_("work planned for you is held until {time}, to be ridden with jobs still "
                  "to come the same way")


def until(route, jobs: dict, now: datetime, refused=()) -> datetime | None:
    """When ``route`` (a planned route of the cycle at ``now``; ``jobs``: job id -> job)
    is to be offered at the latest, if it is held; None to offer it now (also when a job
    on it was just turned down or given back: ``refused``)."""
    cfg = current_app.config
    hold = timedelta(seconds=cfg["DISPATCH_HOLD_S"])
    work = [s for s in route.steps if s.type in ("pickup", "delivery")]
    if not hold or not work:
        return None
    mine = [jobs[j] for j in dict.fromkeys(s.shipment for s in work)]
    if any(j.id in refused for j in mine):
        return None
    end = min(j.created_at for j in mine) + hold
    if end <= now:
        return None
    margin = timedelta(seconds=cfg["DISPATCH_HOLD_MARGIN_S"]) + (end - now)
    for s in work:  # every stop, started ``end - now`` later, still in time with the margin
        if now + timedelta(seconds=s.service_start) + margin > jobs[s.shipment].deliver_by:
            return None
    return end


def hold(actor, plan, jobs: dict, couriers: dict, now: datetime, refused=()):
    """``plan`` without the routes held back (see the module docstring), and courier id
    -> (until, the jobs held for them). Each held job says why it waits (an event when
    the reason changes). ``refused``: the jobs turned down or given back lately."""
    kept, held = [], {}
    for route in plan.routes:
        end = until(route, jobs, now, refused)
        if end is None:
            kept.append(route)
            continue
        ids = list(dict.fromkeys(s.shipment for s in route.steps
                                 if s.type in ("pickup", "delivery")))
        held[route.vehicle] = (end, ids)
        courier = couriers[route.vehicle]
        for job_id in ids:
            _say(actor, jobs[job_id], Phrase(HELD, name=courier.user.first_name,
                                             time=_local(end)), end)
    if not held:
        return plan, held
    return dataclasses.replace(plan, routes=tuple(kept)), held


def for_courier(end: datetime) -> Phrase:
    """Why a courier whose run is held got no offer in this cycle."""
    return Phrase(HELD_FOR_YOU, time=_local(end))


def _say(actor, job, text: Phrase, end: datetime) -> None:
    sentence, phrase = stored(text)
    if job.unassigned_reason != sentence:
        job.unassigned_reason, job.unassigned_reason_phrase = sentence, phrase
        record(actor, "job", "not_assigned", job=job, reason=text,
               data={"code": "held", "until": end.isoformat()})


def _local(t: datetime) -> str:
    return f"{t.astimezone(tracking.timezone()):%H:%M}"
