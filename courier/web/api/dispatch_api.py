"""Dispatch on demand, for dispatchers and the council."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from courier import settings
from courier.dispatch import overrides, returns
from courier.dispatch.cycle import run_cycle
from courier.extensions import db
from courier.models import Courier, Job, Role, Run
from courier.schemas import CourierOut, PhraseOut, RunOut
from courier.texts import stored
from courier.validation import Lat, Lon, Strict
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("dispatch", __name__, description="Dispatch cycles")


class UnassignedOut(Schema):
    job_id = fields.Integer()
    reason = fields.String()
    reason_phrase = fields.Nested(PhraseOut, allow_none=True)


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
    unassigned = []
    for job, reason in result.unassigned:
        sentence, phrase = stored(reason)
        unassigned.append({"job_id": job.id, "reason": sentence, "reason_phrase": phrase})
    return {"runs": result.runs, "unassigned": unassigned,
            "expired": [r.id for r in result.expired], "stats": result.stats}


@blp.route("/couriers", methods=["GET"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, CourierList)
@blp.doc(security=BEARER)
def couriers():
    """Every courier with shift status and last known position."""
    rows = db.session.scalars(select(Courier).order_by(Courier.id)).all()
    return {"couriers": rows}


class OverrideIn(Schema):
    class Meta:
        unknown = "raise"

    courier_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 500))


@blp.route("/jobs/<int:job_id>/assign", methods=["POST"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(OverrideIn)
@blp.response(200, RunOut)
@blp.doc(security=BEARER)
def assign_job(data, job_id):
    """Offer a job to a chosen courier (taking it off any other run), saying why."""
    job = get_or_404(Job, job_id, "job")
    courier = get_or_404(Courier, data["courier_id"], "courier")
    run = overrides.assign_job(user(), job, courier, data["reason"])
    db.session.commit()
    return run


@blp.route("/runs/<int:run_id>/reassign", methods=["POST"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(OverrideIn)
@blp.response(200, RunOut)
@blp.doc(security=BEARER)
def reassign_run(data, run_id):
    """Move a whole run to another courier, as a new offer, saying why."""
    run = get_or_404(Run, run_id, "run")
    courier = get_or_404(Courier, data["courier_id"], "courier")
    new_run = overrides.reassign_run(user(), run, courier, data["reason"])
    db.session.commit()
    return new_run


class HubOut(Schema):
    address = fields.String()
    lat = fields.Float()
    lon = fields.Float()


class ReturnHubOut(Schema):
    return_hub = fields.Nested(HubOut, allow_none=True, metadata={
        "description": "where parcels that could not be delivered go back; null: each to "
                       "the shop it came from"})


class HubIn(Strict):
    address = fields.String(load_default="", validate=validate.Length(max=255))
    lat = fields.Float(required=True, validate=Lat, allow_nan=False)
    lon = fields.Float(required=True, validate=Lon, allow_nan=False)


class ReturnHubIn(Strict):
    return_hub = fields.Nested(HubIn, required=True, allow_none=True)


@blp.route("/return-hub", methods=["GET"])
@require(Role.COURIER, Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, ReturnHubOut)
@blp.doc(security=BEARER)
def get_return_hub():
    """Where parcels that could not be delivered go back: the council's hub, or (null)
    each to the shop it came from."""
    return {"return_hub": settings.get("return_hub")}


@blp.route("/return-hub", methods=["PUT"])
@require(Role.COUNCIL)
@blp.arguments(ReturnHubIn)
@blp.response(200, ReturnHubOut)
@blp.doc(security=BEARER)
def put_return_hub(data):
    """The council sets the hub where parcels that could not be delivered go back (null:
    each to its shop). Returns added from now on go there."""
    hub = returns.set_hub(user(), data["return_hub"])
    db.session.commit()
    return {"return_hub": hub}
