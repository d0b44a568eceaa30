"""State changes of jobs and runs: compare-and-set in the database, each one
written to the event log and announced to whoever follows the object."""

from __future__ import annotations

from datetime import datetime

from courier import outbox
from courier.db import compare_and_set, insert_row
from courier.errors import Conflict
from courier.extensions import db
from courier.models import Event, Job, JobStatus, Run, RunStatus, User, utcnow
from courier.schemas import dump_job, dump_run
from courier.shops import webhooks
from courier.solidarity import privacy
from courier.texts import stored

DISPATCH_ROOM = "dispatch"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def record(actor: User | None, subject: str, action: str, *, job: Job | None = None,
           run: Run | None = None, courier=None, from_status=None, to_status=None, reason: str = "",
           data: dict | None = None, at: datetime | None = None) -> Event:
    """Append one event to the log (written at once, in the transaction of the change it
    describes)."""
    sentence, phrase = stored(reason)
    values = dict(
        actor_id=actor.id if actor else None, subject=subject, action=action,
        job_id=job.id if job else None, run_id=run.id if run else None,
        courier_id=courier.id if courier else (run.courier_id if run else None),
        from_status=_s(from_status), to_status=_s(to_status), reason=sentence, data=data,
        at=at or utcnow())
    if phrase is not None:  # a sentence of the server's, translatable (else SQL NULL)
        values["reason_phrase"] = phrase
    ev = insert_row(Event, values)
    if job is not None and subject == "job":
        webhooks.note(db.session, ev, job)  # the shop's webhooks, written at commit
    return ev


def _s(status):
    return None if status is None else str(getattr(status, "value", status))


def move_job(job: Job, expected, new: JobStatus, actor: User | None, action: str, *,
             reason: str = "", conflict: str | None = None, run: Run | None = None,
             announce: bool = True, **values) -> bool:
    """Move ``job`` from one of ``expected`` to ``new``; write the event; announce it.

    Raises Conflict with ``conflict`` as message if given and the job was not in
    an expected state (someone else won); otherwise returns whether it moved.
    """
    before = job.status
    if not compare_and_set(Job, job.id, expected, status=new, **values):
        if conflict:
            db.session.refresh(job)
            raise Conflict(conflict.format(status=job.status.value),
                           {"status": job.status.value})
        return False
    record(actor, "job", action, job=job, run=run, from_status=before, to_status=new,
           reason=reason)
    if announce:
        announce_job(job)
    return True


def move_run(run: Run, expected, new: RunStatus, actor: User | None, action: str, *,
             reason: str = "", conflict: str | None = None, **values) -> bool:
    """Move ``run`` like :func:`move_job` moves a job."""
    before = run.status
    if not compare_and_set(Run, run.id, expected, status=new, **values):
        if conflict:
            db.session.refresh(run)
            raise Conflict(conflict.format(status=run.status.value),
                           {"status": run.status.value})
        return False
    record(actor, "run", action, run=run, from_status=before, to_status=new, reason=reason)
    return True


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
