"""A recipient's public tracking link: one unguessable token per job.

What the link shows is deliberately little: the shop's name, the status, the
expected delivery window and time (the live ETA while a courier rides it), the
courier's first name, and the courier's position only while the parcel is on the
bike (picked up). The page hears each change live in the link's own room
(:func:`room`, joined with the token: ``track.updated``). It stops working
``TRACKING_TTL_HOURS`` after the job ended (delivered, failed or cancelled).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import select

from courier.errors import DomainError, NotFound
from courier.extensions import db
from courier.models import Event, Handoff, HandoffStatus, Job, JobStatus, utcnow

ENDED = (JobStatus.DELIVERED, JobStatus.FAILED, JobStatus.CANCELLED)
WAITING = (JobStatus.PENDING, JobStatus.OFFERED)  # the page shows both alike
WINDOW_BEFORE = timedelta(minutes=10)  # the window shown around a planned drop-off
WINDOW_AFTER = timedelta(minutes=15)


class Gone(DomainError):
    """The link existed but has expired."""

    status = 410


def tracking_path(job: Job) -> str | None:
    return f"/t/{job.tracking_token}" if job.tracking_token else None


def tracking_url(job: Job) -> str | None:
    """The link to give the recipient: absolute with ``PUBLIC_URL`` or inside a request,
    else a path (a message sent by the background dispatch loop)."""
    path = tracking_path(job)
    if path is None:
        return None
    base = current_app.config.get("PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    return (base or "").rstrip("/") + path


def ended_at(job: Job) -> datetime | None:
    if job.status == JobStatus.DELIVERED:
        return job.delivered_at or job.updated_at
    if job.status in ENDED:
        return job.updated_at
    return None


def expires_at(job: Job) -> datetime | None:
    end = ended_at(job)
    hours = current_app.config["TRACKING_TTL_HOURS"]
    return None if end is None else end + timedelta(hours=hours)


def find(token: str, now: datetime | None = None) -> Job:
    """The job behind ``token``; NotFound for an unknown token, Gone once expired."""
    job = None
    if token and len(token) <= 64:
        job = db.session.scalars(select(Job).where(Job.tracking_token == token)).first()
    if job is None:
        raise NotFound("no such tracking link")
    end = expires_at(job)
    if end is not None and (now or utcnow()) >= end:
        raise Gone("this tracking link has expired")
    return job


def room(job: Job) -> str:
    """The live room of a job's tracking page (``track.updated``)."""
    return f"track:{job.id}"


def window(job: Job) -> tuple[datetime, datetime]:
    """When the recipient should expect the parcel: around the live ETA while a courier
    rides it, around the planned drop-off once a courier took it, else (waiting for a
    courier, offered or not) the shop's own window (ready_at to deliver_by)."""
    planned = job.eta or job.planned_dropoff_at
    if planned is None or job.status in WAITING:
        return job.ready_at, job.deliver_by
    return max(job.ready_at, planned - WINDOW_BEFORE), planned + WINDOW_AFTER


def _handoff(job: Job) -> Handoff | None:
    return db.session.scalars(select(Handoff).where(
        Handoff.job_id == job.id, Handoff.direction == "out",
        Handoff.partner_id == job.carried_by_partner_id).order_by(Handoff.id.desc())
        .limit(1)).first()


def carried_by(job: Job) -> dict | None:
    """Who carries a job handed to a partner coop (courier.federation): the coop's name,
    its courier's first name (nothing else about them), the step told and the ETA."""
    if job.carried_by_partner_id is None:
        return None
    h = _handoff(job)
    if h is None:
        return None
    step = "asked" if h.status == HandoffStatus.ASKED else (h.remote_status or "pending")
    carried = job.status == JobStatus.WITH_PARTNER
    return {"partner": h.partner.name, "courier_first_name": h.courier_first_name,
            "status": step, "eta": _iso(h.eta) if carried else None,
            "cancelling": carried and _cancelling(job)}


def _cancelling(job: Job) -> bool:
    """The shop cancelled it and the partner has not answered yet (its answer ends the
    job ``cancelled``, or tells ``cancel_refused``)."""
    last = db.session.scalar(select(Event.action).where(
        Event.job_id == job.id, Event.action.in_(("cancel_requested", "cancel_refused")))
        .order_by(Event.id.desc()).limit(1))
    return last == "cancel_requested"


def public_view(job: Job) -> dict:
    """Everything the public page may show, and nothing more."""
    start, end = window(job)
    courier, status, eta, partner = None, job.status.value, job.eta, carried_by(job)
    if job.courier is not None and job.status in (JobStatus.ACCEPTED, JobStatus.PICKED_UP,
                                                  JobStatus.DELIVERED):
        courier = {"first_name": job.courier.user.first_name}
        c = job.courier
        if job.status == JobStatus.PICKED_UP and c.on_shift and c.lat is not None:
            courier.update(lat=c.lat, lon=c.lon, position_at=_iso(c.position_at))
    if partner is not None:  # as if our own courier carried it, said to be the partner's
        if job.status == JobStatus.WITH_PARTNER:
            status = partner["status"] if partner["status"] in ("accepted", "picked_up") \
                else "pending"
            eta = datetime.fromisoformat(partner["eta"]) if partner["eta"] else None
            if eta is not None and status != "pending":
                start, end = max(job.ready_at, eta - WINDOW_BEFORE), eta + WINDOW_AFTER
        if partner["courier_first_name"]:
            courier = {"first_name": partner["courier_first_name"]}
    return {
        "status": status,
        "carried_by": partner["partner"] if partner is not None else None,
        "shop": job.merchant.name,
        "window": {"start": _iso(start), "end": _iso(end)},
        "eta": _iso(eta),
        "delayed": job.late_by_s is not None and job.eta is not None,
        "deliver_by": _iso(job.deliver_by),
        "picked_up_at": _iso(job.picked_up_at),
        "delivered_at": _iso(job.delivered_at),
        "courier": courier,
        "expires_at": _iso(expires_at(job)),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
