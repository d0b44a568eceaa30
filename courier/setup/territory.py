"""Starting a coop on a new territory: its name and city, its service zone, the
rules its council starts from, and its first council member, in one transaction
on an empty database (:func:`initialise`, behind ``courier init``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from geopy.distance import distance
from sqlalchemy import func, select

from courier import settings
from courier.accounts import create_user
from courier.errors import Conflict, InvalidInput
from courier.extensions import db
from courier.fairwork import rules as R
from courier.fairwork.models import RulesVersion
from courier.fairwork.versions import EPOCH
from courier.models import User, utcnow
from courier.setup import templates
from courier.shops.zones import create_zone, import_zones

CIRCLE_POINTS = 64


@dataclass
class Territory:
    name: str
    city: str
    zone: dict  # a GeoJSON geometry, Feature or FeatureCollection ([lon, lat])
    rules: str  # a template name or a JSON file of changes
    council_name: str
    council_email: str
    council_password: str
    center: tuple[float, float] | None = None  # lat, lon
    open_data: bool = False


def circle(lat: float, lon: float, radius_km: float) -> dict:
    """A GeoJSON Polygon approximating the circle of ``radius_km`` around a point."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("the centre is out of range", {"center": "out of range"})
    if not 0.1 <= radius_km <= 200:
        raise InvalidInput("the radius is 0.1 to 200 km", {"radius_km": "0.1 to 200"})
    ring = []
    for i in range(CIRCLE_POINTS):
        p = distance(kilometers=radius_km).destination((lat, lon), bearing=360 * i / CIRCLE_POINTS)
        ring.append([round(p.longitude, 6), round(p.latitude, 6)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _centre_of(geometry: dict) -> tuple[float, float]:
    from shapely.geometry import shape

    p = shape(geometry).representative_point()
    return round(p.y, 6), round(p.x, 6)


def _zone(t: Territory) -> tuple[float, float] | None:
    doc = t.zone
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        import_zones(None, doc)
        first = next((f.get("geometry") for f in doc.get("features") or []), None)
        return t.center or (_centre_of(first) if first else None)
    geometry = doc.get("geometry") if isinstance(doc, dict) and doc.get("type") == "Feature" \
        else doc
    zone = create_zone(None, {"name": t.city[:80], "geometry": geometry})
    return t.center or _centre_of(zone.geometry)


def initialise(t: Territory) -> dict:
    """Set the territory up; refuses a database that already has users or rules."""
    for field_, value in (("name", t.name), ("city", t.city), ("council_name", t.council_name),
                          ("council_email", t.council_email)):
        if not (value or "").strip():
            raise InvalidInput(f"{field_} is required", {field_: "required"})
    if len(t.council_password or "") < 8:
        raise InvalidInput("the council member's password needs 8 characters at least",
                           {"council_password": "8 characters at least"})
    if db.session.scalar(select(func.count()).select_from(User)) or \
            db.session.scalar(select(func.count()).select_from(RulesVersion)):
        raise Conflict("this database is already in use: courier init sets up a new one",
                       {"database": "not empty"})
    label, doc = templates.load(t.rules)
    db.session.add(RulesVersion(number=1, reason=f"courier init: rules template {label}",
                                effective_from=EPOCH, rules=doc, diff=R.diff(None, doc)))
    center = _zone(t)
    council = create_user("council", t.council_name, t.council_email, t.council_password)
    now = utcnow()
    for key, value in (("name", t.name.strip()), ("city", t.city.strip()),
                       ("center", list(center) if center else None),
                       ("open_data", bool(t.open_data)), ("initialised_at", now.isoformat())):
        settings.put(key, value)
    db.session.flush()
    return {"council": council, "rules": label, "center": center}


def parse_center(text: str) -> tuple[float, float]:
    """``"45.76,4.84"`` -> ``(45.76, 4.84)`` (latitude first, as people write it)."""
    try:
        lat, lon = (float(x) for x in text.replace(" ", "").split(","))
    except ValueError:
        raise InvalidInput("give the centre as LAT,LON, e.g. 45.764,4.836",
                           {"center": "LAT,LON"}) from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidInput("the centre is not a position", {"center": "LAT,LON"})
    return lat, lon
