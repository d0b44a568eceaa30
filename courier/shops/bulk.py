"""Bulk import of jobs from a CSV file, all or nothing, with a report per row.

Columns (header names, any order; ``,`` ``;`` or tab separated; UTF-8, with or
without BOM): ``reference`` (the Idempotency-Key: importing a file again does
not duplicate), ``group`` (rows sharing a group are one multi-drop delivery:
one pickup, their drop-offs), ``pickup_address``, ``pickup_lat``, ``pickup_lon``,
``dropoff_address``, ``dropoff_lat``, ``dropoff_lon``, ``ready_at``,
``deliver_by``, ``slot``, ``weight_kg``, ``volume_l``, ``recipient_name``,
``recipient_phone``, ``recipient_email``, ``recipient_language`` (fr or en),
``recipient_code`` (the code given at the door), ``notes``. Each row goes through
the same checks as ``POST /jobs`` (a reference as its Idempotency-Key: 255
characters at most); if any row fails, nothing is created and every failing row is
reported with its line number and columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import select

from courier.errors import DomainError, Forbidden, InvalidInput
from courier.extensions import db
from courier.models import Job, Role, User, utcnow
from courier.shops.csvrows import read_table
from courier.shops.intake import describe
from courier.shops.intake import prepare as prepare_delivery
from courier.shops.requests import JobIn
from courier.shops.submit import submit_job
from courier.validation import flatten

COLUMNS = ("reference", "group", "pickup_address", "pickup_lat", "pickup_lon",
           "dropoff_address", "dropoff_lat", "dropoff_lon", "ready_at", "deliver_by", "slot",
           "weight_kg", "volume_l", "recipient_name", "recipient_phone", "recipient_email",
           "recipient_language", "recipient_code", "notes")
MAX_ROWS = 500
MAX_REFERENCE = Job.__table__.c.idempotency_key.type.length  # a reference is its key
SHARED = ("pickup", "ready_at", "deliver_by", "slot")  # a group takes them from its first row


@dataclass
class Report:
    jobs: list[Job] = field(default_factory=list)
    existing: int = 0  # jobs of the file already there (imported before: same reference)
    would_create: int = 0  # on a dry run, the jobs the import would create
    rows: list[dict] = field(default_factory=list)  # {"row", "error", "fields"} per failed row
    previews: list[dict] = field(default_factory=list)  # price and facts per delivery

    def fail(self, line: int, message: str, fields: dict) -> None:
        self.rows.append({"row": line, "error": message, "fields": fields})


def _column(key: str) -> str:
    """``dropoff.lat`` -> ``dropoff_lat``; ``dropoffs[1].lat`` -> ``dropoff_lat``."""
    key = key.split("].", 1)[1] if key.startswith("dropoffs[") and "]." in key else key
    key = {"lat": "dropoff_lat", "lon": "dropoff_lon", "address": "dropoff_address",
           "dropoff": "dropoff_address", "pickup": "pickup_address"}.get(key, key)
    return key.replace("recipient.", "recipient_").replace(".", "_")


def _body(row: dict) -> dict:
    """A row as the JSON body of ``POST /jobs`` (empty cells left out)."""
    v = {k: (row.get(k) or "").strip() for k in COLUMNS}
    body: dict = {}
    for part in ("pickup", "dropoff"):
        place = {k: v[f"{part}_{k}"] for k in ("lat", "lon", "address") if v[f"{part}_{k}"]}
        if place:
            body[part] = place
    for k in ("ready_at", "deliver_by", "slot", "weight_kg", "volume_l", "notes"):
        if v[k]:
            body[k] = v[k].replace(",", ".") if k in ("weight_kg", "volume_l") else v[k]
    recipient = {k: v[f"recipient_{k}"] for k in ("name", "phone", "email", "language", "code")
                 if v[f"recipient_{k}"]}
    if recipient:
        body["recipient"] = recipient
    return body


def read_rows(text: str) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """The rows of the file with their line numbers, and the rows that are not CSV
    (:mod:`courier.shops.csvrows`: a quote never closed, quotes out of place, a NUL, more
    or fewer cells than the header)."""
    table = read_table(text)
    unknown = [h for h in table.header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column(s): {', '.join(unknown)}; known: {', '.join(COLUMNS)}",
                           {"file": f"unknown columns: {', '.join(unknown)}"})
    rows = [(line, dict(zip(table.header, cells, strict=True))) for line, cells in table.rows]
    if not rows and not table.broken:
        raise InvalidInput("the file has a header but no rows", {"file": "no rows"})
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per file; split it",
                           {"file": f"more than {MAX_ROWS} rows"})
    return rows, table.broken


def import_jobs(user: User, text: str, now: datetime | None = None,
                dry_run: bool = False) -> Report:
    """Check every row, then (if none failed and not ``dry_run``) submit them all.

    Rows are checked without writing (the same checks as a submission: fields,
    geocoding, zones, slot, price), so a failing file leaves nothing behind.
    """

    if user.role != Role.MERCHANT or user.merchant is None:
        raise Forbidden("only a shop can import jobs")
    now = now or utcnow()
    report = Report()
    groups: dict[str, list[tuple[int, dict, str]]] = {}
    rows, broken = read_rows(text)
    for line, why in broken:
        report.fail(line, why, {})
    for line, row in rows:
        flat = {}
        if len((row.get("reference") or "").strip()) > MAX_REFERENCE:  # as an Idempotency-Key
            flat["reference"] = f"Longer than maximum length {MAX_REFERENCE}."
        try:
            body = JobIn().load(_body(row))
        except ValidationError as err:
            flat |= {_column(k): v for k, v in flatten(err.messages).items()}
        if flat:
            report.fail(line, "; ".join(f"{k}: {v}" for k, v in flat.items()), flat)
            continue
        key = (row.get("group") or "").strip() or f"\0row{line}"
        groups.setdefault(key, []).append((line, body, (row.get("reference") or "").strip()))
    ready = []
    for group in groups.values():
        data = _data(group)
        try:
            delivery = prepare_delivery(user.merchant, data, now)
        except DomainError as err:
            _fail_group(report, group, err)
            continue
        ready.append((group, data))
        report.previews.append({"rows": [line for line, _, _ in group],
                                "price_cents": delivery.price.cents,
                                "lines": delivery.price.lines, "facts": describe(delivery.facts)})
    if report.rows:
        return report
    if dry_run:
        keyed = _known_references(user.merchant.id, [g[0][2] for g, _ in ready if g[0][2]])
        for group, _ in ready:
            if group[0][2] in keyed:
                report.existing += len(group)
            else:
                report.would_create += len(group)
        return report
    for group, data in ready:
        job, created = submit_job(user, data, group[0][2] or None, now)
        parts = getattr(job, "parts", None) or [job]
        if created:
            report.jobs.extend(parts)
        else:
            report.existing += len(parts)
    return report


def _known_references(merchant_id: int, references: list[str]) -> set[str]:
    """Which of these references (Idempotency-Keys) already name a job of the shop."""
    if not references:
        return set()
    return set(db.session.scalars(select(Job.idempotency_key).where(
        Job.merchant_id == merchant_id, Job.idempotency_key.in_(references))))


def _data(group: list[tuple[int, dict, str]]) -> dict:
    """The body of one submission: a row, or a group's rows as one multi-drop."""
    data = dict(group[0][1])
    if len(group) > 1:
        data = {k: v for k, v in data.items() if k in SHARED}
        data["dropoffs"] = [{**b["dropoff"], **{k: b[k] for k in (
            "weight_kg", "volume_l", "recipient", "notes") if k in b}} for _, b, _ in group]
    return data


def _fail_group(report: Report, group, err: DomainError) -> None:
    lines = [line for line, _, _ in group]
    for i, line in enumerate(lines):
        mine = {_column(k): v for k, v in err.fields.items()
                if len(lines) == 1 or not k.startswith("dropoffs[")
                or k.startswith(f"dropoffs[{i}]")}
        if mine or i == 0:
            report.fail(line, err.message, mine)
