"""Delivery slots: a shop sets its schedule and lists the slots its customers can book."""

from __future__ import annotations

from flask import current_app, request
from marshmallow import Schema, fields, validate

from courier.errors import Forbidden
from courier.extensions import db
from courier.models import Role
from courier.shops import slots
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("slots", __name__, description="Delivery slots")


SCHEDULE = {"type": "object", "additionalProperties": False, "properties": {
    "slot_minutes": {"type": "integer"}, "opening_hours": {"type": "object"},
    "same_day_cutoff": {"type": "string", "nullable": True},
    "min_notice_minutes": {"type": "integer"}, "days_ahead": {"type": "integer"},
    "closed_dates": {"type": "array", "items": {"type": "string"}},
    "timezone": {"type": "string", "nullable": True}}}


class SlotQuery(Schema):
    days = fields.Integer(validate=validate.Range(0, 60))


def _schedule_out(schedule) -> dict:
    settings = schedule.settings if schedule else None
    tz = (settings or {}).get("timezone") or current_app.config["COOP_TIMEZONE"]
    return {"schedule": settings, "timezone": tz}


@blp.route("/slots", methods=["GET"])
@require(Role.MERCHANT)
@blp.arguments(SlotQuery, location="query")
@blp.response(200)
@blp.doc(security=BEARER)
def list_slots(query):
    """The slots a customer can book now; a job names one with ``"slot": id``."""
    offered = slots.listing(user(), days=query.get("days"))
    return {"slots": [{"id": s.id, "start": s.start.isoformat(), "end": s.end.isoformat()}
                      for s in offered]}


@blp.route("/slots/schedule", methods=["GET"])
@require(Role.MERCHANT)
@blp.response(200)
@blp.doc(security=BEARER)
def get_schedule():
    u = user()
    if u.merchant is None:
        raise Forbidden("only a shop has delivery slots")
    return _schedule_out(slots.schedule_of(u.merchant))


@blp.route("/slots/schedule", methods=["PUT"])
@require(Role.MERCHANT)
@blp.raw_body({"application/json": {"schema": SCHEDULE}},
              "The schedule's settings (each checked; an unknown one is refused)")
@blp.response(200)
@blp.doc(security=BEARER)
def put_schedule():
    """Set the schedule: ``slot_minutes``, ``opening_hours`` (``{"mon": [["09:00",
    "19:00"]], ...}``), ``same_day_cutoff`` ("HH:MM"), ``min_notice_minutes``,
    ``days_ahead``, ``closed_dates``, ``timezone``."""
    schedule = slots.set_schedule(user(), request.get_json(silent=True))
    db.session.commit()
    return _schedule_out(schedule)
