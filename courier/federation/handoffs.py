"""Handing a job to a partner coop (our side, ``out``): which partners could carry it, the
ask (signed, with an idempotency key), and what its answer makes of our job.

While a partner is asked the job is held (``with_partner``, so dispatch leaves it); an
acceptance keeps it there, carried by the partner; a refusal, a timeout or a partner
that cannot be reached gives it back to our dispatch (``pending``) with the reason, and
the next partner covering it may be asked. After a timeout the partner is told to
withdraw whatever it may have made of the ask (a message retried until it answers).

:func:`offer` commits: it must commit the hold before calling the partner over HTTP,
and then the answer."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from courier.errors import Conflict
from courier.extensions import db
from courier.federation import config, ledger, outbox, profile, transport
from courier.journal import move_job, record
from courier.models import (
    Handoff,
    HandoffStatus,
    Job,
    JobStatus,
    Partner,
    PartnerStatus,
    User,
    utcnow,
)
from courier.shops.zones import current_index

PATH = "/federation/v1/handoffs"


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def payload(job: Job, key: str, leg: str, pickup: dict | None, ready_at: datetime | None,
            max_price: int | None) -> dict:
    """What the partner is sent: the job as it needs it to deliver, nothing more."""
    body = {"idempotency_key": key, "leg": leg, "job": {
        "ref": str(job.id), "pickup": pickup or job.pickup, "dropoff": job.dropoff,
        "ready_at": _iso(ready_at or job.ready_at), "deliver_by": _iso(job.deliver_by),
        "weight_kg": job.weight_kg, "volume_l": job.volume_l,
        "recipient": {"name": job.recipient_name, "phone": job.recipient_phone},
        "notes": job.notes or "", "shop": job.merchant.name}}
    if max_price is not None:
        body["max_price_cents"] = max_price
    return body


def why_not(partner: Partner, job: Job, pickup: dict | None = None,
            ready_at: datetime | None = None) -> str | None:
    """Why ``partner`` cannot be asked to carry ``job`` (None: it can)."""
    if partner.status != PartnerStatus.ACTIVE:
        return f"the partnership is {partner.status.value}"
    pick = pickup or job.pickup
    if not profile.covers(partner, job.dropoff_lat, job.dropoff_lon):
        return "the drop-off is outside its published zone"
    if not (profile.covers(partner, pick["lat"], pick["lon"])
            or current_index().at(pick["lon"], pick["lat"])):
        return "the pickup is outside its zone and ours"
    if not profile.takes(partner, job.weight_kg, job.volume_l):
        return "none of its vehicles carries this load"
    terms = partner.terms or {}
    if not profile.within_hours((terms.get("takes") or {}).get("hours"),
                                ready_at or job.ready_at, terms.get("timezone") or "UTC"):
        return "outside its hours"
    asked = db.session.scalar(select(Handoff.id).where(
        Handoff.job_id == job.id, Handoff.partner_id == partner.id, Handoff.direction == "out",
        Handoff.status.in_([HandoffStatus.REFUSED, HandoffStatus.TIMED_OUT])).limit(1))
    if asked is not None:
        return "it was already asked for this job"
    max_price = config.get()["max_price_cents"]
    ok, reason = ledger.may_hand_off(partner, direction="out", amount_cents=max_price or 0)
    return None if ok else reason


def candidates(job: Job, **kw) -> list[Partner]:
    partners = db.session.scalars(select(Partner).where(
        Partner.status == PartnerStatus.ACTIVE).order_by(Partner.id)).all()
    return [p for p in partners if why_not(p, job, **kw) is None]


def offer(actor: User | None, job: Job, *, partner: Partner | None = None, leg: str = "whole",
          asked_by: str = "dispatcher", pickup: dict | None = None,
          ready_at: datetime | None = None) -> Handoff:
    """Ask ``partner`` (or each partner covering the job in turn) to carry ``job``; returns
    the last hand-off asked (accepted, or the last refusal or timeout)."""
    if job.status != JobStatus.PENDING:
        raise Conflict(f"only a pending job can be handed to a partner (it is "
                       f"{job.status.value})", {"status": job.status.value})
    if job.solidarity:
        raise Conflict("a solidarity job stays with our coop (its recipient is private)")
    kw = {"pickup": pickup, "ready_at": ready_at}
    if partner is not None:
        why = why_not(partner, job, **kw)
        if why:
            raise Conflict(f"{partner.name} cannot be asked: {why}", {"partner": why})
        partners = [partner]
    else:
        partners = candidates(job, **kw)
        if not partners:
            raise Conflict("no partner coop covers this job", {"partner": "none covers it"})
    handoff = None
    for p in partners:
        handoff = ask(actor, job, p, leg=leg, asked_by=asked_by, **kw)
        if handoff.status == HandoffStatus.ACCEPTED or job.status != JobStatus.PENDING:
            break
    return handoff


def ask(actor: User | None, job: Job, partner: Partner, *, leg: str = "whole",
        asked_by: str = "dispatcher", pickup: dict | None = None,
        ready_at: datetime | None = None) -> Handoff:
    """One ask to one partner: hold the job (committed), call, apply the answer
    (committed)."""
    cfg = config.get()
    key = "ho_" + secrets.token_urlsafe(18)
    handoff = Handoff(partner=partner, job_id=job.id, direction="out", idempotency_key=key,
                      status=HandoffStatus.ASKED, leg=leg, asked_by=asked_by)
    db.session.add(handoff)
    move_job(job, JobStatus.PENDING, JobStatus.WITH_PARTNER, actor, "handoff_asked",
             reason=f"asked partner coop {partner.name}",
             conflict="the job changed meanwhile (it is {status})",
             carried_by_partner_id=partner.id)
    db.session.commit()
    body = payload(job, key, leg, pickup, ready_at, cfg["max_price_cents"])
    try:
        answer = transport.post(partner, PATH, body, timeout=cfg["answer_timeout_s"])
    except transport.Unreachable as err:
        why = "did not answer in time" if err.timeout else "could not be reached"
        give_back(handoff, HandoffStatus.TIMED_OUT, f"{partner.name} {why} ({err.message})",
                  withdraw=True)
    else:
        apply_answer(handoff, answer, cfg["max_price_cents"])
    db.session.commit()
    return handoff


def apply_answer(handoff: Handoff, answer: transport.Answer, max_price: int | None) -> None:
    partner, job = handoff.partner, handoff.job
    if answer.status >= 500:
        give_back(handoff, HandoffStatus.TIMED_OUT,
                  f"{partner.name} could not answer (HTTP {answer.status})", withdraw=True)
        return
    if not answer.ok:
        message = answer.data.get("error") or answer.code
        give_back(handoff, HandoffStatus.REFUSED,
                  f"{partner.name} refused: {message} ({answer.code})")
        return
    price, ref = answer.data.get("price_cents"), answer.data.get("job_ref")
    if (isinstance(price, bool) or not isinstance(price, int) or price < 0 or not ref
            or (max_price is not None and price > max_price)):
        give_back(handoff, HandoffStatus.REFUSED,
                  f"{partner.name} answered an acceptance we cannot take "
                  f"(price {price!r} cents, job {ref!r})", withdraw=True)
        return
    handoff.status, handoff.price_cents = HandoffStatus.ACCEPTED, price
    handoff.remote_ref, handoff.remote_status = str(ref)[:64], "pending"
    handoff.answered_at = parse_time(answer.data.get("accepted_at")) or utcnow()
    ledger.record_handoff(handoff)
    record(None, "job", "handed_off", job=job, from_status=JobStatus.WITH_PARTNER,
           to_status=JobStatus.WITH_PARTNER, reason=f"carried by partner coop {partner.name}",
           data={"partner": partner.name, "price_cents": price, "handoff": handoff.id})


def parse_time(value) -> datetime | None:
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else None


def give_back(handoff: Handoff, status: HandoffStatus, reason: str, *,
              withdraw: bool = False, job_status: JobStatus = JobStatus.PENDING,
              action: str | None = None, **values) -> None:
    """The hand-off ends without the partner carrying it: our job is ours again
    (``pending``, or ``job_status``), with the reason."""
    handoff.status, handoff.reason = status, reason[:500]
    handoff.answered_at = handoff.answered_at or utcnow()
    if withdraw:
        outbox.queue(handoff.partner, "handoff.withdraw", {"handoff": handoff.idempotency_key},
                     handoff=handoff)
    job = handoff.job
    if job is not None and job.status == JobStatus.WITH_PARTNER:
        keep = {} if job_status != JobStatus.PENDING else {"carried_by_partner_id": None}
        move_job(job, JobStatus.WITH_PARTNER, job_status, None,
                 action or f"handoff_{status.value}", reason=reason, **keep, **values)


def withdraw(actor: User | None, handoff: Handoff, reason: str) -> Handoff:
    """Ask the carrier to give an accepted hand-off back (its courier has not picked it
    up): told by a message; our job is ours again once the carrier confirms."""
    if handoff.direction != "out" or handoff.status != HandoffStatus.ACCEPTED:
        raise Conflict(f"only an accepted hand-off can be withdrawn (it is "
                       f"{handoff.status.value})")
    outbox.queue(handoff.partner, "handoff.withdraw", {"handoff": handoff.idempotency_key,
                                                       "reason": reason[:300]},
                 handoff=handoff)
    record(actor, "job", "handoff_withdrawing", job=handoff.job, reason=reason,
           data={"partner": handoff.partner.name})
    return handoff


def sweep_stale(now: datetime | None = None) -> int:
    """Asks left unanswered (the process stopped while asking): timed out, the job ours
    again, the partner told to withdraw. Returns how many."""
    now = now or utcnow()
    limit = now - timedelta(seconds=3 * config.get()["answer_timeout_s"] + 30)
    stale = db.session.scalars(select(Handoff).where(
        Handoff.direction == "out", Handoff.status == HandoffStatus.ASKED,
        Handoff.created_at < limit)).all()
    for h in stale:
        give_back(h, HandoffStatus.TIMED_OUT, f"{h.partner.name} did not answer", withdraw=True)
    return len(stale)
