"""The courier's own side: shift, position, and the runs offered to them."""

from __future__ import annotations

from marshmallow import Schema, fields
from sqlalchemy import select

from courier.dispatch import operations
from courier.extensions import db
from courier.models import Role, Run, RunStatus
from courier.schemas import CourierOut, RunOut
from courier.web.api import args
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("courier", __name__, description="The courier's shift, position and runs")


class RunList(Schema):
    runs = fields.List(fields.Nested(RunOut))


@blp.route("/courier/shift", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.ShiftIn)
@blp.response(200, CourierOut)
@blp.doc(security=BEARER)
def shift(data):
    """Go on shift (with a position) or off shift (declining any open offer). Going off
    with work accepted is refused (409) unless ``emergency``, which hands that work back
    to dispatch (jobs already picked up fail, with the ``reason``)."""
    courier = operations.set_shift(user(), data["online"], data.get("lat"), data.get("lon"),
                                   emergency=data["emergency"], reason=data["reason"])
    db.session.commit()
    return courier


@blp.route("/courier/position", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.PositionIn)
@blp.response(200, CourierOut)
@blp.doc(security=BEARER)
def position(data):
    """Where the courier is now (only while on shift)."""
    courier = operations.update_position(user(), data["lat"], data["lon"])
    db.session.commit()
    return courier


@blp.route("/courier/me", methods=["GET"])
@require(Role.COURIER)
@blp.response(200, CourierOut)
@blp.doc(security=BEARER)
def me():
    """The courier's own profile and shift status."""
    return operations.courier_of(user())


@blp.route("/courier/runs", methods=["GET"])
@require(Role.COURIER)
@blp.response(200, RunList)
@blp.doc(security=BEARER)
def my_runs():
    """The courier's offered and current runs, oldest first."""
    courier = operations.courier_of(user())
    runs = db.session.scalars(select(Run).where(
        Run.courier_id == courier.id,
        Run.status.in_([RunStatus.OFFERED, RunStatus.ACCEPTED])).order_by(Run.id)).all()
    return {"runs": runs}
