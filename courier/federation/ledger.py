"""The mutual-credit ledger of each partnership, in the database (the arithmetic is
:mod:`courier.federation.book`).

The hand-off side calls three functions: :func:`may_hand_off` before a job is offered
to a partner or accepted from one, :func:`record_handoff` in the transaction where a
hand-off becomes accepted, and :func:`record_reversal` in the one where an accepted
hand-off comes back undelivered. Both coops record the same transaction under the same
reference at the same time (the carrier's acceptance time), so their books agree line
for line (:mod:`courier.federation.reconcile` checks it). The council sets the credit
limit (:func:`courier.federation.partners.set_limit`) and records settlements. Nothing
here commits: the caller does, once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from courier.errors import Forbidden, InvalidInput
from courier.extensions import db
from courier.federation import book, log
from courier.models import Handoff, LedgerEntry, Partner, Role, User, utcnow

US, PARTNER = "us", "partner"
MAX_CENTS = 10**9  # ten million euros: beyond it an amount is a typo
LIMIT_WORDS = {
    "out": ("we owe the partner {owed} cents and the limit our council set is {limit} "
            "cents: hand-offs to this partner pause until a settlement"),
    "in": ("the partner owes us {owed} cents and the limit our council set is {limit} "
           "cents: jobs from this partner pause until a settlement"),
}


def our_url() -> str:
    """Our coop as partners know it (the ``url`` we publish)."""
    from courier.federation.profile import our_url as published

    return published()


def coops(partner: Partner) -> tuple[str, str]:
    """(us, them) as both books name them."""
    return our_url(), partner.base_url


# -- reading ---------------------------------------------------------------------
def entries(partner: Partner, start: datetime | None = None,
            end: datetime | None = None) -> list[LedgerEntry]:
    """The partnership's lines (``start`` <= at < ``end`` when given), in order."""
    q = select(LedgerEntry).where(LedgerEntry.partner_id == partner.id)
    if start is not None:
        q = q.where(LedgerEntry.at >= start)
    if end is not None:
        q = q.where(LedgerEntry.at < end)
    return list(db.session.scalars(q.order_by(LedgerEntry.at, LedgerEntry.ref,
                                              LedgerEntry.side)))


def transactions(partner: Partner, start: datetime | None = None,
                 end: datetime | None = None) -> list[book.Transaction]:
    """The partnership's transactions, each from its two lines."""
    us, them = coops(partner)
    out, seen = [], set()
    for e in entries(partner, start, end):
        if e.ref in seen:
            continue
        seen.add(e.ref)
        ours = e.amount_cents if e.side == US else -e.amount_cents  # what our line says
        debtor, creditor = (us, them) if ours < 0 else (them, us)
        out.append(book.Transaction(e.ref, e.kind, debtor, creditor, abs(e.amount_cents),
                                    e.at, e.job_key))
    return out


def balance(partner: Partner) -> int:
    """Our balance with ``partner``: what it owes us (negative: what we owe it)."""
    rows = db.session.execute(select(LedgerEntry.amount_cents).where(
        LedgerEntry.partner_id == partner.id, LedgerEntry.side == US)).scalars()
    return sum(rows)


def may_hand_off(partner: Partner, direction: str = "out",
                 amount_cents: int = 0) -> tuple[bool, str]:
    """Whether a job may go to ``partner`` (``direction`` "out") or come from it ("in")
    under the credit limit our council set: (True, "") or (False, the reason). A
    hand-off that brings a debt back down is never paused."""
    owed = -balance(partner) if direction == "out" else balance(partner)
    ok, _ = book.may_owe_more(owed, partner.credit_limit_cents, amount_cents or 0)
    if ok:
        return True, ""
    return False, LIMIT_WORDS[direction].format(owed=owed, limit=partner.credit_limit_cents)


# -- writing ---------------------------------------------------------------------
def _has(partner_id: int, ref: str) -> bool:
    return db.session.scalar(select(LedgerEntry.id).where(
        LedgerEntry.partner_id == partner_id, LedgerEntry.ref == ref).limit(1)) is not None


def _post(partner: Partner, t: book.Transaction, *, handoff: Handoff | None = None,
          note: str = "", origin: str = US, actor: User | None = None) -> bool:
    """Write ``t``'s two lines unless the book has it already; returns whether it wrote."""
    if _has(partner.id, t.ref):
        return False
    us = our_url()
    for who, cents in t.postings():
        db.session.add(LedgerEntry(
            partner_id=partner.id, ref=t.ref, kind=t.kind, side=US if who == us else PARTNER,
            amount_cents=cents, at=t.at, handoff_id=handoff.id if handoff else None,
            job_key=t.job, note=note[:500], origin=origin,
            created_by_id=actor.id if actor else None))
    db.session.flush()
    return True


def _handoff_transaction(handoff: Handoff, kind: str) -> book.Transaction | None:
    if not handoff.price_cents or handoff.price_cents <= 0:
        return None  # nothing owed for a job carried for free
    us, them = coops(handoff.partner)
    giver, carrier = (us, them) if handoff.direction == "out" else (them, us)
    at = handoff.answered_at or utcnow()
    make = book.handoff if kind == "handoff" else book.reversal
    return make(handoff.idempotency_key, giver, carrier, handoff.price_cents, at)


def record_handoff(handoff: Handoff) -> bool:
    """An accepted hand-off: the giving coop owes the carrying coop its price, booked at
    the carrier's acceptance time. Idempotent; returns whether it wrote."""
    t = _handoff_transaction(handoff, "handoff")
    return t is not None and _post(handoff.partner, t, handoff=handoff)


def record_reversal(handoff: Handoff, reason: str = "") -> bool:
    """An accepted hand-off came back undelivered: the debt it made is undone, booked at
    the hand-off's own time (so both coops put it in the same period). Nothing if the
    hand-off was never booked, or is reversed already."""
    t = _handoff_transaction(handoff, "reversal")
    if t is None or not _has(handoff.partner_id, f"handoff:{handoff.idempotency_key}"):
        return False
    return _post(handoff.partner, t, handoff=handoff, note=reason)


def _council(actor: User) -> None:
    if actor.role != Role.COUNCIL:
        raise Forbidden("the partnership's ledger is the council's")


def _cents(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field}: integer cents", {field: "integer cents"})
    if not 0 <= value <= MAX_CENTS:
        raise InvalidInput(f"{field}: between 0 and {MAX_CENTS} cents",
                           {field: f"between 0 and {MAX_CENTS}"})
    return value


def record_settlement(actor: User | None, partner: Partner, payer: str, cents, at: datetime,
                      note: str = "", key: str | None = None, origin: str = US) -> book.Transaction:
    """A settlement: ``payer`` ("us" or "partner") paid ``cents`` on ``at`` (money, or in
    kind as the councils agreed). ``key`` names it on both sides (new when None);
    ``origin``: which council recorded it first. Idempotent on ``key``."""
    if origin == US:
        _council(actor)
    if payer not in (US, PARTNER):
        raise InvalidInput("payer: us or partner", {"payer": "us or partner"})
    cents = _cents(cents, "amount_cents")
    if cents == 0:
        raise InvalidInput("amount_cents: a settlement pays more than 0", {"amount_cents": "> 0"})
    late = timedelta(0) if origin == US else timedelta(seconds=300)  # the partner's clock
    if at.tzinfo is None or at > utcnow() + late:
        raise InvalidInput("paid_at: a time with its zone, not in the future",
                           {"paid_at": "not in the future"})
    us, them = coops(partner)
    key = key or f"{utcnow():%Y%m%d}-{secrets.token_hex(6)}"
    t = book.settlement(key, us if payer == US else them, them if payer == US else us, cents,
                        at.replace(microsecond=0))
    if _post(partner, t, note=note, origin=origin, actor=actor):
        log.note(actor, "ledger_settlement", partner,
                 f"settlement: {'we' if payer == US else 'they'} paid {cents} cents",
                 {"ref": t.ref, "payer": payer, "cents": cents, "origin": origin})
    return t
