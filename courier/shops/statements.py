"""A shop's monthly statement: its jobs of the month with their fixed prices, and
the totals, as CSV. It is read straight from the jobs table, so it reconciles
with it by construction: the month is the coop's calendar month of submission;
delivered and failed jobs (the courier rode) are billed, cancelled ones are not,
and jobs still open are listed, not yet billed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from courier import privacy
from courier.errors import Forbidden, InvalidInput, NotFound
from courier.extensions import db
from courier.models import Job, JobStatus, Merchant, Role, User

BILLED = (JobStatus.DELIVERED, JobStatus.FAILED)
COLUMNS = ["job_id", "group_id", "created_at", "ready_at", "deliver_by", "slot", "status",
           "pickup_address", "dropoff_address", "recipient", "weight_kg", "volume_l",
           "distance_km", "pricing_version", "price_cents", "billed_cents"]
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass
class Statement:
    merchant: Merchant
    month: str  # YYYY-MM
    start: datetime
    end: datetime
    jobs: list[Job] = field(default_factory=list)

    @staticmethod
    def billed(job: Job) -> int:
        return (job.price_cents or 0) if job.status in BILLED else 0

    @property
    def totals(self) -> dict:
        by = {s.value: 0 for s in JobStatus}
        for j in self.jobs:
            by[j.status.value] += 1
        return {"jobs": len(self.jobs), "by_status": by,
                "billed_jobs": sum(1 for j in self.jobs if j.status in BILLED),
                "open_jobs": sum(1 for j in self.jobs if j.is_open),
                "price_cents": sum(j.price_cents or 0 for j in self.jobs),
                "billed_cents": sum(self.billed(j) for j in self.jobs)}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    m = _MONTH.match(month or "")
    if not m:
        raise InvalidInput("month: give YYYY-MM, e.g. 2026-11", {"month": "YYYY-MM"})
    year, mon = int(m[1]), int(m[2])
    tz = ZoneInfo(current_app.config["COOP_TIMEZONE"])
    start = datetime(year, mon, 1, tzinfo=tz)
    end = datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=tz)
    return start, end


def statement_for(user: User, month: str, merchant_id: int | None = None) -> Statement:
    """A shop reads its own statements; dispatch and the council read any shop's."""
    if user.role == Role.MERCHANT:
        if user.merchant is None or merchant_id not in (None, user.merchant.id):
            raise Forbidden("a shop reads its own statements only")
        merchant = user.merchant
    elif user.role in (Role.DISPATCHER, Role.COUNCIL):
        if merchant_id is None:
            raise InvalidInput("say which shop: ?merchant=<id>", {"merchant": "required"})
        merchant = db.session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"no shop {merchant_id}")
    else:
        raise Forbidden("statements are for shops, dispatch and the council")
    start, end = month_bounds(month)
    jobs = db.session.scalars(select(Job).where(
        Job.merchant_id == merchant.id, Job.created_at >= start, Job.created_at < end)
        .order_by(Job.created_at, Job.id)).all()
    return Statement(merchant, month, start, end, list(jobs))


def _cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(st: Statement) -> str:
    tz = ZoneInfo(current_app.config["COOP_TIMEZONE"])
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for j in st.jobs:
        facts = (j.price_breakdown or {}).get("facts") or {}
        private = not privacy.may_see(j)  # a solidarity recipient, for someone else
        w.writerow([j.id, j.group_id or "", j.created_at.astimezone(tz).isoformat(),
                    j.ready_at.astimezone(tz).isoformat(), j.deliver_by.astimezone(tz).isoformat(),
                    j.slot or "", j.status.value, _cell(j.pickup_address),
                    "" if private else _cell(j.dropoff_address),
                    "" if private else _cell(j.recipient_name), j.weight_kg, j.volume_l,
                    facts.get("distance_km", ""), j.pricing_version or "",
                    j.price_cents or 0, st.billed(j)])
    t = st.totals
    w.writerow(["TOTAL", "", "", "", "", "", f"{t['billed_jobs']} billed of {t['jobs']}",
                "", "", "", "", "", "", "", t["price_cents"], t["billed_cents"]])
    return out.getvalue()
