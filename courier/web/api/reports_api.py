"""Earnings and fairness reports: members see their own detail and the coop's
anonymised distribution, the council sees everything; CSV on request."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from courier.errors import Forbidden
from courier.models import Role
from courier.reports import earnings as reports
from courier.reports import runs as run_pay
from courier.reports import statement
from courier.web.api.common import BEARER, Blueprint, download, user
from courier.web.auth import require

blp = Blueprint("reports", __name__, description="Earnings and fairness reports")
MAX_DAYS = 366


class EarningsQuery(Schema):
    start = fields.Date(required=True, data_key="from",
                        metadata={"description": "first local day, YYYY-MM-DD"})
    end = fields.Date(required=True, data_key="to",
                      metadata={"description": "last local day, included"})
    courier = fields.Integer(validate=validate.Range(1))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))

    @validates_schema
    def _range(self, data, **kwargs):
        if "start" in data and "end" in data:
            if data["end"] < data["start"]:
                raise ValidationError("must not be before from", "to")
            if data["end"] - data["start"] > timedelta(days=MAX_DAYS):
                raise ValidationError(f"at most {MAX_DAYS} days", "to")


class EarningsOut(Schema):
    start = fields.String(data_key="from", attribute="from")
    end = fields.String(data_key="to", attribute="to")
    timezone = fields.String()
    versions = fields.List(fields.Integer())
    members = fields.List(fields.Dict())
    totals = fields.Dict()
    fairness = fields.Dict()
    distribution = fields.Dict(metadata={"description": "others' figures, anonymised "
                                         "(members' view only)"})
    rules = fields.Dict(metadata={"description": "the rules the report is read under (in "
                                  "force at its end): failed_attempt, hourly_shown_from_s"})


class RunsOut(Schema):
    start = fields.String(data_key="from", attribute="from")
    end = fields.String(data_key="to", attribute="to")
    timezone = fields.String()
    courier_id = fields.Integer()
    volunteer = fields.Boolean()
    runs = fields.List(fields.Dict(), metadata={"description": "each run: pay by component, "
                                                "its jobs' shares, the decision that gave it"})
    totals = fields.Dict()


class StatementQuery(Schema):
    courier = fields.Integer(validate=validate.Range(1),
                             metadata={"description": "whose (the council only)"})


def view(u, args) -> dict:
    """The report ``u`` may read for these arguments (403 otherwise)."""
    if u.role == Role.MERCHANT:
        raise Forbidden("shops cannot read the members' earnings")
    report = reports.earnings(args["start"], args["end"])
    wanted = args.get("courier")
    if u.role == Role.COUNCIL:
        if wanted is not None:
            report["members"] = [m for m in report["members"] if m["courier_id"] == wanted]
        return report
    own = u.courier.id if u.role == Role.COURIER and u.courier is not None else None
    if wanted is not None and wanted != own:
        raise Forbidden("a member's detailed report is theirs and the council's only")
    return reports.anonymised(report, own)


@blp.route("/reports/earnings", methods=["GET"])
@require(Role.COURIER, Role.DISPATCHER, Role.COUNCIL, Role.MERCHANT)
@blp.arguments(EarningsQuery, location="query")
@blp.response(200, EarningsOut)
@blp.also_200("EarningsOut", "text/csv", "JSON, or CSV with format=csv")
@blp.doc(security=BEARER)
def earnings(args):
    """Per member and period: deliveries, km, hours on shift and active, pay by
    component under the rules in force at the time, top-up; coop totals; fairness."""
    data = view(user(), args)
    if args["format"] == "csv":
        return download(reports.to_csv(data), "text/csv",
                        f"earnings_{args['start']}_{args['end']}.csv")
    return data


@blp.route("/reports/runs", methods=["GET"])
@require(Role.COURIER, Role.COUNCIL)
@blp.arguments(EarningsQuery, location="query")
@blp.response(200, RunsOut)
@blp.also_200("RunsOut", "text/csv", "JSON, or CSV with format=csv: one row per job, "
              "then its run, then the total")
@blp.doc(security=BEARER)
def runs(args):
    """Pay per run and per job of a member (their own; anyone's for the council with
    ``courier``): each run that ended in the period (and the one being ridden), its pay
    by component as the phone showed it, each job's share to the cent, a failed job's
    reason and what the rules paid for it, and the decision that gave the run."""
    courier = statement.whose(user(), args.get("courier"))
    data = run_pay.member_runs(courier, args["start"], args["end"])
    if args["format"] == "csv":
        return download(run_pay.to_csv(data), "text/csv",
                        f"runs_{courier.id}_{args['start']}_{args['end']}.csv")
    return data


@blp.route("/reports/statements/<month>.pdf", methods=["GET"])
@require(Role.COURIER, Role.COUNCIL)
@blp.arguments(StatementQuery, location="query")
@blp.response(200)
@blp.alt_response(200, content_type="application/pdf", description="the statement",
                  success=True)
@blp.doc(security=BEARER)
def pay_statement(args, month):
    """A member's monthly pay statement (YYYY-MM) as PDF, like a payslip, in the member's
    language: hours, deliveries, failed attempts, km, pay by component, top-up, total,
    the effective hourly pay beside its hours, pay per run."""
    courier = statement.whose(user(), args.get("courier"))
    body, _ = statement.pdf(courier, month,
                            courier.user.locale or current_app.config["LANGUAGES"][0])
    return download(body, "application/pdf", f"statement-{courier.id}-{month}.pdf",
                    inline=True)
