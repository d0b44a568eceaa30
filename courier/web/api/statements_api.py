"""Monthly statements: a shop's jobs of the month, prices and totals (JSON or CSV)."""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, fields, validate

from courier.extensions import db
from courier.models import Role
from courier.schemas import JobOut
from courier.shops import invoices
from courier.shops.statements import statement_for, to_csv
from courier.web.api.common import BEARER, Blueprint, download, user
from courier.web.auth import require

blp = Blueprint("statements", __name__, description="Monthly statements of shops")


class StatementQuery(Schema):
    merchant = fields.Integer()
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class InvoiceQuery(Schema):
    merchant = fields.Integer()


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
        return download(to_csv(st), "text/csv", f"statement-{st.merchant.id}-{st.month}.csv")
    return {"month": st.month, "merchant": {"id": st.merchant.id, "name": st.merchant.name},
            "from": st.start.isoformat(), "to": st.end.isoformat(), "totals": st.totals,
            "jobs": JobOut(many=True).dump(st.jobs)}


@blp.route("/statements/<month>/invoice.pdf", methods=["GET"])
@require(Role.MERCHANT, Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(InvoiceQuery, location="query")
@blp.response(200)
@blp.alt_response(200, content_type="application/pdf", description="the invoice",
                  success=True)
@blp.doc(security=BEARER)
def invoice(query, month):
    """The invoice of a month that is over (YYYY-MM): the statement's billed jobs and
    total, numbered (sequential across the coop, the same number every time it is
    downloaded), with the coop's legal details; in the shop's language. 409 while the
    month is not over."""
    st, inv = invoices.invoice_for(user(), month, query.get("merchant"))
    db.session.commit()
    body, _ = invoices.pdf(st, inv, st.merchant.user.locale or current_app.config["LANGUAGES"][0])
    name = f"invoice-{invoices.number_text(inv.number)}-{st.month}.pdf"
    return download(body, "application/pdf", name, inline=True)
