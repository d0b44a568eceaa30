"""Time tracking and contests: breaks, tracked time and the council's corrections;
a courier's decisions (why they got work or not) and contesting them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from courier.errors import Forbidden
from courier.extensions import db
from courier.fairwork import tracking
from courier.fairwork.models import Contest
from courier.models import Courier, Event, Role, utcnow
from courier.reports import contests
from courier.schemas import EventOut
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("fairwork", __name__, description="Time tracking, decisions and contests")


class DecisionOut(EventOut):
    courier_id = fields.Integer(allow_none=True)
    data = fields.Dict(allow_none=True)


class Strict(Schema):
    class Meta:
        unknown = "raise"


class BreakIn(Strict):
    on = fields.Boolean(required=True, metadata={"description": "true starts, false ends"})


class CorrectionIn(Strict):
    courier_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["shift", "break"]))
    target = fields.Integer(metadata={"description": "the interval to move or void"})
    start = fields.AwareDateTime(format="iso")
    end = fields.AwareDateTime(format="iso")
    void = fields.Boolean(load_default=False)
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class TimeQuery(Schema):
    courier = fields.Integer(required=True)
    since = fields.AwareDateTime(required=True, format="iso")


class IntervalOut(Schema):
    id = fields.Integer()
    start = fields.AwareDateTime()
    end = fields.AwareDateTime(allow_none=True)


class TimeOut(Schema):
    shifts = fields.List(fields.Nested(IntervalOut))
    breaks = fields.List(fields.Nested(IntervalOut))
    on_break = fields.Boolean()


class BodyIn(Strict):
    body = fields.String(required=True, validate=validate.Length(1, 2000))


class AnswerOut(Schema):
    id = fields.Integer()
    author = fields.Function(lambda a: a.author.name)
    body = fields.String()
    created_at = fields.AwareDateTime()


class ContestOut(Schema):
    id = fields.Integer()
    status = fields.String()
    courier_id = fields.Integer()
    courier = fields.Function(lambda c: c.author.name)
    body = fields.String()
    created_at = fields.AwareDateTime()
    event = fields.Nested(DecisionOut)
    answers = fields.List(fields.Nested(AnswerOut))


class ContestList(Schema):
    contests = fields.List(fields.Nested(ContestOut))


class ContestQuery(Schema):
    status = fields.String(validate=validate.OneOf(["open", "answered"]))


class DecisionList(Schema):
    decisions = fields.List(fields.Nested(DecisionOut))
    contested = fields.List(fields.Integer(), metadata={"description": "event ids contested"})


@blp.route("/courier/break", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(BreakIn)
@blp.response(200, EventOut)
@blp.doc(security=BEARER)
def take_break(data):
    """Start or end a break (no offers during it)."""
    u = user()
    ev = tracking.start_break(u) if data["on"] else tracking.end_break(u)
    db.session.commit()
    return ev


@blp.route("/time", methods=["GET"])
@require(Role.COURIER, Role.COUNCIL)
@blp.arguments(TimeQuery, location="query")
@blp.response(200, TimeOut)
@blp.doc(security=BEARER)
def tracked(args):
    """A courier's shifts and breaks since a time, corrections applied (their own, or
    anyone's for the council)."""
    u = user()
    if u.role == Role.COURIER and (u.courier is None or u.courier.id != args["courier"]):
        raise Forbidden("this is another member's time")
    c = get_or_404(Courier, args["courier"], "courier")
    t = tracking.load([c.id], args["since"])[c.id]

    def rows(table):
        return [{"id": k, "start": s, "end": e} for k, (s, e) in sorted(
            table.items(), key=lambda kv: kv[1][0]) if e is None or e >= args["since"]]

    return {"shifts": rows(t.shifts), "breaks": rows(t.breaks), "on_break": t.on_break}


@blp.route("/time/corrections", methods=["POST"])
@require(Role.COUNCIL)
@blp.arguments(CorrectionIn)
@blp.response(201, EventOut)
@blp.doc(security=BEARER)
def correct(data):
    """The council corrects a courier's time: add, move or void a shift or a break.
    The correction is an event; nothing is overwritten."""
    c = get_or_404(Courier, data["courier_id"], "courier")
    ev = tracking.correct(user(), c, data["kind"], data["reason"], target=data.get("target"),
                          start=data.get("start"), end=data.get("end"), void=data["void"],
                          now=utcnow())
    db.session.commit()
    return ev


@blp.route("/courier/decisions", methods=["GET"])
@require(Role.COURIER)
@blp.response(200, DecisionList)
@blp.doc(security=BEARER)
def my_decisions():
    """Why I got work or not: my latest offers, non-offers and warnings, with reasons."""
    u = user()
    if u.courier is None:
        raise Forbidden("only couriers have decisions")
    rows = contests.decisions(u.courier)
    mine = contests.visible(u)
    return {"decisions": rows, "contested": sorted({c.event_id for c in mine})}


@blp.route("/events/<int:event_id>/contest", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(BodyIn)
@blp.response(201, ContestOut)
@blp.doc(security=BEARER)
def contest(data, event_id):
    """Contest a decision about me: the council sees it and answers."""
    c = contests.contest(user(), get_or_404(Event, event_id, "event"), data["body"])
    db.session.commit()
    return c


@blp.route("/contests", methods=["GET"])
@require(Role.COURIER, Role.COUNCIL)
@blp.arguments(ContestQuery, location="query")
@blp.response(200, ContestList)
@blp.doc(security=BEARER)
def list_contests(args):
    """Contests: all of them for the council, my own for a courier."""
    return {"contests": contests.visible(user(), args.get("status"))}


@blp.route("/contests/<int:contest_id>/answer", methods=["POST"])
@require(Role.COUNCIL)
@blp.arguments(BodyIn)
@blp.response(201, ContestOut)
@blp.doc(security=BEARER)
def answer(data, contest_id):
    """The council answers a contest."""
    c = get_or_404(Contest, contest_id, "contest")
    contests.answer(user(), c, data["body"])
    db.session.commit()
    return c
