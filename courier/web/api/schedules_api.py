"""Recurring jobs: a shop's schedules (an RRULE, skipped dates, an end), their next
occurrences, and the coop's horizon and daily cap."""

from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields, validate

from courier import settings
from courier.errors import InvalidInput
from courier.extensions import db
from courier.models import Role
from courier.shops import schedules
from courier.web.api.args import JobIn, Strict
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("schedules", __name__, description="Recurring jobs of shops")
NEXT = 5  # occurrences shown with each schedule


class RecurringJobIn(JobIn):
    """The body of ``POST /jobs`` without its times: each occurrence gives them."""

    class Meta:
        exclude = ("ready_at", "deliver_by", "slot")


class JobScheduleIn(Strict):
    name = fields.String(validate=validate.Length(max=80))
    rrule = fields.String(required=True, validate=validate.Length(1, 500), metadata={
        "description": "an iCalendar RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR (the time of "
                       "day from starts, or BYHOUR/BYMINUTE); its end as UNTIL or COUNT"})
    starts = fields.DateTime(required=True, metadata={
        "description": "the first occurrence (DTSTART); without an offset, the coop's local "
                       "time"})
    exdates = fields.List(fields.Date(), validate=validate.Length(max=366), metadata={
        "description": "local dates skipped (EXDATE): holidays, a day off"})
    window_minutes = fields.Integer(validate=validate.Range(5, 24 * 60), metadata={
        "description": "each job's deliver_by: its occurrence plus this"})
    job = fields.Nested(RecurringJobIn, required=True,
                        metadata={"description": "the body of POST /jobs, without its times"})
    paused = fields.Boolean()


class JobScheduleChange(JobScheduleIn):
    """What changes in a schedule: any of its fields."""

    rrule = fields.String(validate=validate.Length(1, 500))
    starts = fields.DateTime()
    job = fields.Nested(RecurringJobIn)


class JobOccurrenceOut(Schema):
    at = fields.AwareDateTime()
    job_id = fields.Integer(allow_none=True, metadata={"description": "the job made for it"})


class JobScheduleOut(Schema):
    id = fields.Integer()
    name = fields.String()
    rrule = fields.String()
    starts = fields.String(metadata={"description": "local time"})
    exdates = fields.List(fields.String())
    window_minutes = fields.Integer()
    job = fields.Dict()
    paused = fields.Boolean()
    last_error = fields.String(allow_none=True, metadata={
        "description": "why the last refused occurrence was refused (a zone closed...)"})
    last_error_at = fields.AwareDateTime(allow_none=True)
    next = fields.List(fields.Nested(JobOccurrenceOut))


class JobScheduleList(Schema):
    schedules = fields.List(fields.Nested(JobScheduleOut))


class JobOccurrenceQuery(Strict):
    count = fields.Integer(load_default=10, validate=validate.Range(1, 100))


class JobOccurrenceList(Schema):
    occurrences = fields.List(fields.Nested(JobOccurrenceOut))


class JobScheduleSettings(Strict):
    horizon_days = fields.Float(required=True, allow_nan=False, validate=validate.Range(
        0.25, 14, error="must be between 0.25 and 14 days"))
    daily_cap = fields.Integer(required=True, validate=validate.Range(
        1, 500, error="must be between 1 and 500"))


def _out(row, count: int = NEXT) -> dict:
    return {"id": row.id, "name": row.name, "rrule": row.rrule, "starts": row.starts,
            "exdates": row.exdates, "window_minutes": row.window_minutes, "job": row.job,
            "paused": row.paused, "last_error": row.last_error,
            "last_error_at": row.last_error_at, "next": schedules.upcoming(row, count)}


@blp.route("/schedules", methods=["GET"])
@require(Role.MERCHANT)
@blp.response(200, JobScheduleList)
@blp.doc(security=BEARER)
def list_schedules():
    """The shop's schedules, each with its next occurrences."""
    return {"schedules": [_out(r) for r in schedules.of_shop(user())]}


@blp.route("/schedules", methods=["POST"])
@require(Role.MERCHANT)
@blp.arguments(JobScheduleIn)
@blp.response(201, JobScheduleOut)
@blp.doc(security=BEARER)
def create_schedule(data):
    """A new schedule: its jobs are made ahead by the worker, priced and checked like
    any job. A rule that does not parse, or makes more jobs a day than the coop's cap,
    is refused naming ``rrule``."""
    row = schedules.create(user(), data)
    db.session.commit()
    return _out(row)


@blp.route("/schedules/<int:schedule_id>", methods=["GET"])
@require(Role.MERCHANT)
@blp.response(200, JobScheduleOut)
@blp.doc(security=BEARER)
def get_schedule(schedule_id):
    """One schedule of the shop."""
    return _out(schedules.get(user(), schedule_id))


@blp.route("/schedules/<int:schedule_id>", methods=["PATCH"])
@require(Role.MERCHANT)
@blp.arguments(JobScheduleChange)
@blp.response(200, JobScheduleOut)
@blp.doc(security=BEARER)
def edit_schedule(data, schedule_id):
    """Change a schedule; jobs already made for it stay (cancel one to drop it)."""
    if not data:
        raise InvalidInput("give what changes", {"_body": "empty"})
    row = schedules.edit(user(), schedule_id, data)
    db.session.commit()
    return _out(row)


@blp.route("/schedules/<int:schedule_id>", methods=["DELETE"])
@require(Role.MERCHANT)
@blp.response(204)
@blp.doc(security=BEARER)
def delete_schedule(schedule_id):
    """Delete a schedule; jobs already made for it stay."""
    schedules.delete(user(), schedule_id)
    db.session.commit()
    return Response(status=204)


def _pause(schedule_id: int, paused: bool):
    row = schedules.edit(user(), schedule_id, {"paused": paused})
    db.session.commit()
    return _out(row)


@blp.route("/schedules/<int:schedule_id>/pause", methods=["POST"])
@require(Role.MERCHANT)
@blp.response(200, JobScheduleOut)
@blp.doc(security=BEARER)
def pause_schedule(schedule_id):
    """Make no more jobs from this schedule until it is resumed."""
    return _pause(schedule_id, True)


@blp.route("/schedules/<int:schedule_id>/resume", methods=["POST"])
@require(Role.MERCHANT)
@blp.response(200, JobScheduleOut)
@blp.doc(security=BEARER)
def resume_schedule(schedule_id):
    """Make jobs from this schedule again (from now on)."""
    return _pause(schedule_id, False)


@blp.route("/schedules/<int:schedule_id>/occurrences", methods=["GET"])
@require(Role.MERCHANT)
@blp.arguments(JobOccurrenceQuery, location="query")
@blp.response(200, JobOccurrenceList)
@blp.doc(security=BEARER)
def occurrences(query, schedule_id):
    """The next occurrences of a schedule, with the job made for each, if any."""
    row = schedules.get(user(), schedule_id)
    return {"occurrences": schedules.upcoming(row, query["count"])}


@blp.route("/schedule-settings", methods=["GET"])
@require(Role.MERCHANT, Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, JobScheduleSettings)
@blp.doc(security=BEARER)
def get_settings():
    """How far ahead the worker makes recurring jobs, and at most how many a schedule
    may make in a day."""
    return {"horizon_days": settings.get("schedule_horizon_days"),
            "daily_cap": settings.get("schedule_daily_cap")}


@blp.route("/schedule-settings", methods=["PUT"])
@require(Role.COUNCIL)
@blp.arguments(JobScheduleSettings)
@blp.response(200, JobScheduleSettings)
@blp.doc(security=BEARER)
def put_settings(data):
    """The council sets the horizon and the daily cap (existing schedules keep their
    jobs; the cap applies to schedules created or changed from now on)."""
    settings.put("schedule_horizon_days", data["horizon_days"])
    settings.put("schedule_daily_cap", data["daily_cap"])
    db.session.commit()
    return data
