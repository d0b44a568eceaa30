"""Recipients' personal data: how long it is kept (the council's retention period), and
a recipient's request to see or erase it, served by the council (docs/privacy.md)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from courier.dispatch import retention
from courier.extensions import db
from courier.models import Role
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("privacy", __name__, description="Recipients' personal data: retention "
                "and requests")


class RetentionOut(Schema):
    days = fields.Integer(metadata={"description": "days a recipient's data is kept after "
                                    "the job ended (delivered, failed or cancelled)"})


class RetentionIn(Strict):
    days = fields.Integer(required=True, strict=True,
                          validate=validate.Range(1, retention.MAX_DAYS))


class RequestIn(Strict):
    action = fields.String(required=True, validate=validate.OneOf(["see", "erase"]))
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    email = fields.String(load_default="", validate=validate.Length(max=254))

    @validates_schema
    def _contact(self, data, **kwargs):
        if not data["phone"].strip() and not data["email"].strip():
            raise ValidationError("give the recipient's phone or e-mail", "phone")


class KeptOut(Schema):
    job_id = fields.Integer()
    shop = fields.String()
    status = fields.String()
    created_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    recipient_name = fields.String(allow_none=True)
    recipient_phone = fields.String(allow_none=True)
    recipient_email = fields.String(allow_none=True)
    dropoff_address = fields.String(allow_none=True)
    dropoff_lat = fields.Float()
    dropoff_lon = fields.Float()
    notes = fields.String(allow_none=True)
    proofs = fields.Integer(metadata={"description": "proof files kept (photos, signatures)"})


class RequestOut(Schema):
    action = fields.String()
    jobs = fields.List(fields.Nested(KeptOut), metadata={"description": "what is kept "
                                                         "(see)"})
    erased = fields.List(fields.Integer(), metadata={"description": "jobs erased (erase)"})
    open = fields.List(fields.Integer(), metadata={
        "description": "jobs still being delivered: erased once they end (erase)"})


@blp.route("/privacy/retention", methods=["GET"])
@require(Role.COUNCIL, Role.DISPATCHER)
@blp.response(200, RetentionOut)
@blp.doc(security=BEARER)
def get_retention():
    """How long recipients' personal data is kept after a job ended."""
    return {"days": retention.days()}


@blp.route("/privacy/retention", methods=["PUT"])
@require(Role.COUNCIL)
@blp.arguments(RetentionIn)
@blp.response(200, RetentionOut)
@blp.doc(security=BEARER)
def put_retention(data):
    """The council sets the retention period (1 to 3650 days): the worker erases the
    recipient of every job that ended longer ago."""
    retention.set_days(data["days"])
    db.session.commit()
    return {"days": retention.days()}


@blp.route("/privacy/requests", methods=["POST"])
@require(Role.COUNCIL)
@blp.arguments(RequestIn)
@blp.response(200, RequestOut)
@blp.doc(security=BEARER)
def data_request(data):
    """A recipient asks, by phone or e-mail, to see what is kept about them (``see``) or
    to be erased now (``erase``). Each request is written in the event log."""
    if data["action"] == "see":
        answer = {"action": "see", "jobs": retention.see(user(), data["phone"], data["email"])}
    else:
        answer = {"action": "erase", **retention.erase(user(), data["phone"], data["email"])}
    db.session.commit()
    return answer
