"""Food hubs' tables: their producers, recurring round schedules, the rounds
themselves and the orders each round carries.

A *round* is one trip planned by dispatch like any other work: a collection
round gathers from several producers to the hub (one courier's run), a
distribution round takes the hub's orders to households or pickup points. A
*schedule* makes a round every given weekday with a cut-off for orders; rounds
are released (their jobs created) at the cut-off.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


class RoundKind(enum.StrEnum):
    COLLECT = "collect"  # many producers -> the hub, one courier's run
    DISTRIBUTE = "distribute"  # the hub -> many households or pickup points


class RoundStatus(enum.StrEnum):
    OPEN = "open"  # taking orders until the cut-off
    RELEASED = "released"  # its jobs exist and go to dispatch
    CANCELLED = "cancelled"


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])


class Producer(Base):
    """A place a hub collects from: a farm, a bakery, a market gardener."""

    __tablename__ = "producers"
    __table_args__ = (UniqueConstraint("hub_id", "name", name="uq_producers_hub_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    default_kg: Mapped[float] = mapped_column(default=0.0)  # a usual collection
    default_l: Mapped[float] = mapped_column(default=0.0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoundSchedule(Base):
    """A recurring round: on ``weekdays`` (0 = Monday), from ``start`` to ``end``
    (local ``HH:MM``), orders taken until ``cutoff_hours`` before the start."""

    __tablename__ = "round_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[RoundKind] = mapped_column(_enum(RoundKind, "round_kind"))
    weekdays: Mapped[list] = mapped_column(JSON)
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))
    cutoff_hours: Mapped[int] = mapped_column(default=24)
    producer_ids: Mapped[list] = mapped_column(JSON, default=list)  # collection rounds
    solidarity: Mapped[bool] = mapped_column(default=False, server_default=false())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Round(Base):
    """One round on one day: its window, its cut-off, and whether its jobs exist yet."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("schedule_id", "starts_at", name="uq_rounds_schedule_start"),
        Index("ix_rounds_status_cutoff", "status", "cutoff_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("round_schedules.id"))
    name: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[RoundKind] = mapped_column(_enum(RoundKind, "round_kind"))
    solidarity: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus, "round_status"),
                                                default=RoundStatus.OPEN)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    cutoff_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hub = relationship("Merchant")
    orders: Mapped[list[RoundOrder]] = relationship(
        back_populates="round", order_by="RoundOrder.id", cascade="all, delete-orphan")


class RoundOrder(Base):
    """What a round carries for one producer (collection) or one household
    (distribution). Becomes a job when the round is released."""

    __tablename__ = "round_orders"
    __table_args__ = (UniqueConstraint("round_id", "reference", name="uq_round_orders_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"))
    reference: Mapped[str | None] = mapped_column(String(80))  # the hub's own order number
    customer: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    weight_kg: Mapped[float] = mapped_column(default=0.0)
    volume_l: Mapped[float] = mapped_column(default=0.0)
    slot: Mapped[str | None] = mapped_column(String(11))  # "HH:MM-HH:MM", local, in the round
    notes: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship(back_populates="orders")
    producer = relationship("Producer")
