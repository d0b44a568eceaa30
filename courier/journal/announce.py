"""Who is told of a change, live: the shop that asked for a job, the courier of a run and
the dispatchers, each sent what its readers may read (recipients of solidarity jobs stay
private), through the outbox after the commit."""

from __future__ import annotations

from courier import outbox, privacy
from courier.extensions import db
from courier.models import Job, Run
from courier.schemas import dump_job, dump_run

DISPATCH_ROOM = "dispatch"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def _for(user, dump, obj) -> dict:
    with privacy.audience(user):  # each room gets what its readers may read
        return dump(obj)


def announce_job(job: Job) -> dict:
    """``job.updated`` to the shop that asked for it and to dispatchers; returns the job
    as the shop sees it (the message's body)."""
    db.session.flush()
    payload = _for(job.merchant.user, dump_job, job)
    others = _for(None, dump_job, job) if privacy.protected(job) else payload
    outbox.publish(db.session, "job.updated", payload, user_room(job.merchant.user_id))
    outbox.publish(db.session, "job.updated", others, DISPATCH_ROOM)
    return payload


def announce_run(run: Run, name: str) -> None:
    """``run.offered`` / ``run.updated`` / ``run.cancelled`` to its courier and dispatchers."""
    db.session.flush()
    payload = _for(run.courier.user, dump_run, run)
    others = (_for(None, dump_run, run) if any(privacy.protected(s.job) for s in run.stops)
              else payload)
    outbox.publish(db.session, name, payload, user_room(run.courier.user_id))
    outbox.publish(db.session, name, others, DISPATCH_ROOM)
