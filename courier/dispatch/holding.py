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

A run planned to begin more than ``DISPATCH_AHEAD_S`` from now (its courier rides other
work until then, or its first pickup is not ready before) is not offered yet either:
its jobs are planned again, from the courier's progress as it then stands, until that
much before it begins; and a run offered carries only the jobs it picks up within that
time, the later ones being planned again as it goes. A run accepted an hour ahead
carries every minute its courier loses on the work before it; planned a quarter of an
hour ahead, it starts from where and when that work really ends, or goes to another
courier free sooner.

The shop reads why its job waits (held until when, for which courier), and so does
the courier the run was planned for.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from flask import current_app

from courier.fairwork import tracking
from courier.journal import record
from courier.routing import cut
from courier.texts import N_, Phrase, stored

HELD = N_("not offered yet: planned for {name}, held until {time} to be ridden with jobs "
          "still to come the same way")
HELD_FOR_YOU = N_("work planned for you is held until {time}, to be ridden with jobs still "
                  "to come the same way")
AHEAD = N_("not offered yet: planned for {name} after their current work, offered by {time}")
AHEAD_FOR_YOU = N_("work planned for you after your current run is offered by {time}")


def until(route, jobs: dict, now: datetime, refused=()) -> tuple[datetime, str] | None:
    """When ``route`` (a planned route of the cycle at ``now``; ``jobs``: job id -> job)
    is to be offered at the latest and why (``"hold"``: to ride with jobs to come,
    ``"ahead"``: it begins later), if it is held; None to offer it now. A job just turned
    down or given back (``refused``) is not held to ride with others."""
    cfg = current_app.config
    work = [s for s in route.steps if s.type in ("pickup", "delivery")]
    if not work:
        return None
    ahead = _ahead()
    begins = now + timedelta(seconds=route.steps[0].arrival)
    if ahead and begins - now > ahead:
        return begins - ahead, "ahead"
    hold = timedelta(seconds=cfg["DISPATCH_HOLD_S"])
    mine = [jobs[j] for j in dict.fromkeys(s.shipment for s in work)]
    if not hold or any(j.id in refused for j in mine):
        return None
    end = min(j.created_at for j in mine) + hold
    if end <= now:
        return None
    margin = timedelta(seconds=cfg["DISPATCH_HOLD_MARGIN_S"]) + (end - now)
    for s in work:  # every stop, started ``end - now`` later, still in time with the margin
        if now + timedelta(seconds=s.service_start) + margin > jobs[s.shipment].deliver_by:
            return None
    return end, "hold"


def hold(actor, plan, problem, jobs: dict, couriers: dict, now: datetime, refused=()):
    """``plan`` without the routes held back (see the module docstring), each route
    offered cut to its :func:`first_part`; courier id -> (until, the jobs held for them,
    ``"hold"`` or ``"ahead"``); and when these decisions fall due again (the holds' ends
    and when the jobs cut off runs offered are to be offered). Each held job says why it
    waits (an event when the reason changes). ``refused``: the jobs turned down or given
    back lately."""
    kept, held, due = [], {}, []
    for route in plan.routes:
        why = until(route, jobs, now, refused)
        if why is None:
            route, deferred = first_part(route, problem, now)
            kept.append(route)
            courier = couriers[route.vehicle]
            for job_id, begins in deferred:
                end = now + timedelta(seconds=begins) - _ahead()
                due.append(end)
                _say(actor, jobs[job_id], Phrase(AHEAD, name=courier.user.first_name,
                                                 time=tracking.local(end)), end, "ahead")
            continue
        end, kind = why
        due.append(end)
        ids = list(dict.fromkeys(s.shipment for s in route.steps
                                 if s.type in ("pickup", "delivery")))
        held[route.vehicle] = (end, ids, kind)
        courier = couriers[route.vehicle]
        for job_id in ids:
            text = Phrase(HELD if kind == "hold" else AHEAD, name=courier.user.first_name,
                          time=tracking.local(end))
            _say(actor, jobs[job_id], text, end, kind)
    return dataclasses.replace(plan, routes=tuple(kept)), held, due


def _ahead() -> timedelta:
    return timedelta(seconds=current_app.config["DISPATCH_AHEAD_S"])


def first_part(route, problem, now: datetime) -> tuple:
    """``route`` cut to the jobs picked up within ``DISPATCH_AHEAD_S`` (a multi-drop
    delivery or a round stays whole), and the jobs cut off with when each is planned to
    be picked up (seconds from now): those are planned again as the run goes, like a run
    planned after other work."""
    ahead = _ahead().total_seconds()
    work = [s for s in route.steps if s.type in ("pickup", "delivery")]
    if not ahead or not work:
        return route, []
    groups = {s.id: s.group for s in problem.shipments}
    first: dict = {}
    for s in work:
        if s.type == "pickup":
            key = groups.get(s.shipment) or ("job", s.shipment)
            first.setdefault(key, s.service_start)
    later = {s.shipment: s.service_start for s in work if s.type == "pickup"
             and first[groups.get(s.shipment) or ("job", s.shipment)] > ahead}
    if not later or len(later) == len({s.shipment for s in work}):
        return route, []  # nothing to cut, or the whole run is later (held whole)
    return cut.without(route, later, problem), sorted(later.items())


def for_courier(end: datetime, kind: str) -> Phrase:
    """Why a courier whose run is held got no offer in this cycle."""
    return Phrase(HELD_FOR_YOU if kind == "hold" else AHEAD_FOR_YOU, time=tracking.local(end))


def _say(actor, job, text: Phrase, end: datetime, kind: str) -> None:
    sentence, phrase = stored(text)
    if job.unassigned_reason != sentence:
        job.unassigned_reason, job.unassigned_reason_phrase = sentence, phrase
        record(actor, "job", "not_assigned", job=job, reason=text,
               data={"code": "held" if kind == "hold" else "ahead", "until": end.isoformat()})

