"""The event log: every change of a job, a run or a courier is one appended event (who,
what, when, from which status to which, why), written in the transaction of the change
it describes. State changes of jobs and runs are compare-and-set in the database, so two
concurrent actions can never both win."""

from __future__ import annotations

from datetime import datetime

from courier.db import compare_and_set, insert_row
from courier.errors import Conflict
from courier.extensions import db
from courier.journal import webhooks
from courier.journal.announce import announce_job
from courier.messages import outbox as messages
from courier.models import Event, Job, JobStatus, Run, RunStatus, User, utcnow
from courier.texts import stored


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
        messages.note(db.session, ev, job)  # and its recipient's messages
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
