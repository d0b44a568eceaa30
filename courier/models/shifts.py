"""Shifts planned ahead: the slots the council (or dispatch) publishes, per day and
vehicle kind with the riders wanted, and members' sign-ups to them. A sign-up is never
deleted: releasing it, handing it over (a swap) and starting it are dated on the row,
and each change is an event in the log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow
from courier.models.users import Vehicle, _enum


class ShiftSlot(Base):
    """A slot of work: from ``starts_at`` to ``ends_at``, for ``riders`` members riding a
    ``vehicle``. A cancelled slot stays, with its sign-ups, for the record."""

    __tablename__ = "shift_slots"
    __table_args__ = (Index("ix_shift_slots_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    vehicle: Mapped[Vehicle] = mapped_column(_enum(Vehicle, "vehicle"))
    riders: Mapped[int]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    signups: Mapped[list[ShiftSignup]] = relationship(
        back_populates="slot", order_by="ShiftSignup.id")


class ShiftSignup(Base):
    """A member on a slot. Whether they ride it or wait for a place is worked out from
    every active sign-up of the slot (:mod:`courier.dispatch.shifts`): ``rank_s`` is the
    member's hours (or pay, in cents) this period when they signed up, the figure the
    council's fairness setting ranks by. ``offered_to_id``: a swap offered to another
    member, who takes the sign-up (and its place) by accepting."""

    __tablename__ = "shift_signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("shift_slots.id"), index=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"), index=True)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    rank_s: Mapped[int] = mapped_column(default=0)
    late_signup: Mapped[bool] = mapped_column(default=False, server_default=false())  # ranked last
    offered_to_id: Mapped[int | None] = mapped_column(ForeignKey("couriers.id"))
    released_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]  # went on shift for it (from the phone page)

    slot: Mapped[ShiftSlot] = relationship(back_populates="signups")
    courier = relationship("Courier", foreign_keys=[courier_id])
    offered_to = relationship("Courier", foreign_keys=[offered_to_id])
