"""Food hubs: producers, recurring round schedules, rounds and their order lists."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from courier import privacy
from courier.extensions import db
from courier.models import Role
from courier.schemas import JobOut
from courier.solidarity import orders, rounds
from courier.solidarity.models import Producer, Round, RoundKind
from courier.web.api.args import Lat, Lon, Moment, Strict
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.api.import_api import (
    ImportQuery,
    csv_body,
    csv_text,
    refused_rows_doc,
    rows_refused,
)
from courier.web.auth import require

blp = Blueprint("hub", __name__, description="Food hubs: producers, rounds, order lists")
READERS = (Role.MERCHANT, Role.DISPATCHER, Role.COUNCIL)
KINDS = [k.value for k in RoundKind]


class ProducerIn(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    address = fields.String(load_default="", validate=validate.Length(max=255))
    lat = fields.Float(validate=Lat, allow_nan=False)
    lon = fields.Float(validate=Lon, allow_nan=False)
    default_kg = fields.Float(load_default=0.0, validate=validate.Range(0, 1000))
    default_l = fields.Float(load_default=0.0, validate=validate.Range(0, 5000))

    @validates_schema
    def _where(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("give both lat and lon, or an address", "lat")
        if "lat" not in data and not data.get("address", "").strip():
            raise ValidationError("give lat and lon, or an address", "address")


class ProducerOut(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    default_kg = fields.Float()
    default_l = fields.Float()
    active = fields.Boolean()


class ScheduleIn(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    weekdays = fields.List(fields.Integer(validate=validate.Range(0, 6)), required=True,
                           validate=validate.Length(1, 7),
                           metadata={"description": "0 = Monday ... 6 = Sunday"})
    start = fields.String(required=True, metadata={"description": "local HH:MM"})
    end = fields.String(required=True, metadata={"description": "local HH:MM"})
    cutoff_hours = fields.Integer(load_default=24, validate=validate.Range(0, 168))
    producer_ids = fields.List(fields.Integer(), load_default=list)
    solidarity = fields.Boolean(load_default=False)


class ScheduleOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    weekdays = fields.List(fields.Integer())
    start = fields.String()
    end = fields.String()
    cutoff_hours = fields.Integer()
    producer_ids = fields.List(fields.Integer())
    solidarity = fields.Boolean()
    active = fields.Boolean()


class RoundIn(Strict):
    name = fields.String(load_default="", validate=validate.Length(max=120))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    starts_at = fields.AwareDateTime(required=True, format="iso", validate=Moment)
    ends_at = fields.AwareDateTime(required=True, format="iso", validate=Moment)
    cutoff_at = fields.AwareDateTime(format="iso", validate=Moment)
    producer_ids = fields.List(fields.Integer(), load_default=list)
    solidarity = fields.Boolean(load_default=False)


class OrderOut(Schema):
    id = fields.Integer()
    reference = fields.String(allow_none=True)
    producer_id = fields.Integer(allow_none=True)
    customer = fields.String()
    phone = fields.String()
    address = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    weight_kg = fields.Float()
    volume_l = fields.Float()
    slot = fields.String(allow_none=True)
    notes = fields.String()
    job_id = fields.Integer(allow_none=True)


class OrdersImported(Schema):
    created = fields.Integer(metadata={"description": "orders added (on a dry run: would be)"})
    updated = fields.Integer(metadata={"description": "orders of the same reference updated "
                                       "(on a dry run: would be)"})
    dry_run = fields.Boolean()
    orders = fields.Integer(metadata={"description": "the round's orders now"})


class RoundOut(Schema):
    id = fields.Integer()
    hub_id = fields.Integer()
    schedule_id = fields.Integer(allow_none=True)
    name = fields.String()
    kind = fields.String()
    solidarity = fields.Boolean()
    status = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    cutoff_at = fields.AwareDateTime()
    released_at = fields.AwareDateTime(allow_none=True)
    order_count = fields.Function(lambda r: len(r.orders))
    weight_kg = fields.Function(lambda r: round(sum(o.weight_kg for o in r.orders), 3))


class RoundDetailOut(RoundOut):
    orders = fields.Method("_orders")

    def _orders(self, rnd):
        """The households' details are the hub's; others read a solidarity round's
        orders without them (see courier.privacy)."""
        rows = OrderOut(many=True).dump(rnd.orders)
        if rnd.solidarity and rnd.kind == RoundKind.DISTRIBUTE and not privacy.may_see_round(rnd):
            rows = [privacy.redact_order(o) for o in rows]
        return rows


@blp.route("/hub/producers", methods=["GET"])
@require(Role.MERCHANT)
@blp.response(200, ProducerOut(many=True))
@blp.doc(security=BEARER)
def list_producers():
    """The hub's producers."""
    hub = rounds.hub_of(user())
    return db.session.scalars(db.select(Producer).where(Producer.hub_id == hub.id)
                              .order_by(Producer.name)).all()


@blp.route("/hub/producers", methods=["POST"])
@require(Role.MERCHANT)
@blp.arguments(ProducerIn)
@blp.response(201, ProducerOut)
@blp.doc(security=BEARER)
def create_producer(data):
    """Add a producer the hub collects from (coordinates, or an address to geocode)."""
    producer = rounds.create_producer(user(), data)
    db.session.commit()
    return producer


@blp.route("/hub/schedules", methods=["GET"])
@require(Role.MERCHANT)
@blp.response(200, ScheduleOut(many=True))
@blp.doc(security=BEARER)
def list_schedules():
    """The hub's recurring rounds."""
    from courier.solidarity.models import RoundSchedule

    hub = rounds.hub_of(user())
    return db.session.scalars(db.select(RoundSchedule).where(RoundSchedule.hub_id == hub.id)
                              .order_by(RoundSchedule.id)).all()


@blp.route("/hub/schedules", methods=["POST"])
@require(Role.MERCHANT)
@blp.arguments(ScheduleIn)
@blp.response(201, ScheduleOut)
@blp.doc(security=BEARER)
def create_schedule(data):
    """A round every given weekday; its rounds are made a week ahead and released
    (their jobs created) ``cutoff_hours`` before they start."""
    schedule = rounds.create_schedule(user(), data)
    db.session.commit()
    return schedule


@blp.route("/hub/rounds", methods=["GET"])
@require(*READERS)
@blp.response(200, RoundOut(many=True))
@blp.doc(security=BEARER)
def list_rounds():
    """A hub's rounds, latest first (dispatch and the council: every hub's)."""
    return rounds.hub_rounds(user())


@blp.route("/hub/rounds", methods=["POST"])
@require(Role.MERCHANT)
@blp.arguments(RoundIn)
@blp.response(201, RoundDetailOut)
@blp.doc(security=BEARER)
def create_round(data):
    """A one-off round; ``cutoff_at`` defaults to the start."""
    rnd = rounds.create_round(user(), data)
    db.session.commit()
    return rnd


@blp.route("/hub/rounds/<int:round_id>", methods=["GET"])
@require(*READERS)
@blp.response(200, RoundDetailOut)
@blp.doc(security=BEARER)
def get_round(round_id):
    """A round with its orders."""
    return rounds.visible_round(user(), get_or_404(Round, round_id, "round"))


@blp.route("/hub/rounds/<int:round_id>/orders", methods=["POST"])
@require(Role.MERCHANT)
@blp.arguments(ImportQuery, location="query")
@csv_body
@blp.response(201, OrdersImported, description="The orders were added or updated")
@blp.alt_response(200, schema=OrdersImported, description="A dry run: nothing was written; "
                  "``created`` and ``updated`` say what would be")
@refused_rows_doc
@blp.doc(security=BEARER)
def import_orders(query, round_id):
    """Import the round's orders from CSV (multipart ``file`` or a ``text/csv`` body):
    every row or none; 422 lists each failing row (``rows``: line, error, fields by
    column). Rows with a known ``reference`` update that order. ``?dry_run=true``
    checks the rows, writes nothing and answers 200 with what it would do."""
    rnd = get_or_404(Round, round_id, "round")
    dry_run = query["dry_run"]
    report = orders.import_orders(user(), rnd, csv_text(), dry_run=dry_run)
    if report.rows:
        return rows_refused(report.rows)
    db.session.commit()
    return {"created": report.created, "updated": report.updated, "dry_run": dry_run,
            "orders": len(rnd.orders)}, 200 if dry_run else 201


@blp.route("/hub/rounds/<int:round_id>/release", methods=["POST"])
@require(Role.MERCHANT)
@blp.response(200)
@blp.doc(security=BEARER)
def release(round_id):
    """Close the round's orders now and send its jobs to dispatch (the dispatch loop
    does it by itself at the cut-off)."""
    rnd = get_or_404(Round, round_id, "round")
    jobs = rounds.release(user(), rnd) or []
    db.session.commit()
    return {"round": RoundOut().dump(rnd), "jobs": JobOut(many=True).dump(jobs)}
