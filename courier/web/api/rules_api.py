"""The council's rules: the version in force, new versions, history, comparison,
warnings recorded by dispatch, and what-if replays of a proposed change."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from courier.extensions import db
from courier.fairwork import rules as R
from courier.fairwork import versions
from courier.models import Event, Role, utcnow
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.api.fairwork_api import DecisionOut
from courier.web.auth import require

blp = Blueprint("rules", __name__, description="The council's rules, versioned")
MEMBERS = (Role.COURIER, Role.DISPATCHER, Role.COUNCIL)


class Change(Schema):
    path = fields.String()
    old = fields.Raw(data_key="from", attribute="from", allow_none=True)
    new = fields.Raw(data_key="to", attribute="to", allow_none=True)


class VersionOut(Schema):
    number = fields.Integer()
    label = fields.String()
    created_at = fields.AwareDateTime()
    created_by = fields.Function(lambda v: v.created_by.name if v.created_by else None)
    reason = fields.String()
    effective_from = fields.AwareDateTime()
    rules = fields.Function(lambda v: R.complete(v.rules),
                            metadata={"description": "the whole rules document"})
    diff = fields.List(fields.Nested(Change))


class CurrentOut(Schema):
    in_force = fields.Nested(VersionOut)
    scheduled = fields.List(fields.Nested(VersionOut))


class VersionList(Schema):
    versions = fields.List(fields.Nested(VersionOut))


class RulesIn(Schema):
    class Meta:
        unknown = "raise"

    rules = fields.Dict(required=True, metadata={"description": "the rules, whole or only "
                                                 "what changes (laid over the latest version)"})
    reason = fields.String(required=True, validate=validate.Length(1, 500))
    effective_from = fields.AwareDateTime(format="iso", metadata={"description": "default: now"})


class CompareQuery(Schema):
    a = fields.Integer(required=True, data_key="from", validate=validate.Range(1, 2**31 - 1))
    b = fields.Integer(required=True, data_key="to", validate=validate.Range(1, 2**31 - 1))


class CompareOut(Schema):
    old = fields.Nested(VersionOut, data_key="from", attribute="from")
    new = fields.Nested(VersionOut, data_key="to", attribute="to")
    changes = fields.List(fields.Nested(Change))


class WindowQuery(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")

    @validates_schema
    def _order(self, data, **kwargs):
        if "start" in data and "end" in data and data["end"] < data["start"]:
            raise ValidationError("must not be before from", "to")


class WarningList(Schema):
    warnings = fields.List(fields.Nested(DecisionOut))


@blp.route("/rules", methods=["GET"])
@require(*MEMBERS)
@blp.response(200, CurrentOut)
@blp.doc(security=BEARER)
def current():
    """The rules in force now, and any version published to take effect later."""
    now = utcnow()
    in_force = versions.in_force(now)
    later = [v for v in versions.all_versions() if v.effective_from > now]
    return {"in_force": in_force, "scheduled": later}


@blp.route("/rules", methods=["POST"])
@require(Role.COUNCIL)
@blp.arguments(RulesIn)
@blp.response(201, VersionOut)
@blp.doc(security=BEARER)
def publish(data):
    """Publish a new version: the change, why, and from when (never in the past)."""
    version = versions.publish(user(), data["rules"], data["reason"],
                               data.get("effective_from"))
    db.session.commit()
    return version


@blp.route("/rules/template", methods=["GET"])
@require(*MEMBERS)
@blp.response(200)  # a plain dict of rules: no schema to dump it with
@blp.doc(security=BEARER, responses={"200": {"description": "The template's rules, by name",
                                             "content": {"application/json": {
                                                 "schema": {"type": "object"}}}}})
def template():
    """The published template: the French road-transport convention's limits."""
    return R.template()


@blp.route("/rules/versions", methods=["GET"])
@require(*MEMBERS)
@blp.response(200, VersionList)
@blp.doc(security=BEARER)
def history():
    """Every version, newest first, with who, when, why and what changed."""
    return {"versions": list(reversed(versions.all_versions()))}


@blp.route("/rules/versions/<int:number>", methods=["GET"])
@require(*MEMBERS)
@blp.response(200, VersionOut)
@blp.doc(security=BEARER)
def one(number):
    """One version."""
    return versions.by_number(number)


@blp.route("/rules/versions/compare", methods=["GET"])
@require(*MEMBERS)
@blp.arguments(CompareQuery, location="query")
@blp.response(200, CompareOut)
@blp.doc(security=BEARER)
def compare(args):
    """What differs between two versions (``?from=2&to=5``)."""
    return versions.compare(args["a"], args["b"])


@blp.route("/rules/warnings", methods=["GET"])
@require(Role.COUNCIL, Role.DISPATCHER)
@blp.arguments(WindowQuery, location="query")
@blp.response(200, WarningList)
@blp.doc(security=BEARER)
def warnings(args):
    """Breaches of warning rules recorded by dispatch and at shift starts."""
    from courier.fairwork.tracking import timezone
    from courier.reports.earnings import bounds

    start, end = bounds(args["start"], args["end"], timezone())
    rows = db.session.scalars(select(Event).where(
        Event.action == "rule_warning", Event.at >= start, Event.at < end)
        .order_by(Event.id.desc()).limit(1000)).all()
    return {"warnings": rows}


class WhatIfIn(Schema):
    class Meta:
        unknown = "raise"

    start = fields.Date(required=True, data_key="from", metadata={"description": "first day"})
    end = fields.Date(required=True, data_key="to", metadata={"description": "last day"})
    rules = fields.Dict(required=True, metadata={"description": "the proposed change, laid "
                                                 "over the latest version"})
    step_s = fields.Integer(load_default=120, validate=validate.Range(30, 3600))
    time_limit_s = fields.Float(load_default=0.5, validate=validate.Range(0.05, 5))


class SideOut(Schema):
    jobs = fields.Integer()
    served = fields.Integer()
    late = fields.Integer()
    unassigned = fields.Integer()
    km = fields.Float()
    on_shift_s = fields.Integer(metadata={"description": "the members' hours on shift, which "
                                          "the fairness figures' hourly pay is computed over"})
    total_cents = fields.Integer()
    members = fields.List(fields.Dict())
    fairness = fields.Dict()
    cycles = fields.Integer()


class WhatIfOut(Schema):
    start = fields.String(data_key="from", attribute="from")
    end = fields.String(data_key="to", attribute="to")
    base_version = fields.Integer()
    changes = fields.List(fields.Nested(Change))
    actual = fields.Nested(SideOut)
    replayed_current = fields.Nested(SideOut)
    proposed = fields.Nested(SideOut)


@blp.route("/rules/what-if", methods=["POST"])
@require(Role.COUNCIL)
@blp.arguments(WhatIfIn)
@blp.response(200, WhatIfOut)
@blp.doc(security=BEARER)
def what_if(data):
    """Replay a past period (at most 7 days) under proposed rules with the real
    optimiser and simulated couriers on the period's shifts; side by side with what
    happened and with the same replay under the rules in force."""
    from courier.reports.whatif import what_if as replay

    result = replay(data["start"], data["end"], data["rules"], step=data["step_s"],
                    time_limit=data["time_limit_s"])
    db.session.rollback()  # a replay writes nothing
    return result
