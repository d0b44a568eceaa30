"""Monthly statements: a shop's jobs of the month, prices and totals (JSON or CSV)."""

from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields, validate

from courier.models import Role
from courier.schemas import JobOut
from courier.shops.statements import statement_for, to_csv
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("statements", __name__, description="Monthly statements of shops")


class StatementQuery(Schema):
    merchant = fields.Integer()
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


@blp.route("/statements/<month>", methods=["GET"])
@require(Role.MERCHANT, Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(StatementQuery, location="query")
@blp.response(200)
@blp.doc(security=BEARER)
def statement(query, month):
    """The statement of ``month`` (YYYY-MM, the coop's calendar): every job
    submitted that month with its fixed price; delivered and failed jobs are
    billed. ``?format=csv`` for the CSV; ``?merchant=`` for dispatch and council."""
    st = statement_for(user(), month, query.get("merchant"))
    if query["format"] == "csv":
        name = f"statement-{st.merchant.id}-{st.month}.csv"
        return Response(to_csv(st), mimetype="text/csv",
                         headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return {"month": st.month, "merchant": {"id": st.merchant.id, "name": st.merchant.name},
            "from": st.start.isoformat(), "to": st.end.isoformat(), "totals": st.totals,
            "jobs": JobOut(many=True).dump(st.jobs)}
