"""Proofs of delivery and how long recipients' data is kept: the proof each shop asks of
its jobs, the proofs kept (a photo, a signature, the recipient's code checked), and the
jobs whose recipient's personal data was erased (courier.proofs, docs/privacy.md)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from courier.models.base import Base, utcnow


class ProofKind(enum.StrEnum):
    PHOTO = "photo"  # a JPEG taken by the courier's phone
    SIGNATURE = "signature"  # a PNG drawn on the courier's screen by the recipient
    CODE = "code"  # the recipient's code, checked (nothing stored but the fact)


class ProofRule(enum.StrEnum):
    """What a shop's jobs need to be marked delivered."""

    NONE = "none"
    PHOTO = "photo"
    SIGNATURE = "signature"
    CODE = "code"


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])


class ProofPolicy(Base):
    """The proof a shop's jobs need: to be delivered (``required``), and whether a
    failed delivery needs a photo. A shop without a row asks for none."""

    __tablename__ = "proof_policies"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    required: Mapped[ProofRule] = mapped_column(_enum(ProofRule, "proof_rule"),
                                                default=ProofRule.NONE)
    on_failure: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Proof(Base):
    """One proof of one job: its file is in the proof store under ``key`` (none for a
    code), until the retention period ends (``removed_at``)."""

    __tablename__ = "proofs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("couriers.id"))
    kind: Mapped[ProofKind] = mapped_column(_enum(ProofKind, "proof_kind"))
    outcome: Mapped[str] = mapped_column(String(20))  # "delivered" or "failed"
    key: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]


class Redaction(Base):
    """A job whose recipient's personal data was erased: when, and why (``retention``:
    the council's period ran out; ``request``: the recipient asked)."""

    __tablename__ = "redactions"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(20))
