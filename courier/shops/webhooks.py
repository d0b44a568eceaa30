"""Webhooks: a shop's software hears about its jobs (created, offered, accepted,
picked_up, delivered, failed, cancelled, delayed) at URLs it registers.

Messages follow the Standard Webhooks specification (standardwebhooks.com), so
receivers can use its libraries: headers ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` with
the endpoint's secret (``whsec_...``). The timestamp is signed, so a receiver
that refuses timestamps older than a few minutes cannot be fooled by a replay.

Deliveries are written in the same transaction as the job change they report
(a transactional outbox: no message for a change that rolled back, no change
without its message); :mod:`courier.shops.sender` sends them later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select

from courier.errors import Forbidden, InvalidInput
from courier.extensions import db
from courier.journal.webhooks import EVENT_TYPES, JOB_EVENTS, WAKE, message_id, wake  # noqa: F401
from courier.models import (
    DeliveryStatus,
    Role,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from courier.validation import private_host

TEST_EVENT = "webhook.test"
ROTATION_GRACE = timedelta(hours=24)


# -- signing (Standard Webhooks) -------------------------------------------------------------

def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body.encode(), hashlib.sha256)
    return "v1," + base64.b64encode(digest.digest()).decode()


def signed_headers(endpoint: WebhookEndpoint, msg_id: str, body: str, event_type: str,
                   now: datetime) -> dict:
    ts = int(now.timestamp())
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_until and endpoint.previous_until > now:
        keys.append(endpoint.previous_secret)  # during a rotation both keys sign
    return {"content-type": "application/json", "user-agent": "courier-webhooks/1",
            "webhook-id": msg_id, "webhook-timestamp": str(ts),
            "webhook-signature": " ".join(sign(k, msg_id, ts, body) for k in keys),
            "courier-event": event_type}


def verify(secret: str, headers, body: str, tolerance: int = 300,
           now: datetime | None = None) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent.
    (Shown here for receivers written in Python; the tests use it too.)"""
    try:
        ts = int(headers["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    now_ts = (now or datetime.now(UTC)).timestamp()
    if abs(now_ts - ts) > tolerance:
        return False
    expected = sign(secret, headers.get("webhook-id", ""), ts, body)
    return any(hmac.compare_digest(expected, s) for s in headers.get(
        "webhook-signature", "").split())


# -- endpoints, replays ----------------------------------------------------------------------

def _shop(user: User):
    if user.role != Role.MERCHANT or user.merchant is None:
        raise Forbidden("only a shop has webhooks")
    return user.merchant


def own_endpoint(user: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    if user.role in (Role.DISPATCHER, Role.COUNCIL):
        return endpoint
    if endpoint.merchant_id != _shop(user).id:
        raise Forbidden("this webhook belongs to another shop")
    return endpoint


def check_url(url) -> str:
    if not isinstance(url, str) or len(url) > 500:
        raise InvalidInput("a URL of at most 500 characters is required", {"url": "required"})
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("the URL must be http(s)://host/...", {"url": "must be http or https"})
    if parts.username or parts.password:
        raise InvalidInput("no credentials in the URL: verify the signature instead",
                           {"url": "no credentials in URLs"})
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] and private_host(parts.hostname):
        raise InvalidInput("the URL points to a private or loopback address",
                           {"url": "private addresses are not allowed"})
    return url.strip()


def check_events(events) -> list[str]:
    if events is None:
        return list(EVENT_TYPES)
    if not isinstance(events, list) or not events or not all(e in EVENT_TYPES for e in events):
        raise InvalidInput(f"events: a non-empty list among {', '.join(EVENT_TYPES)}",
                           {"events": f"among {', '.join(EVENT_TYPES)}"})
    return sorted(set(events))


def create_endpoint(user: User, data: dict) -> WebhookEndpoint:
    """Register a URL; its secret is in ``endpoint.secret`` (show it to the shop)."""
    shop = _shop(user)
    endpoint = WebhookEndpoint(merchant_id=shop.id, url=check_url(data.get("url")),
                               events=check_events(data.get("events")), secret=new_secret(),
                               description=(data.get("description") or "")[:200])
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def update_endpoint(user: User, endpoint: WebhookEndpoint, data: dict) -> WebhookEndpoint:
    own_endpoint(user, endpoint)
    if "url" in data:
        endpoint.url = check_url(data["url"])
    if "events" in data:
        endpoint.events = check_events(data["events"])
    if "active" in data:
        endpoint.active = bool(data["active"])
    if "description" in data:
        endpoint.description = (data["description"] or "")[:200]
    db.session.flush()
    return endpoint


def delete_endpoint(user: User, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its log (deliveries and attempts)."""
    own_endpoint(user, endpoint)
    ids = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                       .execution_options(synchronize_session=False))
    db.session.delete(endpoint)
    db.session.flush()


def rotate_secret(user: User, endpoint: WebhookEndpoint, now: datetime | None = None):
    """A new secret; the old one still signs (a second signature) for 24 hours."""
    own_endpoint(user, endpoint)
    now = now or utcnow()
    endpoint.previous_secret, endpoint.previous_until = endpoint.secret, now + ROTATION_GRACE
    endpoint.secret = new_secret()
    db.session.flush()
    return endpoint


def send_test(user: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``webhook.test`` message to check the receiving side."""
    own_endpoint(user, endpoint)
    body = json.dumps({"type": TEST_EVENT, "timestamp": utcnow().isoformat(),
                       "data": {"endpoint_id": endpoint.id}}, separators=(",", ":"))
    delivery = WebhookDelivery(endpoint_id=endpoint.id, message_id=message_id(),
                               event_type=TEST_EVENT, payload=body)
    db.session.add(delivery)
    db.session.flush()
    db.session.info[WAKE] = True
    return delivery


def replay(user: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a logged message again: same ``webhook-id`` and body, a fresh signature."""
    own_endpoint(user, delivery.endpoint)
    again = WebhookDelivery(endpoint_id=delivery.endpoint_id, message_id=delivery.message_id,
                            event_type=delivery.event_type, job_id=delivery.job_id,
                            event_id=delivery.event_id, payload=delivery.payload,
                            status=DeliveryStatus.PENDING, replay_of_id=delivery.id)
    db.session.add(again)
    db.session.flush()
    db.session.info[WAKE] = True
    return again
