"""A member's devices notified by Web Push: subscribe one (the browser's push
subscription), list them, remove one. Offers go to couriers, so couriers subscribe;
every member may see and remove what they have."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from sqlalchemy import delete, func, select

from courier.errors import Forbidden, InvalidInput, NotFound
from courier.extensions import db
from courier.models import PushMessage, PushSubscription, Role, User, utcnow

ENDPOINT_MAX = 1024


def _b64url(value, field: str, size: int | None, what: str) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+={0,2}", value or ""):
        raise InvalidInput(f"{field} must be base64url", {field: f"must be {what}, base64url"})
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field} must be base64url",
                           {field: f"must be {what}, base64url"}) from None
    if size is not None and len(raw) != size:
        raise InvalidInput(f"{field} must be {what}", {field: f"must be {what}, base64url"})
    return raw


def check_keys(p256dh, auth) -> None:
    """The browser's P-256 public key (a point on the curve) and its 16-byte secret."""
    raw = _b64url(p256dh, "keys.p256dh", 65, "a P-256 public key of 65 bytes")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise InvalidInput("keys.p256dh is not a point of P-256",
                           {"keys.p256dh": "must be a P-256 public key of 65 bytes, base64url"}
                           ) from None
    _b64url(auth, "keys.auth", 16, "a secret of 16 bytes")


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(endpoint) -> str:
    """A push service's address: https on a public host (http on loopback only where
    ``PUSH_ALLOW_LOOPBACK`` is set, for the test suite's own push service)."""
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise InvalidInput("endpoint is required", {"endpoint": "required"})
    endpoint = endpoint.strip()
    if len(endpoint) > ENDPOINT_MAX:
        raise InvalidInput("endpoint is too long",
                           {"endpoint": f"at most {ENDPOINT_MAX} characters"})
    try:
        parts = urlsplit(endpoint)
        host, _ = parts.hostname, parts.port
    except ValueError:
        raise InvalidInput("endpoint is not a URL", {"endpoint": "must be an https URL"}) from None
    if not host or parts.scheme not in ("https", "http") or parts.username or parts.password:
        raise InvalidInput("endpoint is not an https URL", {"endpoint": "must be an https URL"})
    allowed_loopback = current_app.config["PUSH_ALLOW_LOOPBACK"] and loopback(host)
    if parts.scheme != "https" and not allowed_loopback:
        raise InvalidInput("endpoint must use https", {"endpoint": "must be an https URL"})
    if not allowed_loopback and _private_literal(host):
        raise InvalidInput("endpoint points to a private address",
                           {"endpoint": "must be a push service's public address"})
    return endpoint


def _private_literal(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not ip.is_global or ip.is_multicast


def subscribe(user: User, endpoint, p256dh, auth, label: str = "",
              now: datetime | None = None) -> PushSubscription:
    """This device, for ``user``'s offers. The same endpoint again (a browser renewing its
    keys, or a phone handed to another courier who logs in) updates it in place."""
    if user.role != Role.COURIER:
        raise Forbidden("only couriers are sent offers")
    endpoint = check_endpoint(endpoint)
    check_keys(p256dh, auth)
    label = (label or "").strip()[:80]
    sub = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == endpoint))
    if sub is None or sub.user_id != user.id:
        count = db.session.scalar(select(func.count()).select_from(PushSubscription).where(
            PushSubscription.user_id == user.id))
        limit = int(current_app.config["PUSH_MAX_DEVICES"])
        if count >= limit:
            raise InvalidInput(f"at most {limit} devices: remove one on your account page",
                               {"endpoint": f"at most {limit} devices per member"})
    if sub is None:
        sub = PushSubscription(user_id=user.id, endpoint=endpoint, created_at=now or utcnow())
        db.session.add(sub)
    elif sub.user_id != user.id:  # the browser now belongs to someone else's session
        db.session.execute(delete(PushMessage).where(PushMessage.subscription_id == sub.id))
        sub.user_id, sub.created_at, sub.last_sent_at = user.id, now or utcnow(), None
    sub.p256dh, sub.auth, sub.label = p256dh, auth, label or sub.label
    db.session.flush()
    return sub


def of(user: User) -> list[PushSubscription]:
    return list(db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id == user.id).order_by(PushSubscription.id)))


def remove(user: User, sub_id: int) -> None:
    """Forget one of ``user``'s devices (and what was still waiting to go to it)."""
    sub = db.session.get(PushSubscription, sub_id) if 0 <= sub_id < 2**31 else None
    if sub is None or sub.user_id != user.id:
        raise NotFound("no such device of yours", {"device_id": sub_id})
    forget(sub)


def forget(sub: PushSubscription) -> None:
    db.session.execute(delete(PushMessage).where(PushMessage.subscription_id == sub.id))
    db.session.delete(sub)
    db.session.flush()


BROWSERS = (("Edg/", "Edge"), ("SamsungBrowser", "Samsung Internet"), ("Firefox", "Firefox"),
            ("OPR/", "Opera"), ("Chrome", "Chrome"), ("Chromium", "Chromium"),
            ("Safari", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS", "macOS"), ("CrOS", "ChromeOS"),
           ("Linux", "Linux"))


def label_of(user_agent: str) -> str:
    """A device's name from its browser's User-Agent: "Firefox · Android"."""
    ua = user_agent or ""
    browser = next((name for key, name in BROWSERS if key in ua), "")
    system = next((name for key, name in SYSTEMS if key in ua), "")
    return " · ".join(p for p in (browser, system) if p)
