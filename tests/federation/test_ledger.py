"""The ledger in the database, on one coop: what a hand-off, its reversal and a
settlement write, the credit limit that pauses hand-offs, and a month's statement as
JSON, CSV and PDF."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from courier.errors import Forbidden, InvalidInput
from courier.extensions import db
from courier.federation import ledger, ledger_statement
from courier.models import Event, Handoff, HandoffStatus, LedgerEntry, Partner
from tests.conftest import base_config

US, THEM = "http://coop-a.test", "http://coop-b.test"
AT = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)


@pytest.fixture
def app_config(database_url):
    return base_config(database_url, PUBLIC_URL=US)


@pytest.fixture
def partner(app):
    p = Partner(name="Coop B", base_url=THEM, our_key_id="k_a", our_secret="s",
                their_key_id="k_b", their_secret="s", credit_limit_cents=5000)
    db.session.add(p)
    db.session.commit()
    return p


def handoff(partner, key, cents, direction="out", at=AT):
    h = Handoff(partner=partner, direction=direction, idempotency_key=key, price_cents=cents,
                status=HandoffStatus.ACCEPTED, answered_at=at)
    db.session.add(h)
    db.session.flush()
    return h


def lines(partner):
    return [(e.ref, e.side, e.amount_cents) for e in ledger.entries(partner)]


def test_a_hand_off_we_give_makes_us_owe_the_carrier_its_price(partner):
    assert ledger.record_handoff(handoff(partner, "k1", 1200))
    assert sorted(lines(partner)) == [("handoff:k1", "partner", 1200), ("handoff:k1", "us", -1200)]
    assert ledger.balance(partner) == -1200


def test_a_hand_off_we_carry_makes_the_partner_owe_us(partner):
    ledger.record_handoff(handoff(partner, "k1", 800, "in"))
    assert ledger.balance(partner) == 800


def test_recording_a_hand_off_twice_books_it_once(partner):
    h = handoff(partner, "k1", 1200)
    assert ledger.record_handoff(h) and not ledger.record_handoff(h)
    assert len(lines(partner)) == 2


def test_a_free_hand_off_books_nothing(partner):
    assert not ledger.record_handoff(handoff(partner, "k1", 0))
    assert lines(partner) == []


def test_a_reversal_undoes_the_debt_once_and_only_a_booked_hand_off(partner):
    h = handoff(partner, "k1", 1200)
    assert not ledger.record_reversal(h, "no courier")  # never booked: nothing to undo
    ledger.record_handoff(h)
    assert ledger.record_reversal(h, "no courier") and not ledger.record_reversal(h, "again")
    assert ledger.balance(partner) == 0
    rev = [e for e in ledger.entries(partner) if e.kind == "reversal"]
    assert {e.at for e in rev} == {AT} and rev[0].note == "no courier"


def test_the_ledger_is_append_only(partner):
    ledger.record_handoff(handoff(partner, "k1", 1200))
    db.session.commit()
    entry = db.session.scalars(select(LedgerEntry)).first()
    entry.amount_cents = 1
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_hand_offs_pause_beyond_the_limit_and_resume_once_settled(partner, make_user):
    council = make_user("council")
    ledger.record_handoff(handoff(partner, "k1", 3000))
    assert ledger.may_hand_off(partner) == (True, "")
    assert not ledger.may_hand_off(partner, amount_cents=2500)[0]
    ledger.record_handoff(handoff(partner, "k2", 2000))  # now owed 5000: the limit
    ok, reason = ledger.may_hand_off(partner)
    assert not ok and "5000" in reason and "settlement" in reason
    assert ledger.may_hand_off(partner, "in") == (True, "")  # their jobs lower our debt
    ledger.record_settlement(council.user, partner, "us", 4000, AT + timedelta(hours=1))
    assert ledger.balance(partner) == -1000
    assert ledger.may_hand_off(partner) == (True, "")


def test_jobs_from_a_partner_that_owes_too_much_pause(partner):
    ledger.record_handoff(handoff(partner, "k1", 5000, "in"))
    ok, reason = ledger.may_hand_off(partner, "in")
    assert not ok and "the partner owes us 5000" in reason


def test_no_credit_means_no_hand_off_that_adds_to_a_debt(partner):
    partner.credit_limit_cents = 0
    assert not ledger.may_hand_off(partner)[0] and not ledger.may_hand_off(partner, "in")[0]


def test_only_the_council_records_a_settlement_and_it_is_logged(partner, make_user):
    with pytest.raises(Forbidden):
        ledger.record_settlement(make_user("dispatcher").user, partner, "us", 100, AT)
    council = make_user("council")
    t = ledger.record_settlement(council.user, partner, "partner", 700, AT, "virement 12")
    assert t.ref.startswith("settlement:") and ledger.balance(partner) == -700
    ev = db.session.scalars(select(Event).where(Event.action == "ledger_settlement")).one()
    assert ev.subject == "federation" and ev.data["cents"] == 700


@pytest.mark.parametrize(("field", "kw"), [
    ("amount_cents", {"cents": 0}), ("amount_cents", {"cents": 12.5}),
    ("amount_cents", {"cents": -3}), ("payer", {"payer": "nobody"}),
    ("paid_at", {"at": datetime(2099, 1, 1, tzinfo=UTC)}),
])
def test_a_settlement_that_makes_no_sense_is_refused_naming_the_field(partner, make_user,
                                                                      field, kw):
    args = {"payer": "us", "cents": 100, "at": AT, **kw}
    with pytest.raises(InvalidInput) as err:
        ledger.record_settlement(make_user("council").user, partner, args["payer"],
                                 args["cents"], args["at"])
    assert field in err.value.fields
    assert lines(partner) == []


def test_a_month_statement_nets_both_directions(partner, make_user):
    ledger.record_handoff(handoff(partner, "old", 400, "in", AT - timedelta(days=30)))
    ledger.record_handoff(handoff(partner, "k1", 1500))
    ledger.record_handoff(handoff(partner, "k2", 600, "in"))
    ledger.record_handoff(handoff(partner, "next", 999, at=datetime(2026, 4, 1, tzinfo=UTC)))
    st = ledger_statement.statement(partner, "2026-03")
    assert [c["url"] for c in st["partnership"]["coops"]] == [US, THEM]
    assert st["opening"] == {"debtor": THEM, "creditor": US, "cents": 400}
    assert st["closing"] == {"debtor": US, "creditor": THEM, "cents": 500}
    assert [e["ref"] for e in st["entries"]] == ["handoff:k1", "handoff:k2"]
    assert st["ours"]["balance_cents"] == 400 + 600 - 1500 - 999
    assert st["ours"]["credit_limit_cents"] == 5000 and not st["ours"]["hand_offs_paused"]
    csv = ledger_statement.to_csv(st)
    assert csv.splitlines()[0] == ",".join(ledger_statement.COLUMNS)
    assert "handoff:k1,handoff,2026-03-10T11:30:00+00:00,http://coop-a.test" in csv
    assert f"DIGEST,,,,,,{st['digest']}" in csv


@pytest.mark.parametrize("month", ["2026-13", "26-03", "", "2026-3"])
def test_a_statement_of_no_month_is_refused(partner, month):
    with pytest.raises(InvalidInput):
        ledger_statement.statement(partner, month)


def test_the_statement_pdf_says_who_owes_whom_in_french(partner, app):
    from courier import settings

    settings.put("name", "Coop A")
    ledger.record_handoff(handoff(partner, "k1", 1500))
    st = ledger_statement.statement(partner, "2026-03")
    with app.test_request_context():
        body, written = ledger_statement.pdf(st, "fr")
    assert body.startswith(b"%PDF")
    assert "Relevé de crédit mutuel, mars 2026" in written
    assert any("Coop A doit" in w and "15,00" in w for w in written)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(body)).pages)
    assert "Coop B" in text
