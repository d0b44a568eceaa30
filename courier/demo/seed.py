"""Seed the demo city: shops, couriers (one left for you to play), dispatch, council,
and the coop set up as ``courier init`` and the council would have it (name and city, a
service zone around the city, pricing rules), so that its ``/setup`` page lists no
required step left."""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import exists, select

from courier import settings
from courier.accounts import create_user
from courier.extensions import db
from courier.models import PricingVersion, Role, User, Zone
from courier.setup.territory import circle
from courier.shops import pricing
from courier.shops.zones import create_zone

# The demo's city: Lyon, or another of this folder's (COURIER_DEMO_CITY=villeurbanne: the
# neighbouring coop of `courier demo --federation`).
CITY_FILE = os.environ.get("COURIER_DEMO_CITY", "lyon")
CITY = json.loads((Path(__file__).parent / f"{Path(CITY_FILE).name}.json").read_text(
    encoding="utf-8"))
PASSWORD = "demo"
RADIUS_KM = 10  # every place, shop and courier of the demo is within 4 km of the centre


def seed() -> list[tuple[str, str]]:
    """Create the demo users that do not exist yet, and whatever the coop's set-up still
    lacks. Returns (role, email) to log in with."""
    logins = []
    for shop in CITY["shops"]:
        _ensure("merchant", shop["name"], shop["email"], lat=shop["lat"], lon=shop["lon"],
                address=shop["address"])
        logins.append(("merchant", shop["email"]))
    for c in CITY["couriers"]:
        _ensure("courier", c["name"], c["email"], lat=c["lat"], lon=c["lon"], vehicle=c["vehicle"])
        if not c["simulated"]:
            logins.append(("courier", c["email"]))
    for s in CITY["staff"]:
        _ensure(s["role"], s["name"], s["email"])
        logins.append((s["role"], s["email"]))
    _set_up()
    db.session.commit()
    return logins


def _ensure(role: str, name: str, email: str, **kw) -> User:
    user = db.session.scalars(select(User).where(User.email == email)).first()
    return user or create_user(role, name, email, PASSWORD, **kw)


def centre() -> tuple[float, float]:
    """The middle of the demo's places, shops and couriers (lat, lon)."""
    points = [(p["lat"], p["lon"]) for key in ("places", "shops", "couriers")
              for p in CITY[key]]
    return (round(sum(p[0] for p in points) / len(points), 6),
            round(sum(p[1] for p in points) / len(points), 6))


def _set_up() -> None:
    """The coop's name and city, a service zone and pricing rules, each only if missing
    (a demo database keeps what its council changed). The price rule is the app's
    default price, so that the demo's prices are those it always had."""
    lat, lon = centre()
    if not settings.get("name"):
        settings.put("name", CITY.get("coop", "Courier Lyon (demo)"))
    if not settings.get("city"):
        settings.put("city", CITY["city"])
    if settings.get("center") is None:
        settings.put("center", [lat, lon])
    if not db.session.scalar(select(exists().where(Zone.active.is_(True)))):
        create_zone(None, {"name": CITY["city"], "geometry": circle(lat, lon, RADIUS_KM)})
    if not db.session.scalar(select(exists(select(PricingVersion.id)))):
        council = db.session.scalars(select(User).where(User.role == Role.COUNCIL)
                                     .order_by(User.id)).first()
        cfg = current_app.config
        price = {"fixed_cents": cfg["PRICE_BASE_CENTS"], "per_km_cents": cfg["PRICE_PER_KM_CENTS"]}
        pricing.publish(council, {"strategy": "first_match", "rules": [
            {"name": "base price and per started km", "price": price}]},
            "demo: the base price and a price per started km")
    db.session.flush()
