"""Messages to partner coops, as a transactional outbox: a message is written in the
transaction of the change it tells, and sent by the worker, signed, again and again until
the partner takes it (its id stays the same: a partner that already has it answers
``replayed``, which counts as taken). The messages of one hand-off go out in their
``seq`` order: one waits while an earlier one is not through."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from courier.db import insert_row
from courier.extensions import db
from courier.federation import log, signing, transport
from courier.models import FederationMessage, Handoff, MessageState, Partner, utcnow
from courier.outbox import wake_after_commit

logger = logging.getLogger(__name__)
PATH = "/federation/v1/messages"
WAKE = "courier.federation.wake"
_KEY = "courier.federation.outbox"
wake = threading.Event()
wake_after_commit(_KEY, WAKE, wake)
BACKOFF_S, MAX_BACKOFF_S = 2.0, 600.0
# what to do with a partner's answer to a message of a kind: fn(message, answer)
ON_ANSWER: dict[str, Callable] = {}


def queue(partner: Partner, kind: str, data: dict, handoff: Handoff | None = None,
          seq: int | None = None, now: datetime | None = None) -> FederationMessage:
    """Write a message for ``partner`` (sent after commit)."""
    now = now or utcnow()
    body = {"kind": kind, **data}
    if seq is not None:
        body["seq"] = seq
    row = insert_row(FederationMessage, {
        "partner_id": partner.id, "handoff_id": handoff.id if handoff is not None else None,
        "direction": "out", "message_id": signing.new_message_id(), "kind": kind, "seq": seq,
        "path": PATH, "body": transport.encode(body), "status": MessageState.PENDING,
        "attempts": 0, "next_attempt_at": now, "created_at": now})
    db.session().info[WAKE] = True
    return row


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_S, BACKOFF_S * 2 ** max(0, attempts - 1)))


def send_due(now: datetime | None = None, limit: int = 100) -> int:
    """Send what is due, in order; returns how many went through (committed here)."""
    now = now or utcnow()
    waiting = db.session.scalars(
        select(FederationMessage).where(FederationMessage.direction == "out",
                                        FederationMessage.status == MessageState.PENDING)
        .order_by(FederationMessage.id).limit(limit)).all()
    blocked: set[int] = set()
    sent = 0
    timeout = float(current_app.config["FEDERATION_TIMEOUT_S"])
    for msg in waiting:
        if msg.handoff_id is not None and msg.handoff_id in blocked:
            continue
        if msg.next_attempt_at > now:
            if msg.handoff_id is not None:
                blocked.add(msg.handoff_id)
            continue
        if not _send(msg, now, timeout):
            if msg.handoff_id is not None:
                blocked.add(msg.handoff_id)
        else:
            sent += 1
        db.session.commit()
    return sent


def send_now(msg: FederationMessage, timeout: float) -> bool:
    """Send one message at once, for someone waiting on its answer (a shop cancelling a
    job a partner carries); one that does not go through is left to the worker's
    retries. Returns whether it went through (the caller commits)."""
    return _send(msg, utcnow(), timeout)


def _send(msg: FederationMessage, now: datetime, timeout: float) -> bool:
    msg.attempts += 1
    try:
        answer = transport.post(msg.partner, msg.path, msg.body, timeout=timeout,
                                msg_id=msg.message_id)
    except transport.Unreachable as err:
        msg.last_error, msg.next_attempt_at = err.message[:500], now + _backoff(msg.attempts)
        return False
    if answer.ok or answer.data.get("reason") == "replayed":
        msg.status, msg.done_at, msg.last_error = MessageState.SENT, now, None
        handler = ON_ANSWER.get(msg.kind)
        if handler is not None:
            handler(msg, answer)
        return True
    if answer.status >= 500 or answer.status in (408, 425, 429):
        msg.last_error = f"HTTP {answer.status}: {answer.code}"[:500]
        msg.next_attempt_at = now + _backoff(msg.attempts)
        return False
    msg.status, msg.done_at = MessageState.FAILED, now
    msg.last_error = f"HTTP {answer.status}: {answer.code}"[:500]
    log.note(None, "message_refused", msg.partner, msg.last_error,
             {"kind": msg.kind, "message_id": msg.message_id, "seq": msg.seq})
    return True
