"""Messages to recipients: what each shop chooses to send, the messages waiting to go
out (a transactional outbox, sent once by the worker) and the addresses that opted out
(courier.messages, docs/messages.md)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


class MessageKind(enum.StrEnum):
    ON_THE_WAY = "on_the_way"  # picked up: the courier is on the way, with the ETA
    ARRIVING = "arriving"  # the courier arrives in a few minutes
    DELIVERED = "delivered"  # with the link to the proof, if any
    FAILED = "failed"  # with the reason and what happens next


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"  # the mail server or the SMS provider took it
    FAILED = "failed"  # refused for good, or its outcome is unknown (never sent again)
    LIMITED = "limited"  # not sent: the recipient had enough messages this hour
    OPTED_OUT = "opted_out"  # not sent: the recipient opted out meanwhile
    DROPPED = "dropped"  # not sent: out of date (the parcel arrived before its news)


class MessagePolicy(Base):
    """Which messages a shop's recipients are sent (a shop without a row sends none)."""

    __tablename__ = "message_policies"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    kinds: Mapped[list] = mapped_column(JSON, default=list)  # MessageKind values
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RecipientMessage(Base):
    """One message to one recipient about one job, by e-mail or SMS: at most one per job,
    kind and channel (written at the commit of the change it tells)."""

    __tablename__ = "recipient_messages"
    __table_args__ = (
        UniqueConstraint("job_id", "kind", "channel", name="uq_recipient_messages_once"),
        Index("ix_recipient_messages_due", "status", "next_attempt_at"),
        Index("ix_recipient_messages_to_sent", "to_hash", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))  # email, sms
    to: Mapped[str | None] = mapped_column(String(254))  # erased with the recipient's data
    to_hash: Mapped[str] = mapped_column(String(64))  # the address, keyed: rate and opt-out
    lang: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        Enum(MessageStatus, name="recipient_message_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    job = relationship("Job")


class MessageOptOut(Base):
    """An address that asked for no more messages (kept as a keyed hash, not as is)."""

    __tablename__ = "message_opt_outs"

    to_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
