"""Dispatch on demand, for dispatchers and the council."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from courier.models import Courier, Role
from courier.schemas import CourierOut, RunOut
from courier.web.api.common import BEARER, user
from courier.web.auth import require

blp = Blueprint("dispatch", __name__, description="Dispatch cycles")


class UnassignedOut(Schema):
    job_id = fields.Integer()
    reason = fields.String()


class CycleOut(Schema):
    runs = fields.List(fields.Nested(RunOut))
    unassigned = fields.List(fields.Nested(UnassignedOut))
    expired = fields.List(fields.Integer())
    stats = fields.Dict()


class CourierList(Schema):
    couriers = fields.List(fields.Nested(CourierOut))


@blp.route("/dispatch", methods=["POST"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, CycleOut)
@blp.doc(security=BEARER)
def dispatch_now():
    """Run a dispatch cycle now (409 if one is already running)."""
    result = run_cycle(user())
    return {"runs": result.runs,
            "unassigned": [{"job_id": j.id, "reason": r} for j, r in result.unassigned],
            "expired": [r.id for r in result.expired], "stats": result.stats}


@blp.route("/couriers", methods=["GET"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, CourierList)
@blp.doc(security=BEARER)
def couriers():
    """Every courier with shift status and last known position."""
    rows = db.session.scalars(select(Courier).order_by(Courier.id)).all()
    return {"couriers": rows}
