"""A member's monthly pay statement, like a payslip, as PDF in the member's language.

Its figures are the earnings report's for the month (:func:`courier.reports.earnings.earnings`,
the member's own row) and the pay per run (:func:`courier.reports.runs.member_runs`), so the
statement, the page and the API say the same. The effective hourly pay is printed beside
the hours it is computed over, and not at all under the time on shift the council set.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale, format_currency, format_date, format_decimal, gettext

from courier.errors import Forbidden, InvalidInput, NotFound
from courier.extensions import db
from courier.fairwork import labels, tracking
from courier.models import Courier, Role, User
from courier.pdf import WIDTH, Document
from courier.reports.earnings import earnings
from courier.reports.runs import member_runs
from courier.shops.invoices import legal_details
from courier.shops.statements import month_bounds


def components() -> dict[str, str]:
    """The pay components in words (the pages' scripts say the same)."""
    return {"hours": gettext("Hourly pay"), "deliveries": gettext("Delivery pay"),
            "failed_attempts": gettext("Failed attempts"), "distance": gettext("Distance pay"),
            "night_bonus": gettext("Night bonus"), "sunday_bonus": gettext("Sunday bonus"),
            "topup": gettext("Top-up")}


def whose(user: User, courier_id: int | None) -> Courier:
    """The member whose statement ``user`` may read: their own, or any for the council."""
    if user.role == Role.COURIER and user.courier is not None:
        if courier_id not in (None, user.courier.id):
            raise Forbidden("a member's statement is theirs and the council's only")
        return user.courier
    if user.role == Role.COUNCIL:
        if courier_id is None:
            raise InvalidInput("say whose statement: ?courier=<id>", {"courier": "required"})
        found = db.session.get(Courier, courier_id)
        if found is None:
            raise NotFound(f"no courier {courier_id}")
        return found
    raise Forbidden("statements of pay are for members and the council")


def data(courier: Courier, month: str) -> dict:
    """The month's figures of ``courier``: their earnings row, the rules the report was read
    under, and their runs."""
    start, end = month_bounds(month)
    first, last = start.date(), (end - timedelta(days=1)).date()
    report = earnings(first, last)
    row = next((m for m in report["members"] if m["courier_id"] == courier.id), None)
    return {"month": month, "first": first, "last": last, "member": row,
            "rules": report["rules"], "runs": member_runs(courier, first, last)}


def _money(cents) -> str:
    return format_currency((cents or 0) / 100, "EUR")


def _hours(seconds: int) -> str:
    return f"{format_decimal(round(seconds / 3600, 1), '#,##0.0')}\u00a0h"


def hourly_words(member: dict | None, rules: dict) -> str:
    """The effective hourly pay beside its hours, or why it is not shown."""
    secs = member["on_shift_s"] if member else 0
    if not secs:
        return gettext("No time on shift.")
    if member and member["effective_hourly_cents"] is not None:
        return gettext("%(rate)s an hour over %(hours)s",
                       rate=_money(member["effective_hourly_cents"]), hours=_hours(secs))
    return gettext("Not shown: %(hours)s on shift, under the %(min)s the council set for an "
                   "hourly figure to mean something.", hours=_hours(secs),
                   min=_hours(rules["hourly_shown_from_s"]))


def failed_words(rules: dict) -> str:
    """Which rule applies to failed attempts, in words."""
    return gettext("Failed attempts are paid: %(how)s (rules v%(n)s).",
                   how=labels.describe("pay.failed_attempt", rules["failed_attempt"]),
                   n=rules["version"])


def pdf(courier: Courier, month: str, locale: str) -> tuple[bytes, list[str]]:
    """The statement as PDF in ``locale``, and every text it wrote (in order)."""
    d = data(courier, month)
    m, coop = d["member"], legal_details()
    with force_locale(locale):
        doc = Document(gettext("Pay statement, %(month)s",
                               month=format_date(d["first"], "MMMM y")), coop["legal_name"],
                       locale)
        doc.text(coop["legal_name"], bold=True)
        doc.pairs([(gettext("Member"), courier.user.name),
                   (gettext("Period"), gettext("%(first)s to %(last)s",
                                               first=format_date(d["first"], "long"),
                                               last=format_date(d["last"], "long")))])
        doc.heading(gettext("Work"))
        doc.pairs([(gettext("Hours on shift"), _hours(m["on_shift_s"] if m else 0)),
                   (gettext("Deliveries"), format_decimal(m["deliveries"] if m else 0)),
                   (gettext("Failed attempts"), format_decimal(m["failed_attempts"] if m else 0)),
                   (gettext("km ridden"),
                    f"{format_decimal(m['km_ridden'] if m else 0, '#,##0.0')}\u00a0km")])
        doc.heading(gettext("Pay"))
        names = components()
        pay = m["pay"] if m else {}
        rows = [[names[c], _money(v)] for c, v in pay.items() if v]
        doc.table([gettext("Component"), gettext("Amount")], rows, [WIDTH - 50, 50], right={1},
                  total=[gettext("Total"), _money(m["total_cents"] if m else 0)])
        doc.pairs([(gettext("Effective hourly pay before top-up"), hourly_words(m, d["rules"]))],
                  label_w=70)
        doc.text(failed_words(d["rules"]))
        _runs(doc, d["runs"], names)
        if m and m.get("volunteer"):
            doc.text(gettext("Volunteers are never paid: these figures are their time."))
        doc.text(gettext("Computed under the council's rules in force when the work was done "
                         "(versions %(v)s).", v=", ".join(f"v{v}" for v in _versions(m))))
    return doc.output(), doc.written


def _versions(member: dict | None) -> list[int]:
    return sorted({x["version"] for x in member["lines"]}) if member else []


def _runs(doc: Document, runs: dict, names: dict) -> None:
    doc.heading(gettext("Pay per run"))
    rows, tz = [], tracking.timezone()
    for r in runs["runs"]:
        at = datetime.fromisoformat(r["ended_at"] or r["accepted_at"]).astimezone(tz)
        when = format_date(at.date(), "short")
        rows.append([gettext("Run %(id)s", id=r["run_id"]), when,
                     format_decimal(len(r["jobs"])),
                     f"{format_decimal(r['km'], '#,##0.0')}\u00a0km", _money(r["total_cents"])])
    doc.table([gettext("Run"), gettext("Date"), gettext("Jobs"), gettext("Distance"),
               gettext("Amount")], rows, [50, 40, 25, 30, WIDTH - 145], right={2, 3, 4},
              total=[gettext("Total"), "", format_decimal(runs["totals"]["jobs"]), "",
                     _money(runs["totals"]["total_cents"])])
    doc.text(gettext("A run's pay is its deliveries, failed attempts paid and km; time on "
                     "shift and the top-up are paid by the day."))
