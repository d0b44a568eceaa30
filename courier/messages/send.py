"""The worker's sender of messages to recipients.

Each pass claims the messages that are due (compare-and-set on the attempt count, so two
senders never send the same one), commits the claim, sends them with no transaction
open, then writes down each outcome, in the message and in the event log:

- sent: never sent again.
- worth another try (no connection, a temporary refusal: nothing was sent): tried again
  after a doubling backoff (``Retry-After`` when given), at most ``MESSAGE_MAX_ATTEMPTS``.
- refused, or an answer lost after the message went: failed, never sent again.

Before sending, a message is not sent (and says why) when its recipient opted out
meanwhile, had ``messages_per_hour`` messages in the last hour already, or when its news
is out of date (the courier "on the way" to a parcel already delivered). A sender that
dies mid-send leaves its messages claimed: they are not sent again.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, select, update

from courier.db import insert_row
from courier.extensions import db
from courier.messages import addresses, channels, policy
from courier.messages.addresses import EMAIL
from courier.messages.channels import AGAIN, SENT, Outcome, Outgoing
from courier.messages.outbox import wake
from courier.models import (
    Event,
    JobStatus,
    MessageKind,
    MessageStatus,
    RecipientMessage,
    utcnow,
)
from courier.outbox import SenderLoop

log = logging.getLogger(__name__)
HOUR = timedelta(hours=1)
# the news of a parcel on its way is worth nothing once it arrived (or could not)
# (a job a partner coop carries stays with_partner until it ends: on its way meanwhile)
STILL = {MessageKind.ON_THE_WAY: (JobStatus.PICKED_UP, JobStatus.WITH_PARTNER),
         MessageKind.ARRIVING: (JobStatus.PICKED_UP,)}


def _event(m: RecipientMessage, action: str, now: datetime, error: str | None = None) -> None:
    """The outcome in the event log (the kind and the channel; never the address)."""
    data = {"kind": m.kind, "channel": m.channel, "attempts": m.attempts}
    if error:
        data["error"] = error[:200]
    insert_row(Event, {"actor_id": None, "subject": "job", "action": action, "job_id": m.job_id,
                       "run_id": None, "courier_id": None, "from_status": None,
                       "to_status": None, "reason": "", "data": data, "at": now})


def _not_sent(m: RecipientMessage, status: MessageStatus, why: str, now: datetime) -> None:
    m.status, m.last_error = status, why
    _event(m, f"message_{status.value}", now, why)


def _recent(hashes: set[str], now: datetime) -> Counter:
    rows = db.session.execute(
        select(RecipientMessage.to_hash, func.count()).where(
            RecipientMessage.to_hash.in_(hashes), RecipientMessage.status == MessageStatus.SENT,
            RecipientMessage.sent_at > now - HOUR).group_by(RecipientMessage.to_hash))
    return Counter(dict(rows.all()))


def _claim(now: datetime, limit: int) -> list[Outgoing]:
    due = db.session.scalars(select(RecipientMessage).where(
        RecipientMessage.status == MessageStatus.PENDING, RecipientMessage.next_attempt_at <= now)
        .order_by(RecipientMessage.next_attempt_at, RecipientMessage.id).limit(limit)).all()
    hashes = {m.to_hash for m in due}
    stopped, sent, cap = addresses.all_opted_out(list(hashes)), _recent(hashes, now), \
        policy.per_hour()
    out = []
    for m in due:
        still = STILL.get(MessageKind(m.kind))
        if m.to_hash in stopped:
            _not_sent(m, MessageStatus.OPTED_OUT, "the recipient opted out", now)
            continue
        if still is not None and m.job.status not in still:
            _not_sent(m, MessageStatus.DROPPED, "out of date", now)
            continue
        if sent[m.to_hash] >= cap:
            _not_sent(m, MessageStatus.LIMITED, f"{cap} messages in the last hour", now)
            continue
        won = db.session.execute(
            update(RecipientMessage).where(RecipientMessage.id == m.id,
                                           RecipientMessage.status == MessageStatus.PENDING,
                                           RecipientMessage.attempts == m.attempts)
            .values(attempts=m.attempts + 1, status=MessageStatus.SENDING)
            .execution_options(synchronize_session=False)).rowcount == 1
        if not won:
            continue
        sent[m.to_hash] += 1
        out.append(Outgoing(m.id, m.channel, m.to or "", m.lang, m.subject, m.body or "",
                            addresses.opt_out_url(m.channel, m.to_hash, m.lang)))
    db.session.commit()
    return out


def _send(msg: Outgoing, sms) -> Outcome:
    if not msg.to:  # erased meanwhile (the recipient's data is not kept)
        return Outcome(channels.REFUSED, "no address")
    try:
        return channels.send_email(msg) if msg.channel == EMAIL else sms.send(msg)
    except Exception as err:  # a channel's bug must not stop the sender
        log.exception("message %s", msg.id)
        return Outcome(channels.REFUSED, f"{type(err).__name__}: {err}"[:300])


def backoff(attempt: int, outcome: Outcome) -> timedelta:
    if outcome.retry_after is not None:
        return timedelta(seconds=min(outcome.retry_after, 3600))
    return timedelta(seconds=float(current_app.config["MESSAGE_BACKOFF_S"]) * 2 ** (attempt - 1))


def _record(msg: Outgoing, outcome: Outcome, now: datetime) -> None:
    m = db.session.get(RecipientMessage, msg.id)
    m.last_error = outcome.error
    if outcome.result == SENT:
        m.status, m.sent_at = MessageStatus.SENT, now
        _event(m, "message_sent", now)
    elif outcome.result == AGAIN and m.attempts < int(current_app.config["MESSAGE_MAX_ATTEMPTS"]):
        m.status, m.next_attempt_at = MessageStatus.PENDING, now + backoff(m.attempts, outcome)
    else:
        m.status = MessageStatus.FAILED
        _event(m, "message_failed", now, outcome.error)


def send_due(now: datetime | None = None, limit: int = 50) -> int:
    """Send what is due at ``now``; returns how many messages were attempted."""
    items = _claim(now or utcnow(), limit)
    if not items:
        return 0
    sms = channels.sms_provider() if any(i.channel != EMAIL for i in items) else None
    outcomes = [_send(item, sms) for item in items]
    done = utcnow() if now is None else now
    for item, outcome in zip(items, outcomes, strict=True):
        _record(item, outcome, done)
    db.session.commit()
    return len(items)


class Sender(SenderLoop):
    """The sender loop in a thread: ``Sender(app).start()``, ``.stop()``."""

    def __init__(self, app: Flask):
        poll = float(app.config["MESSAGE_POLL_S"])
        super().__init__(app, "message-sender", send_due, wake, poll)


def start_sender(app: Flask) -> Sender:
    return Sender(app).start()
