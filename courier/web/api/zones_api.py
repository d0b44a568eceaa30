"""Service zones: GeoJSON polygons where the coop rides (and that pricing rules name)."""

from __future__ import annotations

from flask import request
from marshmallow import Schema, fields, validate

from courier.extensions import db
from courier.models import Role, Zone
from courier.shops import zones
from courier.web.api.args import Lat, Lon, Strict
from courier.web.api.common import BEARER, Blueprint, get_or_404, user
from courier.web.auth import require

blp = Blueprint("zones", __name__, description="Service zones (GeoJSON, [lon, lat])")
MANAGERS = (Role.DISPATCHER, Role.COUNCIL)


class ZoneIn(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 80))
    geometry = fields.Dict(required=True, metadata={"description": "GeoJSON Polygon or "
                                                                   "MultiPolygon"})
    active = fields.Boolean(load_default=True)


class ZonePatch(Strict):
    name = fields.String(validate=validate.Length(1, 80))
    geometry = fields.Dict()
    active = fields.Boolean()


class ImportQuery(Schema):
    replace = fields.Boolean(load_default=False)


class PointQuery(Schema):
    lat = fields.Float(required=True, validate=Lat)
    lon = fields.Float(required=True, validate=Lon)


@blp.route("/zones", methods=["GET"])
@require()
@blp.response(200)
@blp.doc(security=BEARER)
def list_zones():
    """Every zone as a GeoJSON FeatureCollection (properties: name, active)."""
    return zones.export_zones()


@blp.route("/zones", methods=["POST"])
@require(*MANAGERS)
@blp.arguments(ZoneIn)
@blp.response(201)
@blp.doc(security=BEARER)
def create_zone(data):
    """Draw a zone. Invalid geometry is refused naming the ring and position."""
    zone = zones.create_zone(user(), data)
    db.session.commit()
    return zones.feature(zone)


@blp.route("/zones/import", methods=["POST"])
@require(*MANAGERS)
@blp.arguments(ImportQuery, location="query")
@blp.raw_body({"application/json": {"schema": {"type": "object"}}},
              "A GeoJSON FeatureCollection; each feature's properties give its ``name`` "
              "and, optionally, ``active``. Foreign members (``crs``, ``name``...) are "
              "allowed, as GeoJSON allows them")
@blp.response(200)
@blp.doc(security=BEARER)
def import_zones(query):
    """Create or update zones by name from a FeatureCollection: all or, on any error, none."""
    counts = zones.import_zones(user(), request.get_json(silent=True), replace=query["replace"])
    db.session.commit()
    return counts


@blp.route("/zones/lookup", methods=["GET"])
@require()
@blp.arguments(PointQuery, location="query")
@blp.response(200)
@blp.doc(security=BEARER)
def lookup(query):
    """Which active zones cover a point, and whether the coop rides there."""
    index = zones.current_index()
    names = sorted(index.at(query["lon"], query["lat"]))
    return {"zones": names, "in_service": index.empty or bool(names)}


@blp.route("/zones/<int:zone_id>", methods=["GET"])
@require()
@blp.response(200)
@blp.doc(security=BEARER)
def get_zone(zone_id):
    return zones.feature(get_or_404(Zone, zone_id, "zone"))


@blp.route("/zones/<int:zone_id>", methods=["PATCH"])
@require(*MANAGERS)
@blp.arguments(ZonePatch)
@blp.response(200)
@blp.doc(security=BEARER)
def update_zone(data, zone_id):
    """Rename, redraw, activate or deactivate a zone."""
    zone = zones.update_zone(user(), get_or_404(Zone, zone_id, "zone"), data)
    db.session.commit()
    return zones.feature(zone)


@blp.route("/zones/<int:zone_id>", methods=["DELETE"])
@require(*MANAGERS)
@blp.response(204)
@blp.doc(security=BEARER)
def delete_zone(zone_id):
    """Delete a zone (refused while the pricing rules in force name it)."""
    zones.delete_zone(user(), get_or_404(Zone, zone_id, "zone"))
    db.session.commit()
