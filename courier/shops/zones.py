"""Service zones: where the coop rides, and the areas pricing rules may name.

Lookups go through an in-process :class:`ZoneIndex` (an STRtree over prepared
geometries), rebuilt when the zones change: each lookup compares a cheap stamp
of the ``zones`` table (count, latest change, sum of ids) with the index's, so a
change made by another process is seen on the next lookup.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import shapely
from flask import current_app
from shapely.geometry import mapping, shape
from sqlalchemy import func, select

from courier.errors import Conflict, InvalidInput
from courier.extensions import db
from courier.models import Merchant, User, Zone, utcnow
from courier.shops.geojson import GeoJSONError, features, zone_geometry
from courier.shops.pricing import current_version, zones_named

_lock = threading.Lock()


@dataclass
class ZoneIndex:
    """Active zones, indexed: which zones contain a point, in a few microseconds."""

    names: list[str] = field(default_factory=list)
    geoms: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    tree: shapely.STRtree | None = None
    stamp: tuple | None = None

    @classmethod
    def build(cls, zones: list[Zone], stamp=None) -> ZoneIndex:
        active = [z for z in zones if z.active]
        geoms = np.array([shape(z.geometry) for z in active], dtype=object)
        shapely.prepare(geoms)
        tree = shapely.STRtree(geoms) if len(geoms) else None
        return cls([z.name for z in active], geoms, tree, stamp)

    @property
    def empty(self) -> bool:
        return self.tree is None

    def at(self, lon: float, lat: float) -> frozenset[str]:
        """Names of the active zones covering the point (boundary included)."""
        if self.tree is None:
            return frozenset()
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return frozenset(self.names[i] for i in hits)


STAMP_COLUMNS = (func.count(Zone.id), func.max(Zone.updated_at),
                 func.coalesce(func.sum(Zone.id), 0))
_STAMP = select(*STAMP_COLUMNS)


def _stamp() -> tuple:
    """Changes whenever a zone is added, changed or deleted (one cheap Core query)."""
    return tuple(db.session.connection().execute(_STAMP).one())


def current_index(stamp: tuple | None = None) -> ZoneIndex:
    """The index of the active zones as they are in the database now (``stamp``: the
    zones' stamp if the caller has just read it, see :data:`STAMP_COLUMNS`)."""
    cache = current_app.extensions.setdefault("courier.zones", {})
    stamp = _stamp() if stamp is None else tuple(stamp)
    index = cache.get("index")
    if index is not None and index.stamp == stamp:
        return index
    with _lock:
        zones = db.session.scalars(select(Zone).order_by(Zone.id)).all()
        index = cache["index"] = ZoneIndex.build(list(zones), stamp)
    return index


def check_in_service(stops: list[tuple[str, float, float, str]],
                     index: ZoneIndex | None = None, found: list | None = None,
                     beyond=None) -> None:
    """Refuse stops outside every active zone. ``stops``: ``(field, lat, lon, address)``;
    ``found``: the zones of each stop, if already looked up; ``beyond(lat, lon)``: whether
    a drop-off outside them is taken all the same (handed to a partner coop covering it).

    With no active zone at all, the coop has not drawn its area: nothing is refused.
    """
    index = index or current_index()
    if index.empty:
        return
    found = found or [index.at(lon, lat) for _, lat, lon, _ in stops]
    outside = {f: (lat, lon, address) for (f, lat, lon, address), zones in zip(
        stops, found, strict=True) if not zones and not (
            beyond is not None and f.startswith("dropoff") and beyond(lat, lon))}
    if not outside:
        return
    words = [f"the {name.split('.')[0]}{' ' + repr(a) if a else ''} at "
             f"({lat:.5f}, {lon:.5f})" for name, (lat, lon, a) in outside.items()]
    raise InvalidInput(f"{' and '.join(words)} {'is' if len(words) == 1 else 'are'} outside "
                       f"every service zone", {name: "outside every service zone"
                                              for name in outside})


def reference_points(exclude: str | None = None) -> list[tuple[float, float]]:
    """Points a new zone is expected to be near: shops and existing zones' centres."""
    pts = [(m.lon, m.lat) for m in db.session.scalars(
        select(Merchant).where(Merchant.lat.is_not(None))).all()]
    for z in db.session.scalars(select(Zone)).all():
        if z.name != exclude:
            p = shape(z.geometry).representative_point()
            pts.append((p.x, p.y))
    return pts


def _name(value, path="name") -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 80:
        raise InvalidInput("a zone needs a name (1 to 80 characters)", {path: "1 to 80 characters"})
    return value.strip()


def _geometry(value, path="geometry", exclude=None) -> dict:
    try:
        geom = zone_geometry(value, path, reference_points(exclude))
    except GeoJSONError as err:
        raise InvalidInput(f"invalid zone: {err}", err.problems) from None
    return mapping(geom)


def create_zone(actor: User | None, data: dict) -> Zone:
    name = _name(data.get("name"))
    if db.session.scalar(select(Zone).where(Zone.name == name)):
        raise Conflict(f"a zone named {name!r} already exists", {"name": "taken"})
    zone = Zone(name=name, geometry=_geometry(data.get("geometry")),
                active=bool(data.get("active", True)))
    db.session.add(zone)
    db.session.flush()
    return zone


def update_zone(actor: User | None, zone: Zone, data: dict) -> Zone:
    if "name" in data and data["name"] != zone.name:
        name = _name(data["name"])
        if db.session.scalar(select(Zone).where(Zone.name == name, Zone.id != zone.id)):
            raise Conflict(f"a zone named {name!r} already exists", {"name": "taken"})
        _refuse_if_priced(zone, "renamed")
        zone.name = name
    if "geometry" in data:
        zone.geometry = _geometry(data["geometry"], exclude=zone.name)
    if "active" in data:
        zone.active = bool(data["active"])
    zone.updated_at = utcnow()
    db.session.flush()
    return zone


def delete_zone(actor: User | None, zone: Zone) -> None:
    _refuse_if_priced(zone, "deleted")
    db.session.delete(zone)
    db.session.flush()


def _refuse_if_priced(zone: Zone, what: str) -> None:
    version = current_version()
    if version is not None and zone.name in zones_named(version.rules):
        raise Conflict(f"zone {zone.name!r} is named by pricing rules v{version.version}: it "
                       f"cannot be {what} (deactivate it, or publish rules without it first)",
                       {"name": f"used by pricing v{version.version}"})


def import_zones(actor: User | None, doc, replace: bool = False) -> dict:
    """Create or update zones by name from GeoJSON; all of them or, on any error, none.

    Each feature needs ``properties.name``; ``properties.active`` is optional.
    With ``replace``, zones missing from the document are deactivated.
    """
    try:
        items = features(doc)
    except GeoJSONError as err:
        raise InvalidInput(f"invalid GeoJSON: {err}", err.problems) from None
    problems: dict[str, str] = {}
    parsed: dict[str, tuple[dict, bool]] = {}
    refs = reference_points()
    for path, feat in items:
        if not isinstance(feat, dict):
            problems[path] = "a feature is an object with a geometry and properties"
            continue
        props = feat.get("properties") or {}
        name = props.get("name") if isinstance(props, dict) else None
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 80:
            problems[f"{path}.properties.name"] = "each zone needs a name (1 to 80 characters)"
            continue
        name = name.strip()
        if name in parsed:
            problems[f"{path}.properties.name"] = f"{name!r} appears twice"
            continue
        try:
            geom = zone_geometry(feat.get("geometry"), f"{path}.geometry", refs)
        except GeoJSONError as err:
            problems.update({f"{k} ({name})": v for k, v in err.problems.items()})
            continue
        parsed[name] = (mapping(geom), bool(props.get("active", True)))
    if problems:
        first = next(iter(problems.items()))
        raise InvalidInput(f"nothing imported: {len(problems)} problem(s), first "
                           f"{first[0]}: {first[1]}", problems)
    existing = {z.name: z for z in db.session.scalars(select(Zone)).all()}
    counts = {"created": 0, "updated": 0, "deactivated": 0}
    now = utcnow()
    for name, (geometry, active) in parsed.items():
        zone = existing.get(name)
        if zone is None:
            db.session.add(Zone(name=name, geometry=geometry, active=active))
            counts["created"] += 1
        else:
            zone.geometry, zone.active, zone.updated_at = geometry, active, now
            counts["updated"] += 1
    if replace:
        for name, zone in existing.items():
            if name not in parsed and zone.active:
                zone.active, zone.updated_at = False, now
                counts["deactivated"] += 1
    db.session.flush()
    return counts


def export_zones() -> dict:
    """Every zone as a GeoJSON FeatureCollection (``[lon, lat]``, RFC 7946)."""
    zones = db.session.scalars(select(Zone).order_by(Zone.name)).all()
    return {"type": "FeatureCollection", "features": [feature(z) for z in zones]}


def feature(zone: Zone) -> dict:
    return {"type": "Feature", "id": zone.id, "geometry": zone.geometry,
            "properties": {"name": zone.name, "active": zone.active}}
