"""What shops and couriers do: submit and cancel jobs, go on shift, report position.

Each function takes the acting user, changes the session (flushing, never
committing) and raises a DomainError when the action is not allowed. The caller
commits once; live messages go out after that commit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courier import outbox
from courier.dispatch.lifecycle import DISPATCH_ROOM, announce_job, announce_run, move_job, record
from courier.dispatch.pricing import price_cents
from courier.dispatch.runs import decline_run, finish_run_if_complete
from courier.errors import Conflict, Forbidden, InvalidInput
from courier.extensions import db
from courier.models import Courier, Job, JobStatus, Role, Run, RunStatus, User, utcnow

CANCELLABLE = (JobStatus.PENDING, JobStatus.OFFERED, JobStatus.ACCEPTED)


def _request_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _existing(merchant_id: int, key: str) -> Job | None:
    stmt = select(Job).where(Job.merchant_id == merchant_id, Job.idempotency_key == key)
    return db.session.scalars(stmt).first()


def _replay(job: Job, digest: str) -> Job:
    if job.request_hash != digest:
        raise InvalidInput("this Idempotency-Key was already used with a different request",
                           {"Idempotency-Key": "already used with a different request"})
    return job


def submit_job(user: User, data: dict, idempotency_key: str | None = None,
               now: datetime | None = None) -> tuple[Job, bool]:
    """Create a job for the shop of ``user``. Returns ``(job, created)``.

    With an ``idempotency_key`` a retry returns the original job (``created`` is
    False) instead of making a second one, even when both arrive at once.
    """
    if user.role != Role.MERCHANT or user.merchant is None:
        raise Forbidden("only a shop can submit jobs")
    merchant = user.merchant
    now = now or utcnow()
    digest = _request_hash(data)
    if idempotency_key:
        found = _existing(merchant.id, idempotency_key)
        if found is not None:
            return _replay(found, digest), False

    pickup = data.get("pickup") or {}
    if "lat" not in pickup:
        if merchant.lat is None:
            raise InvalidInput("this shop has no location: give a pickup",
                               {"pickup": "required: the shop has no location"})
        pickup = {"lat": merchant.lat, "lon": merchant.lon,
                  "address": pickup.get("address") or merchant.address}
    ready_at = data.get("ready_at") or now
    minutes = current_app.config["DEFAULT_DELIVERY_MINUTES"]
    deliver_by = data.get("deliver_by") or ready_at + timedelta(minutes=minutes)
    if deliver_by <= ready_at:
        raise InvalidInput("deliver_by must be after ready_at",
                           {"deliver_by": "must be after ready_at"})
    if deliver_by <= now:
        raise InvalidInput("deliver_by is already past", {"deliver_by": "must be in the future"})
    recipient = data.get("recipient") or {}
    job = Job(
        merchant=merchant, status=JobStatus.PENDING,
        pickup_lat=pickup["lat"], pickup_lon=pickup["lon"],
        pickup_address=pickup.get("address") or "",
        dropoff_lat=data["dropoff"]["lat"], dropoff_lon=data["dropoff"]["lon"],
        dropoff_address=data["dropoff"].get("address") or "",
        ready_at=ready_at, deliver_by=deliver_by,
        weight_kg=data.get("weight_kg") or 0.0, volume_l=data.get("volume_l") or 0.0,
        recipient_name=recipient.get("name") or "", recipient_phone=recipient.get("phone") or "",
        notes=data.get("notes") or "", price_cents=price_cents(pickup, data["dropoff"]),
        idempotency_key=idempotency_key, request_hash=digest, created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        # Another request with the same key committed first: hand back its job.
        found = _existing(merchant.id, idempotency_key) if idempotency_key else None
        if found is None:
            raise
        return _replay(found, digest), False
    record(user, "job", "created", job=job, to_status=JobStatus.PENDING)
    announce_job(job)
    return job, True


def cancel_job(user: User, job: Job, reason: str = "") -> Job:
    """The shop (or a dispatcher) cancels a job that has not been picked up yet."""
    if user.role == Role.MERCHANT:
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
    record(user, "courier", "shift_started" if online else "shift_ended", courier=courier).at = now
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
