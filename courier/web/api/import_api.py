"""Bulk import of jobs from a CSV file (the shop page's upload), with a per-row report."""

from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields

from courier.db import commit_and_keep
from courier.errors import InvalidInput
from courier.extensions import db
from courier.models import Role
from courier.schemas import JobOut, PhraseOut
from courier.shops.bulk import import_jobs
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("jobs_import", __name__, description="Bulk import of jobs (CSV)")
MAX_BYTES = 2 * 1024 * 1024


class ImportQuery(Schema):
    dry_run = fields.Boolean(load_default=False)


CSV_BODY = {"text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}
csv_body = Blueprint.raw_body(CSV_BODY, "The CSV, UTF-8, 2 MB at most: a ``text/csv`` body or "
                              "a multipart upload named ``file``",
                              max_length=MAX_BYTES + 64 * 1024)  # (multipart's framing)


def csv_text() -> str:
    """The CSV of an import request: a multipart ``file`` or the body, UTF-8, 2 MB at most."""
    upload = request.files.get("file")
    raw = upload.read(MAX_BYTES + 1) if upload else request.get_data(cache=False)
    if len(raw) > MAX_BYTES:
        raise InvalidInput("the file is over 2 MB; split it", {"file": "over 2 MB"})
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text (save it as CSV UTF-8)",
                           {"file": "not UTF-8"}) from None


def rows_refused(rows: list[dict]):
    """422 naming each failing row of an import; nothing of it is kept."""
    db.session.rollback()
    resp = jsonify({"error": f"{len(rows)} row(s) have problems; nothing was imported",
                    "rows": rows, "fields": {f"row {r['row']}": r["error"] for r in rows}})
    resp.status_code = 422
    return resp


class RowProblem(Schema):
    row = fields.Integer(metadata={"description": "the line of the file the row starts on"})
    error = fields.String()
    fields_ = fields.Dict(data_key="fields", metadata={"description": "by column"})


class RowsRefused(Schema):
    """An import refused: the API's error, and for failing rows each with its line."""

    error = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), required=True)
    error_phrase = fields.Nested(PhraseOut)
    rows = fields.List(fields.Nested(RowProblem))


refused_rows_doc = blp.alt_response(
    422, schema=RowsRefused, description="Nothing was imported: the file, or each failing "
    "row (``rows``), and why")


class DeliveryPreview(Schema):
    rows = fields.List(fields.Integer(), metadata={"description": "its lines in the file"})
    price_cents = fields.Integer()
    lines = fields.List(fields.Dict(), metadata={"description": "each pricing rule applied"})
    facts = fields.Dict(metadata={"description": "what the price was computed from"})


class ImportOut(Schema):
    created = fields.Integer(metadata={"description": "jobs created (none on a dry run)"})
    would_create = fields.Integer(metadata={"description": "on a dry run, the jobs the "
                                            "import would create"})
    existing = fields.Integer(metadata={"description": "jobs of the file already imported "
                                        "(same reference): not created again"})
    dry_run = fields.Boolean()
    jobs = fields.List(fields.Nested(JobOut), metadata={"description": "the jobs created"})
    deliveries = fields.List(fields.Nested(DeliveryPreview))


@blp.route("/jobs/import", methods=["POST"])
@require(Role.MERCHANT)
@blp.arguments(ImportQuery, location="query")
@csv_body
@blp.response(201, ImportOut, description="The jobs were created")
@blp.alt_response(200, schema=ImportOut, description="A dry run: nothing was created; "
                  "``would_create`` jobs would be, priced in ``deliveries``")
@refused_rows_doc
@blp.doc(security=BEARER)
def import_csv(query):
    """Import jobs from CSV (multipart ``file``, or a ``text/csv`` body): every row
    or none. 422 lists each failing row (``rows``: line, error, fields by column).
    ``deliveries`` gives each delivery's price and facts; ``?dry_run=true`` checks
    and prices the rows without creating anything, and answers 200 with what would
    be created."""
    dry_run = query["dry_run"]
    report = import_jobs(user(), csv_text(), dry_run=dry_run)
    if report.rows:
        return rows_refused(report.rows)
    commit_and_keep()  # the jobs (none on a dry run) and cached geocoding answers
    answer = {"created": len(report.jobs), "existing": report.existing, "dry_run": dry_run,
              "jobs": report.jobs, "deliveries": report.previews}
    if dry_run:
        answer["would_create"] = report.would_create
    return answer, 200 if dry_run else 201
