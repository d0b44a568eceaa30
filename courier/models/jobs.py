"""Work: delivery jobs, the runs that carry them, and their ordered stops."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # handed to a partner coop (courier.federation), which carries it: dispatch leaves it
    WITH_PARTNER = "with_partner"


OPEN_JOB_STATUSES = frozenset({JobStatus.PENDING, JobStatus.OFFERED, JobStatus.ACCEPTED,
                               JobStatus.PICKED_UP})


class RunStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DONE = "done"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class StopKind(enum.StrEnum):
    PICKUP = "pickup"
    DROPOFF = "dropoff"
    RETURN = "return"  # a parcel that could not be delivered, back to the shop or a hub


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])


def new_tracking_token() -> str:
    """The secret of a job's public tracking link: 192 random bits, unguessable."""
    return secrets.token_urlsafe(24)


class Job(Base):
    """One delivery asked by a shop: from pickup to dropoff within a time window."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("merchant_id", "idempotency_key", name="uq_jobs_merchant_idempotency"),
        Index("ix_jobs_status_ready", "status", "ready_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus, "job_status"),
                                              default=JobStatus.PENDING)
    pickup_address: Mapped[str] = mapped_column(String(255), default="")
    pickup_lat: Mapped[float]
    pickup_lon: Mapped[float]
    dropoff_address: Mapped[str] = mapped_column(String(255), default="")
    dropoff_lat: Mapped[float]
    dropoff_lon: Mapped[float]
    ready_at: Mapped[datetime]
    deliver_by: Mapped[datetime]
    weight_kg: Mapped[float] = mapped_column(default=0.0)
    volume_l: Mapped[float] = mapped_column(default=0.0)
    recipient_name: Mapped[str] = mapped_column(String(120), default="")
    recipient_phone: Mapped[str] = mapped_column(String(40), default="")
    # for messages to the recipient (courier.messages): where, and in which language
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    recipient_lang: Mapped[str | None] = mapped_column(String(8))
    # the code the recipient gives the courier at the door, when the shop chose it itself
    # (else it is derived from the tracking token: courier.proofs.policy.code_of)
    recipient_code: Mapped[str | None] = mapped_column(String(12))
    notes: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int | None]
    # fixed at submission, never recomputed: the rules version and which rule gave what
    pricing_version: Mapped[int | None]
    price_breakdown: Mapped[dict | None] = mapped_column(JSON)
    # a multi-drop delivery: every part carries the id of its first part
    group_id: Mapped[int | None] = mapped_column(index=True)
    slot: Mapped[str | None] = mapped_column(String(40))  # the delivery slot it was booked in
    # solidarity work (courier.solidarity): free, served first, recipient kept private
    solidarity: Mapped[bool] = mapped_column(default=False, server_default=false())
    priority: Mapped[int] = mapped_column(default=0, server_default="0")  # 0-100, for dispatch
    round_id: Mapped[int | None] = mapped_column(index=True)  # the hub round that made it
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("couriers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    picked_up_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(String(255))
    returned_at: Mapped[datetime | None]  # a failed parcel, brought back by its courier
    unassigned_reason: Mapped[str | None] = mapped_column(String(500))
    unassigned_reason_phrase: Mapped[dict | None] = mapped_column(JSON)  # courier.texts
    tracking_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True,
                                                       default=new_tracking_token)
    # the last delay alert (courier.dispatch.delays): how late it was then, and why
    late_by_s: Mapped[int | None]
    delay_reason: Mapped[str | None] = mapped_column(String(500))
    delay_reason_phrase: Mapped[dict | None] = mapped_column(JSON)  # courier.texts
    # the partner coop that carries (or carried) it (courier.federation), if any
    carried_by_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))

    merchant = relationship("Merchant")
    run: Mapped[Run | None] = relationship(foreign_keys=[run_id])
    courier = relationship("Courier")

    @property
    def pickup(self) -> dict:
        return {"address": self.pickup_address, "lat": self.pickup_lat, "lon": self.pickup_lon}

    @property
    def dropoff(self) -> dict:
        return {"address": self.dropoff_address, "lat": self.dropoff_lat, "lon": self.dropoff_lon}

    @property
    def recipient(self) -> dict:
        return {"name": self.recipient_name, "phone": self.recipient_phone}

    def _planned(self, kind: StopKind) -> datetime | None:
        if self.run is None:
            return None
        return next((s.planned_arrival for s in self.run.stops
                     if s.job_id == self.id and s.kind == kind), None)

    @property
    def planned_pickup_at(self) -> datetime | None:
        return self._planned(StopKind.PICKUP)

    @property
    def planned_dropoff_at(self) -> datetime | None:
        return self._planned(StopKind.DROPOFF)

    def _eta(self, kind: StopKind) -> datetime | None:
        """The live estimate of this job's stop (courier.dispatch.eta), while its run is
        ridden and the stop is still to do (the plan's time until a first estimate)."""
        if self.run is None or self.run.status != RunStatus.ACCEPTED:
            return None
        stop = next((s for s in self.run.stops if s.job_id == self.id and s.kind == kind),
                    None)
        if stop is None or stop.done_at is not None:
            return None
        return stop.eta or stop.planned_arrival

    @property
    def eta(self) -> datetime | None:
        """When the courier is expected at the drop-off, while it is still to come."""
        if self.status not in (JobStatus.ACCEPTED, JobStatus.PICKED_UP):
            return None
        return self._eta(StopKind.DROPOFF)

    @property
    def pickup_eta(self) -> datetime | None:
        """When the courier is expected at the pickup, until they have picked it up."""
        return self._eta(StopKind.PICKUP) if self.status == JobStatus.ACCEPTED else None

    @property
    def return_stop(self) -> RunStop | None:
        """Where and when a failed parcel goes back (a stop of its run), if it does."""
        if self.run is None:
            return None
        return next((s for s in self.run.stops
                     if s.job_id == self.id and s.kind == StopKind.RETURN), None)

    @property
    def return_to(self) -> dict | None:
        stop = self.return_stop
        return None if stop is None else {"address": stop.address, "lat": stop.lat,
                                          "lon": stop.lon}

    @property
    def planned_return_at(self) -> datetime | None:
        stop = self.return_stop
        return None if stop is None or stop.done_at else stop.planned_arrival

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_JOB_STATUSES


class Run(Base):
    """An ordered set of stops offered to one courier, as planned by dispatch."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"), index=True)
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "run_status"),
                                              default=RunStatus.OFFERED, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    planned_start: Mapped[datetime]
    planned_end: Mapped[datetime]
    distance_m: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(500), default="")
    reason_phrase: Mapped[dict | None] = mapped_column(JSON)  # courier.texts
    etas_at: Mapped[datetime | None]  # when its stops' ETAs were last worked out

    courier = relationship("Courier")
    stops: Mapped[list[RunStop]] = relationship(
        back_populates="run", order_by="RunStop.seq", cascade="all, delete-orphan")


class RunStop(Base):
    """A pickup or a dropoff of one job (or the return of a parcel that could not be
    delivered), in the order the courier rides them."""

    __tablename__ = "run_stops"
    __table_args__ = (UniqueConstraint("run_id", "seq", name="uq_run_stops_run_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    seq: Mapped[int]
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    kind: Mapped[StopKind] = mapped_column(_enum(StopKind, "stop_kind"))
    planned_arrival: Mapped[datetime]
    lat: Mapped[float]
    lon: Mapped[float]
    done_at: Mapped[datetime | None]
    place: Mapped[str | None] = mapped_column(String(255))  # a return's address
    eta: Mapped[datetime | None]  # the live estimate of arrival (courier.dispatch.eta)

    run: Mapped[Run] = relationship(back_populates="stops")
    job: Mapped[Job] = relationship()

    @property
    def address(self) -> str:
        if self.kind == StopKind.RETURN:
            return self.place or ""
        return self.job.pickup_address if self.kind == StopKind.PICKUP else self.job.dropoff_address
