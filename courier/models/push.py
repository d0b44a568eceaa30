"""Web Push: the devices a member asked to be notified on (one browser's push
subscription each) and the messages queued for them (a transactional outbox, sent by
the worker)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


class PushSubscription(Base):
    """One device (a browser's push subscription) of a member: where its push service
    takes messages (``endpoint``) and the keys they are encrypted for (RFC 8291)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))  # the browser's public key, base64url
    auth: Mapped[str] = mapped_column(String(64))  # its authentication secret, base64url
    label: Mapped[str] = mapped_column(String(80), default="")  # "Firefox on Android"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sent_at: Mapped[datetime | None]  # the push service last took a message for it


class PushStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"  # the push service took it (201)
    DROPPED = "dropped"  # not sent: its time ran out, or what it told is over
    FAILED = "failed"  # refused for good (4xx), or the device is gone (404/410)


class PushMessage(Base):
    """One message for one device, written in the transaction of the change it tells
    (an offer, a withdrawal, a changed run) and sent once by the worker."""

    __tablename__ = "push_messages"
    __table_args__ = (Index("ix_push_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # offer, withdrawn, changed
    urgency: Mapped[str] = mapped_column(String(10), default="high")  # RFC 8030 5.3
    payload: Mapped[str] = mapped_column(Text)  # the JSON encrypted for the device
    expires_at: Mapped[datetime]  # never sent after this; the TTL counts down to it
    status: Mapped[PushStatus] = mapped_column(
        Enum(PushStatus, name="push_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=PushStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    subscription: Mapped[PushSubscription] = relationship()
