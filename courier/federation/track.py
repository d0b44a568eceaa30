"""Following a handed job to the door (our side, ``out``): the carrying coop tells each
step (``handoff.status`` messages, numbered per hand-off from 1). They are applied in
their order: one already applied is acknowledged and ignored, one that comes early waits
(buffered) until those before it arrive. Our job follows: still ``with_partner`` while
the partner's courier takes it and rides (the shop, its webhooks and the recipient's page
see each step), ``delivered`` or ``failed`` as at the door, or back to ``pending`` here
when the partner gives it back before trying."""

from __future__ import annotations

import json

from sqlalchemy import select

from courier.extensions import db
from courier.federation import cancel, ledger, log, outbox
from courier.federation.handoffs import give_back, parse_time
from courier.federation.inbound import Refused, Signed, mark
from courier.journal import announce_job, move_job, record
from courier.models import (
    FederationMessage,
    Handoff,
    HandoffStatus,
    JobStatus,
    MessageState,
    Partner,
    utcnow,
)

STEPS = ("pending", "accepted", "picked_up", "eta", "delivered", "failed", "returned")
# the event our job gets for each step (the shop's webhooks and messages listen to these)
ACTIONS = {"pending": "partner_released", "accepted": "accepted", "picked_up": "picked_up"}


def _handoff(partner: Partner, key) -> Handoff:
    h = db.session.scalars(select(Handoff).where(
        Handoff.partner_id == partner.id, Handoff.direction == "out",
        Handoff.idempotency_key == str(key or ""))).first()
    if h is None:
        raise Refused(404, "unknown_handoff", f"no hand-off {str(key)[:80]!r} to you here",
                      {"handoff": "unknown"})
    return h


def take_status(signed: Signed) -> tuple[int, dict]:
    """A ``handoff.status`` message: applied in order, buffered, or acknowledged again."""
    data = signed.data
    h = _handoff(signed.partner, data.get("handoff"))
    seq = data.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise Refused(422, "invalid_body", "seq must be a whole number from 1",
                      {"seq": "from 1"})
    if data.get("status") not in STEPS:
        raise Refused(422, "invalid_body", f"status must be one of {', '.join(STEPS)}",
                      {"status": "unknown step"})
    if seq <= h.seq:
        return 200, {"ok": True, "duplicate": True, "applied_seq": h.seq}
    msg = db.session.scalars(select(FederationMessage).where(
        FederationMessage.partner_id == signed.partner.id, FederationMessage.direction == "in",
        FederationMessage.message_id == signed.message_id)).one()
    msg.handoff_id, msg.seq = h.id, seq
    if seq > h.seq + 1:
        mark(signed, MessageState.BUFFERED, f"waiting for message {h.seq + 1}")
        return 202, {"ok": True, "buffered": True, "applied_seq": h.seq}
    apply(h, data)
    _drain(h)
    return 200, {"ok": True, "applied_seq": h.seq}


def _drain(h: Handoff) -> None:
    """Apply the buffered messages that are now next in line."""
    while True:
        nxt = db.session.scalars(select(FederationMessage).where(
            FederationMessage.handoff_id == h.id, FederationMessage.direction == "in",
            FederationMessage.status == MessageState.BUFFERED,
            FederationMessage.seq == h.seq + 1)).first()
        if nxt is None:
            return
        apply(h, json.loads(nxt.body))
        nxt.status, nxt.last_error, nxt.done_at = MessageState.APPLIED, None, utcnow()


def apply(h: Handoff, data: dict) -> None:
    """One step told by the carrier, in its order."""
    h.seq = data["seq"]
    step, partner, job = data["status"], h.partner, h.job
    reason = str(data.get("reason") or "")[:300]
    at = parse_time(data.get("at")) or utcnow()
    name = data.get("courier_first_name")
    h.courier_first_name = str(name).split()[0][:60] if name and str(name).split() else None
    h.eta = parse_time(data.get("eta"))
    if isinstance(data.get("proof"), dict):
        h.proof = {k: v for k, v in data["proof"].items() if k in ("kinds", "at", "code_checked")}
    if step == "eta":  # a new estimate only: no step of its own
        announce_job(job)
        return
    if h.status != HandoffStatus.ACCEPTED:  # withdrawn or ended here: the news is kept only
        h.remote_status = step
        log.note(None, "late_news", partner, f"{step} for a hand-off that is "
                 f"{h.status.value}", {"handoff": h.idempotency_key}, job=job)
        return
    h.remote_status = step
    words = f"partner coop {partner.name}"
    if step == "picked_up" and job.picked_up_at is None:
        job.picked_up_at = at
    if step in ACTIONS:
        record(None, "job", ACTIONS[step], job=job, from_status=job.status,
               to_status=job.status, reason=f"{words}: {reason or step.replace('_', ' ')}",
               data={"partner": partner.name, "courier_first_name": h.courier_first_name},
               at=at)
        announce_job(job)
    elif step == "delivered":
        give_back(h, HandoffStatus.DELIVERED, f"delivered by {words}",
                  job_status=JobStatus.DELIVERED, action="delivered", delivered_at=at,
                  picked_up_at=job.picked_up_at or at)
    elif step == "failed":  # at the door: a failure the shop sees (the work was done)
        give_back(h, HandoffStatus.FAILED, f"{words}: {reason or 'delivery failed'}",
                  job_status=JobStatus.FAILED, action="failed",
                  failure_reason=f"{words}: {reason or 'delivery failed'}"[:255])
    else:  # returned before trying: ours again, to serve or to hand to someone else
        ledger.record_reversal(h, reason or "returned by the partner")
        give_back(h, HandoffStatus.RETURNED, f"came back from {words}: {reason or 'returned'}",
                  action="handoff_returned")


def on_withdraw_answer(msg: FederationMessage, answer) -> None:
    """The carrier answered a withdrawal: it cancelled the job there, or it could not
    (its courier already has it) and then the hand-off stands if our job is still free."""
    h = db.session.get(Handoff, msg.handoff_id)
    if h is None:
        return
    if cancel.by_shop(msg):  # a shop cancelling its job
        cancel.answered(h, answer.data)
        return
    data = answer.data
    if data.get("withdrawn"):
        if h.status == HandoffStatus.ACCEPTED:
            ledger.record_reversal(h, "withdrawn")
            give_back(h, HandoffStatus.CANCELLED, f"withdrawn from partner coop {h.partner.name}",
                      action="handoff_withdrawn")
        return
    if h.status == HandoffStatus.ACCEPTED:  # its courier has it: it stays with the partner
        record(None, "job", "handoff_not_withdrawn", job=h.job,
               reason=f"partner coop {h.partner.name} keeps it: its courier has it "
                      f"({data.get('job_status')})", data={"partner": h.partner.name})
        return
    if data.get("found") is False:
        return
    job = h.job
    if job.status == JobStatus.PENDING and _adopt(h, data):
        return
    log.note(None, "handoff_conflict", h.partner, f"partner coop {h.partner.name} carries a "
             f"job it accepted after our timeout, and ours is {job.status.value}",
             {"handoff": h.idempotency_key, "job_status": data.get("job_status")}, job=job)


def _adopt(h: Handoff, data: dict) -> bool:
    """A late acceptance found on withdrawing: the partner carries it after all."""
    price = data.get("price_cents")
    if not isinstance(price, int) or isinstance(price, bool) or not move_job(
            h.job, JobStatus.PENDING, JobStatus.WITH_PARTNER, None, "handed_off",
            reason=f"carried by partner coop {h.partner.name} (accepted late)",
            carried_by_partner_id=h.partner_id):
        return False
    h.status, h.price_cents, h.reason = HandoffStatus.ACCEPTED, price, ""
    h.remote_ref = str(data.get("job_ref") or "")[:64]
    h.answered_at = parse_time(data.get("accepted_at")) or utcnow()
    ledger.record_handoff(h)
    return True


outbox.ON_ANSWER["handoff.withdraw"] = on_withdraw_answer
