"""Messages to recipients: which a shop sends, what was sent about a job, and the
coop's limit of messages to one recipient in an hour."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from courier.extensions import db
from courier.messages import policy
from courier.models import RecipientMessage, Role
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.api.jobs_api import visible_job
from courier.web.auth import require

blp = Blueprint("messages", __name__, description="Messages to recipients")


class KindsIn(Strict):
    kinds = fields.List(fields.String(validate=validate.OneOf(policy.KINDS)), required=True,
                        metadata={"description": "which to send: on_the_way, arriving, "
                                                 "delivered, failed"})


class KindsOut(Schema):
    kinds = fields.List(fields.String())
    available = fields.List(fields.String())


class MessageOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    channel = fields.String(metadata={"description": "email or sms"})
    lang = fields.String()
    status = fields.String(metadata={"description": "pending, sending, sent, failed, "
                                     "limited, opted_out or dropped"})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)


class MessageList(Schema):
    messages = fields.List(fields.Nested(MessageOut))


class RateIn(Strict):
    per_hour = fields.Integer(required=True, validate=validate.Range(
        1, policy.MAX_PER_HOUR, error=f"must be between 1 and {policy.MAX_PER_HOUR}"))


@blp.route("/shop/messages", methods=["GET"])
@require(Role.MERCHANT)
@blp.response(200, KindsOut)
@blp.doc(security=BEARER)
def get_kinds():
    """The messages this shop's recipients are sent (none until it chooses)."""
    return {"kinds": policy.kinds_of(user().merchant), "available": list(policy.KINDS)}


@blp.route("/shop/messages", methods=["PUT"])
@require(Role.MERCHANT)
@blp.arguments(KindsIn)
@blp.response(200, KindsOut)
@blp.doc(security=BEARER)
def put_kinds(data):
    """Choose the messages this shop's recipients are sent, by e-mail when the job gives
    the recipient's e-mail and by SMS when it gives a phone number."""
    kinds = policy.choose(user(), data["kinds"])
    db.session.commit()
    return {"kinds": kinds, "available": list(policy.KINDS)}


@blp.route("/jobs/<int:job_id>/messages", methods=["GET"])
@require(Role.MERCHANT, Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, MessageList)
@blp.doc(security=BEARER)
def job_messages(job_id):
    """What the recipient of a job was sent, and how it went (never the address or the
    text)."""
    job = visible_job(job_id)
    return {"messages": db.session.scalars(select(RecipientMessage).where(
        RecipientMessage.job_id == job.id).order_by(RecipientMessage.id)).all()}


@blp.route("/message-settings", methods=["GET"])
@require(Role.MERCHANT, Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, RateIn)
@blp.doc(security=BEARER)
def get_rate():
    """At most how many messages one recipient is sent in an hour."""
    return {"per_hour": policy.per_hour()}


@blp.route("/message-settings", methods=["PUT"])
@require(Role.COUNCIL)
@blp.arguments(RateIn)
@blp.response(200, RateIn)
@blp.doc(security=BEARER)
def put_rate(data):
    """The council sets the most messages one recipient is sent in an hour."""
    policy.set_per_hour(data["per_hour"])
    db.session.commit()
    return data
