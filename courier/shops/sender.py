"""The background sender of webhook deliveries.

Each pass claims the deliveries that are due (compare-and-set on the attempt
count, so two senders never send the same attempt), commits the claim, sends
them with a timeout and no transaction open, then logs every attempt with its
response code. A failure is retried with exponential backoff (30 s, 1 min,
2 min... up to 6 h) until ``WEBHOOK_MAX_ATTEMPTS``; then the delivery is failed,
and can be replayed. A sender that dies mid-send leaves a lease that expires:
delivery is at least once, and ``webhook-id`` lets receivers drop duplicates.

It runs in a thread of the process that runs dispatch: ``courier run`` (the
embedded setup) or ``courier worker`` (production); never in a request.
"""

from __future__ import annotations

import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from flask import Flask, current_app
from sqlalchemy import select, update

from courier.extensions import db
from courier.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, utcnow
from courier.outbox import SenderLoop
from courier.shops.webhooks import signed_headers, wake
from courier.validation import private_host

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class Outgoing:
    delivery_id: int
    attempt: int
    url: str
    headers: dict
    body: str
    refused: str | None = None  # why it is not sent at all


@dataclass
class Result:
    code: int | None = None
    error: str | None = None
    excerpt: str = ""
    ms: int = 0


def backoff(attempt: int) -> timedelta:
    """Wait after the ``attempt``-th failure: doubling from WEBHOOK_BACKOFF_S, plus jitter."""
    base = current_app.config["WEBHOOK_BACKOFF_S"] * 2 ** (attempt - 1)
    wait = min(timedelta(seconds=base), MAX_BACKOFF)
    return wait * (1 + random.uniform(0, 0.1))


def _claim(now: datetime, limit: int) -> list[Outgoing]:
    cfg = current_app.config
    lease = timedelta(seconds=float(cfg["WEBHOOK_TIMEOUT"]) + 60)
    due = db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)).all()
    out = []
    for d in due:
        won = db.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == d.id,
                                          WebhookDelivery.status == DeliveryStatus.PENDING,
                                          WebhookDelivery.attempts == d.attempts)
            .values(attempts=d.attempts + 1, next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)).rowcount == 1
        if not won:
            continue
        ep = d.endpoint
        item = Outgoing(d.id, d.attempts + 1, ep.url,
                        signed_headers(ep, d.message_id, d.payload, d.event_type, utcnow()),
                        d.payload)
        if not ep.active:
            item.refused = "the endpoint is disabled"
        elif not cfg["WEBHOOK_ALLOW_PRIVATE_URLS"] and private_host(urlsplit(ep.url).hostname):
            item.refused = "the endpoint's address is private"
        out.append(item)
    db.session.commit()
    return out


def _post(item: Outgoing, timeout: float) -> Result:
    if item.refused:
        return Result(error=item.refused)
    started = time.monotonic()
    try:
        with requests.post(item.url, data=item.body.encode(), headers=item.headers,
                           timeout=(min(5.0, timeout), timeout), allow_redirects=False) as resp:
            excerpt = resp.text[:500]
            return Result(resp.status_code, None, excerpt,
                          int((time.monotonic() - started) * 1000))
    except requests.RequestException as err:
        return Result(None, f"{type(err).__name__}: {err}"[:500], "",
                      int((time.monotonic() - started) * 1000))


def _record(item: Outgoing, result: Result, now: datetime) -> None:
    d = db.session.get(WebhookDelivery, item.delivery_id)
    db.session.add(WebhookAttempt(delivery_id=d.id, at=now, status_code=result.code,
                                  error=result.error, response_excerpt=result.excerpt,
                                  duration_ms=result.ms))
    d.last_status_code, d.last_error = result.code, result.error
    if result.code is not None and 200 <= result.code < 300:
        d.status, d.delivered_at = DeliveryStatus.DELIVERED, now
        d.last_error = None
    elif item.attempt >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        d.status = DeliveryStatus.FAILED
        if result.code is not None:
            d.last_error = f"HTTP {result.code} on attempt {item.attempt}, the last"
    else:
        d.next_attempt_at = now + backoff(item.attempt)
        if result.code is not None:
            d.last_error = f"HTTP {result.code}"


def send_due(now: datetime | None = None, limit: int = 20) -> int:
    """Send what is due at ``now``; returns how many deliveries were attempted."""
    items = _claim(now or utcnow(), limit)
    if not items:
        return 0
    timeout = float(current_app.config["WEBHOOK_TIMEOUT"])
    with ThreadPoolExecutor(max_workers=min(4, len(items))) as pool:
        results = list(pool.map(lambda it: _post(it, timeout), items))
    done = utcnow() if now is None else now
    for item, result in zip(items, results, strict=True):
        _record(item, result, done)
    db.session.commit()
    return len(items)


class Sender(SenderLoop):
    """The sender loop in a thread: ``Sender(app).start()``, ``.stop()``."""

    def __init__(self, app: Flask):
        super().__init__(app, "webhook-sender", send_due, wake, float(app.config["WEBHOOK_POLL_S"]))


def start_sender(app: Flask) -> Sender:
    return Sender(app).start()
