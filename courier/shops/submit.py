"""A shop submits a delivery job: checked, priced and stored in one statement, safe to
retry with an Idempotency-Key, announced to the shop and to dispatch.

Like every operation it takes the acting user, changes the session (never committing)
and raises a DomainError when the action is not allowed; the caller commits once.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import bindparam, select

from courier.db import insert_row
from courier.errors import Conflict, DomainError, Forbidden, InvalidInput
from courier.extensions import db
from courier.journal import announce_job, record
from courier.models import Job, JobStatus, Role, User, utcnow
from courier.shops.intake import prepare as prepare_delivery


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
