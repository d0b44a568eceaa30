"""Between partner coops: the mutual-credit ledger of each partnership, and the jobs
relayed from one coop's zone to the other's through a hub both accept (see
docs/federation.md)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


class LedgerEntry(Base):
    """One line of a partnership's double-entry ledger, kept alike on both sides: a
    transaction (a hand-off, its reversal, a settlement; ``ref``) is two lines, one on
    each coop's account (``side``: "us" or "partner"), whose ``amount_cents`` sum to
    zero; positive means the other coop owes that account's coop more. Written once,
    never changed: a mistake is corrected by another transaction."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("partner_id", "ref", "side", name="uq_ledger_entries_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    ref: Mapped[str] = mapped_column(String(120))  # handoff:<key>, reversal:<key>, settlement:<key>
    kind: Mapped[str] = mapped_column(String(12))  # handoff, reversal, settlement
    side: Mapped[str] = mapped_column(String(8))  # whose account: "us" or "partner"
    amount_cents: Mapped[int]
    at: Mapped[datetime]  # when it happened, the same on both sides
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id"), index=True)
    job_key: Mapped[str] = mapped_column(String(80), default="")  # the hand-off's shared name
    note: Mapped[str] = mapped_column(String(500), default="")
    origin: Mapped[str] = mapped_column(String(8), default="us")  # who recorded it first
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner = relationship("Partner")


@event.listens_for(LedgerEntry, "before_update")
@event.listens_for(LedgerEntry, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("the ledger is append-only")


class RelayStatus(enum.StrEnum):
    ASKING = "asking"  # the partner is asked for the second leg; our first leg waits
    FIRST_LEG = "first_leg"  # our courier takes the parcel from the shop to the hub
    SECOND_LEG = "second_leg"  # left at the hub: the partner's courier takes it on
    DONE = "done"  # delivered, or failed at the door by the partner
    STOPPED = "stopped"  # no partner took it, or a leg was given up: the job is ours again


class Relay(Base):
    """A job from inside our zone to inside a partner's, carried in two legs through a
    hub both coops accept: ``job`` is the shop's job (the one the shop and the
    recipient see, with its tracking link), ``leg_job`` the first leg our courier rides
    (shop to hub), ``handoff`` the second leg the partner carries (hub to recipient). A
job one partner refused may be relayed through another: a relay for each ask."""

    __tablename__ = "relays"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    leg_job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id"))
    hub: Mapped[dict] = mapped_column(JSON)  # {"name", "address", "lat", "lon"}
    status: Mapped[RelayStatus] = mapped_column(
        Enum(RelayStatus, name="relay_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]), default=RelayStatus.ASKING)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    job = relationship("Job", foreign_keys=[job_id])
    leg_job = relationship("Job", foreign_keys=[leg_job_id])
    partner = relationship("Partner")
    handoff = relationship("Handoff")
