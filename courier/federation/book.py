"""The arithmetic of the mutual-credit ledger between two partner coops, apart from the
database: what a transaction posts, balances, a period's figures, the credit limit, and
the comparison of the two coops' books.

Every transaction moves credit from a *debtor* coop to a *creditor* coop and is posted
twice (double entry): minus its amount on the debtor's account, plus on the creditor's,
so the two lines of a transaction, and so the whole book, sum to zero. A coop's balance
is the sum of its lines: positive, the other coop owes it; negative, it owes the other.

- a hand-off: the coop that gives the job owes the coop that carries it the partner's
  quote (debtor: the giver, creditor: the carrier);
- a reversal: the job came back before it was carried, the hand-off is undone (debtor:
  the carrier, creditor: the giver, the same amount);
- a settlement: the coop in debt pays (in money, or in kind as the councils agree); the
  payer's debt goes down (debtor: the payee, creditor: the payer).

Amounts are integer cents, always above zero in a transaction. Each transaction has a
reference that both coops know it by (``handoff:<key>``, ``reversal:<key>``,
``settlement:<key>``), which is what the books are compared on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

KINDS = ("handoff", "reversal", "settlement")


@dataclass(frozen=True)
class Transaction:
    """One movement of credit between the two coops (``debtor`` and ``creditor`` are
    the coops' federation ids); ``at``: when it happened, the same on both sides."""

    ref: str
    kind: str
    debtor: str
    creditor: str
    amount_cents: int
    at: datetime
    job: str = ""  # the hand-off's job as both coops name it (its idempotency key)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of transaction: {self.kind}")
        if not isinstance(self.amount_cents, int) or isinstance(self.amount_cents, bool):
            raise ValueError("amounts are integer cents")
        if self.amount_cents <= 0:
            raise ValueError("a transaction moves more than zero cents")
        if self.debtor == self.creditor:
            raise ValueError("a transaction is between two coops")

    def postings(self) -> tuple[tuple[str, int], tuple[str, int]]:
        """The two lines: (coop, signed cents), summing to zero."""
        return (self.debtor, -self.amount_cents), (self.creditor, self.amount_cents)

    def canonical(self) -> dict:
        """What both coops must hold alike, as plain data."""
        return {"ref": self.ref, "kind": self.kind, "debtor": self.debtor,
                "creditor": self.creditor, "amount_cents": self.amount_cents,
                "at": self.at.isoformat(timespec="seconds"), "job": self.job}


def handoff(key: str, giver: str, carrier: str, cents: int, at: datetime) -> Transaction:
    return Transaction(f"handoff:{key}", "handoff", giver, carrier, cents, at, key)


def reversal(key: str, giver: str, carrier: str, cents: int, at: datetime) -> Transaction:
    return Transaction(f"reversal:{key}", "reversal", carrier, giver, cents, at, key)


def settlement(key: str, payer: str, payee: str, cents: int, at: datetime) -> Transaction:
    return Transaction(f"settlement:{key}", "settlement", payee, payer, cents, at)


def balance(transactions: Iterable[Transaction], coop: str) -> int:
    """``coop``'s balance: what the other coop owes it (negative: what it owes)."""
    total = 0
    for t in transactions:
        for who, cents in t.postings():
            if who == coop:
                total += cents
    return total


def balanced(transactions: Iterable[Transaction]) -> bool:
    """Whether every line of the book has its opposite (the book sums to zero)."""
    return sum(c for t in transactions for _, c in t.postings()) == 0


def parties(a: str, b: str) -> tuple[str, str]:
    """The two coops in the order every statement lists them (the same on both sides)."""
    return (a, b) if a <= b else (b, a)


def period_figures(before: Iterable[Transaction], during: Iterable[Transaction],
                   a: str, b: str) -> dict:
    """A period's figures, the same whichever coop computes them: the balance of the
    first coop (in :func:`parties` order) at the start and the end, and each flow in
    both directions (jobs handed, reversals, settlements: who owes whom, how many, how
    much)."""
    first, second = parties(a, b)
    during = sorted(during, key=lambda t: (t.at, t.ref))
    flows = []
    for kind in KINDS:
        for debtor, creditor in ((first, second), (second, first)):
            rows = [t for t in during if t.kind == kind and t.debtor == debtor]
            flows.append({"kind": kind, "debtor": debtor, "creditor": creditor,
                          "count": len(rows), "cents": sum(t.amount_cents for t in rows)})
    opening = balance(before, first)
    closing = opening + balance(during, first)
    return {"first": first, "second": second, "opening_cents": opening,
            "closing_cents": closing, "flows": flows}


def who_owes(first: str, second: str, first_balance: int) -> dict:
    """A balance in the words both coops read the same: who owes whom how much."""
    if first_balance == 0:
        return {"debtor": None, "creditor": None, "cents": 0}
    if first_balance > 0:
        return {"debtor": second, "creditor": first, "cents": first_balance}
    return {"debtor": first, "creditor": second, "cents": -first_balance}


def digest(transactions: Iterable[Transaction]) -> str:
    """A fingerprint of a set of transactions (order does not matter): two coops whose
    statements print the same digest hold the same entries."""
    rows = sorted((t.canonical() for t in transactions), key=lambda r: r["ref"])
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def may_owe_more(owed: int, limit: int | None, amount: int = 0) -> tuple[bool, str]:
    """Whether a coop that owes its partner ``owed`` cents may hand it one more job (of
    ``amount`` cents when known) under the council's credit ``limit`` (None: no limit).
    Beyond the limit, hand-offs pause until a settlement brings the debt back under."""
    if limit is None:
        return True, ""
    if amount and owed + amount > limit:
        return False, (f"credit limit: we owe the partner {owed} cents and this job "
                       f"({amount} cents) would take it over the limit of {limit} cents; "
                       f"hand-offs pause until settled")
    if not amount and owed >= limit:
        return False, (f"credit limit reached: we owe the partner {owed} cents, the limit "
                       f"is {limit} cents; hand-offs pause until settled")
    return True, ""


def compare(ours: Iterable[Transaction], theirs: Iterable[Transaction]) -> dict:
    """The two coops' books side by side: the references only one side holds, and
    those both hold but not alike (which fields differ, each side's value)."""
    mine = {t.ref: t.canonical() for t in ours}
    other = {t.ref: t.canonical() for t in theirs}
    differ = []
    for ref in sorted(mine.keys() & other.keys()):
        fields = {k: {"ours": mine[ref][k], "theirs": other[ref][k]}
                  for k in mine[ref] if mine[ref][k] != other[ref][k]}
        if fields:
            differ.append({"ref": ref, "fields": fields})
    only_ours = [mine[r] for r in sorted(mine.keys() - other.keys())]
    only_theirs = [other[r] for r in sorted(other.keys() - mine.keys())]
    return {"match": not (differ or only_ours or only_theirs), "entries": len(mine),
            "only_ours": only_ours, "only_theirs": only_theirs, "differ": differ}


def from_canonical(row: dict) -> Transaction:
    """A transaction as :meth:`Transaction.canonical` wrote it (from the partner's
    answer); raises ValueError for anything else."""
    try:
        at = datetime.fromisoformat(str(row["at"]))
        if at.tzinfo is None:
            raise ValueError("a time without its zone")
        return Transaction(str(row["ref"]), str(row["kind"]), str(row["debtor"]),
                           str(row["creditor"]), row["amount_cents"], at,
                           str(row.get("job") or ""))
    except (KeyError, TypeError) as err:
        raise ValueError(f"not a ledger entry: {err}") from None
