"""The coop itself: its settings, the setup checklist, and its public open data."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from courier import settings
from courier.errors import Forbidden
from courier.extensions import db
from courier.models import Role
from courier.setup import checklist
from courier.solidarity import opendata
from courier.web.api.args import Strict
from courier.web.api.common import BEARER, Blueprint, download, user
from courier.web.auth import require

blp = Blueprint("coop", __name__, description="The coop: settings and setup checklist")
open_blp = Blueprint("open_data", __name__, description="Open data (public, no personal data)")


LEGAL = {"legal_name": "the coop's legal name, on invoices (its name when unset)",
         "legal_address": "its registered address, lines separated by newlines",
         "registration_id": "its registration number (SIREN/SIRET, RCS...)",
         "vat_id": "its VAT number",
         "invoice_note": "a line printed on every invoice (e.g. a VAT exemption)"}
MARGIN = {"description": "minutes past the end of its window a job's drop-off may be "
                         "expected before the shop and dispatch are alerted (negative: "
                         "alert that many minutes before the end is reached)"}


class CoopOut(Schema):
    name = fields.String()
    city = fields.String()
    open_data = fields.Boolean()
    legal_name = fields.String()
    legal_address = fields.String()
    registration_id = fields.String()
    vat_id = fields.String()
    invoice_note = fields.String()
    delay_margin_min = fields.Integer(metadata=MARGIN)


class CoopPatch(Strict):
    name = fields.String(validate=validate.Length(1, 120))
    city = fields.String(validate=validate.Length(1, 120))
    open_data = fields.Boolean(metadata={"description": "publish the weekly figures"})
    legal_name = fields.String(validate=validate.Length(0, 200),
                               metadata={"description": LEGAL["legal_name"]})
    legal_address = fields.String(validate=validate.Length(0, 500),
                                  metadata={"description": LEGAL["legal_address"]})
    registration_id = fields.String(validate=validate.Length(0, 60),
                                    metadata={"description": LEGAL["registration_id"]})
    vat_id = fields.String(validate=validate.Length(0, 60),
                           metadata={"description": LEGAL["vat_id"]})
    invoice_note = fields.String(validate=validate.Length(0, 300),
                                 metadata={"description": LEGAL["invoice_note"]})
    delay_margin_min = fields.Integer(validate=validate.Range(-60, 120), metadata=MARGIN)


class ItemOut(Schema):
    key = fields.String()
    label = fields.String()
    hint = fields.String()
    required = fields.Boolean()
    done = fields.Boolean()


class ChecklistOut(Schema):
    items = fields.List(fields.Nested(ItemOut))
    remaining = fields.Integer(metadata={"description": "required items not done"})


class WeeksQuery(Schema):
    weeks = fields.Integer(load_default=12, validate=validate.Range(1, opendata.MAX_WEEKS))


class WeekOut(Schema):
    week = fields.String()
    start = fields.String()
    deliveries = fields.Integer()
    solidarity_deliveries = fields.Integer()
    solidarity_share = fields.Float()
    kg_carried = fields.Float()
    km_by_bike = fields.Float()
    co2_avoided_kg = fields.Float()
    hub_rounds = fields.Integer()


class OpenDataOut(Schema):
    coop = fields.String()
    city = fields.String()
    timezone = fields.String()
    generated_at = fields.String()
    emission_factor = fields.Dict()
    weeks = fields.List(fields.Nested(WeekOut))


def _coop() -> dict:
    s = settings.all_settings()
    return {"name": s["name"] or "", "city": s["city"] or "", "open_data": bool(s["open_data"]),
            "delay_margin_min": int(s["delay_margin_min"]),
            **{k: s.get(k) or "" for k in LEGAL}}


@blp.route("/coop", methods=["GET"])
@blp.response(200, CoopOut)
def get_coop():
    """The coop's name, city, and whether it publishes open data (public)."""
    return _coop()


@blp.route("/coop", methods=["PATCH"])
@require(Role.COUNCIL)
@blp.arguments(CoopPatch, required=False)  # no body changes nothing, as ``{}``
@blp.response(200, CoopOut)
@blp.doc(security=BEARER)
def patch_coop(data):
    """The council changes the coop's name or city, its legal details for invoices,
    publishes (or withdraws) its open data, or sets how late a job may be expected
    before it is alerted."""
    if user().role != Role.COUNCIL:
        raise Forbidden("only the council changes the coop's settings")
    for key, value in data.items():
        settings.put(key, value.strip() if isinstance(value, str) else value)
    db.session.commit()
    return _coop()


@blp.route("/setup/checklist", methods=["GET"])
@require(Role.COUNCIL, Role.DISPATCHER)
@blp.response(200, ChecklistOut)
@blp.doc(security=BEARER)
def get_checklist():
    """What this instance still needs: shops, couriers, pricing, tiles, OSRM, secret..."""
    items = checklist.items()
    return {"items": items, "remaining": sum(1 for i in items if i["required"] and not i["done"])}


@open_blp.route("/open-data/weekly.json", methods=["GET"])
@open_blp.arguments(WeeksQuery, location="query")
@open_blp.response(200, OpenDataOut)
@open_blp.alt_response(404, description="The coop does not publish open data")
def weekly_json(query):
    """Weekly figures: deliveries, solidarity share, kg carried, km by bike, CO2 a van
    would have emitted, food hubs' rounds. No personal data."""
    return opendata.weekly(query["weeks"]), 200, {"Access-Control-Allow-Origin": "*"}


@open_blp.route("/open-data/weekly.csv", methods=["GET"])
@open_blp.arguments(WeeksQuery, location="query")
@open_blp.response(200)
@open_blp.alt_response(200, content_type="text/csv", description="one row per week",
                       success=True)
@open_blp.alt_response(404, description="The coop does not publish open data")
def weekly_csv(query):
    """The same figures as CSV, one row per week."""
    data = opendata.to_csv(opendata.weekly(query["weeks"]))
    return download(data, "text/csv", "weekly.csv", inline=True,
                    **{"Access-Control-Allow-Origin": "*"})
