"""Shops' invoices: one number per shop and month, given once and kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


class Invoice(Base):
    """The invoice of a shop's month: its number, sequential across the coop, is given
    the first time it is asked for and never changes (nor is it given again)."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("merchant_id", "month",
                                       name="uq_invoices_merchant_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the coop's calendar
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    merchant = relationship("Merchant")
