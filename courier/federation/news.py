"""Telling the asking coop what becomes of a job we carry for it (our side, ``in``): each
step of our job (a courier took it, gave it back, picked it up, delivered it, failed at
the door; cancelled here: it goes back) and its ETA as it changes, as ``handoff.status``
messages numbered per hand-off, through the outbox (signed, retried, in order). The
steps are read from our event log after the last one told, so none is missed, even
after a restart. Of our courier only the first name crosses."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from courier.extensions import db
from courier.federation import ledger, outbox
from courier.models import Event, Handoff, HandoffStatus, Job, JobStatus, Proof, utcnow

STEP_OF = {"accepted": "accepted", "picked_up": "picked_up", "delivered": "delivered",
           "failed": "failed", "cancelled": "returned"}
ENDS = {"delivered": HandoffStatus.DELIVERED, "failed": HandoffStatus.FAILED,
        "returned": HandoffStatus.RETURNED}
ETA_CHANGE = timedelta(minutes=1)  # an ETA that moved less is not told again


def _step(ev: Event) -> str | None:
    if ev.to_status == ev.from_status:
        return None
    if ev.to_status == "pending" and ev.from_status in ("accepted", "picked_up"):
        return "pending"  # our courier gave it back: waiting for another of ours
    return STEP_OF.get(ev.to_status or "")


def _first_name(job: Job) -> str | None:
    if job.courier is None:
        return None
    return job.courier.user.first_name or None


def _proof(job: Job) -> dict | None:
    kinds = db.session.scalars(select(Proof.kind).where(
        Proof.job_id == job.id, Proof.removed_at.is_(None))).all()
    return {"kinds": sorted({str(getattr(k, "value", k)) for k in kinds}),
            "at": job.delivered_at.isoformat() if job.delivered_at else None}


def _tell(h: Handoff, step: str, at: datetime, reason: str = "") -> None:
    job = h.job
    h.seq += 1
    eta = job.eta if step in ("accepted", "picked_up", "eta") else None
    name = _first_name(job) if step not in ("pending", "returned") else None
    body = {"handoff": h.idempotency_key, "status": step, "at": at.isoformat(),
            "eta": eta.isoformat() if eta else None, "courier_first_name": name,
            "reason": reason[:300]}
    if step in ("delivered", "failed"):
        body["proof"] = _proof(job)
    h.eta, h.courier_first_name = eta, name
    if step != "eta":
        h.remote_status = step
    outbox.queue(h.partner, "handoff.status", body, handoff=h, seq=h.seq)
    if step in ENDS:
        h.status = ENDS[step]
        if step == "returned":
            ledger.record_reversal(h, reason or "cancelled by the carrying coop")


def tell(now: datetime | None = None) -> int:
    """Queue the news of every job we carry for a partner; returns how many messages."""
    now = now or utcnow()
    told = 0
    carrying = db.session.scalars(select(Handoff).where(
        Handoff.direction == "in", Handoff.status == HandoffStatus.ACCEPTED,
        Handoff.job_id.is_not(None))).all()
    if not carrying:
        return 0
    news: dict[int, list[Event]] = {}
    for ev in db.session.scalars(select(Event).where(  # every job's new events, one query
            Event.job_id.in_([h.job_id for h in carrying]), Event.subject == "job",
            Event.id > min(h.event_cursor for h in carrying)).order_by(Event.id)):
        news.setdefault(ev.job_id, []).append(ev)
    for h in carrying:
        for ev in (e for e in news.get(h.job_id, ()) if e.id > h.event_cursor):
            h.event_cursor = ev.id
            step = _step(ev)
            if step is not None and h.status == HandoffStatus.ACCEPTED:
                _tell(h, step, ev.at, ev.reason or "")
                told += 1
        job = h.job
        if h.status == HandoffStatus.ACCEPTED and job.status in (JobStatus.ACCEPTED,
                                                                 JobStatus.PICKED_UP):
            eta = job.eta
            if eta is not None and (h.eta is None or abs(eta - h.eta) >= ETA_CHANGE):
                _tell(h, "eta", now)
                told += 1
    return told
