"""Recurring jobs: a shop's schedule (an iCalendar RRULE with exceptions and an end) and
the job it submits at each occurrence (courier.shops.schedules, docs/shops.md)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


def new_uid() -> str:
    """The schedule's part of its jobs' idempotency keys (never reused, unlike an id)."""
    return secrets.token_hex(8)


class JobSchedule(Base):
    """A job a shop sends again and again: ``rrule`` from ``starts`` (the coop's local
    wall time), skipping ``exdates`` (local dates); each occurrence is submitted ahead
    by the worker as the job ``job`` (the body of ``POST /jobs`` without its times), ready
    at the occurrence and to deliver within ``window_minutes``."""

    __tablename__ = "job_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(16), unique=True, default=new_uid)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    rrule: Mapped[str] = mapped_column(String(500))
    starts: Mapped[str] = mapped_column(String(19))  # DTSTART, local wall time, ISO
    exdates: Mapped[list] = mapped_column(JSON, default=list)  # "YYYY-MM-DD", local
    window_minutes: Mapped[int] = mapped_column(default=60)
    job: Mapped[dict] = mapped_column(JSON)
    paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    made_until: Mapped[datetime | None]  # occurrences up to here were submitted (UTC)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_error_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    merchant = relationship("Merchant")
