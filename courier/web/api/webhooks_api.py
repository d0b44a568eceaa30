"""Webhooks: a shop registers URLs for its job events, reads the delivery log,
replays a message. Secrets are shown when created or rotated, never listed."""

from __future__ import annotations

import json

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from courier.extensions import db
from courier.models import Job, Role, WebhookDelivery, WebhookEndpoint
from courier.shops import webhooks
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("webhooks", __name__, description="Signed webhooks (Standard Webhooks)")
SHOP = (Role.MERCHANT,)
READERS = (Role.MERCHANT, Role.DISPATCHER, Role.COUNCIL)


class EndpointIn(Strict):
    url = fields.String(required=True, validate=validate.Length(1, 500))
    events = fields.List(fields.String(), metadata={"description": "default: every job event"})
    description = fields.String(validate=validate.Length(max=200))


class EndpointPatch(Strict):
    url = fields.String(validate=validate.Length(1, 500))
    events = fields.List(fields.String())
    description = fields.String(validate=validate.Length(max=200))
    active = fields.Boolean()


class LogQuery(Schema):
    status = fields.String(validate=validate.OneOf(["pending", "delivered", "failed"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


def endpoint_out(ep: WebhookEndpoint, secret: bool = False) -> dict:
    out = {"id": ep.id, "url": ep.url, "events": ep.events, "active": ep.active,
           "description": ep.description, "created_at": ep.created_at.isoformat(),
           "secret_hint": "…" + ep.secret[-4:]}
    if secret:
        out["secret"] = ep.secret
    return out


def delivery_out(d: WebhookDelivery, log: bool = False) -> dict:
    out = {"id": d.id, "endpoint_id": d.endpoint_id, "message_id": d.message_id,
           "event_type": d.event_type, "job_id": d.job_id, "status": d.status.value,
           "attempts": d.attempts, "last_status_code": d.last_status_code,
           "last_error": d.last_error, "created_at": d.created_at.isoformat(),
           "next_attempt_at": d.next_attempt_at.isoformat()
           if d.status.value == "pending" else None,
           "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
           "replay_of": d.replay_of_id}
    if log:
        out["payload"] = _readable(d)
        out["log"] = [{"at": a.at.isoformat(), "status_code": a.status_code, "error": a.error,
                       "response": a.response_excerpt, "duration_ms": a.duration_ms}
                      for a in d.log]
    return out


def _readable(d: WebhookDelivery) -> str:
    """The body as sent, unless it names a recipient this reader may not see."""
    from courier import privacy

    job = db.session.get(Job, d.job_id) if d.job_id else None
    if job is None or privacy.may_see(job):
        return d.payload
    return json.dumps(privacy.redact_payload(json.loads(d.payload), job), ensure_ascii=False,
                      separators=(",", ":"))


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return webhooks.own_endpoint(user(), get_or_404(WebhookEndpoint, endpoint_id, "webhook"))


@blp.route("/webhooks", methods=["GET"])
@require(*SHOP)
@blp.response(200)
@blp.doc(security=BEARER)
def list_endpoints():
    rows = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.merchant_id == user().merchant.id).order_by(WebhookEndpoint.id))
    return {"webhooks": [endpoint_out(ep) for ep in rows], "events": webhooks.EVENT_TYPES}


@blp.route("/webhooks", methods=["POST"])
@require(*SHOP)
@blp.arguments(EndpointIn)
@blp.response(201)
@blp.doc(security=BEARER)
def create_endpoint(data):
    """Register a URL; the answer holds its signing ``secret``, shown this once."""
    ep = webhooks.create_endpoint(user(), data)
    db.session.commit()
    return endpoint_out(ep, secret=True)


@blp.route("/webhooks/<int:endpoint_id>", methods=["GET"])
@require(*READERS)
@blp.response(200)
@blp.doc(security=BEARER)
def get_endpoint(endpoint_id):
    return endpoint_out(_endpoint(endpoint_id))


@blp.route("/webhooks/<int:endpoint_id>", methods=["PATCH"])
@require(*SHOP)
@blp.arguments(EndpointPatch)
@blp.response(200)
@blp.doc(security=BEARER)
def update_endpoint(data, endpoint_id):
    ep = webhooks.update_endpoint(user(), _endpoint(endpoint_id), data)
    db.session.commit()
    return endpoint_out(ep)


@blp.route("/webhooks/<int:endpoint_id>", methods=["DELETE"])
@require(*SHOP)
@blp.response(204)
@blp.doc(security=BEARER)
def delete_endpoint(endpoint_id):
    webhooks.delete_endpoint(user(), _endpoint(endpoint_id))
    db.session.commit()


@blp.route("/webhooks/<int:endpoint_id>/rotate-secret", methods=["POST"])
@require(*SHOP)
@blp.response(200)
@blp.doc(security=BEARER)
def rotate(endpoint_id):
    """A new secret; the old one keeps signing too for 24 hours."""
    ep = webhooks.rotate_secret(user(), _endpoint(endpoint_id))
    db.session.commit()
    return endpoint_out(ep, secret=True)


@blp.route("/webhooks/<int:endpoint_id>/test", methods=["POST"])
@require(*SHOP)
@blp.response(202)
@blp.doc(security=BEARER)
def send_test(endpoint_id):
    """Queue a ``webhook.test`` message to this endpoint."""
    d = webhooks.send_test(user(), _endpoint(endpoint_id))
    db.session.commit()
    return delivery_out(d)


@blp.route("/webhooks/<int:endpoint_id>/deliveries", methods=["GET"])
@require(*READERS)
@blp.arguments(LogQuery, location="query")
@blp.response(200)
@blp.doc(security=BEARER)
def deliveries(query, endpoint_id):
    """The delivery log of an endpoint, newest first."""
    ep = _endpoint(endpoint_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == ep.id)
    if query.get("status"):
        stmt = stmt.where(WebhookDelivery.status == query["status"])
    rows = db.session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(query["limit"]))
    return {"deliveries": [delivery_out(d) for d in rows]}


def _delivery(delivery_id: int) -> WebhookDelivery:
    d = get_or_404(WebhookDelivery, delivery_id, "delivery")
    webhooks.own_endpoint(user(), d.endpoint)
    return d


@blp.route("/webhooks/deliveries/<int:delivery_id>", methods=["GET"])
@require(*READERS)
@blp.response(200)
@blp.doc(security=BEARER)
def get_delivery(delivery_id):
    """One delivery with its body and every attempt (time, response code, error)."""
    return delivery_out(_delivery(delivery_id), log=True)


@blp.route("/webhooks/deliveries/<int:delivery_id>/replay", methods=["POST"])
@require(*SHOP)
@blp.response(202)
@blp.doc(security=BEARER)
def replay(delivery_id):
    """Send a logged message again (same ``webhook-id`` and body, signed anew)."""
    d = webhooks.replay(user(), _delivery(delivery_id))
    db.session.commit()
    return delivery_out(d)
