"""A shop (or dispatch) cancels a job a partner coop carries (our side, ``out``).

As for a job our own couriers carry, a job can be cancelled until it is picked up: the
partner is asked at once to give it back (a ``handoff.withdraw`` message marked
``"by": "shop"``, :mod:`courier.federation.outbox`). When the partner confirms (its
courier had not picked it up: it cancelled its job there), ours ends ``cancelled`` and
the ledger's entry is reversed; when its courier has it already, the cancel is refused
(409, as for our own picked-up jobs) and the job stays with the partner. A partner that
cannot be reached now is asked again by the worker: the job stays ``with_partner``,
marked as being cancelled (``carried_by.cancelling``), and the outcome is told on the job
(``cancelled``, or ``cancel_refused`` with the reason) when the partner answers.

A relayed job (:mod:`courier.federation.relay`) whose first leg our courier has not
picked up yet is cancelled the same way: the first leg is called off here, the second
withdrawn at the partner.

:func:`request` commits: it must commit the ask before calling the partner over HTTP,
and then the answer."""

from __future__ import annotations

import json

from sqlalchemy import select

from courier.dispatch.operations import cancel_job, may_cancel
from courier.errors import Conflict
from courier.extensions import db
from courier.federation import config, ledger, outbox
from courier.federation.handoffs import give_back
from courier.federation.relay import stop
from courier.journal import announce_job, record
from courier.models import (
    OPEN_HANDOFF_STATUSES,
    Event,
    FederationMessage,
    Handoff,
    HandoffStatus,
    Job,
    JobStatus,
    MessageState,
    Relay,
    RelayStatus,
    User,
)

CANCEL = "handoff.withdraw"
ON_THE_WAY = ("picked_up", "delivered", "failed", "returned")  # steps told: too late


def by_shop(msg: FederationMessage) -> bool:
    """Whether a withdrawal message was sent for a cancel (rather than by dispatch)."""
    try:
        return json.loads(msg.body).get("by") == "shop"
    except (TypeError, ValueError):
        return False


def pending(h: Handoff) -> FederationMessage | None:
    """The cancel of ``h`` sent and not answered yet, if any."""
    rows = db.session.scalars(select(FederationMessage).where(
        FederationMessage.handoff_id == h.id, FederationMessage.direction == "out",
        FederationMessage.kind == CANCEL, FederationMessage.status == MessageState.PENDING))
    return next((m for m in rows if by_shop(m)), None)


def _open_handoff(job: Job) -> Handoff | None:
    return db.session.scalars(select(Handoff).where(
        Handoff.job_id == job.id, Handoff.direction == "out",
        Handoff.status.in_(OPEN_HANDOFF_STATUSES)).order_by(Handoff.id.desc())).first()


def _too_late(job: Job, partner: str, step: str) -> Conflict:
    return Conflict(f"a job that is {step} can no longer be cancelled (carried by partner "
                    f"coop {partner})", {"status": step, "partner": partner})


def request(actor: User, job: Job, reason: str = "") -> tuple[Job, bool]:
    """Cancel ``job`` (``with_partner``): returns the job and whether it is cancelled
    already (else the partner was asked, and the outcome is told on the job). Raises
    Conflict when it can no longer be cancelled (picked up) or is being asked of a
    partner right now."""
    may_cancel(actor, job)
    h = _open_handoff(job)
    if job.status != JobStatus.WITH_PARTNER or h is None:
        raise Conflict(f"a job that is {job.status.value} can no longer be cancelled",
                       {"status": job.status.value})
    name = h.partner.name
    if h.status == HandoffStatus.ASKED:
        raise Conflict(f"partner coop {name} is being asked to carry it: try again in a "
                       "moment", {"status": job.status.value, "handoff": "asked"})
    relay = db.session.scalars(select(Relay).where(
        Relay.job_id == job.id, Relay.handoff_id == h.id)).first()
    if job.picked_up_at is not None or (relay is not None and relay.leg_job.picked_up_at):
        raise _too_late(job, name, "picked_up")
    if h.remote_status in ON_THE_WAY:
        raise _too_late(job, name, h.remote_status)
    msg = pending(h)
    if msg is None:
        why = (reason or "cancelled by the shop").strip()[:300]
        if relay is not None and relay.status == RelayStatus.FIRST_LEG:
            stop(relay, f"the shop cancelled the job: {why}")  # our first leg called off
        msg = outbox.queue(h.partner, CANCEL, {"handoff": h.idempotency_key, "reason": why,
                                               "by": "shop"}, handoff=h)
        record(actor, "job", "cancel_requested", job=job, reason=f"asked partner coop {name} "
               f"to give it back: {why}", data={"partner": name})
        announce_job(job)
    db.session.commit()
    outbox.send_now(msg, float(config.get()["answer_timeout_s"]))  # answered(): applied
    db.session.commit()
    db.session.refresh(job)
    if job.status == JobStatus.CANCELLED:
        return job, True
    if msg.status == MessageState.PENDING:
        return job, False
    if msg.status == MessageState.FAILED:
        raise Conflict(f"partner coop {name} refused to give it back ({msg.last_error})",
                       {"status": job.status.value, "partner": name})
    told = db.session.scalars(select(Event).where(
        Event.job_id == job.id, Event.action == "cancel_refused")
        .order_by(Event.id.desc())).first()
    raise _too_late(job, name, (told.data or {}).get("job_status", "picked_up")
                    if told is not None else "picked_up")


def answered(h: Handoff, data: dict) -> None:
    """The partner's answer to a cancel: it cancelled its job (ours ends cancelled, the
    ledger's entry reversed), or its courier has it (the cancel is refused, said on the
    job)."""
    job, name = h.job, h.partner.name
    if not data.get("withdrawn"):
        step = str(data.get("job_status") or "picked_up")[:20]
        record(None, "job", "cancel_refused", job=job, from_status=job.status,
               to_status=job.status, reason=f"partner coop {name} keeps it: its courier has "
               f"it ({step}); it can no longer be cancelled",
               data={"partner": name, "job_status": step})
        announce_job(job)
        return
    why = f"cancelled: withdrawn from partner coop {name}"
    if h.status == HandoffStatus.ACCEPTED:
        ledger.record_reversal(h, "cancelled by the shop")
        give_back(h, HandoffStatus.CANCELLED, why, job_status=JobStatus.CANCELLED,
                  action="cancelled")
    elif job is not None and job.status == JobStatus.PENDING:  # given back meanwhile
        cancel_job(job.merchant.user, job, why)
