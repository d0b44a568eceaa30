"""A shop's recurring jobs: create, edit, pause, resume and delete a schedule, and see
its next occurrences. Operations take the acting user, flush, and raise DomainErrors;
the jobs themselves are made ahead by the worker (:mod:`courier.shops.recurring`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from courier.errors import DomainError, Forbidden, InvalidInput, NotFound
from courier.extensions import db
from courier.journal import record
from courier.models import Job, JobSchedule, Role, User, utcnow
from courier.shops import intake, recurrence

TIMES = ("ready_at", "deliver_by", "slot")  # each occurrence gives its own
SHAPE = ("job", "rrule", "starts", "exdates", "window_minutes")  # what its jobs depend on
MAX_PER_SHOP = 50


def _merchant(user: User):
    if user.role != Role.MERCHANT or user.merchant is None:
        raise Forbidden("only a shop has recurring jobs")
    return user.merchant


def of_shop(user: User) -> list[JobSchedule]:
    merchant = _merchant(user)
    return list(db.session.scalars(select(JobSchedule).where(
        JobSchedule.merchant_id == merchant.id).order_by(JobSchedule.id)))


def get(user: User, schedule_id: int) -> JobSchedule:
    """The shop's own schedule (404 for another shop's: it is none of its business)."""
    merchant = _merchant(user)
    row = db.session.get(JobSchedule, schedule_id)
    if row is None or row.merchant_id != merchant.id:
        raise NotFound(f"no schedule {schedule_id}")
    return row


def _local(moment: datetime) -> datetime:
    """A start as local wall time (an aware time converted, a naive one taken as local)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(recurrence.zone()).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _apply(row: JobSchedule, data: dict) -> None:
    if "job" in data:
        bad = [k for k in TIMES if k in data["job"]]
        if bad:
            raise InvalidInput("each occurrence gives the job its times",
                               {f"job.{bad[0]}": "not in a schedule: see starts and "
                                                 "window_minutes"})
        row.job = data["job"]
    for name in ("name", "window_minutes", "paused"):
        if name in data:
            setattr(row, name, data[name])
    if "starts" in data:
        row.starts = _local(data["starts"]).isoformat()
    if "exdates" in data:
        row.exdates = sorted({d.isoformat() for d in data["exdates"]})
    if "rrule" in data:
        row.rrule = data["rrule"].strip().removeprefix("RRULE:")
    recurrence.check(rule_of(row), exdates_of(row))
    row.made_until = None  # look again at the horizon: the new rule's dates


def _try(user: User, row: JobSchedule) -> None:
    """The job of the schedule's next occurrence, priced and checked now as it will be
    submitted (the address found, inside the zones, a vehicle for its load): a schedule
    whose jobs would all be refused is refused at once, naming the field under ``job``.
    Nothing is made."""
    now = utcnow()
    found = recurrence.occurrences(rule_of(row), exdates_of(row), now,
                                   now + timedelta(days=3660), limit=1)
    if not found:
        return  # no date to come: nothing would be submitted
    body = {**row.job, "ready_at": found[0],
            "deliver_by": found[0] + timedelta(minutes=row.window_minutes)}
    try:
        intake.quote(user, body, now)
    except DomainError as err:
        err.fields = {f"job.{k}": v for k, v in err.fields.items()} or {"job": err.message}
        raise


def create(user: User, data: dict) -> JobSchedule:
    merchant = _merchant(user)
    if len(of_shop(user)) >= MAX_PER_SHOP:
        raise InvalidInput(f"at most {MAX_PER_SHOP} schedules per shop", {"rrule": "too many"})
    row = JobSchedule(merchant_id=merchant.id, exdates=[],
                      window_minutes=current_app.config["DEFAULT_DELIVERY_MINUTES"])
    _apply(row, data)
    _try(user, row)
    db.session.add(row)
    db.session.flush()
    record(user, "schedule", "schedule_created", data={"schedule_id": row.id})
    return row


def edit(user: User, schedule_id: int, data: dict) -> JobSchedule:
    """Change a schedule. Jobs already made for its next occurrences stay as they are
    (the shop cancels one it no longer wants); the next are made by the new rule."""
    row = get(user, schedule_id)
    with db.session.begin_nested():  # a change refused leaves the schedule as it was
        _apply(row, data)
        if any(name in data for name in SHAPE):
            _try(user, row)
    record(user, "schedule", "schedule_paused" if data.keys() == {"paused"} and data["paused"]
           else "schedule_changed", data={"schedule_id": row.id, "fields": sorted(data)})
    return row


def delete(user: User, schedule_id: int) -> None:
    row = get(user, schedule_id)
    record(user, "schedule", "schedule_deleted", data={"schedule_id": row.id})
    db.session.delete(row)
    db.session.flush()


def rule_of(row: JobSchedule):
    return recurrence.parse(row.rrule, datetime.fromisoformat(row.starts))


def exdates_of(row: JobSchedule) -> list[date]:
    return [date.fromisoformat(d) for d in row.exdates or []]


def key(row: JobSchedule, at: datetime) -> str:
    """The Idempotency-Key of the job of one occurrence: one job per schedule and time."""
    return f"schedule:{row.uid}:{at:%Y%m%dT%H%M%SZ}"


def upcoming(row: JobSchedule, count: int = 10, now: datetime | None = None) -> list[dict]:
    """The next ``count`` occurrences (paused or not), with the job made for each, if any."""
    now = now or utcnow()
    found = recurrence.occurrences(rule_of(row), exdates_of(row), now,
                                   now + timedelta(days=3660), limit=count)
    keys = {key(row, at): at for at in found}
    jobs = dict(db.session.execute(select(Job.idempotency_key, Job.id).where(
        Job.merchant_id == row.merchant_id, Job.idempotency_key.in_(keys))).all()) if keys else {}
    return [{"at": at, "job_id": jobs.get(k)} for k, at in keys.items()]
