"""Quotes: what a delivery would cost, with the breakdown, before submitting it."""

from __future__ import annotations

from courier.extensions import db
from courier.models import Role
from courier.shops.intake import describe, quote
from courier.web.api import args
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("quotes", __name__, description="Prices and their breakdown")


def _place(p: dict) -> dict:
    return {"lat": p["lat"], "lon": p["lon"], "address": p["address"]}


@blp.route("/quotes", methods=["POST"])
@require(Role.MERCHANT, Role.DISPATCHER, Role.COUNCIL)
@blp.arguments(args.JobIn)
@blp.response(200)
@blp.doc(security=BEARER)
def create_quote(data):
    """The price a job with this body would get now (same body as ``POST /jobs``):
    total, each rule that applied and what it gave, the facts it was computed
    from, and the rules version. Stops outside the zones are refused as they
    would be on submission."""
    delivery = quote(user(), data)
    db.session.commit()  # geocoding answers are cached
    return {**delivery.price.breakdown(), "price_cents": delivery.price.cents,
            "facts": describe(delivery.facts), "pickup": _place(delivery.pickup),
            "dropoffs": [_place(p.dropoff) for p in delivery.parts],
            "shares_cents": delivery.shares(), "slot": delivery.slot,
            "ready_at": delivery.ready_at.isoformat(),
            "deliver_by": delivery.deliver_by.isoformat()}
