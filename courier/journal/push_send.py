"""The worker's sender of Web Push messages (RFC 8030), signed with the coop's VAPID key
(RFC 8292) and encrypted for each device (RFC 8291, ``aes128gcm``) by pywebpush.

Each pass claims the messages that are due (compare-and-set on the attempt count, so
two senders never send the same one), commits the claim, sends them with no
transaction open, then writes down what the push service said:

- 201 (any 2xx): sent, once; never sent again.
- 404 or 410: the device is gone (unsubscribed, uninstalled): it is forgotten.
- 429 or 5xx, or no answer: tried again after a backoff (``Retry-After`` when given),
  doubling, while the message is still worth something; then dropped.
- any other 4xx: refused for good.

The TTL given to the push service is what is left until the message's expiry: an offer
is never delivered after it lapsed. It runs in a thread of the process that runs
dispatch (``courier worker``, or ``courier run`` in the embedded setup).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from flask import Flask, current_app
from pywebpush import WebPusher
from sqlalchemy import delete, or_, select, update

from courier.clock import Every
from courier.extensions import db
from courier.journal import devices, vapid
from courier.journal.push import wake
from courier.models import PushMessage, PushStatus, utcnow
from courier.outbox import SenderLoop
from courier.validation import private_host

log = logging.getLogger(__name__)


@dataclass
class Outgoing:
    message_id: int
    attempt: int
    subscription: dict
    payload: str
    ttl: int
    urgency: str
    topic: str
    refused: str | None = None


@dataclass
class Answer:
    code: int | None = None
    retry_after: float | None = None
    error: str | None = None


def _claim(now: datetime, limit: int) -> list[Outgoing]:
    lease = timedelta(seconds=float(current_app.config["PUSH_TIMEOUT"]) + 30)
    due = db.session.scalars(select(PushMessage).where(
        PushMessage.status == PushStatus.PENDING, PushMessage.next_attempt_at <= now)
        .order_by(PushMessage.next_attempt_at, PushMessage.id).limit(limit)).all()
    out = []
    for m in due:
        if m.expires_at <= now:  # its time ran out while it waited
            m.status = PushStatus.DROPPED
            continue
        won = db.session.execute(
            update(PushMessage).where(PushMessage.id == m.id,
                                      PushMessage.status == PushStatus.PENDING,
                                      PushMessage.attempts == m.attempts)
            .values(attempts=m.attempts + 1, next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)).rowcount == 1
        if not won:
            continue
        sub = m.subscription
        item = Outgoing(m.id, m.attempts + 1,
                        {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh,
                                                            "auth": sub.auth}},
                        m.payload, max(1, int((m.expires_at - now).total_seconds())),
                        m.urgency, f"run-{m.run_id}" if m.run_id else "courier")
        host = urlsplit(sub.endpoint).hostname or ""
        if not (current_app.config["PUSH_ALLOW_LOOPBACK"] and devices.loopback(host)) \
                and private_host(host):
            item.refused = "the endpoint's address is private"
        out.append(item)
    db.session.commit()
    return out


def _send(item: Outgoing, key, subject: str, timeout: float) -> Answer:
    if item.refused:
        return Answer(error=item.refused)
    parts = urlsplit(item.subscription["endpoint"])
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "sub": subject,
              "exp": int(utcnow().timestamp()) + 12 * 3600}
    headers = {**key.sign(claims), "Urgency": item.urgency, "Topic": item.topic}
    try:
        resp = WebPusher(item.subscription).send(item.payload, headers, ttl=item.ttl,
                                                 content_encoding="aes128gcm",
                                                 timeout=timeout)
    except requests.RequestException as err:
        return Answer(error=f"{type(err).__name__}: {err}"[:300])
    retry = resp.headers.get("Retry-After")
    return Answer(resp.status_code, float(retry) if retry and retry.isdigit() else None)


def backoff(attempt: int, answer: Answer) -> timedelta:
    if answer.retry_after is not None:
        return timedelta(seconds=min(answer.retry_after, 3600))
    return timedelta(seconds=float(current_app.config["PUSH_BACKOFF_S"]) * 2 ** (attempt - 1))


def _record(item: Outgoing, answer: Answer, now: datetime) -> None:
    m = db.session.get(PushMessage, item.message_id)
    if m is None:  # its device was removed meanwhile
        return
    m.last_status_code = answer.code
    code = answer.code
    if code is not None and 200 <= code < 300:
        m.status, m.sent_at = PushStatus.SENT, now
        m.subscription.last_sent_at = now
    elif code in (404, 410):
        log.info("push: device %s is gone (%s), forgotten", m.subscription_id, code)
        devices.forget(m.subscription)
    elif code is None and answer.error and item.refused:
        m.status = PushStatus.FAILED
    elif code is None or code == 429 or code >= 500:
        later = now + backoff(item.attempt, answer)
        if later >= m.expires_at:
            m.status = PushStatus.DROPPED
        else:
            m.next_attempt_at = later
    else:
        log.warning("push: message %s refused with HTTP %s", m.id, code)
        m.status = PushStatus.FAILED


KEEP = timedelta(days=2)  # what a device was sent is kept this long, then forgotten
PRUNE_EVERY_S = 600
_prunes = Every()


def prune(now: datetime) -> int:
    """Forget the messages over more than :data:`KEEP` ago (sent, dropped or refused, or
    never sent and long lapsed): what a courier's phones were told is not kept past what
    a question about a missed offer needs. Returns how many went."""
    cutoff = now - KEEP
    return db.session.execute(delete(PushMessage).where(
        PushMessage.created_at < cutoff,
        or_(PushMessage.status != PushStatus.PENDING, PushMessage.expires_at < cutoff))
        .execution_options(synchronize_session=False)).rowcount


def send_due(now: datetime | None = None, limit: int = 50) -> int:
    """Send what is due at ``now``; returns how many messages were attempted. Every
    :data:`PRUNE_EVERY_S` seconds, it also forgets old messages (:func:`prune`)."""
    key = vapid.load()
    if key is None:  # no device can have subscribed without it
        return 0
    if _prunes.due(PRUNE_EVERY_S):
        prune(now or utcnow())
        db.session.commit()
    items = _claim(now or utcnow(), limit)
    if not items:
        return 0
    subject = vapid.subject()
    timeout = float(current_app.config["PUSH_TIMEOUT"])
    with ThreadPoolExecutor(max_workers=min(8, len(items))) as pool:
        answers = list(pool.map(lambda it: _send(it, key, subject, timeout), items))
    done = utcnow() if now is None else now
    for item, answer in zip(items, answers, strict=True):
        _record(item, answer, done)
    db.session.commit()
    return len(items)


class Sender(SenderLoop):
    """The sender loop in a thread: ``Sender(app).start()``, ``.stop()``."""

    def __init__(self, app: Flask):
        super().__init__(app, "push-sender", send_due, wake, float(app.config["PUSH_POLL_S"]))


def start_sender(app: Flask) -> Sender:
    return Sender(app).start()
