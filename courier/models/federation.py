"""Federation between coops: the partner coops we work with (keys, their published zone
and terms), the invitations that start a partnership, the jobs handed from one coop to
the other, and the signed messages they exchange about them (see docs/federation.md)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])


class PartnerStatus(enum.StrEnum):
    INVITED = "invited"  # keys exchanged, waiting for one or both councils' approval
    ACTIVE = "active"  # both approved: hand-offs go both ways
    PAUSED = "paused"  # no new hand-off either way; those in flight finish
    ENDED = "ended"  # for good; those in flight finish


class Partner(Base):
    """Another coop's instance we are paired with (one row per partnership, on each side).

    Each side signs what it sends with its own secret (``our_*``) and checks what it
    receives with the partner's (``their_*``); during a rotation the partner's previous
    key is still accepted until ``their_prev_until``."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    base_url: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[PartnerStatus] = mapped_column(_enum(PartnerStatus, "partner_status"),
                                                  default=PartnerStatus.INVITED)
    # who started it: "us" (we invited) or "them" (we entered their code)
    invited_by: Mapped[str] = mapped_column(String(10), default="us")
    our_key_id: Mapped[str] = mapped_column(String(40), unique=True)
    our_secret: Mapped[str] = mapped_column(String(100))
    their_key_id: Mapped[str] = mapped_column(String(40), unique=True)
    their_secret: Mapped[str] = mapped_column(String(100))
    their_prev_key_id: Mapped[str | None] = mapped_column(String(40), index=True)
    their_prev_secret: Mapped[str | None] = mapped_column(String(100))
    their_prev_until: Mapped[datetime | None]
    we_approved_at: Mapped[datetime | None]
    they_approved_at: Mapped[datetime | None]
    # a status change decided by one side: who decided it ("us" / "them")
    status_by: Mapped[str | None] = mapped_column(String(10))
    # what the partner publishes at /.well-known/courier-coop, as last read
    zone: Mapped[dict | None] = mapped_column(JSON)  # GeoJSON FeatureCollection
    terms: Mapped[dict | None] = mapped_column(JSON)  # kinds taken, hours, price list
    profile_at: Mapped[datetime | None]
    # the limit of what one coop may owe the other, in cents (0: no credit); its
    # meaning is the ledger's (courier.federation.ledger)
    credit_limit_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    # the shop account under which the jobs this partner hands us are made here
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    merchant = relationship("Merchant")

    @property
    def is_active(self) -> bool:
        return self.status == PartnerStatus.ACTIVE


class PartnerInvitation(Base):
    """A one-time code the council gives another coop's council: only its hash is kept,
    it expires soon, and it is used once."""

    __tablename__ = "partner_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HandoffStatus(enum.StrEnum):
    ASKED = "asked"  # the partner was asked, no answer yet
    ACCEPTED = "accepted"  # the partner carries it
    REFUSED = "refused"  # the partner said no (reason)
    TIMED_OUT = "timed_out"  # no answer in time: the job stayed with the asking coop
    DELIVERED = "delivered"
    FAILED = "failed"  # failed at the door: the shop sees a failure
    RETURNED = "returned"  # came back undelivered, to be served by the asking coop again
    CANCELLED = "cancelled"  # withdrawn (a late answer, or the shop cancelled)


OPEN_HANDOFF_STATUSES = frozenset({HandoffStatus.ASKED, HandoffStatus.ACCEPTED})


class Handoff(Base):
    """One job passed between two coops, seen from one side: ``out`` we gave it (``job_id``
    is the shop's job, carried by the partner), ``in`` we carry it for the partner
    (``job_id`` is the job made here under the partner's shop account)."""

    __tablename__ = "handoffs"
    __table_args__ = (
        UniqueConstraint("partner_id", "direction", "idempotency_key",
                         name="uq_handoffs_partner_key"),
        Index("ix_handoffs_status", "direction", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # "out" or "in"
    remote_ref: Mapped[str | None] = mapped_column(String(64))  # the other side's job id
    idempotency_key: Mapped[str] = mapped_column(String(80))
    price_cents: Mapped[int | None]
    status: Mapped[HandoffStatus] = mapped_column(_enum(HandoffStatus, "handoff_status"),
                                                  default=HandoffStatus.ASKED)
    reason: Mapped[str] = mapped_column(String(500), default="")
    leg: Mapped[str] = mapped_column(String(10), default="whole")  # whole, first, second
    # by whom: "rule" (the council's rule, automatically) or "dispatcher"
    asked_by: Mapped[str] = mapped_column(String(20), default="rule")
    # the carrying side's view, told back: its job's status, courier's first name, ETA
    remote_status: Mapped[str | None] = mapped_column(String(20))
    courier_first_name: Mapped[str | None] = mapped_column(String(60))
    eta: Mapped[datetime | None]
    proof: Mapped[dict | None] = mapped_column(JSON)
    # "in": the last status message numbered for the asking coop; "out": the last applied
    seq: Mapped[int] = mapped_column(default=0, server_default="0")
    # "in": the last event of our job already told to the asking coop
    event_cursor: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    answered_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship()
    job = relationship("Job")


class MessageState(enum.StrEnum):
    PENDING = "pending"  # out: to send (again at next_attempt_at)
    SENT = "sent"  # out: the partner acknowledged it
    FAILED = "failed"  # out: refused for good
    APPLIED = "applied"  # in: taken into account
    BUFFERED = "buffered"  # in: arrived before an earlier one; applied when its turn comes
    REFUSED = "refused"  # in: signed but not acceptable (reason in last_error)


class FederationMessage(Base):
    """A signed message between partners, kept on both sides: outgoing ones are an
    outbox (sent in ``seq`` order per hand-off, retried), incoming ones are remembered by
    id (a replay is refused) and buffered when they come out of order."""

    __tablename__ = "federation_messages"
    __table_args__ = (
        UniqueConstraint("partner_id", "direction", "message_id",
                         name="uq_federation_messages_once"),
        Index("ix_federation_messages_due", "direction", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # "out" or "in"
    message_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))  # handoff.status, partner.status...
    seq: Mapped[int | None]  # per hand-off, from 1
    path: Mapped[str] = mapped_column(String(200), default="")  # where it goes (out)
    body: Mapped[str] = mapped_column(Text)  # the exact JSON signed
    status: Mapped[MessageState] = mapped_column(_enum(MessageState, "federation_msg_state"),
                                                 default=MessageState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship()
