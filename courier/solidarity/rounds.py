"""Food hubs' rounds: producers, recurring schedules, one-off rounds, and their
release into jobs that dispatch plans like any other.

A collection round becomes one job per producer (producer -> hub), all in one
group: the optimiser gives the whole round to one courier or to nobody, and the
capacities hold along the way (the courier may drop at the hub mid-round). A
distribution round becomes one job per order (hub -> household), each in its
order's slot, spread over couriers by capacity like any other work. Rounds of a
solidarity schedule are free, served before paid work and private
(:mod:`.privacy`).

Rounds of schedules are made a week ahead (:func:`plan_ahead`); each is released
at its cut-off (:func:`release_due`), both run by the dispatch loop.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courier.db import compare_and_set
from courier.errors import Conflict, DomainError, Forbidden, InvalidInput
from courier.extensions import db
from courier.fairwork.tracking import timezone
from courier.journal import announce_job, record
from courier.models import Job, JobStatus, Merchant, MerchantKind, Role, User, utcnow
from courier.shops.intake import prepare
from courier.shops.zones import check_in_service
from courier.solidarity.deliveries import place
from courier.solidarity.dispatching import PAID, ROUND
from courier.solidarity.models import (
    Producer,
    Round,
    RoundKind,
    RoundOrder,
    RoundSchedule,
    RoundStatus,
)

AHEAD_DAYS = 7
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def hub_of(user: User) -> Merchant:
    if user.role != Role.MERCHANT or user.merchant is None \
            or user.merchant.kind != MerchantKind.HUB:
        raise Forbidden("only a food hub has producers and rounds")
    if user.merchant.lat is None:
        raise InvalidInput("the hub has no location: set it first", {"hub": "no location"})
    return user.merchant


def parse_hhmm(value, field: str) -> time:
    m = HHMM.match(value or "") if isinstance(value, str) else None
    if not m:
        raise InvalidInput(f"{field}: give a time as HH:MM", {field: "HH:MM"})
    return time(int(m.group(1)), int(m.group(2)))


def create_producer(user: User, data: dict) -> Producer:
    hub = hub_of(user)
    if db.session.scalar(select(Producer.id).where(Producer.hub_id == hub.id,
                                                   Producer.name == data["name"])):
        raise Conflict(f"a producer named {data['name']!r} exists already", {"name": "taken"})
    where = place(data, "producer")
    check_in_service([("address", where["lat"], where["lon"], where["address"])])
    producer = Producer(hub_id=hub.id, name=data["name"], address=where["address"],
                        lat=where["lat"], lon=where["lon"],
                        default_kg=data.get("default_kg", 0.0),
                        default_l=data.get("default_l", 0.0))
    db.session.add(producer)
    db.session.flush()
    return producer


def _own_producers(hub: Merchant, ids: list[int], field: str = "producer_ids") -> list[Producer]:
    rows = db.session.scalars(select(Producer).where(
        Producer.hub_id == hub.id, Producer.id.in_(ids or [-1]), Producer.active.is_(True))).all()
    missing = sorted(set(ids) - {p.id for p in rows})
    if missing:
        raise InvalidInput(f"not producers of this hub: {missing}", {field: f"unknown: {missing}"})
    return sorted(rows, key=lambda p: ids.index(p.id))


def _check_kind(data: dict) -> None:
    if data["kind"] == RoundKind.COLLECT and not data.get("producer_ids"):
        raise InvalidInput("a collection round needs producers", {"producer_ids": "required"})
    if data["kind"] == RoundKind.DISTRIBUTE and data.get("producer_ids"):
        raise InvalidInput("a distribution round takes orders, not producers",
                           {"producer_ids": "only for collection rounds"})


def create_schedule(user: User, data: dict) -> RoundSchedule:
    """A recurring round; its rounds appear a week ahead, by themselves."""
    hub = hub_of(user)
    _check_kind(data)
    start, end = parse_hhmm(data["start"], "start"), parse_hhmm(data["end"], "end")
    if end <= start:
        raise InvalidInput("end must be after start", {"end": "must be after start"})
    ids = [p.id for p in _own_producers(hub, data.get("producer_ids") or [])] \
        if data["kind"] == RoundKind.COLLECT else []
    schedule = RoundSchedule(hub_id=hub.id, name=data["name"], kind=data["kind"],
                             weekdays=sorted(set(data["weekdays"])), start=data["start"],
                             end=data["end"], cutoff_hours=data.get("cutoff_hours", 24),
                             producer_ids=ids, solidarity=data.get("solidarity", False))
    db.session.add(schedule)
    db.session.flush()
    plan_ahead(utcnow(), [schedule])
    return schedule


def create_round(user: User, data: dict, now: datetime | None = None) -> Round:
    """A one-off round, e.g. an extra distribution before a holiday."""
    hub = hub_of(user)
    now = now or utcnow()
    _check_kind(data)
    starts, ends = data["starts_at"], data["ends_at"]
    cutoff = data.get("cutoff_at") or starts
    if ends <= starts:
        raise InvalidInput("ends_at must be after starts_at", {"ends_at": "must be after"})
    if ends <= now:
        raise InvalidInput("the round is already over", {"ends_at": "must be in the future"})
    if cutoff > starts:
        raise InvalidInput("orders must close before the round starts",
                           {"cutoff_at": "must not be after starts_at"})
    producers = _own_producers(hub, data.get("producer_ids") or []) \
        if data["kind"] == RoundKind.COLLECT else []
    return _new_round(hub, data["kind"], data.get("name") or "", starts, ends, cutoff,
                      data.get("solidarity", False), None, producers)


def _new_round(hub, kind, name, starts, ends, cutoff, solidarity, schedule_id,
               producers) -> Round:
    rnd = Round(hub_id=hub.id, schedule_id=schedule_id, name=name, kind=kind,
                solidarity=solidarity, starts_at=starts, ends_at=ends, cutoff_at=cutoff)
    for p in producers:
        rnd.orders.append(RoundOrder(producer_id=p.id, customer=p.name, address=p.address,
                                     lat=p.lat, lon=p.lon, weight_kg=p.default_kg,
                                     volume_l=p.default_l))
    db.session.add(rnd)
    db.session.flush()
    return rnd


def occurrences(schedule: RoundSchedule, first: date, days: int):
    """``(starts_at, ends_at, cutoff_at)`` of the schedule's rounds on ``days`` days."""
    tz = timezone()
    start, end = parse_hhmm(schedule.start, "start"), parse_hhmm(schedule.end, "end")
    for n in range(days):
        day = first + timedelta(days=n)
        if day.weekday() in schedule.weekdays:
            s = datetime.combine(day, start, tz)
            e = datetime.combine(day, end, tz)
            yield s, e, s - timedelta(hours=schedule.cutoff_hours)


def plan_ahead(now: datetime, schedules: list[RoundSchedule] | None = None) -> list[Round]:
    """Make the rounds of active schedules for the coming week (those whose orders
    are still open). Idempotent: a round made already (here or by another
    process) is not made twice."""
    if schedules is None:
        schedules = db.session.scalars(select(RoundSchedule).where(
            RoundSchedule.active.is_(True))).all()
    made = []
    first = now.astimezone(timezone()).date()
    for sch in schedules:
        have = set(db.session.scalars(select(Round.starts_at).where(
            Round.schedule_id == sch.id, Round.starts_at >= now)).all())
        hub = db.session.get(Merchant, sch.hub_id)
        producers = [p for p in db.session.scalars(select(Producer).where(
            Producer.id.in_(sch.producer_ids or [-1]), Producer.active.is_(True))).all()]
        for starts, ends, cutoff in occurrences(sch, first, AHEAD_DAYS):
            if cutoff <= now or starts in have:
                continue
            try:
                with db.session.begin_nested():
                    made.append(_new_round(hub, sch.kind, sch.name, starts, ends, cutoff,
                                           sch.solidarity, sch.id, producers))
            except IntegrityError:
                pass  # another process made it meanwhile
    return made


def release_due(now: datetime | None = None) -> list[Round]:
    """Release every open round whose cut-off has come."""
    now = now or utcnow()
    due = db.session.scalars(select(Round).where(
        Round.status == RoundStatus.OPEN, Round.cutoff_at <= now).order_by(Round.id)).all()
    return [r for r in due if release(None, r, now) is not None]


def release(actor: User | None, rnd: Round, now: datetime | None = None) -> list[Job] | None:
    """Close the round's orders and make its jobs. None if another call did it first.

    A hub may release its round before the cut-off (``actor``); the dispatch
    loop does it at the cut-off.
    """
    now = now or utcnow()
    if actor is not None and (actor.merchant is None or actor.merchant.id != rnd.hub_id):
        raise Forbidden("this round is another hub's")
    if rnd.status != RoundStatus.OPEN:
        if actor is not None:
            raise Conflict(f"this round is {rnd.status.value}", {"status": rnd.status.value})
        return None
    late = rnd.ends_at <= now
    target = RoundStatus.CANCELLED if late else RoundStatus.RELEASED
    if not compare_and_set(Round, rnd.id, RoundStatus.OPEN, status=target, released_at=now):
        return None
    if late:
        return []
    jobs = [_job(rnd, order, now) for order in rnd.orders]
    db.session.add_all(jobs)
    db.session.flush()
    for order, job in zip(rnd.orders, jobs, strict=True):
        order.job_id = job.id
        if rnd.kind == RoundKind.COLLECT:
            job.group_id = jobs[0].id  # one courier collects the whole round
    for job in jobs:
        record(actor, "job", "created", job=job, to_status=JobStatus.PENDING,
               data={"round": rnd.id})
        announce_job(job)
    return jobs


def _window(rnd: Round, order: RoundOrder) -> tuple[datetime, datetime]:
    if not order.slot:
        return rnd.starts_at, rnd.ends_at
    a, b = order.slot.split("-")
    day = rnd.starts_at.astimezone(timezone()).date()
    tz = timezone()
    return (datetime.combine(day, parse_hhmm(a, "slot"), tz),
            datetime.combine(day, parse_hhmm(b, "slot"), tz))


def _job(rnd: Round, order: RoundOrder, now: datetime) -> Job:
    hub = rnd.hub
    here = {"lat": hub.lat, "lon": hub.lon, "address": hub.address or hub.name}
    there = {"lat": order.lat, "lon": order.lon, "address": order.address}
    pickup, dropoff = (there, here) if rnd.kind == RoundKind.COLLECT else (here, there)
    ready_at, deliver_by = _window(rnd, order)
    price, breakdown = _price(rnd, pickup, dropoff, order, ready_at, deliver_by, now)
    return Job(merchant_id=hub.id, status=JobStatus.PENDING, created_at=now, round_id=rnd.id,
               solidarity=rnd.solidarity, priority=ROUND if rnd.solidarity else PAID,
               pickup_lat=pickup["lat"], pickup_lon=pickup["lon"],
               pickup_address=pickup["address"], dropoff_lat=dropoff["lat"],
               dropoff_lon=dropoff["lon"], dropoff_address=dropoff["address"],
               ready_at=ready_at, deliver_by=deliver_by, weight_kg=order.weight_kg,
               volume_l=order.volume_l,
               recipient_name=order.customer if rnd.kind == RoundKind.DISTRIBUTE else "",
               recipient_phone=order.phone, notes=order.notes, slot=order.slot,
               price_cents=price, price_breakdown=breakdown)


def _price(rnd, pickup, dropoff, order, ready_at, deliver_by, now):
    """Free for solidarity rounds; else each leg under the pricing rules in force."""
    if rnd.solidarity:
        return 0, {"free": True, "solidarity": "round", "round": rnd.id}
    try:
        quote = prepare(None, {"pickup": pickup, "dropoff": dropoff, "weight_kg": order.weight_kg,
                               "volume_l": order.volume_l, "ready_at": ready_at,
                               "deliver_by": deliver_by}, now).price
    except DomainError as err:  # checked at import; a rule changed since: priced by hand
        return None, {"round": rnd.id, "unpriced": err.message}
    return quote.cents, {**quote.breakdown(), "round": rnd.id}


def hub_rounds(user: User, upcoming_only: bool = False) -> list[Round]:
    """A hub's rounds (dispatch and the council: every hub's), latest first."""
    stmt = select(Round).order_by(Round.starts_at.desc(), Round.id.desc()).limit(200)
    if user.role == Role.MERCHANT:
        stmt = stmt.where(Round.hub_id == hub_of(user).id)
    elif user.role not in (Role.DISPATCHER, Role.COUNCIL):
        raise Forbidden("rounds are for food hubs, dispatch and the council")
    return list(db.session.scalars(stmt))


def visible_round(user: User, rnd: Round) -> Round:
    if user.role in (Role.DISPATCHER, Role.COUNCIL):
        return rnd
    if user.role == Role.MERCHANT and user.merchant and user.merchant.id == rnd.hub_id:
        return rnd
    raise Forbidden("this round is another hub's")


def tick(now: datetime | None = None) -> bool:
    """One pass of the dispatch loop: release due rounds (a cheap indexed query each
    time) and make the coming week's rounds (hourly). Returns whether it changed
    anything."""
    from flask import current_app

    now = now or utcnow()
    changed = bool(release_due(now))
    state = current_app.extensions.setdefault("courier.rounds", {})
    last = state.get("planned_at")
    if last is None or now - last >= timedelta(hours=1) or now < last:
        state["planned_at"] = now
        changed = bool(plan_ahead(now)) or changed
    return changed
