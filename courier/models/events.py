"""The append-only event log of jobs and runs: who did what, when, and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.models.base import Base, utcnow


class Event(Base):
    """One change of a job or a run. Rows are written once and never changed."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_job_at", "job_id", "id"),
                      Index("ix_events_run_at", "run_id", "id"),
                      # a courier's last word of a kind (what each was last told, their
                      # shifts and breaks) without reading all their events
                      Index("ix_events_courier_action", "courier_id", "action", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(10))  # "job", "run" or "courier"
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("couriers.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="")
    reason_phrase: Mapped[dict | None] = mapped_column(JSON)  # courier.texts
    data: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User")


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("the event log is append-only")
