"""A shop's monthly invoice: the month's statement (:mod:`courier.shops.statements`, the
same jobs and figures as the API's JSON and CSV) as a numbered PDF with the coop's legal
details from its settings.

Numbers are sequential across the coop, in the order invoices are first asked for, and
stable: a month's invoice keeps its number however often it is downloaded. A month is
invoiced once it is over, so what an invoice bills no longer moves.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, format_currency, format_date, format_decimal, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from courier import settings
from courier.errors import Conflict
from courier.extensions import db
from courier.models import User, utcnow
from courier.models.invoices import Invoice
from courier.pdf import WIDTH, Document
from courier.shops.statements import BILLED, Statement, statement_for

# The coop's legal details, printed on invoices (PATCH /api/v1/coop sets them).
LEGAL = ("legal_name", "legal_address", "registration_id", "vat_id", "invoice_note")


def number_text(number: int) -> str:
    """How an invoice number is written: six digits."""
    return f"{number:06d}"


def invoice_for(user: User, month: str, merchant_id: int | None = None,
                now: datetime | None = None) -> tuple[Statement, Invoice]:
    """The month's statement and its invoice, numbered the first time (flushed)."""
    st = statement_for(user, month, merchant_id)
    now = now or utcnow()
    if st.end > now:
        raise Conflict(f"{month} is not over: its invoice can be issued from "
                       f"{st.end.date().isoformat()}", {"month": "not over yet"})
    found = db.session.scalars(select(Invoice).where(
        Invoice.merchant_id == st.merchant.id, Invoice.month == st.month)).first()
    if found is not None:
        return st, found
    number = (db.session.scalar(select(func.max(Invoice.number))) or 0) + 1
    inv = Invoice(number=number, merchant_id=st.merchant.id, month=st.month, issued_at=now,
                  issued_by_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(inv)
    except IntegrityError:
        raise Conflict("another invoice was numbered at the same moment: ask again") from None
    return st, inv


def legal_details() -> dict:
    """The coop's legal details for its invoices (its name when no legal name is set)."""
    s = settings.all_settings()
    out = {k: (s.get(k) or "") for k in LEGAL}
    out["legal_name"] = out["legal_name"] or s.get("name") or ""
    return out


def _money(cents: int) -> str:
    return format_currency(cents / 100, "EUR")


def pdf(st: Statement, inv: Invoice, locale: str) -> tuple[bytes, list[str]]:
    """The invoice as PDF in ``locale``, and every text it wrote (in order)."""
    tz = ZoneInfo(current_app.config["COOP_TIMEZONE"])
    coop = legal_details()
    with force_locale(locale):
        title = gettext("Invoice %(number)s", number=number_text(inv.number))
        doc = Document(title, coop["legal_name"], locale)
        doc.text(coop["legal_name"], bold=True)
        for line in coop["legal_address"].splitlines():
            doc.text(line)
        if coop["registration_id"]:
            doc.text(gettext("Registration: %(id)s", id=coop["registration_id"]))
        if coop["vat_id"]:
            doc.text(gettext("VAT number: %(id)s", id=coop["vat_id"]))
        doc.heading(gettext("Billed to"))
        doc.text(st.merchant.name, bold=True)
        if st.merchant.address:
            doc.text(st.merchant.address)
        month = format_date(st.start.astimezone(tz).date(), "MMMM y")
        doc.pairs([(gettext("Invoice number"), number_text(inv.number)),
                   (gettext("Date of issue"), format_date(inv.issued_at.astimezone(tz).date(),
                                                          "long")),
                   (gettext("Period"), month)])
        doc.heading(gettext("Deliveries billed"))
        billed = [j for j in st.jobs if j.status in BILLED]
        status = {"delivered": gettext("delivered"), "failed": gettext("failed attempt")}
        rows = [[f"#{j.id}", format_date(j.created_at.astimezone(tz).date(), "short"),
                 status[j.status.value], _km(j), _money(st.billed(j))] for j in billed]
        t = st.totals
        doc.table([gettext("Job"), gettext("Submitted"), gettext("Status"), gettext("Distance"),
                   gettext("Price")], rows, [25, 35, 60, 25, WIDTH - 145], right={3, 4},
                  total=[gettext("Total"), "", gettext("%(n)s jobs billed", n=t["billed_jobs"]),
                         "", _money(t["billed_cents"])])
        doc.text(gettext("Prices as fixed when each job was submitted, under the coop's "
                         "pricing rules; a failed attempt is billed, a cancelled job is not."))
        if coop["invoice_note"]:
            doc.text(coop["invoice_note"])
    return doc.output(), doc.written


def _km(job) -> str:
    km = ((job.price_breakdown or {}).get("facts") or {}).get("distance_km")
    return "" if km in (None, "") else f"{format_decimal(km, '#,##0.0')}\u00a0km"
