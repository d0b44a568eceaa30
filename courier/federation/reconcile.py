"""The two coops' books side by side: each serves the other its entries of the
partnership (a signed request), and either council can check that both hold exactly the
same transactions, or see which differ. Settlements recorded by one council travel to
the other's book through the signed outbox (retried until taken), so they reconcile too.
"""

from __future__ import annotations

from flask import current_app

from courier.errors import InvalidInput
from courier.federation import book, inbound, ledger, log, outbox, transport
from courier.models import Partner, User, utcnow

ENTRIES_PATH = "/federation/v1/ledger"
SETTLEMENTS_PATH = "/federation/v1/ledger/settlements"
SETTLEMENT = "ledger.settlement"


def served(partner: Partner) -> dict:
    """Our book of the partnership, as the partner reads it."""
    rows = ledger.transactions(partner)
    first, second = book.parties(*ledger.coops(partner))
    return {"coop": ledger.our_url(), "entries": [t.canonical() for t in rows],
            "digest": book.digest(rows),
            "balance": book.who_owes(first, second, book.balance(rows, first))}


def _theirs(partner: Partner) -> list[book.Transaction]:
    timeout = float(current_app.config["FEDERATION_TIMEOUT_S"])
    answer = transport.post(partner, ENTRIES_PATH, {"kind": "ledger.entries"}, timeout=timeout)
    if not answer.ok:
        raise transport.Unreachable(f"{partner.base_url} answered HTTP {answer.status}: "
                                    f"{answer.code}")
    rows = answer.data.get("entries")
    if not isinstance(rows, list):
        raise transport.Unreachable(f"{partner.base_url} sent no entries")
    try:
        return [book.from_canonical(r) for r in rows if isinstance(r, dict)]
    except ValueError as err:
        raise transport.Unreachable(f"{partner.base_url} sent an entry we cannot read: "
                                    f"{err}") from None


def reconcile(actor: User | None, partner: Partner) -> dict:
    """Compare our book with the partner's (raises transport.Unreachable when it cannot
    be read); the outcome is written in the event log."""
    ours = ledger.transactions(partner)
    theirs = _theirs(partner)
    out = book.compare(ours, theirs)
    out.update({"checked_at": utcnow().isoformat(), "digest_ours": book.digest(ours),
                "digest_theirs": book.digest(theirs)})
    words = ("the two books match" if out["match"] else
             f"the books differ: {len(out['only_ours'])} only here, "
             f"{len(out['only_theirs'])} only at the partner, {len(out['differ'])} unlike")
    log.note(actor, "ledger_reconciled", partner, words,
             {"match": out["match"], "entries": out["entries"],
              "only_ours": [r["ref"] for r in out["only_ours"]][:50],
              "only_theirs": [r["ref"] for r in out["only_theirs"]][:50],
              "differ": [r["ref"] for r in out["differ"]][:50]})
    return out


def settle(actor: User, partner: Partner, payer: str, cents, at, note: str = "") -> dict:
    """The council records a settlement: in our book, and told to the partner's (sent
    after commit, signed, retried until the partner takes it)."""
    t = ledger.record_settlement(actor, partner, payer, cents, at, note)
    msg = outbox.queue(partner, SETTLEMENT, {"settlement": t.canonical(), "note": note[:500]})
    msg.path = SETTLEMENTS_PATH
    return t.canonical()


def received_settlement(signed: inbound.Signed) -> dict:
    """A settlement the partner's council recorded, into our book (raises inbound.Refused
    for one that is not about the two of us)."""
    partner, data = signed.partner, signed.data
    try:
        t = book.from_canonical(data.get("settlement") or {})
    except ValueError as err:
        raise inbound.Refused(422, "invalid_settlement", str(err), {"settlement": str(err)}) \
            from None
    us, them = ledger.coops(partner)
    if t.kind != "settlement" or {t.debtor, t.creditor} != {us, them} \
            or not t.ref.startswith("settlement:"):
        raise inbound.Refused(422, "invalid_settlement",
                              "a settlement between the two of us is expected",
                              {"settlement": "debtor and creditor are the two coops"})
    payer = ledger.US if t.creditor == us else ledger.PARTNER
    try:
        ledger.record_settlement(None, partner, payer, t.amount_cents, t.at,
                                 str(data.get("note") or ""),
                                 key=t.ref.removeprefix("settlement:"), origin=ledger.PARTNER)
    except InvalidInput as err:
        raise inbound.Refused(422, "invalid_settlement", err.message, err.fields) from None
    return {"ref": t.ref, "recorded": True}
