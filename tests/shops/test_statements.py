"""Monthly statements per shop, as CSV, reconciling with the jobs table."""

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import func, select

from courier.extensions import db
from courier.models import Job, JobStatus
from tests.conftest import job_body


def _jobs_in_november(shop, other):
    """Five jobs of ``shop`` (one made just after midnight, Paris time, on 1 November),
    one of ``other``, one of ``shop`` in December; statuses set as the month ended."""
    made = []
    for i, status in enumerate(["delivered", "delivered", "failed", "cancelled", "pending"]):
        job = shop.post("/jobs", json=job_body(dlat=0.01 * (i + 1), recipient={
            "name": "=HYPERLINK(\"http://evil\")" if i == 0 else f"R{i}"})).json
        made.append((job["id"], status))
    other_job = other.post("/jobs", json=job_body()).json
    december = shop.post("/jobs", json=job_body()).json
    when = {made[0][0]: datetime(2026, 10, 31, 23, 30, tzinfo=UTC)}  # 00:30 in Paris
    for job_id, status in made:
        j = db.session.get(Job, job_id)
        j.status, j.created_at = JobStatus(status), when.get(job_id, datetime(2026, 11, 15,
                                                                               tzinfo=UTC))
    db.session.get(Job, other_job["id"]).created_at = datetime(2026, 11, 3, tzinfo=UTC)
    db.session.get(Job, december["id"]).created_at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    db.session.commit()
    return made


def test_csv_statement_reconciles_with_the_jobs_table(make_merchant):
    shop, other = make_merchant(), make_merchant()
    made = _jobs_in_november(shop, other)
    r = shop.get("/statements/2026-11?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    lines, total = rows[:-1], rows[-1]
    assert [int(x["job_id"]) for x in lines] == [job_id for job_id, _ in made]
    merchant_id = shop.user.merchant.id
    billed_sql = db.session.scalar(select(func.sum(Job.price_cents)).where(
        Job.merchant_id == merchant_id, Job.status.in_(["delivered", "failed"]),
        Job.created_at >= datetime(2026, 10, 31, 23, tzinfo=UTC),
        Job.created_at < datetime(2026, 11, 30, 23, tzinfo=UTC)))
    assert sum(int(x["billed_cents"]) for x in lines) == int(total["billed_cents"]) == billed_sql
    assert {x["status"]: int(x["billed_cents"]) > 0 for x in lines} == {
        "delivered": True, "failed": True, "cancelled": False, "pending": False}
    assert sum(int(x["price_cents"]) for x in lines) == int(total["price_cents"])
    assert total["job_id"] == "TOTAL" and total["status"] == "3 billed of 5"
    assert lines[0]["recipient"].startswith("'=")  # never a formula in a spreadsheet
    assert lines[0]["created_at"].startswith("2026-11-01T00:30")


def test_json_statement_has_the_same_totals(make_merchant, dispatcher):
    shop, other = make_merchant(), make_merchant()
    _jobs_in_november(shop, other)
    mine = shop.get("/statements/2026-11").json
    assert mine["totals"]["jobs"] == 5 and mine["totals"]["billed_jobs"] == 3
    assert mine["totals"]["open_jobs"] == 1
    theirs = dispatcher.get(f"/statements/2026-11?merchant={shop.user.merchant.id}").json
    assert theirs["totals"] == mine["totals"]


def test_statements_are_private_to_their_shop(make_merchant, make_courier, dispatcher):
    shop, other = make_merchant(), make_merchant()
    assert other.get(f"/statements/2026-11?merchant={shop.user.merchant.id}").status_code == 403
    assert make_courier().get("/statements/2026-11").status_code == 403
    assert dispatcher.get("/statements/2026-11").status_code == 422  # which shop?
    assert shop.get("/statements/2026-13").status_code == 422
    assert shop.get("/statements/2026-11?format=pdf").status_code == 422
