"""What a coop publishes to its partners at ``/.well-known/courier-coop``: its name, its
service zone (GeoJSON), the work it takes (vehicles and what they carry, hours) and its
price list for partners (the coop's pricing rules in force: a partner's job is priced as
a shop's). Also: reading a partner's, and whether a point lies in its published zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import func, select

from courier import settings
from courier.extensions import db
from courier.federation import config, transport
from courier.models import Courier, Partner, User, Vehicle, Zone, utcnow
from courier.shops import partner_zones, pricing

PROTOCOL = "courier-federation/1"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def our_url() -> str:
    """Where partners reach us: ``PUBLIC_URL``, else the host this request came to."""
    url = current_app.config.get("PUBLIC_URL")
    if not url and has_request_context():
        url = request.host_url
    return (url or "").rstrip("/")


def _zone() -> dict:
    zones = db.session.scalars(select(Zone).where(Zone.active.is_(True))
                               .order_by(Zone.name)).all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": z.geometry, "properties": {"name": z.name}}
        for z in zones]}


def _vehicles() -> list[dict]:
    rows = db.session.execute(
        select(Courier.vehicle, func.max(Courier.capacity_kg), func.max(Courier.capacity_l))
        .join(User, Courier.user_id == User.id).where(User.active.is_(True))
        .group_by(Courier.vehicle)).all()
    return [{"kind": Vehicle(v).value, "max_kg": kg, "max_l": litres}
            for v, kg, litres in sorted(rows, key=lambda r: str(r[0]))]


def price_list(now: datetime | None = None) -> dict:
    """The prices a partner pays: the coop's pricing rules in force (as shops pay)."""
    version = pricing.current_version(now)
    if version is None:
        cfg = current_app.config
        return {"currency": "EUR", "version": None, "strategy": "default",
                "base_cents": cfg["PRICE_BASE_CENTS"], "per_km_cents": cfg["PRICE_PER_KM_CENTS"]}
    return {"currency": version.rules.get("currency", "EUR"), "version": version.version,
            "strategy": version.strategy, "rules": version.rules["rules"],
            "minimum_cents": version.rules.get("minimum_cents", 0)}


def ours() -> dict:
    """Our published profile (the body of ``/.well-known/courier-coop``)."""
    vehicles = _vehicles()
    return {
        "protocol": PROTOCOL, "name": settings.get("name") or "", "city": settings.get("city")
        or "", "url": our_url(), "timezone": current_app.config["COOP_TIMEZONE"],
        "zone": _zone(),
        "takes": {"vehicles": vehicles,
                  "max_weight_kg": max((v["max_kg"] for v in vehicles), default=None),
                  "max_volume_l": max((v["max_l"] for v in vehicles), default=None),
                  "hours": config.get()["hours"]},
        "prices": price_list(),
        "endpoints": {"connect": "/federation/v1/connect", "handoffs": "/federation/v1/handoffs",
                      "messages": "/federation/v1/messages"},
    }


def within_hours(hours: dict | None, at: datetime, tz: str) -> bool:
    """Whether ``at`` falls in published ``hours`` (None: any time)."""
    if not hours:
        return True
    local = at.astimezone(ZoneInfo(tz))
    if DAYS[local.weekday()] not in hours.get("days", DAYS):
        return False
    minute = local.hour * 60 + local.minute
    lo = int(hours["from"][:2]) * 60 + int(hours["from"][3:])
    hi = int(hours["to"][:2]) * 60 + int(hours["to"][3:])
    return lo <= minute < hi if lo < hi else (minute >= lo or minute < hi)


def refresh(partner: Partner) -> None:
    """Read the partner's published profile again (raises transport.Unreachable)."""
    answer = transport.get_profile(partner.base_url)
    if not answer.ok:
        raise transport.Unreachable(f"{partner.base_url} answered HTTP {answer.status}")
    store(partner, answer.data)


def store(partner: Partner, doc: dict) -> None:
    zone = doc.get("zone")
    partner.zone = zone if isinstance(zone, dict) else None
    partner.terms = {"takes": doc.get("takes") or {}, "prices": doc.get("prices") or {},
                     "timezone": doc.get("timezone") or "UTC", "city": doc.get("city") or ""}
    partner.name = str(doc.get("name") or partner.name or partner.base_url)[:120]
    partner.profile_at = utcnow()


def covers(partner: Partner, lat: float, lon: float) -> bool:
    """Whether the point is inside the partner's published zone (boundary included)."""
    return partner_zones.covers(partner, lat, lon)


def takes(partner: Partner, weight_kg: float, volume_l: float) -> bool:
    """Whether the partner says it carries such a load."""
    takes = (partner.terms or {}).get("takes") or {}
    vehicles = takes.get("vehicles") or []
    if not vehicles:
        return True  # nothing published: the partner decides when asked
    return any((v.get("max_kg") or 0) >= weight_kg and (v.get("max_l") or 0) >= volume_l
               for v in vehicles)
