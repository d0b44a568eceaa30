"""The federation's steps in the event log: partnership changes and refused requests
(subject ``federation``); a hand-off's steps are events of its job (courier.journal)."""

from __future__ import annotations

from courier.db import insert_row
from courier.models import Event, Partner, User, utcnow


def note(actor: User | None, action: str, partner: Partner | None, reason: str = "",
         data: dict | None = None, job=None) -> None:
    """Append one federation event (written in this transaction)."""
    insert_row(Event, {
        "actor_id": actor.id if actor is not None else None, "subject": "federation",
        "action": action, "job_id": job.id if job is not None else None,
        "reason": reason[:500], "at": utcnow(),
        "data": {**(data or {}), "partner": partner.name if partner is not None else None,
                 "partner_id": partner.id if partner is not None else None}})
