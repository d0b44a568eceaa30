"""From what a shop sends to a delivery the coop can take: places found (the
shop's own location, given coordinates, or geocoded addresses), the time window
(explicit, a booked slot, or the default), the stops checked against the service
zones, and the price under the rules in force. Quotes and submissions share it,
so a quote is exactly what the submission would cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, select

from courier.errors import InvalidInput
from courier.extensions import db
from courier.models import Merchant
from courier.shops import fleet, geocoding, partner_zones, slots
from courier.shops.pricing import Price, in_force_columns, price_for, route_km
from courier.shops.rules import DAYS, Facts
from courier.shops.zones import STAMP_COLUMNS, check_in_service, current_index


@dataclass
class Part:
    """One drop-off of a delivery, with what is carried there."""

    dropoff: dict  # lat, lon, address
    weight_kg: float = 0.0
    volume_l: float = 0.0
    recipient: dict = field(default_factory=dict)
    notes: str = ""


@dataclass
class Delivery:
    pickup: dict
    parts: list[Part]
    ready_at: datetime
    deliver_by: datetime
    slot: str | None
    facts: Facts
    price: Price

    def shares(self) -> list[int]:
        """The price split over the parts (cents; the first part takes the remainder)."""
        n = len(self.parts)
        base, rest = divmod(self.price.cents, n)
        return [base + rest] + [base] * (n - 1)

    def job_fields(self) -> list[dict]:
        """The columns of each part's job; the price is fixed here, once."""
        breakdown = {**self.price.breakdown(), "facts": describe(self.facts),
                     "parts": len(self.parts)}
        return [dict(
            pickup_lat=self.pickup["lat"], pickup_lon=self.pickup["lon"],
            pickup_address=self.pickup["address"] or "",
            dropoff_lat=part.dropoff["lat"], dropoff_lon=part.dropoff["lon"],
            dropoff_address=part.dropoff["address"] or "",
            ready_at=self.ready_at, deliver_by=self.deliver_by, slot=self.slot,
            weight_kg=part.weight_kg, volume_l=part.volume_l,
            recipient_name=part.recipient.get("name") or "",
            recipient_phone=part.recipient.get("phone") or "", notes=part.notes,
            recipient_email=part.recipient.get("email") or None,
            recipient_lang=part.recipient.get("language"),
            recipient_code=part.recipient.get("code") or None,
            price_cents=share, pricing_version=self.price.version,
            price_breakdown={**breakdown, "share_cents": share},
        ) for part, share in zip(self.parts, self.shares(), strict=True)]


def _place(given: dict | None, path: str) -> dict:
    given = given or {}
    if "lat" in given and "lon" in given:
        return {"lat": given["lat"], "lon": given["lon"], "address": given.get("address") or ""}
    found = geocoding.geocode(given.get("address") or "", f"{path}.address")
    return {"lat": found.lat, "lon": found.lon,
            "address": given.get("address") or found.label}


def _pickup(merchant: Merchant | None, given: dict | None) -> dict:
    """Given coordinates; else the shop's location (unless another address is
    given, which is then geocoded); else the address, geocoded."""
    given = given or {}
    if "lat" in given:
        return _place(given, "pickup")
    own = merchant is not None and merchant.lat is not None
    address = given.get("address") or ""
    if own and (not address or geocoding.normalise(address) == geocoding.normalise(
            merchant.address or "")):
        return {"lat": merchant.lat, "lon": merchant.lon,
                "address": address or merchant.address}
    if not address and not own:
        raise InvalidInput("this shop has no location: give a pickup",
                           {"pickup": "required: the shop has no location"})
    return _place(given, "pickup")


def _parts(data: dict) -> list[Part]:
    if data.get("dropoffs"):
        limit = current_app.config["MAX_DROPOFFS"]
        if len(data["dropoffs"]) > limit:
            raise InvalidInput(f"at most {limit} drop-offs in one delivery",
                               {"dropoffs": f"at most {limit}"})
        return [Part(_place(d, f"dropoffs[{i}]"), d.get("weight_kg") or 0.0,
                     d.get("volume_l") or 0.0, d.get("recipient") or {}, d.get("notes") or "")
                for i, d in enumerate(data["dropoffs"])]
    if not data.get("dropoff"):
        raise InvalidInput("a dropoff is required", {"dropoff": "required"})
    return [Part(_place(data["dropoff"], "dropoff"), data.get("weight_kg") or 0.0,
                 data.get("volume_l") or 0.0, data.get("recipient") or {},
                 data.get("notes") or "")]


def _window(merchant: Merchant | None, data: dict, now: datetime):
    if data.get("slot"):
        if "ready_at" in data or "deliver_by" in data:
            raise InvalidInput("give a slot or ready_at/deliver_by, not both",
                               {"slot": "not with ready_at or deliver_by"})
        if merchant is None:
            raise InvalidInput("only a shop's jobs can name a slot", {"slot": "shops only"})
        chosen = slots.resolve(merchant, data["slot"], now)
        return chosen.start, chosen.end, chosen.id
    ready_at = data.get("ready_at") or now
    minutes = current_app.config["DEFAULT_DELIVERY_MINUTES"]
    deliver_by = data.get("deliver_by") or ready_at + timedelta(minutes=minutes)
    if deliver_by <= ready_at:
        raise InvalidInput("deliver_by must be after ready_at",
                           {"deliver_by": "must be after ready_at"})
    if deliver_by <= now:
        raise InvalidInput("deliver_by is already past", {"deliver_by": "must be in the future"})
    return ready_at, deliver_by, None


def prepare(merchant: Merchant | None, data: dict, now: datetime) -> Delivery:
    """Everything a submission or a quote needs, checked; raises DomainError otherwise."""
    ready_at, deliver_by, slot = _window(merchant, data, now)
    pickup = _pickup(merchant, data.get("pickup"))
    parts = _parts(data)
    weight_kg, volume_l = sum(p.weight_kg for p in parts), sum(p.volume_l for p in parts)
    stamp, in_force, vehicles = _settings(now, weight_kg, volume_l)
    index = current_index(stamp)
    single = len(parts) == 1 and not data.get("dropoffs")
    stops = [("pickup", pickup["lat"], pickup["lon"], pickup["address"])]
    stops += [("dropoff" if single else f"dropoffs[{i}]", p.dropoff["lat"], p.dropoff["lon"],
               p.dropoff["address"]) for i, p in enumerate(parts)]
    found = [index.at(lon, lat) for _, lat, lon, _ in stops]
    check_in_service(stops, index, found, beyond=partner_zones.handed_beyond)
    fleet.check(vehicles, weight_kg, volume_l, *(("weight_kg", "volume_l") if single
                                                 else ("dropoffs", "dropoffs")))
    local = ready_at.astimezone(ZoneInfo(current_app.config["COOP_TIMEZONE"]))
    facts = Facts(
        distance_km=route_km([(lat, lon) for _, lat, lon, _ in stops]),
        weight_kg=weight_kg, volume_l=volume_l,
        urgency_minutes=(deliver_by - ready_at).total_seconds() / 60, dropoffs=len(parts),
        pickup_zones=found[0], dropoff_zones=tuple(found[1:]),
        weekday=DAYS[local.weekday()], minute=local.hour * 60 + local.minute)
    return Delivery(pickup, parts, ready_at, deliver_by, slot, facts,
                    price_for(facts, now, in_force))


_SETTINGS = select(*STAMP_COLUMNS, *in_force_columns(bindparam("now")),
                   *fleet.columns(bindparam("now"), bindparam("kg"), bindparam("l")))


def _settings(now: datetime, weight_kg: float, volume_l: float) -> tuple:
    """The zones' stamp, the pricing version in force and what the coop's vehicles can
    carry (:mod:`courier.shops.fleet`), read in one round trip (this runs on every
    submission and quote)."""
    row = db.session.connection().execute(
        _SETTINGS, {"now": now, "kg": weight_kg, "l": volume_l}).one()
    return tuple(row[:3]), (None if row[3] is None else (row[3], row[4])), tuple(row[5:])


def describe(facts: Facts) -> dict:
    """The facts a price was computed from, as shown in quotes and breakdowns."""
    return {"distance_km": round(facts.distance_km, 3), "weight_kg": facts.weight_kg,
            "volume_l": facts.volume_l, "urgency_minutes": round(facts.urgency_minutes, 1),
            "dropoffs": facts.dropoffs, "pickup_zones": sorted(facts.pickup_zones),
            "dropoff_zones": [sorted(z) for z in facts.dropoff_zones],
            "weekday": facts.weekday, "time": f"{facts.minute // 60:02d}:{facts.minute % 60:02d}"}


def quote(user, data: dict, now: datetime | None = None) -> Delivery:
    """What a delivery would cost if submitted now (nothing is created).

    A shop's quote starts from its own location; dispatch and the council quote
    for any pickup they give.
    """
    from courier.errors import Forbidden
    from courier.models import Role, utcnow

    if user.role == Role.MERCHANT:
        merchant = user.merchant
    elif user.role in (Role.DISPATCHER, Role.COUNCIL):
        merchant = None
    else:
        raise Forbidden("quotes are for shops, dispatch and the council")
    return prepare(merchant, data, now or utcnow())
