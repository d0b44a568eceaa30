"""The council's ledger API on one coop: balance against the limit, a month's
statement as JSON, CSV and PDF, settlements (into our book and the signed outbox), and
what is refused, with the field named."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from courier.extensions import db
from courier.federation import ledger
from courier.models import FederationMessage, Handoff, HandoffStatus, Partner
from tests.conftest import base_config

US, THEM = "http://coop-a.test", "http://coop-b.test"
AT = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, PUBLIC_URL=US)


@pytest.fixture
def partner(app):
    p = Partner(name="Coop B", base_url=THEM, our_key_id="k_a", our_secret="s",
                their_key_id="k_b", their_secret="s", credit_limit_cents=2000)
    db.session.add(p)
    db.session.flush()
    h = Handoff(partner=p, direction="out", idempotency_key="k1", price_cents=1500,
                status=HandoffStatus.ACCEPTED, answered_at=AT)
    db.session.add(h)
    db.session.flush()
    ledger.record_handoff(h)
    db.session.commit()
    return p


def test_the_council_sees_the_balance_against_its_limit(partner, make_user):
    r = make_user("council").get(f"/partners/{partner.id}/ledger")
    assert r.status_code == 200, r.json
    assert r.json["balance_cents"] == -1500 and r.json["credit_limit_cents"] == 2000
    assert r.json["balance"] == {"debtor": US, "creditor": THEM, "cents": 1500}
    assert not r.json["hand_offs_paused"] and r.json["entries"] == 1


@pytest.mark.parametrize("role", ["dispatcher", "merchant", "courier"])
def test_the_ledger_is_the_councils(partner, make_user, role):
    assert make_user(role).get(f"/partners/{partner.id}/ledger").status_code == 403


def test_a_month_statement_as_json_csv_and_pdf(partner, make_user):
    council = make_user("council")
    r = council.get(f"/partners/{partner.id}/ledger/2026-03")
    assert r.status_code == 200, r.json
    assert r.json["closing"] == {"debtor": US, "creditor": THEM, "cents": 1500}
    assert [e["ref"] for e in r.json["entries"]] == ["handoff:k1"]
    csv = council.get(f"/partners/{partner.id}/ledger/2026-03?format=csv")
    assert csv.mimetype == "text/csv" and b"handoff:k1" in csv.data
    assert "mutual-credit" in csv.headers["Content-Disposition"]
    pdf = council.get(f"/partners/{partner.id}/ledger/2026-03/statement.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_a_bad_month_or_an_unknown_partner_is_refused(partner, make_user):
    council = make_user("council")
    r = council.get(f"/partners/{partner.id}/ledger/2026-3")
    assert r.status_code == 422 and "month" in r.json["fields"]
    assert council.get("/partners/999/ledger/2026-03").status_code == 404


def test_a_settlement_is_booked_and_sent_to_the_partner(partner, make_user):
    r = make_user("council").post(f"/partners/{partner.id}/settlements", json={
        "payer": "us", "amount_cents": 1500, "paid_at": "2026-03-20T10:00:00+01:00",
        "note": "virement"})
    assert r.status_code == 201, r.json
    assert r.json["debtor"] == THEM and r.json["creditor"] == US
    assert ledger.balance(partner) == 0
    msg = db.session.scalars(select(FederationMessage).where(
        FederationMessage.kind == "ledger.settlement")).one()
    assert msg.path == "/federation/v1/ledger/settlements" and r.json["ref"] in msg.body


@pytest.mark.parametrize(("body", "field"), [
    ({"payer": "them", "amount_cents": 100}, "payer"),
    ({"payer": "us", "amount_cents": 0}, "amount_cents"),
    ({"payer": "us", "amount_cents": 10.5}, "amount_cents"),
    ({"payer": "us", "amount_cents": "100"}, "amount_cents"),
    ({"payer": "us", "amount_cents": 100, "paid_at": "2026-03-20T10:00:00"}, "paid_at"),
    ({"payer": "us", "amount_cents": 100, "extra": 1}, "extra"),
])
def test_a_wrong_settlement_is_refused_naming_the_field(partner, make_user, body, field):
    body = {"paid_at": "2026-03-20T10:00:00+01:00", **body}
    r = make_user("council").post(f"/partners/{partner.id}/settlements", json=body)
    assert r.status_code == 422 and field in r.json["fields"], r.json
    assert ledger.balance(partner) == -1500
    assert db.session.scalars(select(FederationMessage)).all() == []
