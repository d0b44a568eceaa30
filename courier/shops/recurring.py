"""The worker makes the jobs of the shops' schedules ahead of time: every occurrence
within the coop's horizon (``schedule_horizon_days``) is submitted through
:func:`courier.shops.submit.submit_job`, the one path of every job (zones, price, the
shop's own rules), with an Idempotency-Key per schedule and occurrence: a restart, a
second worker or a pass run twice find the job made and make no other (on PostgreSQL a
concurrent twin waits for the first to commit, then finds it). An occurrence that is
refused (outside the zones now, say) is recorded on the schedule and in the event log,
and not tried again."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from courier import settings
from courier.errors import DomainError
from courier.extensions import db
from courier.journal import record
from courier.models import Job, JobSchedule, utcnow
from courier.shops import recurrence, schedules
from courier.shops.submit import submit_job

log = logging.getLogger(__name__)


# A schedule made up to its horizon is looked at again once the horizon has moved on this
# far (the dispatch loop runs every second: not a write per schedule and second).
AGAIN = timedelta(minutes=5)


def horizon() -> timedelta:
    return timedelta(days=float(settings.get("schedule_horizon_days")))


def _made(row: JobSchedule, k: str) -> bool:
    return db.session.scalar(select(Job.id).where(Job.merchant_id == row.merchant_id,
                                                  Job.idempotency_key == k)) is not None


def _submit(row: JobSchedule, at: datetime, now: datetime) -> Job | None:
    k = schedules.key(row, at)
    if _made(row, k):
        return None
    body = {**row.job, "ready_at": at, "deliver_by": at + timedelta(minutes=row.window_minutes)}
    try:
        with db.session.begin_nested():
            job, created = submit_job(row.merchant.user, body, k, now=now)
    except DomainError as err:
        row.last_error, row.last_error_at = err.message[:500], now
        record(None, "schedule", "occurrence_refused", reason=err.message[:500],
               data={"schedule_id": row.id, "at": at.isoformat(), "fields": err.fields})
        return None
    return job if created else None


def make_schedule(row: JobSchedule, now: datetime) -> list[Job]:
    """Submit the jobs of ``row`` due within the horizon (flushed)."""
    until = now + horizon()
    after = max(row.made_until or now, now)
    made = []
    for at in recurrence.occurrences(schedules.rule_of(row), schedules.exdates_of(row),
                                     after, until):
        job = _submit(row, at, now)
        if job is not None:
            made.append(job)
    row.made_until = until
    return made


def make_due(now: datetime | None = None) -> int:
    """One pass of the worker: each active schedule not yet made up to the horizon (new,
    changed, or made up to more than ``AGAIN`` ago) is made and committed on its own.
    Returns how many jobs were made."""
    now = now or utcnow()
    ids = db.session.scalars(select(JobSchedule.id).where(
        JobSchedule.paused.is_(False),
        or_(JobSchedule.made_until.is_(None),
            JobSchedule.made_until < now + horizon() - AGAIN))
        .order_by(JobSchedule.id)).all()
    count = 0
    for schedule_id in ids:
        row = db.session.get(JobSchedule, schedule_id)
        if row is None or row.paused:
            continue
        try:
            count += len(make_schedule(row, now))
            db.session.commit()
        except DomainError as err:  # the rule itself no longer reads
            db.session.rollback()
            log.warning("schedule %s: %s", schedule_id, err.message)
    return count
