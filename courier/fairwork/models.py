"""Fair-work tables: versions of the council's rules, and contests of decisions.

Both are append-only: a rules change is a new version, an answer to a contest
is a new row. Time tracking lives in the shared event log (subject
``"courier"``), see :mod:`courier.fairwork.tracking`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow
from courier.texts import N_, Phrase

RULES_LABEL = N_("rules v{number}")


class RulesVersion(Base):
    """One version of the rules: who set it, when, why, from when it applies.

    The version in force at a time ``t`` is the one with the latest
    ``effective_from`` not after ``t`` (the higher number on a tie).
    ``diff`` lists what changed from the previous version.
    """

    __tablename__ = "rules_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    effective_from: Mapped[datetime] = mapped_column(index=True)
    rules: Mapped[dict] = mapped_column(JSON)
    diff: Mapped[list] = mapped_column(JSON, default=list)

    created_by = relationship("User")

    @property
    def label(self) -> Phrase:
        return Phrase(RULES_LABEL, number=self.number)


class Contest(Base):
    """A member's comment contesting a decision recorded as an event."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("couriers.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("Event")
    author = relationship("User")
    answers: Mapped[list[ContestAnswer]] = relationship(
        back_populates="contest", order_by="ContestAnswer.id")

    @property
    def status(self) -> str:
        return "answered" if self.answers else "open"


class ContestAnswer(Base):
    """The council's answer to a contest (several answers make a thread)."""

    __tablename__ = "contest_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contest: Mapped[Contest] = relationship(back_populates="answers")
    author = relationship("User")


@event.listens_for(RulesVersion, "before_update")
@event.listens_for(RulesVersion, "before_delete")
@event.listens_for(Contest, "before_update")
@event.listens_for(Contest, "before_delete")
@event.listens_for(ContestAnswer, "before_update")
@event.listens_for(ContestAnswer, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError(f"{type(target).__name__} rows are append-only")
