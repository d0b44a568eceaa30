"""A partnership's statement for a month: what each coop handed the other, what was
reversed and settled, the balance at the start and the end, and every transaction, as
JSON, CSV and PDF. Both councils read the same statement: the two coops are listed in
one order (:func:`courier.federation.book.parties`), named by the addresses both
know, and the month is cut at midnight UTC, the same instant for both whatever their
time zones; its ``digest`` is the same on both sides when their books hold the same
transactions. Only ``ours`` (our council's credit limit, and whether hand-offs are
paused) is each coop's own.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from flask_babel import force_locale, format_currency, format_date, gettext

from courier import settings
from courier.errors import InvalidInput
from courier.federation import book, ledger
from courier.models import Partner
from courier.pdf import WIDTH, Document

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
COLUMNS = ["ref", "kind", "at", "debtor", "creditor", "amount_cents", "job"]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    m = _MONTH.match(month or "")
    if not m:
        raise InvalidInput("month: give YYYY-MM, e.g. 2026-11", {"month": "YYYY-MM"})
    year, mon = int(m[1]), int(m[2])
    return (datetime(year, mon, 1, tzinfo=UTC),
            datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=UTC))


def names(partner: Partner) -> dict[str, str]:
    us, them = ledger.coops(partner)
    return {us: settings.get("name") or us, them: partner.name or them}


def statement(partner: Partner, month: str) -> dict:
    """The month's statement of the partnership with ``partner`` (see the module)."""
    start, end = month_bounds(month)
    us, them = ledger.coops(partner)
    before = ledger.transactions(partner, end=start)
    during = ledger.transactions(partner, start, end)
    fig = book.period_figures(before, during, us, them)
    first, second = fig["first"], fig["second"]
    named = names(partner)
    balance = ledger.balance(partner)
    ok, reason = ledger.may_hand_off(partner, "out")
    took_ok, took_reason = ledger.may_hand_off(partner, "in")
    return {
        "partnership": {"coops": [{"url": c, "name": named[c]} for c in (first, second)]},
        "period": {"month": month, "from": start.isoformat(), "to": end.isoformat()},
        "opening": book.who_owes(first, second, fig["opening_cents"]),
        "closing": book.who_owes(first, second, fig["closing_cents"]),
        "flows": fig["flows"],
        "entries": [t.canonical() for t in during],
        "digest": book.digest(during),
        "ours": {"coop": us, "balance_cents": balance, "credit_limit_cents":
                 partner.credit_limit_cents, "hand_offs_paused": not ok, "reason": reason,
                 "taking_paused": not took_ok, "taking_reason": took_reason},
    }


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(st: dict) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for e in st["entries"]:
        w.writerow([_cell(e["ref"]), e["kind"], e["at"], _cell(e["debtor"]),
                    _cell(e["creditor"]), e["amount_cents"], _cell(e["job"])])
    for side in ("opening", "closing"):
        b = st[side]
        w.writerow([side.upper(), "", st["period"]["from" if side == "opening" else "to"],
                    _cell(b["debtor"] or ""), _cell(b["creditor"] or ""), b["cents"], ""])
    w.writerow(["DIGEST", "", "", "", "", "", st["digest"]])
    return out.getvalue()


def _money(cents: int) -> str:
    return format_currency(cents / 100, "EUR")


def _owes(b: dict, named: dict) -> str:
    if not b["cents"]:
        return gettext("Even: neither coop owes the other.")
    return gettext("%(debtor)s owes %(creditor)s %(amount)s", debtor=named[b["debtor"]],
                   creditor=named[b["creditor"]], amount=_money(b["cents"]))


def kind_words() -> dict[str, str]:
    return {"handoff": gettext("Jobs handed over"), "reversal": gettext("Hand-offs reversed"),
            "settlement": gettext("Settlements")}


def pdf(st: dict, locale: str) -> tuple[bytes, list[str]]:
    """The statement as PDF in ``locale``, and every text it wrote (in order)."""
    named = {c["url"]: c["name"] for c in st["partnership"]["coops"]}
    first, second = (c["name"] for c in st["partnership"]["coops"])
    start = datetime.fromisoformat(st["period"]["from"])
    words = kind_words()
    with force_locale(locale):
        doc = Document(gettext("Mutual credit statement, %(month)s",
                               month=format_date(start.date(), "MMMM y")),
                       named[st["ours"]["coop"]], locale)
        doc.text(gettext("%(first)s and %(second)s", first=first, second=second), bold=True)
        doc.pairs([(gettext("Period"), gettext("%(month)s, from midnight UTC",
                                               month=format_date(start.date(), "MMMM y"))),
                   (gettext("At the start"), _owes(st["opening"], named)),
                   (gettext("At the end"), _owes(st["closing"], named))], label_w=45)
        doc.heading(gettext("In both directions"))
        rows = [[words[f["kind"]], named[f["debtor"]], named[f["creditor"]], str(f["count"]),
                 _money(f["cents"])] for f in st["flows"] if f["count"]]
        doc.table([gettext("What"), gettext("Owed by"), gettext("Owed to"), gettext("Number"),
                   gettext("Amount")], rows, [45, 45, 45, 15, WIDTH - 150], right={3, 4})
        doc.heading(gettext("Every transaction"))
        rows = [[e["ref"][:40], format_date(datetime.fromisoformat(e["at"]).date(), "short"),
                 named[e["debtor"]], named[e["creditor"]], _money(e["amount_cents"])]
                for e in st["entries"]]
        doc.table([gettext("Reference"), gettext("Date"), gettext("Owed by"), gettext("Owed to"),
                   gettext("Amount")], rows, [70, 22, 34, 34, WIDTH - 160], right={4})
        doc.text(gettext("Each job handed over is priced at the carrying coop's quote when "
                         "it accepted it; a hand-off that came back before it was carried "
                         "is reversed. Both coops hold these same transactions: fingerprint "
                         "%(digest)s.", digest=st["digest"][:16]))
        ours = st["ours"]
        doc.text(gettext("Our council's credit limit: %(limit)s.",
                         limit=_money(ours["credit_limit_cents"])))
    return doc.output(), doc.written
