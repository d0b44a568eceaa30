"""The ledger's arithmetic: double entry, balances in both directions, a period's
figures the same from either side, the credit limit, and the books compared."""

from datetime import UTC, datetime, timedelta

import pytest

from courier.federation import book

LYON, VILLE = "https://lyon.coop", "https://villeurbanne.coop"
T0 = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def test_a_hand_off_posts_two_lines_that_sum_to_zero():
    t = book.handoff("k1", LYON, VILLE, 1250, T0)
    assert t.postings() == ((LYON, -1250), (VILLE, 1250))
    assert book.balanced([t])
    assert book.balance([t], LYON) == -1250 and book.balance([t], VILLE) == 1250


@pytest.mark.parametrize("cents", [0, -5, 12.5, True, "100"])
def test_amounts_are_positive_integer_cents(cents):
    with pytest.raises(ValueError):
        book.handoff("k", LYON, VILLE, cents, T0)


def test_a_coop_cannot_owe_itself():
    with pytest.raises(ValueError):
        book.settlement("s", LYON, LYON, 100, T0)


def test_a_reversal_undoes_its_hand_off():
    h = book.handoff("k1", LYON, VILLE, 900, T0)
    r = book.reversal("k1", LYON, VILLE, 900, T0 + timedelta(minutes=5))
    assert book.balance([h, r], LYON) == 0 and r.ref == "reversal:k1" and r.job == "k1"


def test_balances_net_both_directions_and_a_settlement_pays_the_debt():
    book_ = [book.handoff("a", LYON, VILLE, 1000, T0),
             book.handoff("b", LYON, VILLE, 700, T0),
             book.handoff("c", VILLE, LYON, 1200, T0)]
    assert book.balance(book_, LYON) == -500  # Lyon owes Villeurbanne 5 euros
    book_.append(book.settlement("s1", LYON, VILLE, 500, T0))
    assert book.balance(book_, LYON) == 0 == book.balance(book_, VILLE)
    assert book.balanced(book_)


def test_a_period_reads_the_same_from_either_coop():
    before = [book.handoff("old", VILLE, LYON, 300, T0 - timedelta(days=40))]
    during = [book.handoff("a", LYON, VILLE, 1000, T0), book.handoff("c", VILLE, LYON, 200, T0),
              book.settlement("s", LYON, VILLE, 400, T0)]
    ours = book.period_figures(before, during, LYON, VILLE)
    theirs = book.period_figures(list(reversed(before)), list(reversed(during)), VILLE, LYON)
    assert ours == theirs
    assert ours["first"] == LYON and ours["opening_cents"] == 300
    assert ours["closing_cents"] == 300 - 1000 + 200 + 400
    flows = {(f["kind"], f["debtor"]): f for f in ours["flows"]}
    assert flows["handoff", LYON] == {"kind": "handoff", "debtor": LYON, "creditor": VILLE,
                                      "count": 1, "cents": 1000}
    assert flows["handoff", VILLE]["cents"] == 200
    assert flows["settlement", VILLE]["cents"] == 400  # Lyon paid: Villeurbanne's claim fell
    assert flows["reversal", LYON]["count"] == 0
    assert book.who_owes(LYON, VILLE, ours["closing_cents"]) == {
        "debtor": LYON, "creditor": VILLE, "cents": 100}


def test_the_digest_depends_on_the_entries_not_their_order():
    a, b = book.handoff("a", LYON, VILLE, 1000, T0), book.handoff("b", VILLE, LYON, 5, T0)
    assert book.digest([a, b]) == book.digest([b, a])
    assert book.digest([a]) != book.digest([a, b])


@pytest.mark.parametrize(("owed", "limit", "amount", "ok"), [
    (0, None, 10**9, True),        # no limit set
    (4000, 5000, 0, True),         # room left
    (5000, 5000, 0, False),        # at the limit: the next job would go beyond
    (6000, 5000, 0, False),        # beyond it
    (4000, 5000, 1000, True),      # the job fits exactly
    (4000, 5000, 1001, False),     # the job would go beyond
    (-3000, 0, 2000, True),        # the partner owes us: we may hand off up to that
    (0, 0, 0, False),              # no credit at all
])
def test_hand_offs_pause_beyond_the_credit_limit(owed, limit, amount, ok):
    allowed, reason = book.may_owe_more(owed, limit, amount)
    assert allowed is ok
    assert (reason == "") is ok and ("settled" in reason or ok)


def test_the_books_compared_name_each_difference():
    ours = [book.handoff("a", LYON, VILLE, 1000, T0), book.handoff("b", LYON, VILLE, 500, T0),
            book.settlement("s", LYON, VILLE, 300, T0)]
    theirs = [book.handoff("a", LYON, VILLE, 1000, T0), book.handoff("b", LYON, VILLE, 550, T0),
              book.reversal("a", LYON, VILLE, 1000, T0)]
    out = book.compare(ours, theirs)
    assert not out["match"]
    assert [r["ref"] for r in out["only_ours"]] == ["settlement:s"]
    assert [r["ref"] for r in out["only_theirs"]] == ["reversal:a"]
    assert out["differ"] == [{"ref": "handoff:b",
                              "fields": {"amount_cents": {"ours": 500, "theirs": 550}}}]
    assert book.compare(ours, list(reversed(ours)))["match"]


def test_an_entry_read_back_from_its_canonical_form_is_the_same():
    t = book.handoff("a", LYON, VILLE, 1000, T0)
    assert book.from_canonical(t.canonical()) == t
    with pytest.raises(ValueError):
        book.from_canonical({"ref": "x"})
    with pytest.raises(ValueError):
        book.from_canonical({**t.canonical(), "at": "2026-03-10T11:00:00"})
