"""What shops and the coop agree on: service zones, pricing rule versions, delivery
slot schedules, cached geocoding results, and webhooks (endpoints, the deliveries
waiting to go out, and the log of every attempt)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, exists
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from courier.models.base import Base, utcnow
from courier.models.users import Merchant


class Zone(Base):
    """A service zone: a GeoJSON Polygon or MultiPolygon in ``[lon, lat]`` order.

    The union of the active zones is where the coop rides; pricing rules may also
    name zones. Rows are changed in place (``updated_at`` tells other processes
    to rebuild their index).
    """

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    geometry: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GeocodeResult(Base):
    """A provider's answer for one normalised address, kept to spare the provider."""

    __tablename__ = "geocode_cache"
    __table_args__ = (UniqueConstraint("provider", "query", name="uq_geocode_cache_query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(120))
    query: Mapped[str] = mapped_column(String(255))
    lat: Mapped[float]
    lon: Mapped[float]
    label: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PricingVersion(Base):
    """One version of the council's pricing rules. Never changed once written:
    a change is a new version, effective from a given time."""

    __tablename__ = "pricing_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    strategy: Mapped[str] = mapped_column(String(20))
    rules: Mapped[dict] = mapped_column(JSON)  # the whole validated document
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_from: Mapped[datetime] = mapped_column(index=True)

    created_by = relationship("User")


class SlotSchedule(Base):
    """A shop's delivery slots: opening hours cut into slots, a same-day cut-off."""

    __tablename__ = "slot_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), unique=True)
    settings: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookEndpoint(Base):
    """A URL of a shop's software that receives signed job events.

    The secret signs every delivery; after a rotation the previous secret keeps
    signing too (a second signature) until ``previous_until``.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list] = mapped_column(JSON)  # event types, e.g. ["job.delivered"]
    secret: Mapped[str] = mapped_column(String(80))
    previous_secret: Mapped[str | None] = mapped_column(String(80))
    previous_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    merchant = relationship("Merchant")


# Whether a shop has any active webhook endpoint, read with the shop itself (no extra round
# trip): a job event of a shop without endpoints then needs no look-up at commit time.
Merchant.has_webhooks = column_property(
    exists().where(WebhookEndpoint.merchant_id == Merchant.id,
                   WebhookEndpoint.active.is_(True)))


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # answered 2xx
    FAILED = "failed"  # every attempt failed; can be replayed


class WebhookDelivery(Base):
    """One message for one endpoint, written in the transaction of the change it
    reports (a transactional outbox) and sent later by the background sender."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(40), index=True)
    event_type: Mapped[str] = mapped_column(String(40))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    payload: Mapped[str] = mapped_column(Text)  # the exact body sent, every time
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, name="webhook_delivery_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    replay_of_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id"))

    endpoint: Mapped[WebhookEndpoint] = relationship()
    log: Mapped[list[WebhookAttempt]] = relationship(
        back_populates="delivery", order_by="WebhookAttempt.id")


class WebhookAttempt(Base):
    """One try of a delivery: when, the response code (or the error), how long."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    response_excerpt: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(default=0)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="log")
