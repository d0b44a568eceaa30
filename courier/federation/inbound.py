"""Requests from partner coops: who signed it (by its key id), whether the signature and
the timestamp hold, whether the message was already received (its id is remembered:
a replay is refused). Every refusal is recorded in the event log (subject
``federation``), with the reason it was answered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from courier.db import insert_row
from courier.extensions import db
from courier.federation import log, signing
from courier.models import FederationMessage, MessageState, Partner, utcnow


class Refused(Exception):
    """A partner's request we do not take: ``status`` (HTTP), ``reason`` (a code the other
    side can act on), ``message`` (a sentence), ``fields`` (what is at fault)."""

    def __init__(self, status: int, reason: str, message: str, fields: dict | None = None,
                 **extra):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        self.fields, self.extra = fields or {}, extra

    def body(self) -> dict:
        return {"error": self.message, "reason": self.reason, "fields": self.fields,
                **self.extra}


@dataclass
class Signed:
    partner: Partner
    message_id: str
    data: dict
    text: str


def _partner_for(key_id: str) -> Partner | None:
    return db.session.scalars(select(Partner).where(or_(
        Partner.their_key_id == key_id, Partner.their_prev_key_id == key_id))).first()


def authenticate(headers, text: str, kind: str, now: datetime | None = None) -> Signed:
    """Check a signed request and remember its message id (raises :class:`Refused`)."""
    now = now or utcnow()
    found: dict = {}

    def secret_of(key_id: str) -> str | None:
        p = _partner_for(key_id)
        if p is None:
            return None
        found["partner"] = p
        if p.their_key_id == key_id:
            return p.their_secret
        if p.their_prev_until is not None and p.their_prev_until > now:
            return p.their_prev_secret
        return None  # a key rotated out of use

    try:
        _, msg_id = signing.verify(dict(headers), text, secret_of, now)
    except signing.SignatureError as err:
        record_refusal(found.get("partner"), kind, err.code, err.message)
        raise Refused(401, err.code, err.message) from None
    partner = found["partner"]
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = None
    if not isinstance(data, dict):
        record_refusal(partner, kind, "invalid_body", "the body is not a JSON object")
        raise Refused(400, "invalid_body", "the body is not a JSON object")
    row = insert_row(FederationMessage, {
        "partner_id": partner.id, "direction": "in", "message_id": msg_id,
        "kind": str(data.get("kind") or kind)[:40],
        "seq": data.get("seq") if isinstance(data.get("seq"), int) else None, "path": "",
        "body": text, "status": MessageState.APPLIED, "attempts": 1, "next_attempt_at": now,
        "created_at": now, "done_at": now}, skip_on=("partner_id", "direction", "message_id"))
    if row is None:
        record_refusal(partner, kind, "replayed", f"message {msg_id} was already received")
        raise Refused(409, "replayed", f"message {msg_id} was already received")
    return Signed(partner, msg_id, data, text)


def verified_partner(kind: str) -> Partner:
    """The partner that signed the current request (raises :class:`Refused`; the refusal
    is recorded in the session: commit it)."""
    from flask import request

    return authenticate(request.headers, request.get_data(as_text=True), kind).partner


def mark(signed: Signed, state: MessageState, error: str | None = None) -> None:
    """What became of a received message (buffered, refused with why)."""
    msg = db.session.scalars(select(FederationMessage).where(
        FederationMessage.partner_id == signed.partner.id, FederationMessage.direction == "in",
        FederationMessage.message_id == signed.message_id)).one()
    msg.status, msg.last_error = state, (error or None) and error[:500]


def record_refusal(partner: Partner | None, kind: str, reason: str, message: str,
                   job=None) -> None:
    """A refused request, in the event log (written in this transaction)."""
    log.note(None, "refused", partner, message, {"reason": reason, "kind": kind}, job=job)
