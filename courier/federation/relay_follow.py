"""What happens to a relayed job's first leg, carried over to the shop's job, and what
the partner's answer makes of the relay (see :mod:`courier.federation.relay`). Run by
the worker (:func:`relay_events`); each step is written once, so running it again
changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from courier.errors import DomainError
from courier.extensions import db
from courier.federation import handoffs
from courier.federation.relay import FINAL, OPEN, answered, stop
from courier.journal import record
from courier.models import (
    Event,
    Handoff,
    HandoffStatus,
    Job,
    JobStatus,
    Relay,
    RelayStatus,
    utcnow,
)

ASK_LOST = timedelta(minutes=10)  # an ask never made (the process stopped before it)


def relay_events(now: datetime | None = None) -> int:
    """Follow every relay under way; returns how many changed (committed here)."""
    now = now or utcnow()
    changed = 0
    ids = db.session.scalars(select(Relay.id).where(Relay.status.in_(OPEN))
                             .order_by(Relay.id)).all()
    for relay_id in ids:
        relay = db.session.get(Relay, relay_id)
        try:
            if follow(relay, now):
                changed += 1
            db.session.commit()
        except DomainError:
            db.session.rollback()
    return changed


def _second_leg(relay: Relay) -> Handoff | None:
    if relay.handoff is not None:
        return relay.handoff
    return db.session.scalars(select(Handoff).where(
        Handoff.job_id == relay.job_id, Handoff.direction == "out", Handoff.leg == "second",
        Handoff.partner_id == relay.partner_id, Handoff.created_at >= relay.created_at)
        .order_by(Handoff.id.desc())).first()


def _told(job: Job, action: str, relay: Relay) -> bool:
    return db.session.scalar(select(Event.id).where(
        Event.job_id == job.id, Event.action == action,
        Event.at >= relay.created_at).limit(1)) is not None


def follow(relay: Relay, now: datetime) -> bool:
    """One relay's next steps; returns whether anything changed."""
    before = relay.status
    h = _second_leg(relay)
    if relay.status == RelayStatus.ASKING:
        if h is not None and h.status != HandoffStatus.ASKED:
            answered(relay, h)  # the process stopped between the answer and the relay
        elif h is None and relay.created_at < now - ASK_LOST:
            stop(relay, "the partner was never asked")
        return relay.status != before
    leg, job = relay.leg_job, relay.job
    if relay.status == RelayStatus.FIRST_LEG:
        told = _first_leg(relay, leg, job)
        if h is not None and h.status in FINAL:  # the partner gave the second leg up
            _given_up(relay, h)
            return True
        return told or relay.status != before
    if h is not None and h.status in FINAL:
        relay.status = FINAL[h.status]
        relay.reason = h.reason[:500] if relay.status == RelayStatus.STOPPED else ""
        if h.status == HandoffStatus.RETURNED:
            _parcel_at_hub(relay)
    return relay.status != before


def _first_leg(relay: Relay, leg: Job, job: Job) -> bool:
    """Our courier's progress, told on the shop's job; a first leg that cannot be
    ridden stops the relay."""
    changed = False
    if leg.picked_up_at is not None and not _told(job, "picked_up", relay):
        record(None, "job", "picked_up", job=job, from_status=job.status, to_status=job.status,
               reason=f"picked up by our courier, to hand over to {relay.partner.name} at "
                      f"{relay.hub['name']}", data={"relay": relay.id})
        changed = True
    if job.status == JobStatus.CANCELLED:  # the shop cancelled it
        stop(relay, "the shop cancelled the job")
        return True
    if leg.status == JobStatus.DELIVERED:
        relay.status = RelayStatus.SECOND_LEG
        record(None, "job", "relay_at_hub", job=job, from_status=job.status,
               to_status=job.status, reason=f"left at {relay.hub['name']} for "
                                            f"{relay.partner.name}", data={"relay": relay.id})
        return True
    if leg.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        why = leg.failure_reason or "the first leg was cancelled"
        relay.status, relay.reason = RelayStatus.STOPPED, f"first leg: {why}"[:500]
        h = _second_leg(relay)
        if h is not None and h.status == HandoffStatus.ACCEPTED:
            handoffs.withdraw(None, h, f"our first leg could not be ridden: {why}")
        return True
    return changed


def _given_up(relay: Relay, h: Handoff) -> None:
    """The partner will not carry the second leg any more: our first leg stops if the
    parcel is still at the shop; else it goes on to the hub, where our coop takes the
    job on (its pickup becomes the hub)."""
    leg = relay.leg_job
    if leg.picked_up_at is None:
        stop(relay, f"the partner gave the second leg up: {h.reason}")
        return
    relay.status, relay.reason = RelayStatus.STOPPED, f"the partner gave the second leg " \
                                                      f"up: {h.reason}"[:500]
    _parcel_at_hub(relay)


def _parcel_at_hub(relay: Relay) -> None:
    """The parcel is (or will be) at the hub and the job is ours again: it is picked up
    there, once our first leg has left it."""
    job, hub, leg = relay.job, relay.hub, relay.leg_job
    if job.status != JobStatus.PENDING:
        return
    job.pickup_address = (hub.get("address") or hub["name"])[:255]
    job.pickup_lat, job.pickup_lon = hub["lat"], hub["lon"]
    job.ready_at = max(job.ready_at, leg.delivered_at or leg.deliver_by)
    record(None, "job", "relay_pickup_moved", job=job, from_status=job.status,
           to_status=job.status, reason=f"the parcel waits at {hub['name']}: picked up there",
           data={"relay": relay.id, "hub": hub})

