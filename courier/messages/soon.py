""""Arriving soon": the worker writes it once the courier carrying a parcel is expected
at its recipient within ``MESSAGE_ARRIVING_MINUTES`` (the live estimate, else the plan).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from courier.extensions import db
from courier.messages import compose, outbox
from courier.models import Job, JobStatus, MessageKind, MessagePolicy, RecipientMessage, utcnow


def tick(now: datetime | None = None) -> int:
    """Write the "arriving soon" messages now due (flushed, not committed). Returns how
    many were written."""
    now = now or utcnow()
    shops = [p.merchant_id for p in db.session.scalars(select(MessagePolicy))
             if MessageKind.ARRIVING.value in (p.kinds or [])]
    if not shops:
        return 0
    ahead = timedelta(minutes=float(current_app.config["MESSAGE_ARRIVING_MINUTES"]))
    told = exists().where(RecipientMessage.job_id == Job.id,
                          RecipientMessage.kind == MessageKind.ARRIVING.value)
    jobs = db.session.scalars(select(Job).where(
        Job.status == JobStatus.PICKED_UP, Job.merchant_id.in_(shops),
        Job.solidarity.is_(False), ~told)).all()
    written = 0
    for job in jobs:
        eta = compose.expected_arrival(job)
        if eta is not None and eta <= now + ahead:
            written += outbox.write(job, MessageKind.ARRIVING, now)
    if written:
        outbox.wake.set()
    return written
