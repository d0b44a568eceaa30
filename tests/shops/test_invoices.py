"""Shops' monthly invoices: numbered in sequence across the coop, the same number every
time a month is downloaded again, the coop's legal details from its settings, in the
shop's language, and the same figures as the statement's JSON and CSV."""

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from courier.extensions import db
from courier.models import Job, JobStatus
from courier.models.invoices import Invoice
from tests.conftest import job_body

LEGAL = {"legal_name": "Coursiers Lyonnais SCIC", "legal_address": "3 rue de la Paix\n69001 Lyon",
         "registration_id": "SIRET 123 456 789 00012", "vat_id": "FR12 123456789",
         "invoice_note": "TVA non applicable, art. 293 B du CGI"}


def _month(shop, month="2025-11", statuses=("delivered", "delivered", "failed", "cancelled")):
    """Jobs of ``shop`` submitted in ``month``, with their statuses as the month ended."""
    ids = []
    for i, status in enumerate(statuses):
        job = shop.post("/jobs", json=job_body(dlat=0.01 * (i + 1))).json
        j = db.session.get(Job, job["id"])
        j.status = JobStatus(status)
        j.created_at = datetime.fromisoformat(f"{month}-15T10:00:00+00:00").astimezone(UTC)
        ids.append(j.id)
    db.session.commit()
    return ids


def _text(body: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)


def test_invoice_numbers_are_sequential_across_the_coop_and_stable(make_merchant):
    shop, other = make_merchant("Épicerie Rosa"), make_merchant("Vélo Café")
    _month(shop, "2025-10")
    _month(shop, "2025-11")
    _month(other, "2025-11")
    first = shop.get("/statements/2025-11/invoice.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert "invoice-000001-2025-11.pdf" in first.headers["Content-Disposition"]
    assert "000002" in other.get("/statements/2025-11/invoice.pdf").headers[
        "Content-Disposition"]
    assert "000003" in shop.get("/statements/2025-10/invoice.pdf").headers[
        "Content-Disposition"]
    again = shop.get("/statements/2025-11/invoice.pdf")  # downloaded again: same number
    assert "invoice-000001-2025-11.pdf" in again.headers["Content-Disposition"]
    assert db.session.query(Invoice).count() == 3


def test_a_month_not_over_has_no_invoice_yet(make_merchant):
    shop = make_merchant()
    month = datetime.now(UTC).strftime("%Y-%m")
    r = shop.get(f"/statements/{month}/invoice.pdf")
    assert r.status_code == 409 and r.json["fields"] == {"month": "not over yet"}
    assert shop.get("/statements/2025-13/invoice.pdf").status_code == 422
    assert db.session.query(Invoice).count() == 0


def test_a_shop_reads_only_its_own_invoices(make_merchant, make_user):
    shop, other = make_merchant(), make_merchant()
    _month(shop)
    assert other.get(f"/statements/2025-11/invoice.pdf?merchant={shop.user.merchant.id}"
                     ).status_code == 403
    council = make_user("council")
    assert council.get("/statements/2025-11/invoice.pdf").status_code == 422  # which shop?
    r = council.get(f"/statements/2025-11/invoice.pdf?merchant={shop.user.merchant.id}")
    assert r.status_code == 200 and "000001" in r.headers["Content-Disposition"]


def test_the_invoice_has_the_coops_legal_details_and_the_statements_figures(
        make_merchant, make_user):
    council = make_user("council")
    assert council._call("patch", "/coop", json=LEGAL).status_code == 200
    assert council.get("/coop").json["registration_id"] == LEGAL["registration_id"]
    shop = make_merchant("Épicerie Rosa")
    shop.user.locale = "fr"
    db.session.commit()
    ids = _month(shop)
    st = shop.get("/statements/2025-11").json
    csv_total = shop.get("/statements/2025-11?format=csv").get_data(as_text=True)
    billed = st["totals"]["billed_cents"]
    assert billed > 0 and csv_total.strip().splitlines()[-1].endswith(f",{billed}")
    text = _text(shop.get("/statements/2025-11/invoice.pdf").data)
    for line in ("Facture n° 000001", "Coursiers Lyonnais SCIC", "69001 Lyon",
                 "Immatriculation : SIRET 123 456 789 00012", "Numéro de TVA : FR12 123456789",
                 "Épicerie Rosa", "novembre 2025", "TVA non applicable, art. 293 B du CGI",
                 "tentative échouée", "3 courses facturées"):
        assert line in text, line
    euros = f"{billed // 100},{billed % 100:02d}\u00a0€"
    assert euros in text.replace(" €", "\u00a0€")  # the statement's total, in French
    assert f"#{ids[3]}" not in text  # the cancelled job is not billed


def test_bad_legal_details_name_the_field(make_user):
    council = make_user("council")
    r = council._call("patch", "/coop", json={"vat_id": "x" * 61})
    assert r.status_code == 422 and "vat_id" in r.json["fields"]
