"""The ledger's part of the inter-coop API (signed requests from partner coops, see
docs/federation.md): a partner reads our book of the partnership to reconcile it with
its own, and sends the settlements its council records."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from courier.extensions import csrf, db
from courier.federation import inbound, reconcile
from courier.models import MessageState

bp = Blueprint("federation_ledger", __name__)
csrf.exempt(bp)


def _refused(err: inbound.Refused):
    db.session.commit()  # the refusal is in the event log
    resp = jsonify(err.body())
    resp.status_code = err.status
    return resp


@bp.post("/federation/v1/ledger")
def entries():
    """Our entries of the partnership with the coop that signed the request."""
    try:
        signed = inbound.authenticate(request.headers, request.get_data(as_text=True),
                                      "ledger.entries")
    except inbound.Refused as err:
        return _refused(err)
    out = reconcile.served(signed.partner)
    db.session.commit()
    return jsonify(out)


@bp.post("/federation/v1/ledger/settlements")
def settlement():
    """A settlement the partner's council recorded: into our book (idempotent)."""
    try:
        signed = inbound.authenticate(request.headers, request.get_data(as_text=True),
                                      reconcile.SETTLEMENT)
    except inbound.Refused as err:
        return _refused(err)
    try:
        out = reconcile.received_settlement(signed)
    except inbound.Refused as err:
        inbound.mark(signed, MessageState.REFUSED, err.message)
        inbound.record_refusal(signed.partner, reconcile.SETTLEMENT, err.reason, err.message)
        return _refused(err)
    db.session.commit()
    return jsonify(out)
