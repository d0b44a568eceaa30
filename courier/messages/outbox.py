"""Messages written with the change they tell: where a job's event is recorded
(:func:`courier.journal.record`), the messages its shop chose are noted, and written when
the transaction commits (a change that rolled back tells nothing). At most one message
per job, kind and channel, ever: a second note of the same news is skipped by the
database's unique key, so a replayed action sends nothing twice."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import event, update
from sqlalchemy.orm import Session, scoped_session

from courier.db import insert_row
from courier.extensions import db
from courier.messages import addresses, compose, policy
from courier.messages.addresses import EMAIL, SMS
from courier.models import Event, Job, MessageKind, MessageStatus, RecipientMessage, utcnow
from courier.outbox import wake_after_commit

ACTIONS = {"picked_up": MessageKind.ON_THE_WAY, "delivered": MessageKind.DELIVERED,
           "failed": MessageKind.FAILED}
_KEY = "courier.messages"
WAKE = "courier.messages.wake"
wake = threading.Event()  # set after a commit that wrote messages: the sender looks now


def note(session, ev: Event, job: Job) -> None:
    """Called where a job's event is recorded: its messages are written at commit."""
    kind = ACTIONS.get(ev.action)
    if kind is None or job.solidarity:  # a solidarity recipient is kept private
        return
    if isinstance(session, scoped_session):
        session = session()
    session.info.setdefault(_KEY, []).append((job, kind))


def channels(job: Job) -> list[tuple[str, str]]:
    """Where the recipient of ``job`` can be reached: (channel, address)."""
    out = []
    if job.recipient_email:
        out.append((EMAIL, job.recipient_email))
    if addresses.normalise(SMS, job.recipient_phone or "").lstrip("+"):
        out.append((SMS, job.recipient_phone))
    return out


def write(job: Job, kind: str, now: datetime | None = None) -> int:
    """Write the messages of ``kind`` about ``job`` its shop chose (skipping addresses
    that opted out, and any already written). Returns how many were written."""
    if job.solidarity or kind not in policy.kinds_of(job.merchant):
        return 0
    now = now or utcnow()
    reach = [(c, a, addresses.key(c, a)) for c, a in channels(job)]
    stopped = addresses.all_opted_out([h for _, _, h in reach])
    written = 0
    for channel, address, to_hash in reach:
        if to_hash in stopped:
            continue
        text = compose.words(job, kind, channel, to_hash, now)
        row = insert_row(RecipientMessage, {
            "job_id": job.id, "kind": str(kind), "channel": channel, "to": address,
            "to_hash": to_hash, "lang": compose.language(job), "subject": text.subject,
            "body": text.body, "status": MessageStatus.PENDING, "attempts": 0,
            "next_attempt_at": now,
            "created_at": now}, skip_on=("job_id", "kind", "channel"))
        written += row is not None
    return written


@event.listens_for(Session, "before_commit")
def _write_messages(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(_KEY):
        return
    notes = session.info.pop(_KEY)
    session.flush()
    if sum(write(job, kind) for job, kind in notes):
        session.info[WAKE] = True


wake_after_commit(_KEY, WAKE, wake)


def forget(job: Job) -> int:
    """Erase the address and the words of ``job``'s messages (the recipient's data, at
    the end of its retention); what was sent when, and how, stays. Flushed."""
    done = db.session.execute(update(RecipientMessage).where(RecipientMessage.job_id == job.id)
                              .values(to=None, body=None, subject="")
                              .execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return done
