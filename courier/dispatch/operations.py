"""What shops and couriers do: submit and cancel jobs, go on shift, report position.

Each function takes the acting user, changes the session (flushing, never
committing) and raises a DomainError when the action is not allowed. The caller
commits once; live messages go out after that commit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import bindparam, select

from courier import outbox
from courier.db import insert_row
from courier.dispatch.runs import decline_run, finish_run_if_complete
from courier.errors import Conflict, DomainError, Forbidden, InvalidInput
from courier.extensions import db
from courier.journal import DISPATCH_ROOM, announce_job, announce_run, move_job, record
from courier.models import Courier, Job, JobStatus, Role, Run, RunStatus, User, utcnow
from courier.shops.intake import prepare as prepare_delivery

CANCELLABLE = (JobStatus.PENDING, JobStatus.OFFERED, JobStatus.ACCEPTED)


def _request_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


_KEYED = select(Job.id).where(Job.merchant_id == bindparam("merchant_id"),
                             Job.idempotency_key == bindparam("key"))


def _existing(merchant_id: int, key: str) -> Job | None:
    """The shop's job submitted with Idempotency-Key ``key`` (only its id is read first:
    nearly every key is new, and loading no job costs less than loading one)."""
    job_id = db.session.scalar(_KEYED, {"merchant_id": merchant_id, "key": key})
    return db.session.get(Job, job_id) if job_id is not None else None


def _replay(job: Job, digest: str) -> Job:
    if job.request_hash != digest:
        raise InvalidInput("this Idempotency-Key was already used with a different request",
                           {"Idempotency-Key": "already used with a different request"})
    if job.group_id is not None:
        job.parts = db.session.scalars(select(Job).where(Job.group_id == job.group_id)
                                       .order_by(Job.id)).all()
    return job


def submit_job(user: User, data: dict, idempotency_key: str | None = None,
               now: datetime | None = None) -> tuple[Job, bool]:
    """Create a job for the shop of ``user``. Returns ``(job, created)``.

    With an ``idempotency_key`` a retry returns the original job (``created`` is
    False) instead of making a second one, even when both arrive at once, and even
    when the request would be refused now (its slot full, its zone closed): the key
    is looked up when the insert finds it taken or the request is refused, so that a
    new key costs no extra query.
    Stops may be addresses (geocoded) and must lie in the service zones; the
    window may be a booked ``slot``; the price is fixed here, never recomputed.
    Several ``dropoffs`` make one job each, grouped (one courier) and priced as
    one; the first job is returned, with every part in ``job.parts``.
    """
    if user.role != Role.MERCHANT or user.merchant is None:
        raise Forbidden("only a shop can submit jobs")
    merchant = user.merchant
    now = now or utcnow()
    digest = _request_hash(data)
    try:
        delivery = prepare_delivery(merchant, data, now)
    except DomainError:  # a retry is answered with its job even if it would be refused now
        found = _existing(merchant.id, idempotency_key) if idempotency_key else None
        if found is None:
            raise
        return _replay(found, digest), False
    first, *rest = delivery.job_fields()
    job = _insert_unless_keyed(dict(first, merchant_id=merchant.id, status=JobStatus.PENDING,
                                    request_hash=digest, created_at=now,
                                    idempotency_key=idempotency_key))
    if job is None:  # a job with this key exists (a retry, or a concurrent twin): hand it back
        found = _existing(merchant.id, idempotency_key)
        if found is None:
            raise Conflict("this Idempotency-Key is being used by another request; retry")
        return _replay(found, digest), False
    jobs = [job] + [Job(merchant=merchant, status=JobStatus.PENDING, request_hash=digest,
                        created_at=now, group_id=job.id, **fields) for fields in rest]
    if rest:  # a multi-drop delivery: each part names the first
        job.group_id = job.id
        db.session.add_all(jobs[1:])
    for part in jobs:
        record(user, "job", "created", job=part, to_status=JobStatus.PENDING)
        part.shop_view = announce_job(part)  # the answer to the shop, as its live message
    if rest:
        job.parts = jobs
    return job, True


def _insert_unless_keyed(values: dict) -> Job | None:
    """Insert a job; None if the shop already has one with this Idempotency-Key (one
    statement, no savepoint: the database skips the row on the key's unique constraint,
    waiting for a concurrent insert of the same key to commit or roll back first)."""
    return insert_row(Job, values, skip_on=("merchant_id", "idempotency_key"))


def cancel_job(user: User, job: Job, reason: str = "") -> Job:
    """The shop or partner (or a dispatcher) cancels a job that has not been picked up yet."""
    if user.role in (Role.MERCHANT, Role.PARTNER):
        if user.merchant is None or job.merchant_id != user.merchant.id:
            raise Forbidden("this job belongs to another shop")
    elif user.role != Role.DISPATCHER:
        raise Forbidden("only the shop or a dispatcher can cancel a job")
    run = job.run
    move_job(job, CANCELLABLE, JobStatus.CANCELLED, user, "cancelled", reason=reason,
             conflict="a job that is {status} can no longer be cancelled")
    if run is not None:
        if not finish_run_if_complete(run, user):
            announce_run(run, "run.updated")
    return job


def set_shift(user: User, online: bool, lat: float | None = None,
              lon: float | None = None, now: datetime | None = None) -> Courier:
    """Go on or off shift. Going off declines any offer still open. Going on is
    refused while a blocking working-time rule says to rest (a warning rule's
    breach is recorded instead)."""
    courier = courier_of(user)
    now = now or utcnow()
    if lat is not None and lon is not None:
        courier.lat, courier.lon, courier.position_at = lat, lon, now
    if online == courier.on_shift:
        return courier
    if online and courier.lat is None:
        raise InvalidInput("your position is needed to go on shift",
                           {"lat": "required to go on shift", "lon": "required to go on shift"})
    if not online:
        open_offers = db.session.scalars(select(Run).where(
            Run.courier_id == courier.id, Run.status == RunStatus.OFFERED)).all()
        for run in open_offers:
            decline_run(user, run, "went off shift")
    if online:
        from courier.fairwork.tracking import check_shift_start

        check_shift_start(user, courier, now)
    courier.on_shift = online
    courier.shift_started_at = now if online else None
    record(user, "courier", "shift_started" if online else "shift_ended", courier=courier, at=now)
    db.session.flush()
    _announce_courier(courier)
    return courier


def update_position(user: User, lat: float, lon: float) -> Courier:
    """Record where an on-shift courier is; nothing is kept off shift."""
    courier = courier_of(user)
    if not courier.on_shift:
        raise Conflict("positions are only taken while on shift", {"on_shift": False})
    courier.lat, courier.lon, courier.position_at = lat, lon, utcnow()
    db.session.flush()
    _announce_courier(courier)
    return courier


def courier_of(user: User) -> Courier:
    if user.role != Role.COURIER or user.courier is None:
        raise Forbidden("only couriers can do this")
    return user.courier


def _announce_courier(courier: Courier) -> None:
    outbox.publish(db.session, "courier.position", {
        "courier_id": courier.id, "name": courier.user.name, "on_shift": courier.on_shift,
        "vehicle": courier.vehicle.value, "lat": courier.lat, "lon": courier.lon,
        "at": courier.position_at.isoformat() if courier.position_at else None,
    }, DISPATCH_ROOM)


__all__ = ["announce_job", "cancel_job", "set_shift", "submit_job", "update_position"]
