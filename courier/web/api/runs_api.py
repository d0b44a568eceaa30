"""Runs: the courier they are offered to accepts or declines them."""

from __future__ import annotations

from marshmallow import Schema, fields
from sqlalchemy import select

from courier.dispatch import runs
from courier.errors import Forbidden
from courier.extensions import db
from courier.models import Role, Run, RunStatus
from courier.schemas import RunOut
from courier.web.api import args
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("runs", __name__, description="Runs offered to couriers")


class OpenRuns(Schema):
    runs = fields.List(fields.Nested(RunOut))


@blp.route("/runs", methods=["GET"])
@require(Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, OpenRuns)
@blp.doc(security=BEARER)
def open_runs():
    """Every run still offered or being ridden, for the dispatch board."""
    rows = db.session.scalars(select(Run).where(
        Run.status.in_([RunStatus.OFFERED, RunStatus.ACCEPTED])).order_by(Run.id)).all()
    return {"runs": rows}


@blp.route("/runs/<int:run_id>", methods=["GET"])
@require(Role.COURIER, Role.DISPATCHER, Role.COUNCIL)
@blp.response(200, RunOut)
@blp.doc(security=BEARER)
def get_run(run_id):
    """A run with its stops: its courier, dispatch and the council may read it."""
    run = get_or_404(Run, run_id, "run")
    u = user()
    if u.role == Role.COURIER and (u.courier is None or run.courier_id != u.courier.id):
        raise Forbidden("this run is not yours")
    return run


@blp.route("/runs/<int:run_id>/accept", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@blp.response(200, RunOut)
@blp.doc(security=BEARER)
def accept(run_id, key=None):
    """Accept the run offered to you. A second accept is a conflict (409), unless it
    carries an Idempotency-Key: a replay of an accept that went through is answered
    as done."""
    run = runs.accept_run(user(), get_or_404(Run, run_id, "run"), replay=key is not None)
    db.session.commit()
    return run


@blp.route("/runs/<int:run_id>/decline", methods=["POST"])
@require(Role.COURIER)
@blp.arguments(args.IdempotencyHeader, location="headers", as_kwargs=True)
@blp.arguments(args.ReasonIn, required=False)
@blp.response(200, RunOut)
@blp.doc(security=BEARER)
def decline(data, run_id, key=None):
    """Decline the run offered to you; its jobs go to someone else. With an
    Idempotency-Key, a replay of a decline that went through is answered as done."""
    run = runs.decline_run(user(), get_or_404(Run, run_id, "run"), data.get("reason", ""),
                           replay=key is not None)
    db.session.commit()
    return run
