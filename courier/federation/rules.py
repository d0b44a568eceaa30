"""The council's rule for handing jobs over by themselves (checked by the worker):

- a job whose drop-off is outside our zones but inside an active partner's (taken at
  submission only when the council chose ``outside_zone``) is relayed through a hub both
  coops accept when one fits (courier.federation.relay: our courier to the hub, the
  partner's on), else handed to that partner at once;
- with ``auto_handoff``, a job still pending after ``pending_minutes`` for which our
  dispatch found no courier (the reason it waits, as dispatch recorded it) is offered to
  the partners covering it, in turn.

A job a partner handed us is never handed on; a partner that refused or did not answer
is not asked again for the same job."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from courier.errors import DomainError
from courier.extensions import db
from courier.federation import config, handoffs, relay
from courier.models import Job, JobStatus, Merchant, MerchantKind, Partner, PartnerStatus, utcnow
from courier.shops.zones import current_index

MAX_PER_SCAN = 20  # each ask waits for an answer: a scan stays short
OUTSIDE = "the drop-off is outside our zones"


def due(now: datetime | None = None) -> list[tuple[Job, str]]:
    """The jobs the rule hands over now, with why."""
    now = now or utcnow()
    cfg = config.get()
    if not (cfg["auto_handoff"] or cfg["outside_zone"]):
        return []
    if db.session.scalar(select(Partner.id).where(
            Partner.status == PartnerStatus.ACTIVE).limit(1)) is None:
        return []
    jobs = db.session.scalars(
        select(Job).join(Merchant, Job.merchant_id == Merchant.id).where(
            Job.status == JobStatus.PENDING, Job.solidarity.is_(False),
            Merchant.kind != MerchantKind.COOP, Job.deliver_by > now)
        .order_by(Job.deliver_by).limit(500)).all()
    index = current_index()
    waited = now - timedelta(minutes=cfg["pending_minutes"])
    out = []
    for job in jobs:
        if (cfg["outside_zone"] and not index.empty
                and not index.at(job.dropoff_lon, job.dropoff_lat)):
            out.append((job, OUTSIDE))
        elif cfg["auto_handoff"] and job.created_at <= waited and job.unassigned_reason:
            minutes = int((now - job.created_at).total_seconds() // 60)
            out.append((job, f"pending {minutes} min: {job.unassigned_reason}"))
    return out


def scan(now: datetime | None = None) -> int:
    """Offer the due jobs to partners (each ask committed); returns how many were asked."""
    asked = 0
    for job, why in due(now):
        if asked >= MAX_PER_SCAN:
            break
        if why == OUTSIDE and relay.possible(job):  # our courier to a hub, the partner's on
            try:
                relay.start(None, job)
            except DomainError:
                db.session.rollback()
            else:
                asked += 1
                continue
        if not handoffs.candidates(job):
            continue
        try:
            handoffs.offer(None, job, asked_by="rule")
        except DomainError:
            db.session.rollback()  # changed meanwhile (a courier took it): nothing to do
            continue
        asked += 1
    return asked
