"""The coop's work in pictures: the dashboards' charts as JSON, one chart's numbers as CSV.

Members, dispatch and the council read the coop's charts; the members' hours and hourly pay
come by name to the council only (as in the earnings report), as an anonymised
distribution to everyone else. A shop reads its own jobs' charts, never the members'.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from courier.errors import Forbidden
from courier.models import Role
from courier.reports import dashboard as figures
from courier.web.api.common import BEARER, Blueprint, download, user
from courier.web.api.reports_api import EarningsQuery
from courier.web.auth import require

blp = Blueprint("dashboard", __name__, description="The coop's work in charts")


class DashboardQuery(EarningsQuery):
    """A period (``from``, ``to``, at most 366 days), one chart or all, JSON or CSV."""

    class Meta:
        exclude = ("courier",)

    chart = fields.String(validate=validate.OneOf(figures.COOP_CHARTS), metadata={
        "description": "one chart only (needed for CSV); a shop has "
                       + ", ".join(figures.SHOP_CHARTS)})

    @validates_schema
    def _csv_needs_a_chart(self, data, **kwargs):
        if data.get("format") == "csv" and "chart" not in data:
            raise ValidationError("give the chart whose numbers to download as CSV", "chart")


class DashboardOut(Schema):
    start = fields.String(data_key="from", attribute="from")
    end = fields.String(data_key="to", attribute="to")
    timezone = fields.String()
    scope = fields.String(metadata={"description": "coop, or shop (its own jobs)"})
    co2_kg_per_km = fields.Float(metadata={
        "description": "kg CO2e a diesel van emits per km, for the CO2 avoided (the open "
                       "data's factor)"})
    totals = fields.Dict(metadata={"description": "the period's figures: deliveries, "
                                   "on-time share, km, hours, CO2 avoided"})
    charts = fields.Dict(metadata={"description": "each chart: label (its x column), "
                                   "labels, series (one value per label), empty"})


def view(u, args) -> dict:
    """The charts ``u`` may read for these arguments (403 otherwise)."""
    chart = args.get("chart")
    merchant_id = None
    if u.role == Role.MERCHANT:
        if u.merchant is None:
            raise Forbidden("this account has no shop")
        if chart is not None and chart not in figures.SHOP_CHARTS:
            raise Forbidden("a shop reads its own jobs' charts, not the members'",
                            {"chart": "not a chart of a shop"})
        merchant_id = u.merchant.id
    return figures.dashboard(args["start"], args["end"], merchant_id=merchant_id,
                             names=u.role == Role.COUNCIL,
                             only=(chart,) if chart is not None else None)


@blp.route("/dashboard", methods=["GET"])
@require(Role.COURIER, Role.DISPATCHER, Role.COUNCIL, Role.MERCHANT)
@blp.arguments(DashboardQuery, location="query")
@blp.response(200, DashboardOut)
@blp.also_200("DashboardOut", "text/csv", "JSON, or one chart's numbers as CSV with "
              "format=csv and chart: its x column, then one column per series")
@blp.doc(security=BEARER)
def dashboard(args):
    """The period's deliveries per hour and per day, on-time share, km and courier-hours
    per delivery, CO2 avoided against a diesel van, and (the coop's) members' hours,
    effective hourly pay and their Gini week by week."""
    data = view(user(), args)
    if args["format"] == "csv":
        chart = args["chart"]
        return download(figures.to_csv(data["charts"][chart]), "text/csv",
                        f"{chart}_{args['start']}_{args['end']}.csv")
    return data
