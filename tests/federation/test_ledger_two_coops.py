"""Both coops' books of a partnership, over HTTP: a hand-off booked alike on both sides,
the same statement for both councils, a settlement that reaches the other book, and the
reconciliation that says whether the books match or names the differences."""

from datetime import UTC, datetime

import pytest

from courier.extensions import db
from courier.federation import book, ledger
from courier.models import LedgerEntry, utcnow
from tests.federation.conftest import IN_BOTH, IN_LYON, deliver_messages, on_duty, soon

pytestmark = pytest.mark.usefixtures("paired")


def job_body(dropoff=IN_BOTH):
    return {"pickup": {"lat": IN_LYON[0], "lon": IN_LYON[1], "address": "1 rue de Lyon"},
            "dropoff": {"lat": dropoff[0], "lon": dropoff[1], "address": "2 cours Emile Zola"},
            "ready_at": soon(5), "deliver_by": soon(90), "weight_kg": 2, "volume_l": 5,
            "recipient": {"name": "Ines", "phone": "04 00 00 00 00"}}


def hand_over(coops) -> dict:
    """A Lyon shop's job, handed by Lyon's dispatcher to Villeurbanne; its hand-off."""
    on_duty(coops.b)
    shop = coops.a.actor("merchant", lat=IN_LYON[0], lon=IN_LYON[1])
    job = shop.post("/jobs", json=job_body())
    assert job.status_code == 201, job.json
    with coops.a.ctx():
        pid = coops.a.partner().id
    r = coops.a.actor("dispatcher").post(f"/jobs/{job.json['id']}/handoff",
                                         json={"partner_id": pid})
    assert r.status_code == 200 and r.json["status"] == "accepted", r.json
    return r.json


def ids(coops):
    out = {}
    for name in ("a", "b"):
        coop = getattr(coops, name)
        with coop.ctx():
            out[name] = coop.partner().id
    return out


def test_a_hand_off_is_booked_alike_in_both_books(paired):
    h = hand_over(paired)
    pid = ids(paired)
    month = f"{utcnow():%Y-%m}"
    a = paired.councils[0].get(f"/partners/{pid['a']}/ledger/{month}").json
    b = paired.councils[1].get(f"/partners/{pid['b']}/ledger/{month}").json
    assert a["entries"] == b["entries"] and len(a["entries"]) == 1
    entry = a["entries"][0]
    assert entry["debtor"] == paired.a.url and entry["creditor"] == paired.b.url
    assert entry["amount_cents"] == h["price_cents"] > 0
    assert {k: v for k, v in a.items() if k != "ours"} == {k: v for k, v in b.items()
                                                         if k != "ours"}
    assert a["ours"]["balance_cents"] == -h["price_cents"] == -b["ours"]["balance_cents"]


def test_both_councils_find_their_books_match(paired):
    hand_over(paired)
    pid = ids(paired)
    for council, p in zip(paired.councils, (pid["a"], pid["b"]), strict=True):
        r = council.post(f"/partners/{p}/ledger/reconcile")
        assert r.status_code == 200, r.json
        assert r.json["match"] and r.json["entries"] == 1
        assert r.json["digest_ours"] == r.json["digest_theirs"]


def test_a_settlement_reaches_the_partners_book(paired):
    h = hand_over(paired)
    pid = ids(paired)
    r = paired.councils[0].post(f"/partners/{pid['a']}/settlements", json={
        "payer": "us", "amount_cents": h["price_cents"], "paid_at": utcnow().isoformat(),
        "note": "virement"})
    assert r.status_code == 201, r.json
    deliver_messages(paired)
    with paired.b.ctx():
        p = paired.b.partner()
        assert ledger.balance(p) == 0
        notes = [e.note for e in ledger.entries(p) if e.kind == "settlement"]
        assert notes == ["virement", "virement"]
    check = paired.councils[1].post(f"/partners/{pid['b']}/ledger/reconcile")
    assert check.json["match"] and check.json["entries"] == 2


def test_the_reconciliation_names_an_entry_one_side_lacks(paired):
    hand_over(paired)
    pid = ids(paired)
    with paired.a.ctx():
        p = paired.a.partner()
        t = book.settlement("only-here", paired.a.url, paired.b.url, 500,
                            datetime(2026, 1, 5, tzinfo=UTC))
        for who, cents in t.postings():
            db.session.add(LedgerEntry(partner_id=p.id, ref=t.ref, kind=t.kind, side="us"
                                       if who == paired.a.url else "partner",
                                       amount_cents=cents, at=t.at))
        db.session.commit()
    r = paired.councils[1].post(f"/partners/{pid['b']}/ledger/reconcile")
    assert r.status_code == 200 and not r.json["match"]
    assert [e["ref"] for e in r.json["only_theirs"]] == ["settlement:only-here"]
    assert r.json["only_ours"] == [] and r.json["differ"] == []


def test_a_reconciliation_with_a_partner_down_is_refused_with_its_reason(paired):
    pid = ids(paired)
    paired.down("b")
    r = paired.councils[0].post(f"/partners/{pid['a']}/ledger/reconcile")
    assert r.status_code == 409 and r.json["fields"] == {"partner": "unreachable"}


def test_an_unsigned_request_for_our_book_is_refused(paired):
    r = paired.b.client.post("/federation/v1/ledger", json={"kind": "ledger.entries"})
    assert r.status_code == 401 and r.json["reason"] == "unsigned"


def test_hand_offs_pause_beyond_the_credit_limit(paired):
    h = hand_over(paired)
    pid = ids(paired)
    r = paired.councils[0]._call("put", f"/partners/{pid['a']}/limit",
                                 json={"credit_limit_cents": h["price_cents"]})
    assert r.status_code == 200, r.json
    shop = paired.a.actor("merchant", lat=IN_LYON[0], lon=IN_LYON[1])
    job = shop.post("/jobs", json=job_body()).json
    r = paired.a.actor("dispatcher").post(f"/jobs/{job['id']}/handoff",
                                          json={"partner_id": pid["a"]})
    assert r.status_code == 409 and "settlement" in r.json["error"], r.json
    summary = paired.councils[0].get(f"/partners/{pid['a']}/ledger").json
    assert summary["hand_offs_paused"] and summary["balance_cents"] == -h["price_cents"]
