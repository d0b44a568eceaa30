"""Solidarity deliveries asked by partners, and volunteers among the couriers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from courier.extensions import db
from courier.models import Courier, Role
from courier.schemas import CourierOut, JobOut
from courier.solidarity import deliveries
from courier.solidarity.dispatching import PRIORITIES
from courier.web.api import args
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("solidarity", __name__, description="Solidarity deliveries and volunteers")


class DeliveryIn(args.Strict):
    pickup = fields.Nested(args.PickupIn, metadata={"description": "default: the partner's"})
    dropoff = fields.Nested(args.PlaceIn, required=True)
    recipient = fields.Nested(args.RecipientIn)
    what = fields.String(load_default="other", validate=validate.OneOf(deliveries.WHAT))
    priority = fields.String(load_default="normal", validate=validate.OneOf(list(PRIORITIES)))
    weight_kg = fields.Float(load_default=0.0, allow_nan=False,
                             validate=validate.Range(0, 1000, error="must be between 0 and 1000"))
    volume_l = fields.Float(load_default=0.0, allow_nan=False,
                            validate=validate.Range(0, 5000, error="must be between 0 and 5000"))
    ready_at = fields.AwareDateTime(format="iso", validate=args.Moment)
    deliver_by = fields.AwareDateTime(format="iso", validate=args.Moment)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))


class DeliveryList(Schema):
    jobs = fields.List(fields.Nested(JobOut))
    total = fields.Integer()


class VolunteerIn(args.Strict):
    volunteer = fields.Boolean(required=True)


class VolunteerOut(CourierOut):
    volunteer = fields.Boolean()


@blp.route("/solidarity/deliveries", methods=["POST"])
@require(Role.PARTNER)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@blp.arguments(DeliveryIn)
@blp.response(201, JobOut)
@blp.alt_response(200, schema=JobOut, description="Replay of an earlier Idempotency-Key")
@blp.doc(security=BEARER)
def create_delivery(data, key=None):
    """A free delivery for someone who needs it: served before paid work when couriers
    are too few; its recipient is seen only by the partner and the courier carrying it."""
    job, created = deliveries.submit_delivery(user(), data, key)
    db.session.commit()
    return job, (201 if created else 200)


@blp.route("/solidarity/deliveries", methods=["GET"])
@require(Role.PARTNER, Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(args.JobQuery, location="query")
@blp.response(200, DeliveryList)
@blp.doc(security=BEARER)
def list_deliveries(query):
    """A partner's own solidarity jobs; dispatch and the council see every one, without
    the recipients."""
    rows, total = deliveries.listing(user(), query.get("status"), query["limit"],
                                     query["offset"])
    return {"jobs": rows, "total": total}


@blp.route("/couriers/<int:courier_id>/volunteer", methods=["POST"])
@require(Role.COUNCIL)
@blp.arguments(VolunteerIn)
@blp.response(200, VolunteerOut)
@blp.doc(security=BEARER)
def set_volunteer(data, courier_id):
    """Make a courier a volunteer (solidarity jobs only, never paid) or a paid member;
    only before their first shift."""
    courier = deliveries.set_volunteer(user(), get_or_404(Courier, courier_id, "courier"),
                                       data["volunteer"])
    db.session.commit()
    return courier
