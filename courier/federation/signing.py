"""Signatures between partner coops, Standard Webhooks style (docs/federation.md):

``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` with the
sending coop's secret; ``webhook-id`` is the message's id (a receiver remembers it and
refuses it twice), ``webhook-timestamp`` its Unix time (refused more than five minutes
off), ``coop-key-id`` names the key, so the receiver knows which partner signed and which
of its keys (the current one, or the previous one during a rotation).

Plain functions, no database: :mod:`courier.federation.inbound` looks keys up and
remembers message ids."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime

TOLERANCE_S = 300
ID, TIMESTAMP, SIGNATURE, KEY_ID = ("webhook-id", "webhook-timestamp", "webhook-signature",
                                    "coop-key-id")


class SignatureError(Exception):
    """A request that is not signed as it must be: ``code`` names why (unsigned,
    unknown_key, bad_signature, expired_timestamp)."""

    def __init__(self, code: str, message: str):
        self.code, self.message = code, message
        super().__init__(message)


def new_secret() -> str:
    return "fcs_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_key_id() -> str:
    return "k_" + secrets.token_urlsafe(12)


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("fcs_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body.encode(), hashlib.sha256)
    return "v1," + base64.b64encode(digest.digest()).decode()


def headers(key_id: str, secret: str, msg_id: str, body: str, now: datetime) -> dict:
    """The headers of a signed request (its body is ``body``, exactly)."""
    ts = int(now.timestamp())
    return {"content-type": "application/json", "user-agent": "courier-federation/1",
            ID: msg_id, TIMESTAMP: str(ts), KEY_ID: key_id,
            SIGNATURE: sign(secret, msg_id, ts, body)}


def verify(got: dict, body: str, secret_of: Callable[[str], str | None], now: datetime,
           tolerance: int = TOLERANCE_S) -> tuple[str, str]:
    """Check a request's signature; returns ``(key_id, message_id)``.

    ``got``: the request's headers (any case); ``secret_of(key_id)``: the secret of a key
    we accept (None: unknown). Raises :class:`SignatureError` naming the first fault."""
    h = {k.lower(): v for k, v in got.items()}
    key_id, msg_id, ts, sig = (h.get(KEY_ID), h.get(ID), h.get(TIMESTAMP), h.get(SIGNATURE))
    if not (key_id and msg_id and ts and sig):
        missing = [n for n, v in ((KEY_ID, key_id), (ID, msg_id), (TIMESTAMP, ts),
                                  (SIGNATURE, sig)) if not v]
        raise SignatureError("unsigned", f"unsigned request: no {', '.join(missing)} header")
    if len(msg_id) > 64:
        raise SignatureError("unsigned", f"{ID} is longer than 64 characters")
    try:
        stamp = int(ts)
    except ValueError:
        raise SignatureError("unsigned", f"{TIMESTAMP} is not a Unix time") from None
    secret = secret_of(key_id)
    if secret is None:
        raise SignatureError("unknown_key", f"no partner coop signs with key {key_id[:40]!r}")
    want = sign(secret, msg_id, stamp, body).encode()
    if not any(hmac.compare_digest(want, s.encode()) for s in sig.split()):
        raise SignatureError("bad_signature", "the signature does not match the body")
    if abs(now.timestamp() - stamp) > tolerance:
        raise SignatureError("expired_timestamp",
                             f"the timestamp is more than {tolerance} s away from our clock")
    return key_id, msg_id
