"""Carrying a job for a partner coop (our side, ``in``): an ask is checked (partnership,
credit, hours, zone, load, price), and either refused with a reason — nothing is made —
or accepted: the job is made here, an ordinary job of the partner's shop account that
our own dispatch plans, priced by our list. An ask is idempotent by its key: asked again,
the same answer. A partner may withdraw an ask (after its timeout): the job is cancelled
here if our courier has not picked it up yet."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from courier.db import insert_row
from courier.dispatch import capacity
from courier.dispatch.operations import cancel_job
from courier.errors import DomainError
from courier.extensions import db
from courier.federation import config, ledger, log, partners, profile
from courier.federation.inbound import Refused
from courier.journal import announce_job, record
from courier.models import Handoff, HandoffStatus, Job, JobStatus, Partner, PartnerStatus, utcnow
from courier.shops import fleet
from courier.shops.intake import describe
from courier.shops.pricing import in_force_columns, price_for, route_km
from courier.shops.rules import DAYS, Facts
from courier.shops.zones import STAMP_COLUMNS, current_index

WITHDRAWABLE = (JobStatus.PENDING, JobStatus.OFFERED, JobStatus.ACCEPTED)


def _bad(field: str, why: str) -> Refused:
    return Refused(422, "invalid_body", f"invalid {field}: {why}", {field: why})


def _num(v, field: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
        raise _bad(field, f"a number from {lo:g} to {hi:g}")
    return float(v)


def _place(v, field: str) -> dict:
    if not isinstance(v, dict):
        raise _bad(field, "an object with lat, lon and address")
    return {"lat": _num(v.get("lat"), f"{field}.lat", -90, 90),
            "lon": _num(v.get("lon"), f"{field}.lon", -180, 180),
            "address": str(v.get("address") or "")[:255]}


def _time(v, field: str) -> datetime:
    try:
        dt = datetime.fromisoformat(str(v))
    except ValueError:
        raise _bad(field, "an ISO 8601 time with its offset") from None
    if dt.tzinfo is None:
        raise _bad(field, "an ISO 8601 time with its offset")
    return dt


def _cents(v, field: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 10**9:
        raise _bad(field, "whole cents, 0 or more")
    return v


def parse(data: dict) -> dict:
    """The ask's fields, checked (raises Refused naming the field)."""
    key = data.get("idempotency_key")
    if not isinstance(key, str) or not 8 <= len(key) <= 80:
        raise _bad("idempotency_key", "a string of 8 to 80 characters")
    job = data.get("job")
    if not isinstance(job, dict):
        raise _bad("job", "an object")
    recipient = job.get("recipient") if isinstance(job.get("recipient"), dict) else {}
    leg = data.get("leg", "whole")
    if leg not in ("whole", "first", "second"):
        raise _bad("leg", "whole, first or second")
    out = {"key": key, "leg": leg, "ref": str(job.get("ref") or "")[:64],
           "pickup": _place(job.get("pickup"), "job.pickup"),
           "dropoff": _place(job.get("dropoff"), "job.dropoff"),
           "ready_at": _time(job.get("ready_at"), "job.ready_at"),
           "deliver_by": _time(job.get("deliver_by"), "job.deliver_by"),
           "weight_kg": _num(job.get("weight_kg", 0), "job.weight_kg", 0, 1000),
           "volume_l": _num(job.get("volume_l", 0), "job.volume_l", 0, 5000),
           "recipient_name": str(recipient.get("name") or "")[:120],
           "recipient_phone": str(recipient.get("phone") or "")[:40],
           "notes": str(job.get("notes") or "")[:2000], "shop": str(job.get("shop") or "")[:80],
           "price_cents": _cents(data.get("price_cents"), "price_cents"),
           "max_price_cents": _cents(data.get("max_price_cents"), "max_price_cents")}
    if not out["ref"]:
        raise _bad("job.ref", "the asking coop's id of the job")
    if out["deliver_by"] <= out["ready_at"]:
        raise _bad("job.deliver_by", "after job.ready_at")
    if out["deliver_by"] <= utcnow():
        raise _bad("job.deliver_by", "in the future")
    return out


def _accepted(h: Handoff) -> dict:
    return {"status": "accepted", "handoff": h.idempotency_key, "price_cents": h.price_cents,
            "currency": profile.price_list().get("currency", "EUR"),
            "job_ref": str(h.job_id), "accepted_at": h.answered_at.isoformat()}


def _check_partner(partner: Partner) -> None:
    if partner.status != PartnerStatus.ACTIVE:
        raise Refused(409, f"partnership_{partner.status.value}",
                      f"the partnership is {partner.status.value}: no new hand-off")


def _settings(now: datetime, kg: float, litres: float) -> tuple:
    """The zones' stamp, the pricing version in force, what our vehicles carry (one trip)."""
    row = db.session.execute(select(*STAMP_COLUMNS, *in_force_columns(now),
                                    *fleet.columns(now, kg, litres))).one()
    return tuple(row[:3]), (None if row[3] is None else (row[3], row[4])), tuple(row[5:])


def _price(partner: Partner, a: dict, now: datetime) -> tuple[int, dict]:
    """Our list price for the job, after the zone and load checks (raises Refused)."""
    stamp, in_force, vehicles = _settings(now, a["weight_kg"], a["volume_l"])
    index = current_index(stamp)
    at_pick = index.at(a["pickup"]["lon"], a["pickup"]["lat"])
    at_drop = index.at(a["dropoff"]["lon"], a["dropoff"]["lat"])
    if not index.empty and not at_drop:
        raise Refused(422, "outside_zone", "the drop-off is outside our service zone",
                      {"job.dropoff": "outside our service zone"})
    if not (index.empty or at_pick
            or profile.covers(partner, a["pickup"]["lat"], a["pickup"]["lon"])):
        raise Refused(422, "outside_zone", "the pickup is outside our zone and yours",
                      {"job.pickup": "outside both coops' zones"})
    try:
        fleet.check(vehicles, a["weight_kg"], a["volume_l"], "job.weight_kg", "job.volume_l")
    except DomainError as err:
        raise Refused(409, "cannot_carry", err.message, err.fields) from None
    local = a["ready_at"].astimezone(ZoneInfo(current_app.config["COOP_TIMEZONE"]))
    facts = Facts(distance_km=route_km([(a["pickup"]["lat"], a["pickup"]["lon"]),
                                        (a["dropoff"]["lat"], a["dropoff"]["lon"])]),
                  weight_kg=a["weight_kg"], volume_l=a["volume_l"],
                  urgency_minutes=(a["deliver_by"] - a["ready_at"]).total_seconds() / 60,
                  dropoffs=1, pickup_zones=at_pick, dropoff_zones=(at_drop,),
                  weekday=DAYS[local.weekday()], minute=local.hour * 60 + local.minute)
    try:
        price = price_for(facts, now, in_force)
    except DomainError as err:
        raise Refused(409, "no_price", err.message) from None
    return price.cents, {**price.breakdown(), "facts": describe(facts), "parts": 1}


def take(partner: Partner, data: dict, now: datetime | None = None) -> tuple[int, dict]:
    """Answer an ask: ``(201, acceptance)``, the same acceptance again for its key
    (200), or raise Refused (nothing made)."""
    now = now or utcnow()
    a = parse(data)
    known = db.session.scalars(select(Handoff).where(
        Handoff.partner_id == partner.id, Handoff.direction == "in",
        Handoff.idempotency_key == a["key"])).first()
    if known is not None:
        if known.status == HandoffStatus.CANCELLED:
            raise Refused(409, "withdrawn", "this hand-off was withdrawn by your coop")
        return 200, _accepted(known)
    _check_partner(partner)
    if not profile.within_hours(config.get()["hours"], a["ready_at"],
                                current_app.config["COOP_TIMEZONE"]):
        raise Refused(409, "outside_hours", "we do not take jobs from partners at that time")
    price, breakdown = _price(partner, a, now)
    if a["price_cents"] is not None and a["price_cents"] > price:
        raise Refused(422, "price_above_list", f"{a['price_cents']} cents is above our list "
                      f"price for this job ({price} cents)", {"price_cents": "above our list"},
                      list_price_cents=price)
    if a["price_cents"] is not None and a["price_cents"] < price:
        raise Refused(409, "price_below_list", f"our list price for this job is {price} cents",
                      {"price_cents": "below our list"}, list_price_cents=price)
    if a["max_price_cents"] is not None and price > a["max_price_cents"]:
        raise Refused(409, "price_above_max", f"our list price for this job is {price} cents, "
                      f"above your {a['max_price_cents']}", list_price_cents=price)
    ok, why = ledger.may_hand_off(partner, direction="in", amount_cents=price)
    if not ok:
        raise Refused(409, "credit_limit", why)
    if config.get()["accept_only_in_time"]:
        _check_in_time(a, now)
    return 201, _accepted(_make(partner, a, price, breakdown, now))


def _check_in_time(a: dict, now: datetime) -> None:
    """Refuse (409 ``no_courier_in_time``) a job none of our couriers can deliver in its
    window (:func:`courier.dispatch.capacity.can_serve`), saying the soonest we could."""
    verdict = capacity.can_serve(capacity.JobFacts(
        pickup_lat=a["pickup"]["lat"], pickup_lon=a["pickup"]["lon"],
        dropoff_lat=a["dropoff"]["lat"], dropoff_lon=a["dropoff"]["lon"],
        ready_at=a["ready_at"], deliver_by=a["deliver_by"], weight_kg=a["weight_kg"],
        volume_l=a["volume_l"]), now)
    if verdict.ok:
        return
    tz = ZoneInfo(current_app.config["COOP_TIMEZONE"])
    by = f"{a['deliver_by'].astimezone(tz):%H:%M %Z}"
    if verdict.soonest is not None:
        said = (f"none of our couriers can deliver it by {by}: the soonest would arrive at "
                f"{verdict.soonest.astimezone(tz):%H:%M %Z}")
    elif verdict.weighed:
        said = (f"no courier of ours on shift or booked ({verdict.weighed} weighed) can "
                f"take it by {by} ("
                f"{', '.join(f'{k}: {n}' for k, n in sorted(verdict.stopped.items()))})")
    else:
        said = f"no courier of ours is on shift or booked before {by}"
    raise Refused(409, "no_courier_in_time", said, **verdict.figures)


def _make(partner: Partner, a: dict, price: int, breakdown: dict, now: datetime) -> Handoff:
    merchant = partners.merchant_for(partner)
    notes = " — ".join(x for x in (f"{partner.name}: {a['shop']}" if a["shop"] else
                                   partner.name, a["notes"]) if x)
    job = insert_row(Job, {
        "merchant_id": merchant.id, "status": JobStatus.PENDING, "created_at": now,
        "pickup_lat": a["pickup"]["lat"], "pickup_lon": a["pickup"]["lon"],
        "pickup_address": a["pickup"]["address"], "dropoff_lat": a["dropoff"]["lat"],
        "dropoff_lon": a["dropoff"]["lon"], "dropoff_address": a["dropoff"]["address"],
        "ready_at": a["ready_at"], "deliver_by": a["deliver_by"], "weight_kg": a["weight_kg"],
        "volume_l": a["volume_l"], "recipient_name": a["recipient_name"],
        "recipient_phone": a["recipient_phone"], "notes": notes[:2000],
        "price_cents": price, "pricing_version": breakdown.get("version"),
        "price_breakdown": breakdown, "idempotency_key": a["key"]})
    handoff = Handoff(partner_id=partner.id, job_id=job.id, direction="in",
                      idempotency_key=a["key"], remote_ref=a["ref"], price_cents=price,
                      status=HandoffStatus.ACCEPTED, leg=a["leg"], answered_at=now,
                      remote_status="pending")
    db.session.add(handoff)
    db.session.flush()
    record(merchant.user, "job", "created", job=job, to_status=JobStatus.PENDING,
           reason=f"handed to us by partner coop {partner.name}",
           data={"partner": partner.name, "handoff": a["key"], "price_cents": price})
    ledger.record_handoff(handoff)
    announce_job(job)
    return handoff


def withdraw(partner: Partner, data: dict) -> dict:
    """The asking coop withdraws an ask (it timed out there) or a hand-off: cancel our job
    if it is not on a bike yet; else say where it is (the asking coop keeps it as ours)."""
    key = data.get("handoff")
    if not isinstance(key, str) or not key:
        raise _bad("handoff", "the hand-off's idempotency key")
    h = db.session.scalars(select(Handoff).where(
        Handoff.partner_id == partner.id, Handoff.direction == "in",
        Handoff.idempotency_key == key)).first()
    if h is None:  # never arrived (or not yet): a late ask with this key is refused
        db.session.add(Handoff(partner_id=partner.id, direction="in", idempotency_key=key[:80],
                               status=HandoffStatus.CANCELLED, reason="withdrawn before it "
                               "arrived"))
        log.note(None, "handoff_withdrawn", partner, "withdrawn before it arrived",
                 {"handoff": key})
        return {"withdrawn": True, "found": False}
    job = h.job
    if h.status == HandoffStatus.CANCELLED or job is None:
        return {"withdrawn": True, "found": job is not None}
    if job.status in WITHDRAWABLE and h.status == HandoffStatus.ACCEPTED:
        why = str(data.get("reason") or "")[:300]
        cancel_job(job.merchant.user, job, f"withdrawn by partner coop {partner.name}"
                   + (f": {why}" if why else ""))
        h.status, h.reason = HandoffStatus.CANCELLED, "withdrawn by the asking coop"
        ledger.record_reversal(h, "withdrawn by the asking coop")
        return {"withdrawn": True, "found": True}
    return {**_accepted(h), "withdrawn": False, "found": True, "job_status": job.status.value}
