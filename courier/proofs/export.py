"""A shop's proofs of a period, as one ZIP: each proof's file, and a PDF summary with one
page per delivery (when, the courier's first name, the outcome, the photo or the
signature, whether the recipient's code was checked)."""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from courier.errors import InvalidInput
from courier.extensions import db
from courier.models import Job, Merchant, Proof, ProofKind
from courier.proofs.keep import content

if TYPE_CHECKING:
    from fpdf import FPDF

ENCODING = "windows-1252"  # the built-in fonts' letters: every one of French and English
MAX_DELIVERIES = 2000  # per export: a longer period is refused, to be split
ENDED = func.coalesce(Job.delivered_at, Job.updated_at)


def _text(value) -> str:
    text = str(value).replace("\u202f", "\u00a0").replace("\u2009", "\u00a0")
    return text.encode(ENCODING, "replace").decode(ENCODING)


def deliveries(merchant: Merchant, start: datetime, end: datetime) -> list[tuple[Job, list]]:
    """The shop's jobs that ended in ``[start, end)`` with a proof still kept, oldest first."""
    rows = db.session.execute(
        select(Job, Proof).join(Proof, Proof.job_id == Job.id)
        .where(Job.merchant_id == merchant.id, ENDED >= start, ENDED < end,
               Proof.removed_at.is_(None))
        .order_by(ENDED, Job.id, Proof.id)).all()
    grouped: dict[int, tuple[Job, list]] = {}
    for job, proof in rows:
        grouped.setdefault(job.id, (job, []))[1].append(proof)
    return list(grouped.values())


def _when(moment: datetime | None) -> str:
    tz = ZoneInfo(current_app.config["COOP_TIMEZONE"])
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _page(pdf: FPDF, job: Job, proofs: list, files: dict) -> None:
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 10, _text(_("Delivery #%(id)s", id=job.id)),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    outcome = _("Delivered") if proofs[0].outcome == "delivered" else _("Failed")
    courier = job.courier.user.first_name if job.courier is not None else ""
    lines = [(_("Outcome"), outcome), (_("Time"), _when(job.delivered_at or job.updated_at)),
             (_("Courier"), courier)]
    if job.failure_reason:
        lines.append((_("Reason"), job.failure_reason))
    if any(p.kind == ProofKind.CODE for p in proofs):
        lines.append((_("Recipient's code"), _("checked")))
    for label, value in lines:
        pdf.cell(45, 7, _text(_("%(label)s:", label=label)))
        pdf.cell(0, 7, _text(value), new_x="LMARGIN", new_y="NEXT")
    for proof in proofs:
        data = files.get(proof.id)
        if data is None:
            continue
        pdf.ln(4)
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(0, 7, _text(_("Photo") if proof.kind == ProofKind.PHOTO else _("Signature")),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 11)
        room = pdf.h - pdf.b_margin - pdf.get_y()
        pdf.image(io.BytesIO(data), w=0, h=min(room, 110 if proof.kind == ProofKind.PHOTO
                                                else 50), keep_aspect_ratio=True)


def export(merchant: Merchant, start: datetime, end: datetime) -> bytes:
    """The ZIP of the shop's proofs of ``[start, end)``: the files and ``summary.pdf``."""
    found = deliveries(merchant, start, end)
    if len(found) > MAX_DELIVERIES:
        raise InvalidInput(f"more than {MAX_DELIVERIES} deliveries: choose a shorter period",
                           {"to": f"over {MAX_DELIVERIES} deliveries"})
    files: dict[int, bytes] = {}
    names: dict[str, int] = defaultdict(int)
    buffer = io.BytesIO()
    from fpdf import FPDF  # loaded when an export is written, not by every process

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(_text(_("Proofs of delivery of %(shop)s", shop=merchant.name)))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for job, proofs in found:
            for proof in proofs:
                if not proof.key:
                    continue
                files[proof.id] = content(proof)
                ext = "jpg" if proof.content_type == "image/jpeg" else "png"
                name = f"job-{job.id}-{proof.outcome}-{proof.kind.value}"
                names[name] += 1
                suffix = f"-{names[name]}" if names[name] > 1 else ""
                zf.writestr(f"{name}{suffix}.{ext}", files[proof.id])
            _page(pdf, job, proofs, files)
        if not found:
            pdf.add_page()
            pdf.set_font("helvetica", "", 12)
            pdf.cell(0, 10, _text(_("No proof of delivery in this period.")))
        zf.writestr("summary.pdf", bytes(pdf.output()))
    return buffer.getvalue()
