"""Whether a dispatch cycle has anything to decide.

A cycle plans the pending jobs over the couriers free to take them. Run again with
nothing changed, it decides what the last one did: the same jobs left for the same
reasons. Every change that could make a difference is written to the event log in
its own transaction (a job sent, cancelled or handed back, an offer answered or
expired, a stop marked, a courier on or off shift or on a break, the rules changed),
so a cycle is due only when the log has grown since the last one, or when time alone
changes what it would decide:

- a run held back to be ridden with later jobs (:mod:`courier.dispatch.holding`)
  reaches the end of its hold;
- a job's cool-down after a courier turned it down ends (``REOFFER_COOLDOWN``): it
  may go back to them;
- the planner left out a job some courier could take alone: the next cycle tries again;
- and, whatever else, ``DISPATCH_RECHECK_S`` after the last cycle (what the log does
  not hold: a free courier's position, live ETAs, the clock's own effect on rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from courier.extensions import db
from courier.models import Event, Job, JobStatus, Run, RunStatus, RunStop


@dataclass(frozen=True)
class Mark:
    """What the last cycle left: the event log's newest entry after it, and when time
    alone makes the next cycle due."""

    event_id: int
    until: datetime


def newest_event() -> int:
    return db.session.scalar(select(func.max(Event.id))) or 0


def _cooldowns_end(now: datetime) -> list[datetime]:
    """When the soonest cool-down of a pending job ends (a courier declined it, let it
    expire or gave it back): then it may be offered to them again."""
    cooldown = timedelta(seconds=current_app.config["REOFFER_COOLDOWN"])
    pending = select(Job.id).where(Job.status == JobStatus.PENDING)
    refused = db.session.scalar(
        select(func.min(Run.ended_at)).join(RunStop, RunStop.run_id == Run.id)
        .where(RunStop.job_id.in_(pending),
               Run.status.in_([RunStatus.DECLINED, RunStatus.EXPIRED]),
               Run.ended_at > now - cooldown))
    released = db.session.scalar(select(func.min(Event.at)).where(
        Event.job_id.in_(pending), Event.subject == "job", Event.action == "released",
        Event.at > now - cooldown))
    return [t + cooldown for t in (refused, released) if t is not None]


def after(now: datetime, due: list[datetime]) -> Mark:
    """The mark of a cycle run (and committed) at ``now``; ``due``: the times its own
    decisions fall due again (holds ending, a job to try again)."""
    recheck = now + timedelta(seconds=current_app.config["DISPATCH_RECHECK_S"])
    return Mark(newest_event(), min([recheck, *due, *_cooldowns_end(now)]))


def due(mark: Mark | None, now: datetime) -> bool:
    """Whether a cycle at ``now`` has anything to decide since ``mark`` (None: no cycle
    yet)."""
    return mark is None or now >= mark.until or newest_event() != mark.event_id
