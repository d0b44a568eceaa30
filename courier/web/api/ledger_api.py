"""The mutual-credit ledger of each partnership, for the council: the balance against its
credit limit, a month's statement (JSON, CSV, PDF), settlements, and the check that the
partner's book holds the same transactions (docs/federation.md)."""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from courier.errors import Conflict
from courier.extensions import db
from courier.federation import ledger, ledger_statement, reconcile, transport
from courier.models import Partner, Role
from courier.validation import Moment, Strict
from courier.web.api.common import BEARER, Blueprint, download, get_or_404, user
from courier.web.auth import require

blp = Blueprint("ledger", __name__, description="Mutual credit between partner coops")


class LedgerOwesOut(Schema):
    debtor = fields.String(allow_none=True, metadata={"description": "the coop that owes "
                                                      "(its address), null when even"})
    creditor = fields.String(allow_none=True)
    cents = fields.Integer()


class LedgerOut(Schema):
    partner_id = fields.Integer()
    partner = fields.String()
    status = fields.String(metadata={"description": "the partnership's: invited, active, "
                                     "paused or ended"})
    coop = fields.String(metadata={"description": "our address, as the partner knows us"})
    balance_cents = fields.Integer(metadata={"description": "what the partner owes us "
                                             "(negative: what we owe it)"})
    balance = fields.Nested(LedgerOwesOut)
    credit_limit_cents = fields.Integer()
    hand_offs_paused = fields.Boolean(metadata={"description": "we owe up to the limit: "
                                                "no job goes to this partner until settled"})
    reason = fields.String()
    taking_paused = fields.Boolean(metadata={"description": "the partner owes up to the "
                                             "limit: no job is taken from it until settled"})
    taking_reason = fields.String()
    entries = fields.Integer(metadata={"description": "transactions in the book"})


class LedgerStatementQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class LedgerSettlementIn(Strict):
    payer = fields.String(required=True, validate=validate.OneOf(["us", "partner"]),
                          metadata={"description": "who paid: us, or the partner"})
    amount_cents = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(1, ledger.MAX_CENTS))
    paid_at = fields.AwareDateTime(required=True, validate=Moment)
    note = fields.String(load_default="", validate=validate.Length(max=500))


class LedgerEntryOut(Schema):
    ref = fields.String()
    kind = fields.String()
    debtor = fields.String()
    creditor = fields.String()
    amount_cents = fields.Integer()
    at = fields.String()
    job = fields.String()


class LedgerDifferOut(Schema):
    ref = fields.String()
    fields_ = fields.Dict(data_key="fields")


class LedgerReconcileOut(Schema):
    match = fields.Boolean(metadata={"description": "both books hold exactly the same "
                                     "transactions"})
    entries = fields.Integer()
    only_ours = fields.List(fields.Nested(LedgerEntryOut))
    only_theirs = fields.List(fields.Nested(LedgerEntryOut))
    differ = fields.List(fields.Nested(LedgerDifferOut))
    digest_ours = fields.String()
    digest_theirs = fields.String()
    checked_at = fields.String()


class LedgerCoopOut(Schema):
    url = fields.String()
    name = fields.String()


class LedgerFlowOut(Schema):
    kind = fields.String(metadata={"description": "handoff, reversal or settlement"})
    debtor = fields.String()
    creditor = fields.String()
    count = fields.Integer()
    cents = fields.Integer()


class LedgerOursOut(Schema):
    coop = fields.String()
    balance_cents = fields.Integer()
    credit_limit_cents = fields.Integer()
    hand_offs_paused = fields.Boolean()
    reason = fields.String()
    taking_paused = fields.Boolean()
    taking_reason = fields.String()


class LedgerPartnershipOut(Schema):
    coops = fields.List(fields.Nested(LedgerCoopOut))


class LedgerPeriodOut(Schema):
    month = fields.String()
    from_ = fields.String(data_key="from")
    to = fields.String()


class LedgerStatementOut(Schema):
    partnership = fields.Nested(LedgerPartnershipOut, metadata={
        "description": "the two coops, in the order both statements list them"})
    period = fields.Nested(LedgerPeriodOut)
    opening = fields.Nested(LedgerOwesOut)
    closing = fields.Nested(LedgerOwesOut)
    flows = fields.List(fields.Nested(LedgerFlowOut))
    entries = fields.List(fields.Nested(LedgerEntryOut))
    digest = fields.String(metadata={"description": "SHA-256 of the month's transactions: "
                                     "the same on both sides when the books agree"})
    ours = fields.Nested(LedgerOursOut, metadata={"description": "our side only: our limit"})


class LedgersOut(Schema):
    partners = fields.List(fields.Nested(LedgerOut))


def _partner(partner_id: int) -> Partner:
    return get_or_404(Partner, partner_id, "partner")


def _summary(p: Partner) -> dict:
    st = reconcile.served(p)
    out_ok, out_why = ledger.may_hand_off(p, "out")
    in_ok, in_why = ledger.may_hand_off(p, "in")
    return {"partner_id": p.id, "partner": p.name, "status": p.status.value,
            "coop": st["coop"], "balance_cents": ledger.balance(p), "balance": st["balance"],
            "credit_limit_cents": p.credit_limit_cents, "hand_offs_paused": not out_ok,
            "reason": out_why, "taking_paused": not in_ok, "taking_reason": in_why,
            "entries": len(st["entries"])}


@blp.route("/ledger", methods=["GET"])
@require(Role.COUNCIL)
@blp.response(200, LedgersOut)
@blp.doc(security=BEARER)
def every_partner():
    """The balance with each partner coop (ended partnerships too: their book stays)."""
    rows = db.session.scalars(select(Partner).order_by(Partner.name, Partner.id)).all()
    return {"partners": [_summary(p) for p in rows]}


@blp.route("/partners/<int:partner_id>/ledger", methods=["GET"])
@require(Role.COUNCIL)
@blp.response(200, LedgerOut)
@blp.doc(security=BEARER)
def summary(partner_id):
    """The balance with a partner coop against the credit limit the council set, and
    whether hand-offs either way are paused by it."""
    return _summary(_partner(partner_id))


# A month is at most 8 characters here, so that ``ledger/reconcile`` is never read as one.
@blp.route("/partners/<int:partner_id>/ledger/<string(maxlength=8):month>", methods=["GET"])
@require(Role.COUNCIL)
@blp.arguments(LedgerStatementQuery, location="query")
@blp.response(200, LedgerStatementOut)
@blp.also_200("LedgerStatementOut", "text/csv", "the statement, as JSON or CSV with format=csv")
@blp.doc(security=BEARER)
def statement(query, partner_id, month):
    """The month's statement (YYYY-MM, cut at midnight UTC) of the partnership: balance
    at the start and the end, what each coop handed the other, reversals, settlements,
    every transaction and their fingerprint (the same at the partner's when both books
    agree). ``?format=csv`` for the CSV."""
    p = _partner(partner_id)
    st = ledger_statement.statement(p, month)
    if query["format"] == "csv":
        return download(ledger_statement.to_csv(st), "text/csv",
                        f"mutual-credit-{p.id}-{month}.csv")
    return st


@blp.route("/partners/<int:partner_id>/ledger/<string(maxlength=8):month>/statement.pdf",
           methods=["GET"])
@require(Role.COUNCIL)
@blp.response(200)
@blp.alt_response(200, content_type="application/pdf", description="the statement",
                  success=True)
@blp.doc(security=BEARER)
def statement_pdf(partner_id, month):
    """The month's statement as PDF, in the council member's language."""
    p = _partner(partner_id)
    st = ledger_statement.statement(p, month)
    body, _ = ledger_statement.pdf(st, user().locale or current_app.config["LANGUAGES"][0])
    return download(body, "application/pdf", f"mutual-credit-{p.id}-{month}.pdf", inline=True)


@blp.route("/partners/<int:partner_id>/settlements", methods=["POST"])
@require(Role.COUNCIL)
@blp.arguments(LedgerSettlementIn)
@blp.response(201, LedgerEntryOut)
@blp.doc(security=BEARER)
def settle(data, partner_id):
    """Record a settlement (``payer``: who paid, ``us`` or ``partner``): in our book, and
    sent to the partner's, signed, until it takes it."""
    p = _partner(partner_id)
    out = reconcile.settle(user(), p, data["payer"], data["amount_cents"], data["paid_at"],
                           data["note"])
    db.session.commit()
    return out


@blp.route("/partners/<int:partner_id>/ledger/reconcile", methods=["POST"])
@require(Role.COUNCIL)
@blp.response(200, LedgerReconcileOut)
@blp.doc(security=BEARER)
def check(partner_id):
    """Read the partner's book of the partnership (a signed request) and compare it with
    ours: an exact match, or each transaction held by one side only or unlike. 409 when
    the partner cannot be reached."""
    p = _partner(partner_id)
    try:
        out = reconcile.reconcile(user(), p)
    except transport.Unreachable as err:
        raise Conflict(f"the partner's book could not be read: {err.message}",
                       {"partner": "unreachable"}) from None
    db.session.commit()
    return out
