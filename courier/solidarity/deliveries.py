"""A partner's free deliveries for people who need them (medicines, groceries...).

A partner (an association, a town hall's social service) is a user of role
``partner`` with a merchant row of kind ``partner``: its jobs go through the same
lifecycle as a shop's, are free (price 0), carry a priority that dispatch honours
before paid work, and keep their recipient private (:mod:`.privacy`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courier.errors import Forbidden, InvalidInput
from courier.extensions import db
from courier.journal import announce_job, record
from courier.models import Job, JobStatus, Merchant, Role, User, utcnow
from courier.shops import geocoding
from courier.shops.zones import check_in_service
from courier.solidarity.dispatching import PRIORITIES

WHAT = ("medicines", "groceries", "meals", "other")


def partner_of(user: User) -> Merchant:
    if user.role != Role.PARTNER or user.merchant is None:
        raise Forbidden("only a partner can ask for solidarity deliveries")
    return user.merchant


def place(given: dict | None, path: str) -> dict:
    """Coordinates as given, or the address geocoded (InvalidInput naming ``path``)."""
    given = given or {}
    if "lat" in given and "lon" in given:
        return {"lat": given["lat"], "lon": given["lon"], "address": given.get("address") or ""}
    found = geocoding.geocode(given.get("address") or "", f"{path}.address")
    return {"lat": found.lat, "lon": found.lon, "address": given.get("address") or found.label}


def _pickup(partner: Merchant, given: dict | None) -> dict:
    if given and ("lat" in given or (given.get("address") or "").strip()):
        return place(given, "pickup")
    if partner.lat is None:
        raise InvalidInput("this partner has no location: give a pickup",
                           {"pickup": "required: the partner has no location"})
    return {"lat": partner.lat, "lon": partner.lon, "address": partner.address or ""}


def _window(data: dict, now: datetime) -> tuple[datetime, datetime]:
    ready_at = data.get("ready_at") or now
    deliver_by = data.get("deliver_by") or ready_at + timedelta(
        minutes=current_app.config["DEFAULT_DELIVERY_MINUTES"])
    if deliver_by <= ready_at:
        raise InvalidInput("deliver_by must be after ready_at",
                           {"deliver_by": "must be after ready_at"})
    if deliver_by <= now:
        raise InvalidInput("deliver_by is already past", {"deliver_by": "must be in the future"})
    return ready_at, deliver_by


def _digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _existing(partner: Merchant, key: str, digest: str) -> Job | None:
    job = db.session.scalars(select(Job).where(Job.merchant_id == partner.id,
                                               Job.idempotency_key == key)).first()
    if job is not None and job.request_hash != digest:
        raise InvalidInput("this Idempotency-Key was already used with a different request",
                           {"Idempotency-Key": "already used with a different request"})
    return job


def submit_delivery(user: User, data: dict, idempotency_key: str | None = None,
                    now: datetime | None = None) -> tuple[Job, bool]:
    """A free delivery asked by a partner. Returns ``(job, created)``; a retry with
    the same ``idempotency_key`` returns the first job."""
    partner = partner_of(user)
    now = now or utcnow()
    digest = _digest(data)
    if idempotency_key:
        found = _existing(partner, idempotency_key, digest)
        if found is not None:
            return found, False
    ready_at, deliver_by = _window(data, now)
    pickup, dropoff = _pickup(partner, data.get("pickup")), place(data["dropoff"], "dropoff")
    check_in_service([("pickup", pickup["lat"], pickup["lon"], pickup["address"]),
                      ("dropoff", dropoff["lat"], dropoff["lon"], dropoff["address"])])
    recipient = data.get("recipient") or {}
    what = data.get("what", "other")
    job = Job(merchant=partner, status=JobStatus.PENDING, created_at=now, solidarity=True,
              priority=PRIORITIES[data.get("priority", "normal")],
              pickup_lat=pickup["lat"], pickup_lon=pickup["lon"],
              pickup_address=pickup["address"], dropoff_lat=dropoff["lat"],
              dropoff_lon=dropoff["lon"], dropoff_address=dropoff["address"],
              ready_at=ready_at, deliver_by=deliver_by, weight_kg=data.get("weight_kg", 0.0),
              volume_l=data.get("volume_l", 0.0), recipient_name=recipient.get("name", ""),
              recipient_phone=recipient.get("phone", ""), notes=data.get("notes", ""),
              price_cents=0, price_breakdown={"free": True, "solidarity": what},
              idempotency_key=idempotency_key, request_hash=digest)
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        found = _existing(partner, idempotency_key, digest) if idempotency_key else None
        if found is None:
            raise
        return found, False
    record(user, "job", "created", job=job, to_status=JobStatus.PENDING,
           data={"solidarity": what, "priority": job.priority})
    announce_job(job)
    return job, True


def listing(user: User, status: str | None = None, limit: int = 100,
            offset: int = 0) -> tuple[list[Job], int]:
    """Solidarity jobs: a partner's own, or every one for dispatch and the council."""
    from sqlalchemy import func

    stmt = select(Job).where(Job.solidarity.is_(True))
    if user.role == Role.PARTNER:
        stmt = stmt.where(Job.merchant_id == partner_of(user).id)
    elif user.role not in (Role.DISPATCHER, Role.COUNCIL):
        raise Forbidden("solidarity deliveries are for partners, dispatch and the council")
    if status:
        stmt = stmt.where(Job.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Job.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def set_volunteer(actor: User, courier, volunteer: bool):
    """The council makes a courier a volunteer (or a paid member again).

    Pay and reports read the flag as it is now, so it can only change before the
    courier's first shift: someone who has both paid and volunteer time has two
    accounts' worth of history to keep apart, which one flag cannot say.
    """
    from courier.errors import Conflict
    from courier.models import Event

    if actor.role != Role.COUNCIL:
        raise Forbidden("only the council decides who is a volunteer")
    if courier.volunteer == volunteer:
        return courier
    worked = db.session.scalar(select(Event.id).where(
        Event.courier_id == courier.id, Event.action == "shift_started").limit(1))
    if worked is not None:
        raise Conflict(f"{courier.user.name} has worked already: their past work would change "
                       f"pay; give them a new account instead", {"volunteer": "has worked"})
    courier.volunteer = volunteer
    record(actor, "courier", "volunteer" if volunteer else "paid_member", courier=courier)
    db.session.flush()
    return courier
