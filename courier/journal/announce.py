"""Who is told of a change, live: the shop that asked for a job, the courier of a run,
the dispatchers and the recipient's tracking page, each sent what its readers may read
(recipients of solidarity jobs stay private), through the outbox after the commit."""

from __future__ import annotations

from courier import outbox, privacy, tracking
from courier.extensions import db
from courier.journal import push
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
    outbox.publish(db.session, "job.updated", payload, user_room(job.merchant.user_id),
                   key=job.id)
    outbox.publish(db.session, "job.updated", others, DISPATCH_ROOM, key=job.id)
    if job.tracking_token and job.status not in tracking.WAITING:
        # the recipient's page, if open: only what the link shows (waiting for a courier,
        # offered or not, it shows the same)
        outbox.publish(db.session, "track.updated", tracking.public_view(job),
                       tracking.room(job), key=job.id)
    return payload


def announce_run(run: Run, name: str, *, push_kind: str | None = None,
                 pushed: bool = True) -> None:
    """``run.offered`` / ``run.updated`` / ``run.cancelled`` to its courier and dispatchers;
    an offer, or an offer withdrawn, also to the courier's devices by Web Push (or
    ``push_kind``: ``"changed"`` for a re-plan of a run being ridden). ``pushed=False``:
    the courier did it themselves, their devices are not pushed."""
    db.session.flush()
    if pushed:
        push.note(db.session, run, push_kind or push.kind_for(run, name))
    payload = _for(run.courier.user, dump_run, run)
    others = (_for(None, dump_run, run) if any(privacy.protected(s.job) for s in run.stops)
              else payload)
    outbox.publish(db.session, name, payload, user_room(run.courier.user_id))
    outbox.publish(db.session, name, others, DISPATCH_ROOM)
