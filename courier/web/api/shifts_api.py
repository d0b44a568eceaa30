"""Shifts planned ahead (docs/shifts.md): the week's slots, published by dispatch and the
council; members' sign-ups, swaps and releases, under the council's rules; the demand
forecast set against the riders booked."""

from __future__ import annotations

import time as time_module
from datetime import date, datetime, time, timedelta

from flask import current_app
from marshmallow import Schema, fields, validate

from courier.dispatch import shift_week, shifts
from courier.errors import DomainError, InvalidInput
from courier.extensions import db
from courier.fairwork import tracking
from courier.models import Courier, Role, utcnow
from courier.models.shifts import ShiftSignup, ShiftSlot
from courier.reports import forecast
from courier.validation import Moment, Strict
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("shifts", __name__, description="Shifts planned ahead and demand forecast")
MEMBERS = (Role.COURIER, Role.DISPATCHER, Role.COUNCIL)
FORECAST_KEPT_S = 600


class ShiftWeekQuery(Strict):
    week = fields.Date(metadata={"description": "any day of the week shown (from Monday); "
                                 "this week by default"})


class ShiftSlotIn(Strict):
    starts_at = fields.AwareDateTime(required=True, format="iso", validate=Moment)
    ends_at = fields.AwareDateTime(required=True, format="iso", validate=Moment)
    vehicle = fields.String(required=True, validate=validate.OneOf(["bike", "cargo_bike"]))
    riders = fields.Integer(required=True, strict=True, validate=validate.Range(
        1, 50, error="must be between 1 and 50"))
    note = fields.String(load_default="", validate=validate.Length(max=200))


class ShiftOfferIn(Strict):
    courier_id = fields.Integer(required=True, allow_none=True, strict=True, metadata={
        "description": "the member offered the sign-up; null withdraws the offer"})


class ShiftBreachOut(Schema):
    rule = fields.String()
    label = fields.String()
    enforce = fields.String()
    text = fields.String()
    text_phrase = fields.Dict(allow_none=True)
    figures = fields.Dict()


class ShiftSlotOut(Schema):
    id = fields.Integer()
    starts_at = fields.String()
    ends_at = fields.String()
    vehicle = fields.String()
    riders = fields.Integer()
    note = fields.String()
    fairness = fields.String(metadata={"description": "off, hours or pay: who gets a short "
                                       "slot's places first"})
    booked = fields.Integer()
    waiting = fields.Integer()
    signups = fields.List(fields.Dict())


class ShiftSignupOut(Schema):
    slot = fields.Nested(ShiftSlotOut)
    signup_id = fields.Integer()
    warnings = fields.List(fields.Nested(ShiftBreachOut))


class DemandForecastOut(Schema):
    start = fields.String()
    jobs = fields.List(fields.Float(allow_none=True))
    riders = fields.List(fields.Integer(allow_none=True))
    jobs_per_courier_hour = fields.Float(allow_none=True)
    weeks = fields.Integer()
    alpha = fields.Float()


class ShiftWeekOut(Schema):
    start = fields.String()
    slots = fields.List(fields.Nested(ShiftSlotOut))
    members = fields.List(fields.Dict())
    booked = fields.List(fields.Integer(), metadata={"description": "riders booked, hour by "
                                                     "hour from start"})
    forecast = fields.Nested(DemandForecastOut, allow_none=True, metadata={
        "description": "jobs expected and riders needed, hour by hour from start (null "
                       "beyond the forecast's two weeks)"})
    forecast_message = fields.String(allow_none=True)


def _monday(day: date | None) -> datetime:
    tz = tracking.timezone()
    day = day or utcnow().astimezone(tz).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), tz)


def _forecast() -> forecast.Forecast | str:
    """Today's forecast, or why there is none. It reads only the days before today, so it
    is kept for :data:`FORECAST_KEPT_S` (and recomputed on a new day)."""
    now = utcnow()
    key = (now.astimezone(tracking.timezone()).date(), int(time_module.monotonic()
                                                           // FORECAST_KEPT_S))
    kept = current_app.extensions.get("shift_forecast")
    if kept is not None and kept[0] == key:
        return kept[1]
    try:
        found: forecast.Forecast | str = forecast.forecast(now, tracking.timezone())
    except DomainError as err:
        found = err.message
    current_app.extensions["shift_forecast"] = (key, found)
    return found


def _forecast_for(start: datetime, hours: int) -> tuple[dict | None, str | None]:
    """The forecast's hours that fall in ``[start, start + hours)``, or why there is none."""
    f = _forecast()
    if isinstance(f, str):
        return None, f
    offset = round((start - f.start).total_seconds() / 3600)
    pick = [offset + h if 0 <= offset + h < len(f.jobs) else None for h in range(hours)]
    return {**f.as_json(), "start": start.isoformat(),
            "jobs": [round(f.jobs[i], 2) if i is not None else None for i in pick],
            "riders": [f.riders[i] if i is not None else None for i in pick]}, None


@blp.route("/shifts", methods=["GET"])
@require(*MEMBERS)
@blp.arguments(ShiftWeekQuery, location="query")
@blp.response(200, ShiftWeekOut)
@blp.doc(security=BEARER)
def week(query):
    """The week's slots, who rides and who waits, the riders booked hour by hour and the
    demand forecast (or why there is none: the calendar works without it)."""
    start = _monday(query.get("week"))
    out = shift_week.week(user(), start, utcnow())
    out["forecast"], out["forecast_message"] = _forecast_for(start, 7 * 24)
    return out


@blp.route("/shifts/forecast", methods=["GET"])
@require(*MEMBERS)
@blp.response(200, DemandForecastOut)
@blp.doc(security=BEARER)
def demand():
    """Jobs expected and riders needed, hour by hour, for the next two weeks (409 when
    the coop has no history of jobs yet)."""
    return forecast.forecast(utcnow(), tracking.timezone()).as_json()


@blp.route("/shifts/slots", methods=["POST"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(ShiftSlotIn)
@blp.response(201, ShiftSlotOut)
@blp.doc(security=BEARER)
def publish(data):
    """Dispatch or the council publishes a slot (422 naming the field when it ends before
    it starts, is in the past, or overlaps a slot of the same vehicle kind)."""
    slot = shifts.publish_slot(user(), data["starts_at"], data["ends_at"], data["vehicle"],
                               data["riders"], data["note"])
    db.session.commit()
    return shift_week.slot_view(slot, user(), utcnow())


@blp.route("/shifts/slots/<int:slot_id>/cancel", methods=["POST"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, ShiftSlotOut)
@blp.doc(security=BEARER)
def cancel(slot_id):
    """The slot is taken off the calendar (its sign-ups stay on the record)."""
    slot = shifts.cancel_slot(user(), get_or_404(ShiftSlot, slot_id, "slot"))
    db.session.commit()
    return shift_week.slot_view(slot, user(), utcnow())


def _signed(signup, warnings) -> dict:
    return {"slot": shift_week.slot_view(signup.slot, user(), utcnow()),
            "signup_id": signup.id, "warnings": warnings}


@blp.route("/shifts/slots/<int:slot_id>/signup", methods=["POST"])
@require(Role.COURIER)
@blp.response(201, ShiftSignupOut)
@blp.doc(security=BEARER)
def sign_up(slot_id):
    """The member signs up: 409 naming the rule (in words) when a blocking rule of the
    council would be broken; a warning rule's breach is returned to be shown."""
    signup, warnings = shifts.sign_up(user(), get_or_404(ShiftSlot, slot_id, "slot"))
    db.session.commit()
    return _signed(signup, warnings)


@blp.route("/shifts/signups/<int:signup_id>/release", methods=["POST"])
@require(Role.COURIER)
@blp.response(200, ShiftSlotOut)
@blp.doc(security=BEARER)
def release(signup_id):
    """The member gives their place up (the next member waiting gets it)."""
    signup = shifts.release(user(), get_or_404(ShiftSignup, signup_id, "sign-up"))
    db.session.commit()
    return shift_week.slot_view(signup.slot, user(), utcnow())


@blp.route("/shifts/signups/<int:signup_id>/offer", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(ShiftOfferIn)
@blp.response(200, ShiftSlotOut)
@blp.doc(security=BEARER)
def offer(data, signup_id):
    """The member offers their sign-up to another member (a swap), or withdraws it."""
    signup = get_or_404(ShiftSignup, signup_id, "sign-up")
    to = None
    if data["courier_id"] is not None:
        to = db.session.get(Courier, data["courier_id"])
        if to is None:
            raise InvalidInput("no such member", {"courier_id": "unknown"})
    signup = shifts.offer_swap(user(), signup, to)
    db.session.commit()
    return shift_week.slot_view(signup.slot, user(), utcnow())


@blp.route("/shifts/signups/<int:signup_id>/accept", methods=["POST"])
@require(Role.COURIER)
@blp.response(200, ShiftSignupOut)
@blp.doc(security=BEARER)
def accept(signup_id):
    """The member a sign-up was offered to takes it, under the council's rules."""
    taken, warnings = shifts.accept_swap(
        user(), get_or_404(ShiftSignup, signup_id, "sign-up"))
    db.session.commit()
    return _signed(taken, warnings)
