"""Pricing rules: the council publishes versions; everyone can read them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from courier.errors import NotFound
from courier.extensions import db
from courier.models import PricingVersion, Role, utcnow
from courier.shops import pricing
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, user
from courier.web.auth import require

blp = Blueprint("pricing", __name__, description="Pricing rules, versioned")


class PricingIn(Strict):
    strategy = fields.Raw(metadata={"description": "first_match (default) or sum"})
    rules = fields.Raw(required=True, metadata={"description": "ordered list of rules"})
    minimum_cents = fields.Raw()
    currency = fields.Raw()
    note = fields.String(required=True, validate=validate.Length(1, 500),
                         metadata={"description": "why the rules change"})
    effective_from = fields.AwareDateTime(format="iso")


class CompareQuery(Schema):
    to = fields.Integer(required=True)


def dump(v: PricingVersion, full: bool = True) -> dict:
    out = {"version": v.version, "strategy": v.strategy, "note": v.note,
           "created_at": v.created_at.isoformat(), "effective_from": v.effective_from.isoformat(),
           "created_by": v.created_by.name if v.created_by else None,
           "rules_count": len(v.rules["rules"])}
    if full:
        out.update(rules=v.rules["rules"], minimum_cents=v.rules.get("minimum_cents", 0),
                   currency=v.rules.get("currency", "EUR"))
    return out


def _version(n: int) -> PricingVersion:
    v = db.session.scalars(select(PricingVersion).where(PricingVersion.version == n)).first()
    if v is None:
        raise NotFound(f"no pricing version {n}")
    return v


@blp.route("/pricing", methods=["GET"])
@require()
@blp.response(200)
@blp.doc(security=BEARER)
def current():
    """The rules in force now (``current`` is null while the default price applies),
    and any version published to take effect later."""
    now = utcnow()
    version = pricing.current_version(now)
    later = db.session.scalars(select(PricingVersion).where(PricingVersion.effective_from > now)
                               .order_by(PricingVersion.version)).all()
    return {"current": dump(version) if version else None,
            "scheduled": [dump(v) for v in later]}


@blp.route("/pricing", methods=["POST"])
@require(Role.COUNCIL)
@blp.arguments(PricingIn)
@blp.response(201)
@blp.doc(security=BEARER)
def publish(data):
    """Publish a new version (council). Every problem is named by its path,
    e.g. ``rules[2].when.distance_km.max``; nothing is saved then."""
    doc = {k: data[k] for k in ("strategy", "rules", "minimum_cents", "currency") if k in data}
    version = pricing.publish(user(), doc, data["note"], data.get("effective_from"))
    db.session.commit()
    return dump(version)


@blp.route("/pricing/versions", methods=["GET"])
@require()
@blp.response(200)
@blp.doc(security=BEARER)
def versions():
    """Every version, newest first: who, when, why, from when."""
    rows = db.session.scalars(select(PricingVersion).order_by(PricingVersion.version.desc()))
    return {"versions": [dump(v, full=False) for v in rows]}


@blp.route("/pricing/versions/<int:number>", methods=["GET"])
@require()
@blp.response(200)
@blp.doc(security=BEARER)
def version(number):
    return dump(_version(number))


@blp.route("/pricing/versions/<int:number>/compare", methods=["GET"])
@require()
@blp.arguments(CompareQuery, location="query")
@blp.response(200)
@blp.doc(security=BEARER)
def compare(query, number):
    """What changed from this version to ``?to=``: rules added, removed, changed, moved."""
    return pricing.compare(_version(number), _version(query["to"]))
