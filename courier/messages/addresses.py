"""A recipient's address (an e-mail or a phone number), as the messages know it: keyed
hashes for the rate limit and the opt-outs (an opt-out keeps no address), and the signed
links of a message: to opt out, and to see the proof of a delivery. No login: the
signature is the permission."""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courier.extensions import db
from courier.models import MessageOptOut, utcnow

EMAIL, SMS = "email", "sms"
_OPT_OUT, _PROOF = "messages-opt-out", "messages-proof"


def normalise(channel: str, address: str) -> str:
    """One form per address: e-mails in lower case, phones as digits (with a leading +)."""
    address = (address or "").strip()
    if channel == EMAIL:
        return address.lower()
    plus = address.startswith("+") or address.startswith("00")
    digits = re.sub(r"\D", "", address)
    if address.startswith("00"):
        digits = digits[2:]
    return ("+" if plus else "") + digits


def key(channel: str, address: str) -> str:
    """The keyed hash of an address (the instance's secret key): the same address gives
    the same hash, and the hash gives no address back."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{channel}:{normalise(channel, address)}".encode(),
                    hashlib.sha256).hexdigest()


def _signer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt=salt)


def base_url() -> str:
    """Where links point: ``PUBLIC_URL``, or the request's host (a path alone otherwise)."""
    base = current_app.config.get("PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    return (base or "").rstrip("/")


def opt_out_token(channel: str, to_hash: str, lang: str) -> str:
    return _signer(_OPT_OUT).dumps({"h": to_hash, "c": channel, "l": lang})


def opt_out_url(channel: str, to_hash: str, lang: str) -> str:
    return f"{base_url()}/m/stop/{opt_out_token(channel, to_hash, lang)}"


def read_opt_out(token: str) -> dict | None:
    """What an opt-out link says (``h``, ``c``, ``l``), or None for a link not ours."""
    try:
        data = _signer(_OPT_OUT).loads(token)
    except BadSignature:
        return None
    ok = isinstance(data, dict) and isinstance(data.get("h"), str) and \
        data.get("c") in (EMAIL, SMS)
    return data if ok else None


def opted_out(to_hash: str) -> bool:
    return db.session.get(MessageOptOut, to_hash) is not None


def opt_out(to_hash: str, channel: str) -> bool:
    """No more messages to this address (flushed). Returns whether it is new (a second
    click, even at the same moment, changes nothing)."""
    if opted_out(to_hash):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(MessageOptOut(to_hash=to_hash, channel=channel, created_at=utcnow()))
    except IntegrityError:
        return False
    return True


def opt_in(to_hash: str) -> bool:
    row = db.session.get(MessageOptOut, to_hash)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
    return row is not None


def proof_url(proof_id: int) -> str:
    return f"{base_url()}/m/proof/{_signer(_PROOF).dumps(proof_id)}"


def read_proof(token: str) -> int | None:
    try:
        value = _signer(_PROOF).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def all_opted_out(hashes: list[str]) -> set[str]:
    if not hashes:
        return set()
    return set(db.session.scalars(select(MessageOptOut.to_hash)
                                  .where(MessageOptOut.to_hash.in_(hashes))))
