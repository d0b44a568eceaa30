"""What partner coops' instances call (docs/federation.md): the published profile at
``/.well-known/courier-coop``, the answer to an invitation, asks for hand-offs and the
signed messages. Every answer is JSON; every refusal names its reason and is recorded,
and nothing of a refused request is kept but that record."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from courier.errors import DomainError
from courier.extensions import db
from courier.federation import carry, inbound, partners, profile, track
from courier.federation.inbound import Refused
from courier.models import Handoff, MessageState
from courier.web.security import limiter

bp = Blueprint("federation_wire", __name__)


def refusal(err: Refused):
    """Answer a refusal (and keep the record of it)."""
    db.session.commit()
    resp = jsonify(err.body())
    resp.status_code = err.status
    return resp


@bp.errorhandler(Refused)
def _refused(err: Refused):
    db.session.rollback()
    return refusal(err)


@bp.errorhandler(429)
def _too_many(err):
    resp = jsonify({"error": "too many refused attempts from this address: wait and retry",
                    "reason": "rate_limited", "fields": {}})
    resp.status_code = 429
    return resp


def _limited(view):
    """Invitation codes answered wrong: at most a few a minute from one address."""
    limited = limiter.limit("10/minute;50/hour", methods=["POST"], scope="federation-connect",
                            deduct_when=lambda resp: resp.status_code >= 400)(view)
    limited.rate_limited = True
    return limited


@bp.get("/.well-known/courier-coop")
def well_known():
    resp = jsonify(profile.ours())
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@bp.post("/federation/v1/connect")
@_limited
def connect():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Refused(400, "invalid_body", "the body is not a JSON object")
    try:
        answer = partners.accept_connect(data)
    except Refused:
        db.session.commit()  # the refusal's record only
        raise
    db.session.commit()
    return jsonify(answer), 201


def _signed(kind: str, work):
    """Authenticate, then run ``work(signed)`` in a savepoint: a refusal undoes it all
    but the record of the message and of the refusal."""
    try:
        signed = inbound.authenticate(request.headers, request.get_data(as_text=True), kind)
    except Refused as err:
        return refusal(err)
    savepoint = db.session.begin_nested()
    try:
        status, body = work(signed)
        savepoint.commit()
    except (Refused, DomainError) as err:
        savepoint.rollback()
        if isinstance(err, DomainError):
            err = Refused(err.status, "conflict", err.message, err.fields)
        inbound.mark(signed, MessageState.REFUSED, f"{err.reason}: {err.message}")
        inbound.record_refusal(signed.partner, kind, err.reason, err.message)
        return refusal(err)
    db.session.commit()
    return jsonify(body), status


@bp.post("/federation/v1/handoffs")
def ask():
    return _signed("handoff.ask", lambda s: carry.take(s.partner, s.data))


def _message(signed):
    kind = signed.data.get("kind")
    if kind in ("partner.approved", "partner.status", "partner.key"):
        return 200, partners.take_message(signed.partner, signed.data,
                                          request.headers.get("coop-key-id"))
    if kind == "handoff.status":
        return track.take_status(signed)
    if kind == "handoff.withdraw":
        return 200, carry.withdraw(signed.partner, signed.data)
    raise Refused(422, "unknown_kind", f"unknown message kind {str(kind)[:40]!r}",
                  {"kind": "unknown"})


@bp.post("/federation/v1/messages")
def message():
    return _signed("message", _message)


@bp.get("/federation/v1/handoffs/<key>")
def handoff_state(key: str):
    """A hand-off as this side sees it (either direction), for the partner's checks."""

    def work(signed):
        h = db.session.scalars(select(Handoff).where(
            Handoff.partner_id == signed.partner.id, Handoff.idempotency_key == key[:80])
            .order_by(Handoff.id)).first()
        if h is None:
            raise Refused(404, "unknown_handoff", "no such hand-off here")
        job = h.job
        return 200, {"handoff": h.idempotency_key, "direction": h.direction,
                     "status": h.status.value, "price_cents": h.price_cents,
                     "seq": h.seq, "job_status": job.status.value if job else None}

    return _signed("handoff.state", work)
