"""Webhooks: a shop's software hears about its jobs (created, offered, accepted,
picked_up, delivered, failed, cancelled) at URLs it registers.

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
import ipaddress
import json
import secrets
import socket
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.base import NO_VALUE

from courier.errors import Forbidden, InvalidInput
from courier.extensions import db
from courier.models import (
    DeliveryStatus,
    Event,
    Job,
    Role,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)

JOB_EVENTS = {a: f"job.{a}" for a in
              ("created", "offered", "accepted", "picked_up", "delivered", "failed", "cancelled")}
EVENT_TYPES = sorted(JOB_EVENTS.values())
TEST_EVENT = "webhook.test"
ROTATION_GRACE = timedelta(hours=24)
_KEY = "courier.webhooks"
wake = threading.Event()  # set after a commit that queued deliveries: the sender looks now


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


# -- the outbox ------------------------------------------------------------------------------

def note(session, ev: Event, job: Job) -> None:
    """Called where a job's event is recorded: a delivery goes to each endpoint of
    the shop that listens for it, written when the transaction commits."""
    if ev.action not in JOB_EVENTS:
        return
    if isinstance(session, scoped_session):
        session = session()
    session.info.setdefault(_KEY, []).append((ev, job))


def _payload(ev: Event, job: Job) -> str:
    from courier.schemas import dump_job
    from courier.solidarity import privacy

    with privacy.audience(job.merchant.user):  # the shop's own endpoints: its own job
        job_data = dump_job(job)
    return json.dumps({
        "type": JOB_EVENTS[ev.action], "timestamp": (ev.at or utcnow()).isoformat(),
        "data": {"event": {"id": ev.id, "action": ev.action, "from_status": ev.from_status,
                           "to_status": ev.to_status, "reason": ev.reason},
                 "job": job_data}}, ensure_ascii=False, separators=(",", ":"))


def _message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def _known_without_endpoints(job: Job) -> bool:
    """Whether the job's shop, as already loaded in this session, has no active endpoint
    (``Merchant.has_webhooks``): then there is nothing to look up."""
    merchant = inspect(job).attrs.merchant.loaded_value
    if merchant is NO_VALUE or merchant is None:
        return False
    return inspect(merchant).attrs.has_webhooks.loaded_value is False


@event.listens_for(Session, "before_commit")
def _write_deliveries(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(_KEY):
        return
    session.flush()
    notes = [(ev, job) for ev, job in session.info.pop(_KEY) if inspect(ev).persistent]
    shops = {job.merchant_id for _, job in notes if not _known_without_endpoints(job)}
    if not shops:
        return
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for ep in session.scalars(select(WebhookEndpoint).where(
            WebhookEndpoint.merchant_id.in_(shops), WebhookEndpoint.active.is_(True))):
        endpoints.setdefault(ep.merchant_id, []).append(ep)
    for ev, job in notes:
        listeners = [ep for ep in endpoints.get(job.merchant_id, ())
                     if JOB_EVENTS[ev.action] in ep.events]
        if not listeners:
            continue
        body = _payload(ev, job)
        for ep in listeners:
            session.add(WebhookDelivery(endpoint_id=ep.id, message_id=_message_id(),
                                        event_type=JOB_EVENTS[ev.action], job_id=job.id,
                                        event_id=ev.id, payload=body))
        session.info["courier.webhooks.wake"] = True


@event.listens_for(Session, "after_commit")
def _wake_sender(session: Session) -> None:
    if session.info.pop("courier.webhooks.wake", False):
        wake.set()


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
        session.info.pop("courier.webhooks.wake", None)


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


def private_host(host: str) -> bool:
    """Whether ``host`` is (or resolves to) a loopback, private or reserved address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip.is_global or ip.is_multicast:
            return True
    return False


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
    delivery = WebhookDelivery(endpoint_id=endpoint.id, message_id=_message_id(),
                               event_type=TEST_EVENT, payload=body)
    db.session.add(delivery)
    db.session.flush()
    db.session.info["courier.webhooks.wake"] = True
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
    db.session.info["courier.webhooks.wake"] = True
    return again
